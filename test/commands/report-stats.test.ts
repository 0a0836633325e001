/**
 * `proctrail report` and `proctrail stats` through main() against a real listening server
 * (and report --replay without one), stdout captured.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { main } from '../../src/cli.js';
import { buildApp } from '../../src/server/app.js';
import { formatTime } from '../../src/query/time.js';
import { expandTime } from '../../src/commands/report.js';
import { statsLine } from '../../src/commands/stats.js';
import type { MonitorSnapshot } from '../../src/server/monitor.js';
import { clock, replayedPipeline, SEQUENCE_PATH } from '../fixtures/report/replayed.js';
import { BOOT_TO_EPOCH_NS, FROM_NS, TO_NS } from '../fixtures/report/sequence.js';

const pipeline = await replayedPipeline();
const app = buildApp({ tree: pipeline.tree, containers: pipeline.containers, clock, stats: () => ({ pipeline: pipeline.stats() }) });
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
t.teardown(() => app.close());
const FROM = formatTime(FROM_NS + BOOT_TO_EPOCH_NS);
const TO = formatTime(TO_NS + BOOT_TO_EPOCH_NS);
const golden = (f: string) => readFileSync(new URL(`../fixtures/report/${f}`, import.meta.url), 'utf8');

/** Run the CLI with stdout/stderr captured. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => { out += typeof c === 'string' ? c : Buffer.from(c).toString('utf8'); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { err += String(c); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

t.test('report from the server streams the golden Markdown (default format)', async (t) => {
  const r = await cli('report', '--from', FROM, '--to', TO, '--url', url);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, golden('lineage.md'));
  const dot = await cli('report', '--from', FROM, '--to', TO, '--url', url, '--format', 'dot');
  t.equal(dot.out, golden('lineage.dot'));
});

t.test('report --replay renders the recording without a server', async (t) => {
  const r = await cli('report', '--replay', SEQUENCE_PATH.pathname, '--from', FROM, '--to', TO, '--format', 'json');
  t.equal(r.code, 0, r.err);
  t.equal(r.out, golden('lineage.json'));
  const sub = await cli('report', '--replay', SEQUENCE_PATH.pathname, '--from', FROM, '--to', TO, '--root', '31', '--format', 'json');
  t.same((JSON.parse(sub.out) as { processes: Array<{ pid: number }> }).processes.map((p) => p.pid), [31, 32, 33]);
});

t.test('report errors', async (t) => {
  const noFrom = await cli('report', '--url', url);
  t.equal(noFrom.code, 2);
  t.match(noFrom.err, /--from is required/);
  const badFmt = await cli('report', '--from', FROM, '--format', 'svg');
  t.equal(badFmt.code, 2);
  const badTime = await cli('report', '--from', 'yesterday', '--url', url);
  t.equal(badTime.code, 2);
  t.match(badTime.err, /PT_INVALID_TIME/);
  const missing = await cli('report', '--from', FROM, '--to', TO, '--root', '4242', '--url', url);
  t.equal(missing.code, 1);
  t.match(missing.err, /PT_PROCESS_NOT_FOUND/);
  const down = await cli('report', '--from', FROM, '--url', 'http://127.0.0.1:1');
  t.equal(down.code, 1);
  t.match(down.err, /no proctrail server/);
});

t.test('relative times', async (t) => {
  const now = 1_795_773_700_000_000_000n;
  t.equal(expandTime('now', now), formatTime(now));
  t.equal(expandTime('-5m', now), formatTime(now - 300_000_000_000n));
  t.equal(expandTime('-2h', now), formatTime(now - 7_200_000_000_000n));
  t.equal(expandTime('2026-11-27T10:00:00Z', now), '2026-11-27T10:00:00Z', 'absolute times pass through');
});

t.test('stats --once prints one line; --watch a line per interval with rates', async (t) => {
  const once = await cli('stats', '--once', '--url', url);
  t.equal(once.code, 0, once.err);
  const lines = once.out.trim().split('\n');
  t.equal(lines.length, 1);
  t.match(lines[0], /^\d\d:\d\d:\d\d proc \d+\.\d% 11\/10928 \| thr [^|]+\| ctr 1 \| cg [^|]+\| events 25 \| lost 0$/);

  const watch = await cli('stats', '--watch', '--interval', '100', '--count', '3', '--url', url);
  t.equal(watch.code, 0, watch.err);
  const wl = watch.out.trim().split('\n');
  t.equal(wl.length, 3);
  t.match(wl[1], /\| ev\/s 0 \| lost \+0$/, 'rates after the first line');

  const json = await cli('stats', '--json', '--url', url);
  t.equal((JSON.parse(json.out) as MonitorSnapshot).events.fork, 10);
  const both = await cli('stats', '--watch', '--once', '--url', url);
  t.equal(both.code, 2);
});

t.test('statsLine: hit rates, rates and loss causes', async (t) => {
  const snap = (forks: number, drops: number, hits: number): MonitorSnapshot => ({
    caches: { processes: { size: 10, capacity: 100, hits, misses: 100 - hits, hitRate: hits / 100, evictions: {} } },
    events: { fork: forks }, lost: { bpf_reserve: drops, addon_queue: 0 }, enrichment: null, liveSubscribers: 0, http: [],
  });
  const at = new Date('2026-11-27T10:31:07Z');
  t.equal(statsLine(snap(10, 0, 90), undefined, 0, at), '10:31:07 proc 90.0% 10/100 | events 10 | lost 0');
  t.equal(statsLine(snap(2010, 5, 99), snap(10, 0, 90), 2, at), '10:31:07 proc 99.0% 10/100 | ev/s 1000 | lost +5 (bpf_reserve=5)');
});
