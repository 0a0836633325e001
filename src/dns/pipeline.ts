/**
 * DNS packets in, graph out: parse + attribution (+ TCP reassembly) feeding a DnsCache.
 * The only impure part is the optional `resolveAsker` hook the caller injects (e.g. a
 * process-tree and container lookup); without it the asker is pid/tid/cgroup only.
 */
import type { DnsPacketEvent } from '../events/types.js';
import type { DnsCounters } from '../query/dns-query.js';
import { DnsCache, type DnsAsker, type DnsCacheOptions } from '../caches/dns-cache.js';
import { DnsAttributor, type DnsAttributionOptions, type DnsAttributionStats, type DnsQueryOrigin, type AttributedResponse } from './attribution.js';

/** Options of the DNS pipeline. */
export interface DnsPipelineOptions {
  /** The cache to feed, or options to build one. */
  readonly cache?: DnsCache | DnsCacheOptions;
  readonly attribution?: DnsAttributionOptions;
  /**
   * Turn the query's origin into an asker (process key, comm, container id). Called once
   * per attributed response; its result is stored as is. Default: {@link originAsker}.
   */
  readonly resolveAsker?: (origin: DnsQueryOrigin) => DnsAsker;
  /** Called after each response was added to the cache (e.g. to publish a live event). */
  readonly onAdded?: (r: AttributedResponse, asker: DnsAsker | undefined) => void;
}

/** Counters of the whole pipeline: the flat ones /v1/stats shows, plus the parts' own. */
export interface DnsPipelineStats extends DnsCounters {
  readonly attribution: DnsAttributionStats;
  readonly cache: ReturnType<DnsCache['stats']>;
}

/** The asker known from the packet alone: pid, tid, cgroup and netns of the query. */
export function originAsker(o: DnsQueryOrigin): DnsAsker {
  return { pid: o.pid, tid: o.tid, cgroupId: o.cgroupId, netnsCookie: o.netnsCookie };
}

/** Parse, attribute and cache DNS packet events. */
export class DnsPipeline {
  readonly cache: DnsCache;
  readonly #attributor: DnsAttributor;
  readonly #resolveAsker: (origin: DnsQueryOrigin) => DnsAsker;
  readonly #onResponse: (r: AttributedResponse) => void;

  constructor(options: DnsPipelineOptions = {}) {
    this.cache = options.cache instanceof DnsCache ? options.cache : new DnsCache(options.cache);
    this.#attributor = new DnsAttributor(options.attribution);
    this.#resolveAsker = options.resolveAsker ?? originAsker;
    const onAdded = options.onAdded;
    this.#onResponse = (r) => {
      const asker = r.origin === undefined ? undefined : this.#resolveAsker(r.origin);
      if (this.cache.addResponse(r.message, r.time, asker) && onAdded !== undefined) onAdded(r, asker);
    };
  }

  /** Consume one DNS packet event (never throws on bad payloads: they are counted). */
  handle(ev: DnsPacketEvent): void {
    this.#attributor.handle(ev, this.#onResponse);
  }

  /** Counters of parsing, attribution and the cache. */
  stats(): DnsPipelineStats {
    const a = this.#attributor.stats();
    const c = this.cache.stats();
    return {
      packets: a.packets,
      parsed: a.parsed,
      malformed: a.malformed,
      tooBig: a.tooBig,
      matched: a.matched,
      unmatched: a.unmatched,
      responses: c.responses,
      roots: c.roots,
      nodes: c.nodes,
      evictions: c.evictions.roots,
      parseMemoHits: a.parseMemo.hits,
      parseMemoMisses: a.parseMemo.misses,
      attribution: a,
      cache: c,
    };
  }
}
