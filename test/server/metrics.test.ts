/**
 * /metrics parses with a strict Prometheus text-format parser, counters move when events
 * are applied and requests are served, /v1/stats `monitor` carries the same numbers, and
 * each app has its own registry.
 */
import t from 'tap';
import { Pipeline } from '../../src/service/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import type { MonitorSnapshot } from '../../src/server/monitor.js';
import { EVENTS, BOOT_TO_EPOCH_NS } from '../fixtures/report/sequence.js';
import { clock } from '../fixtures/report/replayed.js';
import { type Family, parsePrometheus, valueOf } from './prom-parse.js';

// Source counters as the eBPF source reports them (names are its stats() contract).
const ebpf = { bpfReserveDrops: 3, addonDrops: 2, decoderShortRecords: 1, decoderUnknownType: 0, decoderGarbage: 4, sinkErrors: 0 };
const pipeline = new Pipeline({ bootToEpochNs: BOOT_TO_EPOCH_NS, processCacheSize: 64 });
const app = buildApp({
  tree: pipeline.tree,
  containers: pipeline.containers,
  dns: pipeline.dns,
  clock,
  stats: () => ({ pipeline: pipeline.stats(), sources: { ebpf: { ...ebpf } } }),
});
t.teardown(() => app.close());

async function scrape(a = app): Promise<Map<string, Family>> {
  const r = await a.inject('/metrics');
  if (r.statusCode !== 200) throw new Error(`metrics: ${r.statusCode}`);
  if (!/^text\/plain; version=0\.0\.4/.test(String(r.headers['content-type']))) throw new Error('content type');
  return parsePrometheus(r.body);
}

t.test('the exposition parses and declares every family', async (t) => {
  const m = await scrape();
  for (const name of [
    'proctrail_cache_hits_total', 'proctrail_cache_misses_total', 'proctrail_cache_hit_ratio', 'proctrail_cache_size',
    'proctrail_cache_capacity', 'proctrail_cache_evictions_total', 'proctrail_events_total', 'proctrail_events_lost_total',
    'proctrail_http_request_duration_seconds', 'proctrail_graphql_request_duration_seconds', 'proctrail_live_subscribers',
  ]) t.ok(m.has(name), name);
  t.equal(m.get('proctrail_cache_hits_total')?.type, 'counter');
  t.equal(m.get('proctrail_cache_size')?.type, 'gauge');
  t.equal(m.get('proctrail_http_request_duration_seconds')?.type, 'histogram');
  t.equal(valueOf(m, 'proctrail_cache_capacity', { cache: 'processes' }), 64);
  t.equal(valueOf(m, 'proctrail_events_lost_total', { cause: 'bpf_reserve' }), 3);
  t.equal(valueOf(m, 'proctrail_events_lost_total', { cause: 'addon_queue' }), 2);
  t.equal(valueOf(m, 'proctrail_events_lost_total', { cause: 'decoder_garbage' }), 4);
  t.ok(valueOf(m, 'proctrail_cache_size', { cache: 'dnsRoots' }) !== undefined, 'DNS caches are listed');
  t.ok((valueOf(m, 'proctrail_cache_capacity', { cache: 'dnsRoots' }) ?? 0) > 0);
});

t.test('counters move when events are applied', async (t) => {
  const before = await scrape();
  const forks = EVENTS.filter((e) => e.type === 'fork').length;
  pipeline.ingest(EVENTS);
  const after = await scrape();
  const d = (name: string, labels: Record<string, string>) => (valueOf(after, name, labels) ?? 0) - (valueOf(before, name, labels) ?? 0);
  t.equal(d('proctrail_events_total', { type: 'fork' }), forks);
  t.equal(d('proctrail_events_total', { type: 'cgroup_mkdir' }), 1);
  t.ok(d('proctrail_cache_size', { cache: 'processes' }) >= 9, 'processes cached');
  t.equal(d('proctrail_cache_size', { cache: 'containers' }), 1, 'the docker container');
  t.ok(d('proctrail_cache_hits_total', { cache: 'processes' }) > 0, 'lookups by the tree while applying');
  t.ok(d('proctrail_cache_hits_total', { cache: 'cgroups' }) > 0, 'container tasks found their cgroup');
  const ratio = valueOf(after, 'proctrail_cache_hit_ratio', { cache: 'processes' }) as number;
  t.ok(ratio > 0 && ratio <= 1, `hit ratio ${ratio}`);
});

t.test('evictions are counted by reason', async (t) => {
  const small = new Pipeline({ bootToEpochNs: BOOT_TO_EPOCH_NS, processCacheSize: 4, threadCacheSize: 8 });
  small.ingest(EVENTS);
  const a = buildApp({ tree: small.tree, clock });
  t.teardown(() => a.close());
  const m = await scrape(a);
  const evicted = m.get('proctrail_cache_evictions_total')!.samples.filter((s) => s.labels.cache === 'processes').reduce((n, s) => n + s.value, 0);
  t.ok(evicted > 0, `${evicted} process evictions`);
  t.ok((valueOf(m, 'proctrail_cache_size', { cache: 'processes' }) ?? 99) < 11, 'fewer than the 11 processes seen (live ones stay)');
});

