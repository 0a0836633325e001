/**
 * The DNS message as the rest of proctrail sees it: a small, library-independent shape
 * produced by parse.ts (from `dns-packet`) and consumed by the DNS graph cache.
 * Only the record types the graph keeps are typed; everything else is `OTHER`.
 */

/** One question of a message. Names are as on the wire (case and trailing dot untouched). */
export interface DnsQuestion {
  readonly name: string;
  /** Record type mnemonic (`A`, `AAAA`, `PTR`, ...; `UNKNOWN_<n>` for unassigned codes). */
  readonly type: string;
}

/**
 * Records whose data is one name or address. parse.ts hands out dns-packet's own objects
 * for these (no copy), so they may carry extra fields (`class`, `flush`): read, don't spread.
 */
export interface DnsSimpleRecord {
  readonly type: 'A' | 'AAAA' | 'CNAME' | 'PTR';
  readonly name: string;
  readonly ttl: number;
  readonly data: string;
}

export interface DnsMxRecord {
  readonly type: 'MX';
  readonly name: string;
  readonly ttl: number;
  readonly exchange: string;
  readonly preference: number;
}

export interface DnsSrvRecord {
  readonly type: 'SRV';
  readonly name: string;
  readonly ttl: number;
  readonly target: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** Any record type the graph does not keep (NS, TXT, SOA, OPT, unknown codes...). */
export interface DnsOtherRecord {
  readonly type: 'OTHER';
  /** The record's own type mnemonic. */
  readonly rrtype: string;
  readonly name: string;
  readonly ttl: number;
}

export type DnsRecord = DnsSimpleRecord | DnsMxRecord | DnsSrvRecord | DnsOtherRecord;

/**
 * Scratch space that stays with one remembered message across its repeats: parse-memo.ts
 * hands out the same object with every decode it reuses (same question bytes, same
 * answers). A consumer may keep there what it derived from the message — the DNS cache
 * keeps the question's node, so a repeat skips normalising and looking up the name — and
 * must check it still holds (and is its own) before using it.
 */
export interface DnsRepeatSlot {
  owner?: object;
  value?: object;
}

/** A decoded DNS message (query or response). */
export interface ParsedDnsMessage {
  readonly id: number;
  readonly isResponse: boolean;
  /** TC flag: the server cut the answer (the client usually retries over TCP). */
  readonly truncated: boolean;
  /** Response code mnemonic (`NOERROR`, `NXDOMAIN`, ...). */
  readonly rcode: string;
  readonly questions: readonly DnsQuestion[];
  /** The answer section only (authority/additional sections are not part of the graph). */
  readonly answers: readonly DnsRecord[];
  /** Present when the message's decode is remembered (parse-memo.ts); see DnsRepeatSlot. */
  readonly repeat?: DnsRepeatSlot;
}
