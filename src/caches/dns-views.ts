/**
 * Read-side shapes of the DNS graph cache: what `DnsCache.lookup/reverse/queriesBy`
 * return to the query layer (REST and GraphQL alike). Times are boot ns (`bigint`);
 * wall-clock conversion happens in the query layer.
 */
import type { BootNs } from '../events/types.js';

/** Record types that become edges of the graph. */
export type DnsEdgeType = 'CNAME' | 'A' | 'AAAA' | 'MX' | 'SRV' | 'PTR';

/** Who asked: filled by the attribution layer (pid, cgroup) and enrichment (key, comm, container). */
export interface DnsAsker {
  /** Process-tree key (`"<pid>@<startTicks>"`) when known. */
  readonly processKey?: string;
  readonly pid: number;
  readonly tid?: number;
  /** Task comm. */
  readonly comm?: string;
  readonly containerId?: string;
  readonly cgroupId?: bigint;
  readonly netnsCookie?: bigint;
}

/** An asker of one question, with when and how often it asked. */
export interface DnsAskerView extends DnsAsker {
  readonly firstSeen: BootNs;
  readonly lastSeen: BootNs;
  readonly count: number;
  /** Question types asked (`A`, `AAAA`, ...), in first-asked order. */
  readonly qtypes: readonly string[];
}

/** One validity window `[validFrom, validUntil)` of an answer. */
export interface DnsWindowView {
  readonly validFrom: BootNs;
  readonly lastSeen: BootNs;
  readonly validUntil: BootNs;
  readonly ttl: number;
  readonly count: number;
}

/** One answer (edge `owner --type--> value`) as known at the query time. */
export interface DnsAnswerView {
  readonly type: DnsEdgeType;
  /** Name the record belongs to (for PTR: the address). */
  readonly owner: string;
  /** Target name (CNAME, MX, SRV, PTR) or address (A, AAAA). */
  readonly value: string;
  /** TTL (s) of the latest sighting in the chosen window. */
  readonly ttl: number;
  /** The window in force at `at`, else the latest that began before `at`. */
  readonly validFrom: BootNs;
  readonly validUntil: BootNs;
  readonly lastSeen: BootNs;
  /** True when the answer had already expired at `at` (it was known, but stale). */
  readonly expiredAtQuery: boolean;
  /** True when the answer has expired by `now` (may still have been valid at `at`). */
  readonly expiredNow: boolean;
  /** Every kept window, oldest first (bounded). */
  readonly history: readonly DnsWindowView[];
  /** MX preference. */
  readonly preference?: number;
  /** SRV fields. */
  readonly port?: number;
  readonly priority?: number;
  readonly weight?: number;
}

/**
 * One answer set for a question, as received (the round-robin set in wire order).
 * Consecutive identical sets (same records, TTLs aside) are one entry seen `count` times.
 */
export interface DnsResponseView {
  /** First receipt of this set. */
  readonly time: BootNs;
  /** Latest receipt of this set in a row. */
  readonly lastSeen: BootNs;
  readonly count: number;
  readonly qtype: string;
  readonly rcode: string;
  readonly answers: ReadonlyArray<{
    readonly type: DnsEdgeType;
    readonly owner: string;
    readonly value: string;
    /** TTL as first received. */
    readonly ttl: number;
  }>;
  /** Asker of the latest receipt when attribution matched it. */
  readonly asker?: DnsAsker;
}

/** The graph around one name at a moment. */
export interface DnsLookupResult {
  /** Normalized question (lowercase, no trailing dot; an address for reverse names). */
  readonly question: string;
  readonly kind: 'name' | 'address';
  readonly at: BootNs;
  readonly now: BootNs;
  /** CNAME edges reachable from the question, chain order (depth first). */
  readonly cnames: readonly DnsAnswerView[];
  /** A/AAAA answers of the question and of every name in its CNAME chain. */
  readonly addresses: readonly DnsAnswerView[];
  readonly mx: readonly DnsAnswerView[];
  readonly srv: readonly DnsAnswerView[];
  readonly ptr: readonly DnsAnswerView[];
  /** CNAME edges pointing (transitively) at the question: names that are aliases of it. */
  readonly aliases: readonly DnsAnswerView[];
  /** Processes that asked this question (known by `at`). */
  readonly askers: readonly DnsAskerView[];
  /** Responses to this question received by `at`, oldest first (bounded). */
  readonly responses: readonly DnsResponseView[];
}

/** One name that resolved to an address. */
export interface DnsReverseName {
  readonly name: string;
  /** `forward`: name → (CNAME…) → A/AAAA → address; `ptr`: a PTR answer for the address. */
  readonly source: 'forward' | 'ptr';
  /** Edges from `name` to the address (forward) or from the address to `name` (ptr). */
  readonly path: readonly DnsAnswerView[];
  /** Intersection of the path's windows. */
  readonly validFrom: BootNs;
  readonly validUntil: BootNs;
  readonly expiredAtQuery: boolean;
  readonly expiredNow: boolean;
}

/** Every name known for an address at a moment. */
export interface DnsReverseResult {
  readonly address: string;
  readonly at: BootNs;
  readonly now: BootNs;
  readonly names: readonly DnsReverseName[];
}

/** One question a process asked. */
export interface DnsProcessQuery {
  readonly question: string;
  readonly firstSeen: BootNs;
  readonly lastSeen: BootNs;
  readonly count: number;
  readonly qtypes: readonly string[];
}

/** Counters of the DNS graph cache. */
export interface DnsCacheStats {
  readonly roots: number;
  readonly maxRoots: number;
  readonly nodes: number;
  readonly names: number;
  readonly addresses: number;
  readonly edges: number;
  /** Responses added to the graph. */
  readonly responses: number;
  /** Messages handed to addResponse that were queries, or had not exactly one question. */
  readonly ignoredMessages: number;
  /** Answers of types the graph does not keep (NS, TXT, SOA, unknown...). */
  readonly skippedRecords: number;
  /** Answers whose owner is neither the question nor in its CNAME chain. */
  readonly unrelatedRecords: number;
  /** Answers with an empty target or an unparsable address. */
  readonly invalidRecords: number;
  readonly evictions: {
    /** Query roots evicted by the LRU. */
    readonly roots: number;
    /** Nodes removed because no root reached them any more. */
    readonly nodes: number;
    /** Edges dropped by the per-node edge bound. */
    readonly edges: number;
  };
}