t.test('HTTP and GraphQL latency per route; /v1/stats monitor agrees', async (t) => {
  // Latency is taken from Node's HTTP server (diagnostics channels), so over a real socket.
  const served = buildApp({ tree: pipeline.tree, containers: pipeline.containers, dns: pipeline.dns, clock, stats: () => ({ pipeline: pipeline.stats(), sources: { ebpf: { ...ebpf } } }) });
  t.teardown(() => served.close());
  const base = await served.listen({ host: '127.0.0.1', port: 0 });
  const get = async (path: string) => (await fetch(base + path)).status;
  const gql = async (query: string) => (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).status;
  t.equal(await get('/v1/processes/1'), 200);
  t.equal(await get('/v1/processes/1'), 200);
  t.equal(await get('/v1/processes/not-a-pid'), 400);
  t.equal(await get('/no/such/route'), 404);
  t.equal(await gql('{ process(pid: 1) { pid } }'), 200);
  t.equal(await gql('{ nope'), 400);
  await served.inject('/v1/processes/1'); // in-process: not an HTTP request, not counted
  t.equal(await get('/metrics'), 200);
  // The last response is counted when it finishes, just after the client has it.
  await new Promise((r) => setTimeout(r, 20));
  const m = await scrape(served);
  t.equal(valueOf(m, 'proctrail_http_request_duration_seconds_count', { method: 'GET', route: '/v1/processes/:pid', status_code: '200' }), 2);
  t.equal(valueOf(m, 'proctrail_http_request_duration_seconds_count', { method: 'GET', route: '/v1/processes/:pid', status_code: '400' }), 1, 'bad input is counted on its route');
  t.equal(valueOf(m, 'proctrail_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'unknown URLs share one label');
  t.equal(valueOf(m, 'proctrail_http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status_code: '200' }), 1);
  t.equal(valueOf(m, 'proctrail_graphql_request_duration_seconds_count', { outcome: 'ok' }), 1);
  t.equal(valueOf(m, 'proctrail_graphql_request_duration_seconds_count', { outcome: 'error' }), 1);
  const sum = valueOf(m, 'proctrail_http_request_duration_seconds_sum', { method: 'GET', route: '/v1/processes/:pid', status_code: '200' }) as number;
  t.ok(sum > 0 && sum < 5, `durations are seconds (${sum})`);

  const mon = ((await served.inject('/v1/stats')).json() as { monitor: MonitorSnapshot }).monitor;
  t.equal(mon.caches.processes?.hits, valueOf(m, 'proctrail_cache_hits_total', { cache: 'processes' }), 'same hits (no lookups in between)');
  t.equal(mon.events.fork, valueOf(m, 'proctrail_events_total', { type: 'fork' }));
  t.equal(mon.lost.bpf_reserve, 3);
  const route = mon.http.find((r) => r.route === '/v1/processes/:pid');
  t.equal(route?.requests, 3);
  t.equal(route?.errors, 1);
  t.ok((route?.meanMs ?? -1) > 0);
  t.ok(mon.http.some((r) => r.route === '/metrics'), 'scrapes are requests too');
});

t.test('a closed app stops listening to the HTTP server channels', async (t) => {
  const a = buildApp({ tree: new Pipeline({ bootToEpochNs: 0n }).tree, clock });
  const b = buildApp({ tree: new Pipeline({ bootToEpochNs: 0n }).tree, clock });
  t.teardown(() => b.close());
  const baseA = await a.listen({ host: '127.0.0.1', port: 0 });
  const baseB = await b.listen({ host: '127.0.0.1', port: 0 });
  await fetch(`${baseA}/healthz`);
  await a.close();
  await fetch(`${baseB}/healthz`);
  await new Promise((r) => setTimeout(r, 20));
  const m = await scrape(b);
  t.equal(valueOf(m, 'proctrail_http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status_code: '200' }), 1, "b counts only its own server's request");
});

t.test('each app has its own registry', async (t) => {
  const other = buildApp({ tree: new Pipeline({ bootToEpochNs: 0n }).tree, clock });
  t.teardown(() => other.close());
  const m = await scrape(other);
  t.equal(valueOf(m, 'proctrail_http_request_duration_seconds_count', { method: 'GET', route: '/v1/processes/:pid', status_code: '200' }), undefined);
  t.equal(valueOf(m, 'proctrail_cache_size', { cache: 'processes' }), 0);
});

t.test('closing every app leaves nothing subscribed to the HTTP server channels', async (t) => {
  const diagnostics = await import('node:diagnostics_channel');
  t.ok(diagnostics.hasSubscribers('http.server.response.finish'), 'the open app listens');
  await app.close();
  t.notOk(diagnostics.hasSubscribers('http.server.request.start'));
  t.notOk(diagnostics.hasSubscribers('http.server.response.finish'));
});
