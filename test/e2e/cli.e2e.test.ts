/**
 * The installed command as a user runs it: `proctrail serve` on a port, `proctrail lineage`
 * against it, `--help`, and SIGTERM detaching every BPF program.
 */
import t from 'tap';
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = `${root}bin/proctrail.js`;
const built = existsSync(`${root}dist/cli.js`);
const skipBuild = skipUnless(built, 'dist/ not built (run scripts/setup)');

t.test('--help for every command, bad options are clear errors', { skip: skipBuild }, async (t) => {
  for (const cmd of ['serve', 'record', 'replay', 'lineage', 'report', 'stats']) {
    const r = spawnSync('node', [bin, cmd, '--help'], { encoding: 'utf8' });
    t.equal(r.status, 0, `${cmd} --help exits 0`);
    t.match(r.stdout, new RegExp(`Usage: proctrail ${cmd}`));
  }
  const top = spawnSync('node', [bin, '--help'], { encoding: 'utf8' });
  t.match(top.stdout, /Commands:[\s\S]*lineage/);
  const bad = spawnSync('node', [bin, 'serve', '--port', 'x'], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--port must be an integer/);
  const unknown = spawnSync('node', [bin, 'frobnicate'], { encoding: 'utf8' });
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /unknown command 'frobnicate'/);
  const lin = spawnSync('node', [bin, 'lineage', 'abc'], { encoding: 'utf8' });
  t.equal(lin.status, 2);
  t.match(lin.stderr, /expected one pid/);
});

const skipKernel = skipBuild || skipUnless(ebpfMissing() === undefined, ebpfMissing() ?? '');

t.test('serve, lineage against it, SIGTERM leaves no BPF program', { skip: skipKernel }, async (t) => {
  const port = 17000 + (process.pid % 1000);
  const srv = spawn('node', [bin, 'serve', '--port', String(port), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  srv.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => srv.on('exit', (c) => r(c)));
  t.teardown(() => { srv.kill('SIGKILL'); });
  await waitFor(() => err.includes('serving on'), 30000, 'server start');
  t.match(err, /tracing with eBPF/);
  const progs = () => execFileSync('bpftool', ['prog', 'show'], { encoding: 'utf8' });
  t.match(progs(), /pt_exec/, 'programs attached while serving');

  const child = spawn('bash', ['-c', 'sleep 5 & wait'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 300));
  const sleepPid = Number(execFileSync('pgrep', ['-n', '-P', String(child.pid), 'sleep'], { encoding: 'utf8' }).trim());
  const out = spawnSync('node', [bin, 'lineage', String(sleepPid), '--url', `http://127.0.0.1:${port}`], { encoding: 'utf8' });
  t.equal(out.status, 0, out.stderr);
  const lines = out.stdout.trim().split('\n');
  t.match(lines[0], /^\[1\] /, 'root (pid 1) first');
  t.match(lines.at(-1), new RegExp(`└─ \\[${sleepPid}\\] sleep /usr/bin/sleep sleep 5`), 'the process last, indented');
  t.match(lines.at(-2), new RegExp(`└─ \\[${child.pid}\\] bash`), 'its parent above it');

  // Other test files may run tracers concurrently: check this server's own program ids.
  const stats = await (await fetch(`http://127.0.0.1:${port}/v1/stats`)).json() as { sources: { ebpf: { programIds: string } } };
  const ids = stats.sources.ebpf.programIds.split(',').filter(Boolean);
  t.ok(ids.length >= 3, `the server reports its program ids (${ids.join(',')})`);
  const listed = () => new Set([...progs().matchAll(/^(\d+):/gm)].map((m) => m[1]));
  t.ok(ids.every((id) => listed().has(id)), 'all of them loaded while serving');
  srv.kill('SIGTERM');
  t.equal(await exited, 0, 'exits 0 on SIGTERM');
  // The kernel frees a detached program after the process is gone (cgroup programs from a
  // workqueue, after an RCU grace period): allow it a moment, then name what is left.
  const left = () => {
    const after = listed();
    return ids.filter((id) => after.has(id));
  };
  await waitFor(() => left().length === 0, 5000, 'the programs to be freed').catch(() => undefined);
  t.same(left(), [], 'none of its programs left after SIGTERM');
});
