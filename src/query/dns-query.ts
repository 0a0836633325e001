/**
 * DNS part of the one query layer (REST and GraphQL both call it): input checks, lookups
 * at a moment against the DNS graph cache, and wall-clock DTOs. Never throws for a miss
 * or bad input: it returns `'bad-name'`/`'bad-address'` or undefined, callers pick 400/404.
 */
import type { BootNs } from '../events/types.js';
import type {
  DnsAnswerView,
  DnsAskerView,
  DnsLookupResult,
  DnsProcessQuery,
  DnsResponseView,
  DnsReverseName,
  DnsReverseResult,
} from '../caches/dns-views.js';
import { canonicalAddress, normalizeName, reverseNameToAddress } from '../caches/dns-names.js';
import { type Clock, formatBoot } from './time.js';

/** What the DNS queries read: DnsCache satisfies it. */
export interface DnsReader {
  lookup(name: string, at: BootNs, now?: BootNs): DnsLookupResult | undefined;
  reverse(ip: string, at: BootNs, now?: BootNs): DnsReverseResult | undefined;
  queriesBy(processKey: string, at: BootNs): DnsProcessQuery[];
}

/** Flat DNS counters for /v1/stats (DnsPipeline.stats() satisfies it). */
export interface DnsCounters {
  readonly packets: number;
  readonly parsed: number;
  readonly malformed: number;
  readonly tooBig: number;
  readonly matched: number;
  readonly unmatched: number;
  readonly responses: number;
  readonly roots: number;
  readonly nodes: number;
  readonly evictions: number;
  /** Messages whose earlier decode was reused (same bytes but id, flags, TTLs) / decoded anew. */
  readonly parseMemoHits: number;
  readonly parseMemoMisses: number;
}

/** A DNS graph plus its counters (DnsPipeline satisfies it). */
export interface DnsSource {
  readonly cache: DnsReader;
  stats(): DnsCounters;
}

/** One validity window of an answer. */
export interface DnsWindowDto {
  validFrom: string;
  validUntil: string;
  lastSeen: string;
  ttl: number;
  count: number;
}

/** One answer edge as known at `at`. */
export interface DnsAnswerDto {
  type: string;
  owner: string;
  value: string;
  ttl: number;
  validFrom: string;
  validFromNs: string;
  validUntil: string;
  validUntilNs: string;
  lastSeen: string;
  lastSeenNs: string;
  /** Expired now (it may still have been valid at `at`). */
  expired: boolean;
  /** Already expired at `at`. */
  expiredAt: boolean;
  preference: number | null;
  port: number | null;
  priority: number | null;
  weight: number | null;
  history: DnsWindowDto[];
}

/** A process that asked a question. */
export interface DnsAskerDto {
  key: string | null;
  pid: number;
  name: string | null;
  containerId: string | null;
  cgroupId: string | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
  qtypes: string[];
}

/** One received answer set. */
export interface DnsResponseDto {
  time: string;
  timeNs: string;
  lastSeen: string;
  count: number;
  qtype: string;
  rcode: string;
  answers: Array<{ type: string; owner: string; value: string; ttl: number }>;
  askerPid: number | null;
  askerKey: string | null;
}

/** The graph around a question at a moment. */
export interface DnsLookupDto {
  question: string;
  kind: 'name' | 'address';
  at: string;
  atNs: string;
  cnames: DnsAnswerDto[];
  addresses: DnsAnswerDto[];
  mx: DnsAnswerDto[];
  srv: DnsAnswerDto[];
  ptr: DnsAnswerDto[];
  aliases: DnsAnswerDto[];
  askers: DnsAskerDto[];
  responses: DnsResponseDto[];
}

/** One name of an address. */
export interface DnsReverseNameDto {
  name: string;
  source: 'forward' | 'ptr';
  path: DnsAnswerDto[];
  validFrom: string;
  validUntil: string;
  expired: boolean;
  expiredAt: boolean;
}

/** Every name of an address at a moment. */
export interface DnsReverseDto {
  address: string;
  at: string;
  atNs: string;
  names: DnsReverseNameDto[];
}

/** One question a process asked. */
export interface DnsProcessQueryDto {
  question: string;
  firstSeen: string;
  firstSeenNs: string;
  lastSeen: string;
  count: number;
  qtypes: string[];
}

const LABEL = /^(?:[a-z0-9_*](?:[a-z0-9_-]{0,61}[a-z0-9_])?|[a-z0-9_])$/;

/**
 * A name a client may ask about: 1-253 characters of LDH labels (plus `_` and a
 * wildcard `*`), an optional trailing dot, or an IPv4/IPv6 literal.
 */
export function validDnsName(input: string): boolean {
  if (canonicalAddress(input) !== undefined) return true;
  const n = normalizeName(input);
  if (n.length === 0 || n.length > 253 || input.length > 254) return false;
  for (const label of n.split('.')) if (!LABEL.test(label)) return false;
  return true;
}

/** An address a client may reverse: IPv4/IPv6 literal or a full reverse name; canonical form or undefined. */
export function addressOfInput(input: string): string | undefined {
  return canonicalAddress(input) ?? (input.length <= 80 ? reverseNameToAddress(normalizeName(input)) : undefined);
}

/** DNS lookups at a moment over a {@link DnsSource}. */
export class DnsQuery {
  constructor(
    readonly source: DnsSource | undefined,
    readonly clock: Clock,
  ) {}

