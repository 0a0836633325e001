/**
 * Lineage report over a range: golden DOT, JSON and Markdown of a replayed sequence with
 * processes before, inside and after the range, exits, re-parenting and a container;
 * Graphviz accepts the DOT; filters select exactly the expected processes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { buildLineageReport, type ReportFormat } from '../../src/query/report.js';
import { chunked, mdCode, mdText, renderReport } from '../../src/query/report-render.js';
import { resolveReportRequest, type ReportParams } from '../../src/query/report-request.js';
import { ProcessQuery } from '../../src/query/process-query.js';
import { formatTime } from '../../src/query/time.js';
import type { ReportProcessDto } from '../../src/query/report-dto.js';
import { hasCommand, skipUnless } from '../helpers/capability.js';
import { clock, replayedPipeline } from '../fixtures/report/replayed.js';
import { BOOT_TO_EPOCH_NS, CONTAINER_ID, FROM_NS, S, TO_NS } from '../fixtures/report/sequence.js';

const pipeline = await replayedPipeline();
const query = new ProcessQuery(pipeline.tree, clock, pipeline.containers);
const FROM = formatTime(FROM_NS + BOOT_TO_EPOCH_NS);
const TO = formatTime(TO_NS + BOOT_TO_EPOCH_NS);

/** Render a report to one string (tests only: the service streams). */
function render(params: ReportParams, format: ReportFormat): string {
  const r = resolveReportRequest(query, params);
  if ('kind' in r) throw new Error(`refused: ${r.kind}`);
  const report = buildLineageReport(pipeline.tree, r.selection, pipeline.containers);
  return [...chunked(renderReport(format, { report, clock, filters: r.filters, containers: pipeline.containers }), 256)].join('');
}

function keysOf(params: ReportParams): string[] {
  const doc = JSON.parse(render(params, 'json')) as { processes: ReportProcessDto[] };
  return doc.processes.map((p) => p.key);
}

const GOLDEN = { json: 'lineage.json', dot: 'lineage.dot', md: 'lineage.md' } as const;

for (const format of ['json', 'dot', 'md'] as const) {
  t.test(`golden ${format}`, async (t) => {
    const out = render({ from: FROM, to: TO }, format);
    const file = new URL(`../fixtures/report/${GOLDEN[format]}`, import.meta.url);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, out);
    t.equal(out, readFileSync(file, 'utf8'), `matches test/fixtures/report/${GOLDEN[format]} (UPDATE_GOLDEN=1 rewrites)`);
  });
}

t.test('JSON: exactly the processes alive in [from, to), in forest order, with exits, re-parenting and container', async (t) => {
  const doc = JSON.parse(render({ from: FROM, to: TO }, 'json')) as {
    from: string; to: string; processes: ReportProcessDto[]; summary: Record<string, number>;
  };
  t.equal(doc.from, '2026-11-27T10:00:10.000000000Z');
  t.same(doc.processes.map((p) => `${'  '.repeat(p.depth)}${p.pid}`), [
    '1', '  10', '    30', '      31', '        32', '        33', '      34', '  40', '    41',
  ], '20 (exited before) and 50 (started after) are out; 33 hangs under make, where it was at 10 s');
  const by = new Map(doc.processes.map((p) => [p.pid, p]));
  t.same(by.get(32)?.exitCode, 0);
  t.equal(by.get(32)?.exitTime, '2026-11-27T10:00:13.000000000Z');
  t.equal(by.get(31)?.exitCode, 2);
  t.equal(by.get(41)?.exitSignal, 15);
  t.equal(by.get(41)?.aliveAtEnd, false);
  t.equal(by.get(40)?.aliveAtEnd, true);
  t.same(by.get(33)?.parents.map((p) => [p.pid, p.since]), [
    [31, '2026-11-27T10:00:12.500000000Z'],
    [1, '2026-11-27T10:00:14.000000000Z'],
  ], 're-parented to init when make exited');
  t.equal(by.get(40)?.container?.id, CONTAINER_ID);
  t.equal(by.get(40)?.container?.runtime, 'docker');
  t.equal(by.get(30)?.container, null);
  t.same(by.get(10)?.execs.map((x) => x.path), ['/usr/sbin/sshd'], 'exec before the range is history');
  t.same(doc.summary, { processes: 9, roots: 1, exited: 3, reparented: 1 });
});

t.test('range edges: [from, to) is half-open', async (t) => {
  const at = (s: bigint) => formatTime(s + BOOT_TO_EPOCH_NS);
  t.notOk(keysOf({ from: at(5n * S), to: at(6n * S) }).includes('20@500'), 'cron exited exactly at 5 s: not alive at 5 s');
  t.ok(keysOf({ from: at(4n * S), to: at(6n * S) }).some((k) => k.startsWith('20@')), 'alive at 4 s');
  t.notOk(keysOf({ from: at(20n * S), to: at(25n * S) }).some((k) => k.startsWith('50@')), 'started exactly at to: out');
  t.ok(keysOf({ from: at(20n * S), to: at(26n * S) }).some((k) => k.startsWith('50@')));
});

