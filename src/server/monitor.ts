/**
 * The cache monitor's numbers in one typed snapshot, derived from the statistics the caches
 * and sources already expose (`stats()`, read on demand: no timers anywhere). `/metrics`
 * renders it in Prometheus format, `/v1/stats` carries it as `monitor`, and
 * `proctrail stats --watch` prints it. Reading the untyped source counters is defensive:
 * a missing source (no eBPF, no pipeline) yields zeros, never an error.
 */
import type { ProcessTreeStats } from '../caches/process-model.js';
import type { ContainerReader } from '../query/container-view.js';
import type { DnsSource } from '../query/dns-query.js';

/** One cache: occupancy, lookups and evictions by reason. */
export interface CacheMonitor {
  size: number;
  /** Bound of the cache; null when it has none. */
  capacity: number | null;
  /** Lookups that found / did not find an entry; null when the cache does not count them. */
  hits: number | null;
  misses: number | null;
  /** hits / (hits + misses); null before the first lookup. */
  hitRate: number | null;
  evictions: Record<string, number>;
}

/** Request latency of one route. */
export interface RouteLatency {
  method: string;
  route: string;
  requests: number;
  errors: number;
  meanMs: number;
  maxMs: number;
}

/** Everything the monitor shows. */
export interface MonitorSnapshot {
  /** processes, threads, containers, cgroups, dnsRoots, dnsNodes (the ones that exist). */
  caches: Record<string, CacheMonitor>;
  /** Events received, by type (fork, exec, exit, snapshot, cgroup_*, dns). */
  events: Record<string, number>;
  /** Lost or dropped data, by cause (bpf_reserve, addon_queue, decoder_*, ...). */
  lost: Record<string, number>;
  /** Container enrichment through the runtime APIs; null when off. */
  enrichment: { attempts: number; enriched: number; failures: number; notFound: number; gaveUp: number; pending: number } | null;
  /** Live subscribers now. */
  liveSubscribers: number;
  /** HTTP requests by route (GraphQL is `POST /graphql`). */
  http: RouteLatency[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' ? (v as Obj) : {};
}

/** A finite number at `path`, else 0. */
export function numAt(root: unknown, ...path: string[]): number {
  let v: unknown = root;
  for (const k of path) v = obj(v)[k];
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function counts(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  return out;
}

function cache(size: number, capacity: number | null, hits: number | null, misses: number | null, evictions: Record<string, number>): CacheMonitor {
  const total = (hits ?? 0) + (misses ?? 0);
  return { size, capacity, hits, misses, hitRate: hits === null || total === 0 ? null : hits / total, evictions };
}

/** Inputs with typed statistics (the rest comes from the raw /v1/stats object). */
export interface MonitorSources {
  readonly containers?: ContainerReader;
  readonly dns?: DnsSource;
}

/**
 * Build the snapshot from the raw statistics object of /v1/stats (`processTree`, `live`,
 * `dns`, and the service's `pipeline`, `sources`, `containers` when present).
 */
export function monitorSnapshot(raw: Obj, src: MonitorSources, http: RouteLatency[]): MonitorSnapshot {
  const caches: Record<string, CacheMonitor> = {};
  const tree = raw.processTree as ProcessTreeStats | undefined;
  if (tree !== undefined) {
    for (const k of ['processes', 'threads'] as const) {
      const c = tree[k];
      caches[k] = cache(c.size, c.capacity, c.hits, c.misses, counts(c.evictions));
    }
  }
  const cs = src.containers?.stats();
  if (cs !== undefined) {
    caches.containers = cache(cs.containers.size, null, null, null, { history: cs.evictions.containerHistory, processEntries: cs.evictions.processEntries });
    caches.cgroups = cache(cs.cgroups.size, null, cs.lookups.hits, cs.lookups.misses, { history: cs.evictions.cgroupHistory, pendingNotes: cs.evictions.pendingNotes });
    caches.containerHistory = cache(cs.containers.historySize, cs.containers.historyCapacity, null, null, {});
    caches.cgroupHistory = cache(cs.cgroups.historySize, cs.cgroups.historyCapacity, null, null, {});
  }
  const dnsRaw = src.dns?.stats() as unknown;
  if (dnsRaw !== undefined) {
    const maxRoots = numAt(dnsRaw, 'cache', 'maxRoots');
    caches.dnsRoots = cache(numAt(dnsRaw, 'roots'), maxRoots > 0 ? maxRoots : null, null, null, { lru: numAt(dnsRaw, 'cache', 'evictions', 'roots') || numAt(dnsRaw, 'evictions') });
    caches.dnsNodes = cache(numAt(dnsRaw, 'nodes'), null, null, null, { unreachable: numAt(dnsRaw, 'cache', 'evictions', 'nodes') });
  }

  // Events: what the pipeline received; without a pipeline, what the caches applied.
  let events = counts(obj(raw.pipeline).eventsReceived);
  if (Object.keys(events).length === 0) {
    events = { ...counts(tree?.applied), ...counts(cs?.applied) };
    const packets = numAt(raw, 'dns', 'packets');
    if (packets > 0) events.dns = packets;
  }

  const sources = obj(raw.sources);
  const ebpf = obj(sources.ebpf);
  const live = obj(raw.live);
  const lost: Record<string, number> = {
    bpf_reserve: numAt(ebpf, 'bpfReserveDrops'),
    addon_queue: numAt(ebpf, 'addonDrops'),
    decoder_short_record: numAt(ebpf, 'decoderShortRecords'),
    decoder_unknown_type: numAt(ebpf, 'decoderUnknownType'),
    decoder_garbage: numAt(ebpf, 'decoderGarbage'),
    sink_error: numAt(ebpf, 'sinkErrors'),
    replay_malformed: numAt(sources, 'replay', 'malformed'),
    tree_rejected: numAt(tree, 'rejected'),
    fill_dropped: numAt(tree, 'fill', 'dropped'),
    cgroup_invalid: cs?.invalidEvents ?? 0,
    dns_malformed: numAt(raw, 'dns', 'malformed'),
    dns_too_big: numAt(raw, 'dns', 'tooBig'),
    live_discarded: numAt(live, 'discarded'),
  };

  const en = obj(raw.containers).enrichment;
  const enrichment =
    en === null || en === undefined || typeof en !== 'object'
      ? null
      : {
          attempts: numAt(en, 'attempts'),
          enriched: numAt(en, 'enriched'),
          failures: numAt(en, 'failures'),
          notFound: numAt(en, 'notFound'),
          gaveUp: numAt(en, 'gaveUp'),
          pending: numAt(en, 'pending'),
        };

  return { caches, events, lost, enrichment, liveSubscribers: numAt(live, 'subscribers'), http };
}
