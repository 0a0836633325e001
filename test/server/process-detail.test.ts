/**
 * The pre-rendered process detail (rest/process-detail.ts) against the definition: after
 * every step of a random history (forks, execs, exits, re-parenting, procfs snapshots,
 * out-of-order events), GET /v1/processes/{pid} and /by-key/{key} at random moments must
 * equal processDto computed afresh — including right after a change to a process whose
 * text was kept. And the text is written past Fastify's send path: over real HTTP its
 * headers must be those of any other JSON route, HEAD included.
 */
import t from 'tap';
import { rng } from '../helpers/rng.js';
import type { TaskEvent, TaskInfo } from '../../src/events/types.js';
import { ProcessTree } from '../../src/caches/process-tree.js';
import { buildApp } from '../../src/server/app.js';
import { ProcessQuery } from '../../src/query/process-query.js';
import { ContainerCache } from '../../src/caches/containers.js';
import { processDto } from '../../src/query/index.js';
import { BOOT_EPOCH_NS, S, replayedApp } from './fixture.js';
import type { FastifyInstance } from 'fastify';

interface Live {
  pid: number;
  start: bigint;
  ppid: number;
  pstart: bigint;
  comm: string;
}

const task = (p: Live, comm = p.comm, uid = 1000): TaskInfo => ({
  tid: p.pid, pid: p.pid, startNs: p.start, leaderStartNs: p.start, ppid: p.ppid, parentStartNs: p.pstart,
  uid, gid: uid, cgroupId: 1n, pidNsId: 4026531836, nsPid: p.pid, nsTid: p.pid, comm,
});

t.test('the kept text always equals a fresh rendering', async (t) => {
  const r = rng(11);
  let now = 10n * S;
  const clock = { bootToEpochNs: BOOT_EPOCH_NS, nowBootNs: () => now };
  const tree = new ProcessTree({ bootToEpochNs: BOOT_EPOCH_NS, execHistorySize: 3 });
  const app = buildApp({ tree, clock });
  const query = new ProcessQuery(tree, clock, new ContainerCache());
  const init: Live = { pid: 1, start: S, ppid: 0, pstart: 0n, comm: 'init' };
  tree.apply({ type: 'snapshot', time: 2n * S, task: task(init), file: { path: '/sbin/init', inode: 1n, dev: 1, ctimeNs: 5n, mode: 0o100755 }, argv: ['/sbin/init'] });
  const alive: Live[] = [init];
  const everyone: Live[] = [init];
  let nextPid = 100;
  let checks = 0;
  let kept = 0;
  for (let step = 0; step < 600; step++) {
    now += BigInt(1 + Math.floor(r() * 5)) * 1_000_000n;
    const pick = alive[Math.floor(r() * alive.length)]!;
    const kind = r();
    let ev: TaskEvent | undefined;
    if (kind < 0.35 || alive.length < 3) {
      const child: Live = { pid: nextPid++, start: now, ppid: pick.pid, pstart: pick.start, comm: pick.comm };
      ev = { type: 'fork', time: now, child: task(child), creatorTid: pick.pid, creatorStartNs: pick.start, isThread: false };
      alive.push(child);
      everyone.push(child);
    } else if (kind < 0.65) {
      // Some names outside ASCII: the kept body is UTF-8 bytes behind an ASCII prefix.
      const name = `${r() < 0.3 ? 'prozeß-' : 'p'}${Math.floor(r() * 6)}`;
      pick.comm = name;
      // Sometimes late: an exec that happened a little before events already applied.
      const time = r() < 0.2 ? now - 2_000_000n : now;
      ev = {
        type: 'exec', time, task: task(pick, name, r() < 0.2 ? 0 : 1000), oldTid: pick.pid,
        file: { path: `/usr/bin/${name}`, inode: BigInt(step), dev: 1, ctimeNs: BigInt(step) * S, mode: 0o100755 },
        argv: [name, String(step)], argvTruncated: r() < 0.1,
      };
    } else if (kind < 0.85 && pick.pid !== 1) {
      ev = { type: 'exit', time: now, task: task(pick), exitStatus: r() < 0.5 ? 1 << 8 : 9, groupDead: true };
      alive.splice(alive.indexOf(pick), 1);
      // Orphans go to init, as the kernel would report in their next events.
      for (const c of alive) if (c.ppid === pick.pid) {
        c.ppid = 1;
        c.pstart = S;
      }
    } else {
      ev = { type: 'snapshot', time: now, task: task(pick), file: { path: `/proc/${pick.pid}/exe`, inode: 7n, dev: 1, ctimeNs: 0n, mode: 0o100755 }, argv: [pick.comm] };
    }
    if (ev !== undefined) tree.apply(ev);
    for (let k = 0; k < 4; k++) {
      const who = everyone[Math.floor(r() * everyone.length)]!;
      const when = r() < 0.6 ? now : now - BigInt(Math.floor(r() * 40)) * 1_000_000n;
      const atQuery = when === now ? '' : `?at=${when + BOOT_EPOCH_NS}`;
      const node = query.processByPid(who.pid, when);
      const res = await app.inject({ url: `/v1/processes/${who.pid}${atQuery}` });
      if (node === undefined) {
        if (res.statusCode !== 404) {
          t.fail(`step ${step}: pid ${who.pid} at ${when}: ${res.statusCode}, expected 404`);
          return;
        }
        continue;
      }
      const want = JSON.parse(JSON.stringify(processDto(tree, clock, node, when, query.containers)));
      const again = await app.inject({ url: `/v1/processes/by-key/${encodeURIComponent(node.key)}${atQuery}` });
      for (const got of [res, again]) {
        if (got.statusCode !== 200 || JSON.stringify(JSON.parse(got.body)) !== JSON.stringify(want)) {
          t.fail(`step ${step}: pid ${who.pid} at ${when}: ${got.statusCode} ${got.body} != ${JSON.stringify(want)}`);
          return;
        }
        if (got.headers['content-type'] !== 'application/json; charset=utf-8') {
          t.fail(`content-type ${String(got.headers['content-type'])}`);
          return;
        }
        if (got.headers['content-length'] !== String(got.rawPayload.length)) {
          t.fail(`content-length ${String(got.headers['content-length'])} for ${got.rawPayload.length} bytes`);
          return;
        }
        checks++;
      }
      kept++;
    }
  }
  t.ok(checks > 1000, `${checks} responses compared`);
  t.ok(kept > 0);
});

