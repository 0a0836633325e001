/**
 * End to end on the real kernel: the eBPF source feeds the process tree, and REST and
 * GraphQL answer about a real 3-generation process chain — exact pids, names, executables,
 * parent links, the exec-before/after answer with `at`, and the lineage of an exited process.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { startService, type RunningService } from '../../src/service/service.js';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';

interface LineageItem { pid: number; key: string; name: string; executable: { path: string } | null; argv: string[]; startTime: string; exitTime: string | null }
interface ProcessJson extends LineageItem {
  exitCode: number | null;
  alive: boolean;
  parent: { pid: number; key: string; name: string } | null;
  execHistory: Array<{ time: string; timeNs: string; path: string; argv: string[] }>;
  origin: string;
}

const skip = skipUnless(ebpfMissing() === undefined, ebpfMissing() ?? '');

t.test('real kernel → caches → REST and GraphQL', { skip }, async (t) => {
  // Started before the service: only the procfs scan can know it.
  const early = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => early.kill('SIGKILL'));
  await new Promise((r) => early.once('spawn', r));
  await new Promise((r) => setTimeout(r, 50));

  const svc: RunningService = await startService({ source: 'ebpf', log: () => undefined });
  t.teardown(() => svc.close());
  t.equal(svc.mode.live, 'ebpf', 'the live source is eBPF');
  const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const res = await svc.app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() as T };
  };
  const gql = async <T>(query: string): Promise<T> => {
    const res = await svc.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
    t.equal(res.statusCode, 200, 'graphql 200');
    const body = res.json() as { data: T; errors?: unknown };
    t.notOk(body.errors, 'no GraphQL errors');
    return body.data;
  };

  t.test('a process started before the server is in the tree with its parent', async (t) => {
    const { status, body } = await get<ProcessJson>(`/v1/processes/${early.pid}`);
    t.equal(status, 200);
    t.equal(body.name, 'sleep');
    t.equal(body.parent?.pid, process.pid, 'parent is this test process');
    t.equal(body.origin, 'procfs');
    t.same(body.argv, ['sleep', '30']);
  });

  // bash A → bash B → sleep C: `bash -c 'X & wait'` forks for the background job, so each
  // generation is a distinct pid (a plain `sh -c cmd` might exec cmd in place).
  let chain: ChildProcess | undefined;
  const chainDone = new Promise<number>((resolve) => {
    chain = spawn('bash', ['-c', 'bash -c "sleep 1.5 & wait" & wait'], { stdio: 'ignore' });
    chain.on('exit', (c) => resolve(c ?? -1));
  });
  const a = chain!.pid!;
  const tree = svc.pipeline.tree;
  const now = () => svc.clock.nowBootNs();
  const [b, c] = await waitFor(() => {
    const pa = tree.findProcessByPid(a, now());
    const pb = pa && tree.childrenOf(pa, now())[0];
    const pc = pb && tree.childrenOf(pb, now())[0];
    return pc && pc.execHistory.length > 0 ? [pb.pid, pc.pid] as const : undefined;
  }, 5000, 'the 3-generation chain in the tree');
  t.not(a, b);
  t.not(b, c);

  t.test('lineage of a live process: exact pids, names, executables, up to pid 1', async (t) => {
    const { status, body } = await get<{ lineage: LineageItem[] }>(`/v1/processes/${c}/lineage`);
    t.equal(status, 200);
    const l = body.lineage;
    t.same(l.slice(0, 4).map((p) => p.pid), [c, b, a, process.pid], 'C → B → A → this test');
    t.same(l.slice(0, 3).map((p) => p.name), ['sleep', 'bash', 'bash']);
    t.match(l[0]!.executable?.path, /\/sleep$/);
    t.match(l[1]!.executable?.path, /\/bash$/);
    t.same(l[0]!.argv, ['sleep', '1.5']);
    t.same(l[1]!.argv, ['bash', '-c', 'sleep 1.5 & wait']);
    t.equal(l.at(-1)!.pid, 1, 'ends at pid 1');
    t.match(l[0]!.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/, 'RFC 3339 with ns');
    const dot = await svc.app.inject({ method: 'GET', url: `/v1/processes/${c}/lineage?format=dot` });
    t.equal(dot.statusCode, 200);
    t.match(dot.body, new RegExp(`"${b}@\\d+" -> "${c}@\\d+"`), 'DOT has the B → C edge');
  });

  t.test('exec before/after with at', async (t) => {
    const { body } = await get<ProcessJson>(`/v1/processes/${c}`);
    const exec = body.execHistory.at(-1)!;
    t.match(exec.path, /\/sleep$/);
    const before = (BigInt(exec.timeNs) - 1n).toString();
    const { body: old } = await get<ProcessJson>(`/v1/processes/${c}?at=${before}`);
    t.equal(old.key, body.key, 'same process');
    t.equal(old.name, 'bash', 'before exec: the forked bash');
    t.match(old.executable?.path, /\/bash$/, 'before exec: bash executable inherited at fork');
    const { body: cur } = await get<ProcessJson>(`/v1/processes/${c}?at=${encodeURIComponent(exec.time)}`);
    t.equal(cur.name, 'sleep', 'at the exec time: sleep');
  });

  t.test('GraphQL: the issue query with nested fields inheriting at', async (t) => {
    const { body } = await get<ProcessJson>(`/v1/processes/${c}`);
    const before = (BigInt(body.execHistory.at(-1)!.timeNs) - 1n).toString();
    type P = { pid: number; name: string };
    const data = await gql<{ process: { key: string; name: string; executable: { path: string }; parent: P; ancestors: P[]; children: P[]; threads: Array<{ tid: number; name: string }>; execHistory: unknown[] } }>(
      `{ process(pid: ${b}, at: "${before}") { key name executable { path } parent { pid name } ancestors(maxDepth: 8) { pid name } children { pid name } threads { tid name } execHistory { time path argv } } }`);
    const p = data.process;
    t.equal(p.name, 'bash');
    t.equal(p.parent.pid, a);
    t.same(p.ancestors.slice(0, 2).map((x) => x.pid), [a, process.pid]);
    t.same(p.children, [{ pid: c, name: 'bash' }], 'child C was still bash at that moment (inherited at)');
    t.same(p.threads, [{ tid: b, name: 'bash' }]);
    t.equal(p.execHistory.length, 1);
  });

  t.test('after exit: exit time and code, and the lineage still resolves', async (t) => {
    t.equal(await chainDone, 0);
    await waitFor(() => tree.findProcessByPid(c, now())?.exitNs !== undefined, 5000, 'exit of C');
    const { body } = await get<ProcessJson>(`/v1/processes/${c}`);
    t.equal(body.alive, false);
    t.equal(body.exitCode, 0);
    t.ok(body.exitTime, 'has an exit time');
    const { status, body: lin } = await get<{ lineage: LineageItem[] }>(`/v1/processes/${c}/lineage`);
    t.equal(status, 200);
    t.same(lin.lineage.slice(0, 4).map((p) => p.pid), [c, b, a, process.pid], 'lineage of the exited process');
  });

  t.test('exit codes: sh -c "exit 3"', async (t) => {
    const p = spawn('sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    await new Promise((r) => p.on('exit', r));
    const pid = p.pid!;
    await waitFor(() => tree.findProcessByPid(pid, now())?.exitNs !== undefined, 5000, 'exit of sh');
    const { body } = await get<ProcessJson>(`/v1/processes/${pid}`);
    t.equal(body.exitCode, 3);
  });
});
