/** REST answers for a replayed fork/exec/exit sequence on a real ProcessTree. */
import t from 'tap';
import { EXEC_200, EXIT_300, EXIT_400, iso, NOW, replayedApp, S, START, BOOT_EPOCH_NS } from './fixture.js';

const { app } = replayedApp({ stats: () => ({ source: { name: 'replay', dropped: 2n ** 64n - 1n } }) });
t.teardown(() => app.close());

async function get(url: string) {
  const r = await app.inject(url);
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.body, json: () => r.json() };
}

t.test('process now: after exec, with parent, credentials and exec history', async (t) => {
  const r = await get('/v1/processes/200');
  t.equal(r.status, 200);
  const p = r.json();
  t.equal(p.key, '200@2000');
  t.equal(p.pid, 200);
  t.equal(p.name, 'sleep');
  t.same(p.executable, { path: '/usr/bin/sleep', inode: '1002', dev: 2049, ctime: '2023-11-14T22:13:20.123456789Z', ctimeNs: '1700000000123456789', mode: 0o100755 });
  t.same(p.argv, ['sleep', '3']);
  t.equal(p.startTime, iso(START.p200));
  t.equal(p.startTimeNs, (START.p200 + BOOT_EPOCH_NS).toString(), 'exact ns beyond 2^53');
  t.same(p.parent, { key: '100@1012', pid: 100, name: 'bash' });
  t.equal(p.uid, 1000);
  t.equal(p.cgroupId, '18446744073709551557', '64-bit cgroup id survives');
  t.equal(p.alive, true);
  t.equal(p.exitTime, null);
  t.equal(p.at, iso(NOW));
  t.equal(typeof p.entityId, 'number');
  t.same(p.execHistory.map((e: { path: string; time: string; argv: string[] }) => [e.path, e.time, e.argv]), [
    ['/usr/bin/sleep', iso(EXEC_200), ['sleep', '3']],
  ]);
});

t.test('at before and after the exec (RFC 3339 with ns, offsets, epoch ns)', async (t) => {
  const before = (await get(`/v1/processes/200?at=${encodeURIComponent(iso(EXEC_200 - 1n))}`)).json();
  t.equal(before.name, 'bash');
  t.equal(before.executable.path, '/usr/bin/bash');
  t.same(before.execHistory, [], 'no exec yet at that moment');
  t.equal(before.at, iso(EXEC_200 - 1n));
  const after = (await get(`/v1/processes/200?at=${encodeURIComponent(iso(EXEC_200))}`)).json();
  t.equal(after.name, 'sleep');
  t.equal(after.executable.path, '/usr/bin/sleep');
  const epoch = (await get(`/v1/processes/200?at=${EXEC_200 - 1n + BOOT_EPOCH_NS}`)).json();
  t.equal(epoch.name, 'bash', 'epoch-ns at');
  t.equal(epoch.atNs, (EXEC_200 - 1n + BOOT_EPOCH_NS).toString());
  // 10:00:20.5 UTC written as 12:00:20.5+02:00 is exactly EXEC_200 - 1 ns + 1 ns.
  const offset = (await get(`/v1/processes/200?at=${encodeURIComponent('2026-11-27T12:00:20.500000001+02:00')}`)).json();
  t.equal(offset.name, 'sleep');
  t.equal(offset.atNs, (EXEC_200 + BOOT_EPOCH_NS).toString());
});

t.test('exited process: exit time, code and signal; point in time before exit', async (t) => {
  const p = (await get('/v1/processes/300')).json();
  t.equal(p.name, 'false');
  t.equal(p.alive, false);
  t.equal(p.exitTime, iso(EXIT_300));
  t.equal(p.exitTimeNs, (EXIT_300 + BOOT_EPOCH_NS).toString());
  t.equal(p.exitCode, 1);
  t.equal(p.exitSignal, null);
  t.same(p.parent, { key: '200@2000', pid: 200, name: 'sleep' });
  const killed = (await get('/v1/processes/400')).json();
  t.equal(killed.exitCode, null);
  t.equal(killed.exitSignal, 9);
  t.equal(killed.exitTime, iso(EXIT_400));
  const alive = (await get(`/v1/processes/300?at=${encodeURIComponent(iso(EXIT_300 - 1n))}`)).json();
  t.equal(alive.alive, true);
  t.equal(alive.exitTime, null, 'not exited yet at that moment');
  const byKey = (await get('/v1/processes/by-key/300@2100')).json();
  t.equal(byKey.pid, 300);
  t.equal(byKey.exitCode, 1);
  t.equal((await get('/v1/processes/by-key/300@2101')).status, 404);
  t.equal((await get(`/v1/processes/300?at=${encodeURIComponent(iso(START.p300 - 1n))}`)).status, 404, 'not started yet');
});

t.test('lineage JSON runs from the process up to pid 1', async (t) => {
  const r = (await get('/v1/processes/300/lineage')).json();
  t.equal(r.truncated, false);
  t.same(
    r.lineage.map((p: { pid: number; key: string; name: string; executable: { path: string }; argv: string[] }) => [p.pid, p.key, p.name, p.executable.path, p.argv]),
    [
      [300, '300@2100', 'false', '/bin/false', ['false', '--x']],
      [200, '200@2000', 'sleep', '/usr/bin/sleep', ['sleep', '3']],
      [100, '100@1012', 'bash', '/usr/bin/bash', ['bash']],
      [1, '1@100', 'init', '/sbin/init', ['/sbin/init']],
    ],
  );
  t.equal(r.lineage[0].startTime, iso(START.p300));
  const cut = (await get('/v1/processes/300/lineage?maxDepth=1')).json();
  t.same(cut.lineage.map((p: { pid: number }) => p.pid), [300, 200]);
  t.equal(cut.truncated, true);
  const early = (await get(`/v1/processes/200/lineage?at=${encodeURIComponent(iso(EXEC_200 - 1n))}`)).json();
  t.equal(early.lineage[0].name, 'bash', 'lineage entries are at `at` too');
});