/** Status, headers (without the per-response date) and body of one request over real HTTP. */
async function over(app: FastifyInstance, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  const res = await fetch(`http://127.0.0.1:${address.port}${path}`, { method });
  const headers = Object.fromEntries(res.headers);
  delete headers.date;
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** The headers every JSON answer shares (what differs: its size). */
function common(h: Record<string, string>): Record<string, string> {
  const { 'content-length': _, ...rest } = h;
  return rest;
}

t.test('over HTTP the detail has the headers of any JSON route; HEAD has no body', async (t) => {
  const { app } = replayedApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const health = await over(app, '/healthz');
  t.equal(health.headers['content-type'], 'application/json; charset=utf-8');
  for (const path of ['/v1/processes/200', '/v1/processes/by-key/200@2000', '/v1/processes/200?at=2026-11-27T10:00:20.200000000Z']) {
    for (let i = 0; i < 2; i++) {
      // The second request is answered from the kept text.
      const got = await over(app, path);
      t.equal(got.status, 200, path);
      t.same(common(got.headers), common(health.headers), `${path}: headers`);
      t.equal(got.headers['content-length'], String(got.body.length), `${path}: content-length`);
      t.equal(JSON.parse(got.body.toString('utf8')).pid, 200);
      const head = await over(app, path, 'HEAD');
      t.equal(head.status, 200);
      t.equal(head.body.length, 0, 'HEAD: no body');
      t.equal(head.headers['content-length'], got.headers['content-length'], 'HEAD: the size GET sends');
    }
  }
  t.equal((await over(app, '/v1/processes/77777')).status, 404);
});

t.test('an onSend hook that sets a header is seen missing from the detail (the check above can fail)', async (t) => {
  const { app } = replayedApp();
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-frame-options', 'DENY');
    return payload;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const health = await over(app, '/healthz');
  const detail = await over(app, '/v1/processes/200');
  t.equal(health.headers['x-frame-options'], 'DENY');
  t.equal(detail.headers['x-frame-options'], undefined, 'the direct write skips onSend hooks');
  t.not(JSON.stringify(common(detail.headers)), JSON.stringify(common(health.headers)));
});
