/**
 * The fallback a host without eBPF gets: procfs polling, announced in the log, still builds
 * the tree (processes that live longer than the interval) and answers REST queries.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { startService } from '../../src/service/service.js';
import { waitFor } from '../helpers/capability.js';

t.test('procfs polling source: announced, and a new process appears with its parent', async (t) => {
  const logs: string[] = [];
  const svc = await startService({ source: 'procfs', pollIntervalMs: 100, dns: false, log: (l) => logs.push(l) });
  t.teardown(() => svc.close());
  t.equal(svc.mode.live, 'procfs-poll');
  t.match(logs.join('\n'), /falling back to polling \/proc every 100 ms/, 'the fallback is announced');
  const child = spawn('bash', ['-c', 'sleep 2 & wait'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  const sleeper = await waitFor(() => {
    const p = svc.pipeline.tree.findProcessByPid(child.pid!, svc.clock.nowBootNs());
    const kids = p && svc.pipeline.tree.childrenOf(p, svc.clock.nowBootNs());
    return kids?.find((k) => k.argv.current()?.[0] === 'sleep');
  }, 5000, 'the polled sleep under its bash');
  const res = await svc.app.inject({ method: 'GET', url: `/v1/processes/${sleeper.pid}/lineage` });
  t.equal(res.statusCode, 200);
  const pids = (res.json() as { lineage: Array<{ pid: number }> }).lineage.map((p) => p.pid);
  t.same(pids.slice(0, 3), [sleeper.pid, child.pid, process.pid]);
  child.kill('SIGKILL');
  await waitFor(() => svc.pipeline.tree.findProcessByPid(child.pid!, svc.clock.nowBootNs())?.exitNs !== undefined, 5000, 'polled exit');
  const gone = await svc.app.inject({ method: 'GET', url: `/v1/processes/${child.pid}` });
  const body = gone.json() as { alive: boolean; exitCode: number | null; exitSignal: number | null; exitTime: string | null };
  t.equal(body.alive, false, 'the vanished process is marked exited');
  t.ok(body.exitTime, 'with the time polling noticed');
  t.equal(body.exitCode, null, 'exit code unknown to polling');
  t.equal(body.exitSignal, null, 'signal unknown to polling');
});