t.test('filters', async (t) => {
  const pids = (p: ReportParams) => keysOf({ from: FROM, to: TO, ...p }).map((k) => Number(k.split('@')[0]));
  t.same(pids({ root: '31' }), [31, 32, 33], 'root by pid: subtree, the re-parented child included');
  t.same(pids({ root: '30@600' }), [30, 31, 32, 33, 34], 'root by key');
  t.same(pids({ name: 's*' }), [10, 40, 41], 'name glob over the names in the range');
  t.same(pids({ name: 'make' }), [31, 32, 33], 'its children were named make until their exec');
  t.same(pids({ name: 'cc' }), [32]);
  t.same(pids({ container: CONTAINER_ID.slice(0, 8) }), [40, 41], 'container by id prefix');
  t.same(pids({ container: CONTAINER_ID.slice(0, 8), name: 'sleep' }), [41], 'filters combine');
  t.same(pids({ root: '40', name: 'sleep' }), [41]);
  const named = JSON.parse(render({ from: FROM, to: TO, name: 'sleep' }, 'json')) as { processes: ReportProcessDto[] };
  t.equal(named.processes[0]?.parentInReport, false, 'a filtered root keeps its parent key');
  t.equal(named.processes[0]?.parentKey, '40@1500');
});

t.test('refused requests say why', async (t) => {
  const kind = (p: ReportParams) => {
    const r = resolveReportRequest(query, p);
    return 'kind' in r ? r.kind : 'ok';
  };
  t.equal(kind({}), 'bad-range');
  t.equal(kind({ from: 'yesterday' }), 'bad-time');
  t.equal(kind({ from: FROM, to: '2026-13-01T00:00:00Z' }), 'bad-time');
  t.equal(kind({ from: TO, to: FROM }), 'bad-range');
  t.equal(kind({ from: FROM, to: FROM }), 'bad-range', 'empty range');
  t.equal(kind({ from: FROM, name: '[a' }), 'bad-glob');
  t.equal(kind({ from: FROM, root: 'bash' }), 'bad-root');
  t.equal(kind({ from: FROM, to: TO, root: '999' }), 'root-not-found');
  t.equal(kind({ from: FROM, to: TO, root: '20' }), 'root-not-found', 'cron was not alive in the range');
  t.equal(kind({ from: FROM, container: 'nope' }), 'container-not-found');
  t.equal(kind({ from: FROM }), 'ok', 'to defaults to now');
});

t.test('DOT renders with Graphviz', { skip: skipUnless(hasCommand('dot'), 'graphviz (dot) not installed: scripts/setup --test') }, async (t) => {
  const r = spawnSync('dot', ['-Tsvg'], { input: render({ from: FROM, to: TO }, 'dot'), encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr, '', 'no warnings');
  t.match(r.stdout, /<svg/);
  t.match(r.stdout, /re&#45;parented/, 'the re-parenting edge is drawn');
  t.match(r.stdout, /a\*b_`c/, 'odd names survive quoting');
});

t.test('Markdown escaping', async (t) => {
  t.equal(mdText('a*b_`c'), 'a\\*b\\_\\`c');
  t.equal(mdCode('x`y'), '`` x`y ``');
  t.equal(mdCode('plain'), '`plain`');
  t.equal(mdCode('a\nb'), '`a b`', 'a newline cannot break the list item');
  const md = render({ from: FROM, to: TO }, 'md');
  for (const line of md.split('\n').filter((l) => l.trimStart().startsWith('- **'))) t.notMatch(line, /\n/);
  t.match(md, /- \*\*34 a\\\*b\\_\\`c\*\*/);
});

t.test('empty range renders valid documents', async (t) => {
  const at = (s: bigint) => formatTime(s + BOOT_TO_EPOCH_NS);
  const doc = JSON.parse(render({ from: at(0n), to: at(S / 4n) }, 'json')) as { processes: unknown[]; summary: { processes: number } };
  t.same(doc.processes, []);
  t.equal(doc.summary.processes, 0);
  t.match(render({ from: at(0n), to: at(S / 4n) }, 'md'), /No process was alive/);
  t.match(render({ from: at(0n), to: at(S / 4n) }, 'dot'), /^digraph lineage \{[\s\S]*\}\n$/);
});

t.test('a corrupt parent cycle loses no process', async (t) => {
  const log = <V,>(entries: Array<{ time: bigint; value: V }>) => ({
    get: () => entries[0]?.value, current: () => entries.at(-1)?.value, entries: () => entries,
  });
  const attrs = (comm: string) => log([{ time: 0n, value: comm }]) as never;
  const node = (key: string, parent: string | undefined) => ({
    key, pid: Number(key.split('@')[0]), startNs: 1n, startTicks: 0n, entityId: 0, origin: 'event' as const,
    parentKey: log(parent === undefined ? [] : [{ time: 1n, value: parent }]),
    attrs: log([{ time: 1n, value: { comm: key, uid: 0, gid: 0, cgroupId: 0n, pidNsId: 0, nsPid: 0, nsTid: 0 } }]) as never,
    executable: attrs(''), argv: log([]) as never, execHistory: [], exitNs: undefined, exitStatus: undefined,
  });
  const nodes = [node('1@1', undefined), node('5@1', '6@1'), node('6@1', '5@1'), node('7@1', '6@1')];
  const tree = { processes: () => nodes.values() } as unknown as Parameters<typeof buildLineageReport>[0];
  const report = buildLineageReport(tree, { from: 0n, to: 10n });
  const seen = [...report.entries()].map((e) => `${e.depth}:${e.node.key}`);
  t.same(seen, ['0:1@1', '0:5@1', '1:6@1', '2:7@1'], 'cycle members emitted once each, after the real roots');
  t.equal(report.size, 4);
});