t.test('lineage DOT', async (t) => {
  const r = await get('/v1/processes/300/lineage?format=dot');
  t.equal(r.status, 200);
  t.match(r.type, /^text\/vnd\.graphviz/);
  t.equal(
    r.body,
    [
      'digraph lineage {',
      '  rankdir=TB;',
      '  node [shape=box, fontname="monospace"];',
      '  "1@100" [label="1 init\\n/sbin/init"];',
      '  "100@1012" [label="100 bash\\n/usr/bin/bash"];',
      '  "200@2000" [label="200 sleep\\n/usr/bin/sleep"];',
      '  "300@2100" [label="300 false\\n/bin/false", style=bold];',
      '  "1@100" -> "100@1012";',
      '  "100@1012" -> "200@2000";',
      '  "200@2000" -> "300@2100";',
      '}',
      '',
    ].join('\n'),
  );
});

t.test('children, descendants, threads', async (t) => {
  const now = (await get('/v1/processes/100/children')).json();
  t.same(now.children.map((c: { pid: number }) => c.pid), [200]);
  t.same(now.process, { key: '100@1012', pid: 100, name: 'bash' });
  const then = (await get(`/v1/processes/100/children?at=${encodeURIComponent(iso(EXIT_300 - 1n))}`)).json();
  t.same(then.children.map((c: { pid: number }) => c.pid), [200, 400]);
  const d = (await get(`/v1/processes/1/descendants?at=${encodeURIComponent(iso(EXIT_300 - 1n))}`)).json();
  t.same(d.descendants.map((x: { pid: number; depth: number; parentKey: string }) => [x.pid, x.depth, x.parentKey]), [
    [100, 1, '1@100'],
    [200, 2, '100@1012'],
    [400, 2, '100@1012'],
    [300, 3, '200@2000'],
  ]);
  t.equal(d.truncated, false);
  const th = (await get('/v1/processes/200/threads')).json();
  t.same(th.threads.map((x: { tid: number; pid: number }) => [x.tid, x.pid]), [[200, 200], [201, 200]]);
  const before = (await get(`/v1/processes/200/threads?at=${encodeURIComponent(iso(START.p201 - 1n))}`)).json();
  t.same(before.threads.map((x: { tid: number }) => x.tid), [200]);
  const tr = await get('/v1/threads/201');
  t.equal(tr.status, 200);
  t.equal(tr.json().processKey, '200@2000');
  t.equal(tr.json().startTimeNs, (START.p201 + BOOT_EPOCH_NS).toString());
  t.equal((await get('/v1/threads/9999')).status, 404);
});

t.test('listing: state, name glob, cursor pagination', async (t) => {
  const alive = (await get('/v1/processes')).json();
  t.same(alive.items.map((p: { pid: number }) => p.pid), [1, 100, 200]);
  t.equal(alive.nextCursor, null);
  const exited = (await get('/v1/processes?state=exited')).json();
  t.same(exited.items.map((p: { pid: number }) => p.pid), [300, 400]);
  const named = (await get('/v1/processes?state=all&name=' + encodeURIComponent('[bs]*'))).json();
  t.same(named.items.map((p: { pid: number }) => p.pid), [100, 200]);
  const then = (await get(`/v1/processes?name=bash&at=${encodeURIComponent(iso(EXEC_200 - 1n))}`)).json();
  t.same(then.items.map((p: { pid: number }) => p.pid), [100, 200], 'name at `at`');
  const pids: number[] = [];
  let url = '/v1/processes?state=all&limit=2';
  for (let i = 0; i < 5; i++) {
    const page = (await get(url)).json();
    pids.push(...page.items.map((p: { pid: number }) => p.pid));
    if (page.nextCursor === null) break;
    url = `/v1/processes?state=all&limit=2&cursor=${page.nextCursor}`;
  }
  t.same(pids, [1, 100, 200, 300, 400]);
});

t.test('stats, healthz, openapi', async (t) => {
  const s = (await get('/v1/stats')).json();
  t.equal(s.processTree.processes.size, 5);
  t.equal(s.processTree.applied.exec, 4);
  t.same(s.source, { name: 'replay', dropped: '18446744073709551615' }, 'bigint as decimal string');
  t.same((await get('/healthz')).json(), { status: 'ok', processes: 5 });
  const o = await get('/openapi.yaml');
  t.equal(o.status, 200);
  t.match(o.type, /yaml/);
  t.match(o.body, /^openapi: 3\./);
});

t.test('time precision at exactly the boundaries', async (t) => {
  // at == exit time: exited; 1 ns earlier: alive.
  t.equal((await get(`/v1/processes/300?at=${EXIT_300 + BOOT_EPOCH_NS}`)).json().alive, false);
  t.equal((await get(`/v1/processes/300?at=${EXIT_300 - 1n + BOOT_EPOCH_NS}`)).json().alive, true);
  t.ok(S > 0n);
});