  /** The graph of `name` at `at` ('bad-name' when it is not a DNS name or address). */
  lookup(name: string, at: BootNs): DnsLookupDto | 'bad-name' | undefined {
    if (!validDnsName(name)) return 'bad-name';
    const r = this.source?.cache.lookup(name, at, this.clock.nowBootNs());
    return r === undefined ? undefined : this.lookupDto(r);
  }

  /** Every name of `ip` at `at` ('bad-address' when it is neither an address nor a reverse name). */
  reverse(ip: string, at: BootNs): DnsReverseDto | 'bad-address' | undefined {
    const addr = addressOfInput(ip);
    if (addr === undefined) return 'bad-address';
    const r = this.source?.cache.reverse(addr, at, this.clock.nowBootNs());
    return r === undefined ? undefined : this.reverseDto(r);
  }

  /** Questions the process with `processKey` asked, known by `at`, oldest first. */
  queriesBy(processKey: string, at: BootNs): DnsProcessQueryDto[] {
    const c = this.clock;
    return (this.source?.cache.queriesBy(processKey, at) ?? []).map((q) => ({
      question: q.question,
      firstSeen: formatBoot(c, q.firstSeen),
      firstSeenNs: (q.firstSeen + c.bootToEpochNs).toString(),
      lastSeen: formatBoot(c, q.lastSeen),
      count: q.count,
      qtypes: [...q.qtypes],
    }));
  }

  /** Flat counters for /v1/stats (zeros when DNS capture is off). */
  stats(): DnsCounters & { enabled: boolean } {
    const s = this.source?.stats();
    return {
      enabled: this.source !== undefined,
      packets: s?.packets ?? 0,
      parsed: s?.parsed ?? 0,
      malformed: s?.malformed ?? 0,
      tooBig: s?.tooBig ?? 0,
      matched: s?.matched ?? 0,
      unmatched: s?.unmatched ?? 0,
      responses: s?.responses ?? 0,
      roots: s?.roots ?? 0,
      nodes: s?.nodes ?? 0,
      evictions: s?.evictions ?? 0,
      parseMemoHits: s?.parseMemoHits ?? 0,
      parseMemoMisses: s?.parseMemoMisses ?? 0,
    };
  }

  lookupDto(r: DnsLookupResult): DnsLookupDto {
    const a = (v: DnsAnswerView): DnsAnswerDto => this.answerDto(v);
    return {
      question: r.question,
      kind: r.kind,
      at: formatBoot(this.clock, r.at),
      atNs: (r.at + this.clock.bootToEpochNs).toString(),
      cnames: r.cnames.map(a),
      addresses: r.addresses.map(a),
      mx: r.mx.map(a),
      srv: r.srv.map(a),
      ptr: r.ptr.map(a),
      aliases: r.aliases.map(a),
      askers: r.askers.map((x) => this.askerDto(x)),
      responses: r.responses.map((x) => this.responseDto(x)),
    };
  }

  reverseDto(r: DnsReverseResult): DnsReverseDto {
    return {
      address: r.address,
      at: formatBoot(this.clock, r.at),
      atNs: (r.at + this.clock.bootToEpochNs).toString(),
      names: r.names.map((n: DnsReverseName) => ({
        name: n.name,
        source: n.source,
        path: n.path.map((v) => this.answerDto(v)),
        validFrom: formatBoot(this.clock, n.validFrom),
        validUntil: formatBoot(this.clock, n.validUntil),
        expired: n.expiredNow,
        expiredAt: n.expiredAtQuery,
      })),
    };
  }

  answerDto(v: DnsAnswerView): DnsAnswerDto {
    const c = this.clock;
    return {
      type: v.type,
      owner: v.owner,
      value: v.value,
      ttl: v.ttl,
      validFrom: formatBoot(c, v.validFrom),
      validFromNs: (v.validFrom + c.bootToEpochNs).toString(),
      validUntil: formatBoot(c, v.validUntil),
      validUntilNs: (v.validUntil + c.bootToEpochNs).toString(),
      lastSeen: formatBoot(c, v.lastSeen),
      lastSeenNs: (v.lastSeen + c.bootToEpochNs).toString(),
      expired: v.expiredNow,
      expiredAt: v.expiredAtQuery,
      preference: v.preference ?? null,
      port: v.port ?? null,
      priority: v.priority ?? null,
      weight: v.weight ?? null,
      history: v.history.map((h) => ({
        validFrom: formatBoot(c, h.validFrom),
        validUntil: formatBoot(c, h.validUntil),
        lastSeen: formatBoot(c, h.lastSeen),
        ttl: h.ttl,
        count: h.count,
      })),
    };
  }

  askerDto(x: DnsAskerView): DnsAskerDto {
    return {
      key: x.processKey ?? null,
      pid: x.pid,
      name: x.comm ?? null,
      containerId: x.containerId ?? null,
      cgroupId: x.cgroupId?.toString() ?? null,
      firstSeen: formatBoot(this.clock, x.firstSeen),
      lastSeen: formatBoot(this.clock, x.lastSeen),
      count: x.count,
      qtypes: [...x.qtypes],
    };
  }

  responseDto(x: DnsResponseView): DnsResponseDto {
    return {
      time: formatBoot(this.clock, x.time),
      timeNs: (x.time + this.clock.bootToEpochNs).toString(),
      lastSeen: formatBoot(this.clock, x.lastSeen),
      count: x.count,
      qtype: x.qtype,
      rcode: x.rcode,
      answers: x.answers.map((a) => ({ type: a.type, owner: a.owner, value: a.value, ttl: a.ttl })),
      askerPid: x.asker?.pid ?? null,
      askerKey: x.asker?.processKey ?? null,
    };
  }
}
