/**
 * A memo in front of parse.ts: a DNS message whose bytes equal one decoded before, except
 * for the id and the answers' TTL fields, gets that earlier decode (with the new TTLs)
 * instead of a new pass of the library over every name.
 *
 * Real traffic repeats itself: the same few questions get byte-identical answers (an
 * authoritative or local server answers with fixed TTLs; a caching resolver only counts
 * the TTLs down), and decoding names costs most of a message's parse. The library still
 * decodes every message the first time; this only recognises the same bytes again. It is
 * conservative: a message is remembered only when
 *   - it has one question whose name has no compression pointer (the memo key is the
 *     header counts + that question, found by skipping label lengths),
 *   - every answer is a type the graph keeps (A, AAAA, CNAME, PTR, MX, SRV),
 *   - the TTL offsets found by skipping each answer's owner name agree with what the
 *     library decoded (TTL value and record length), and
 *   - no byte pair that could be a compression pointer targets the id, the flags or a TTL
 *     field (so the names cannot depend on the bytes the memo ignores).
 * A hit needs the same length and equal bytes everywhere but the id, the flags (read fresh
 * for every message) and the TTLs (read fresh, records copied when one changed).
 * Bounded and cheap to be wrong about: a question is remembered on its second miss (the
 * long tail of one-off names costs no entry), a changed answer replaces an entry only once
 * the entry has paid off, and old entries age out in two generations.
 */
import type { DnsQuestion, DnsRecord, DnsRepeatSlot } from './message.js';
import { parseDnsMessage, withHeader, type DnsParseResult } from './parse.js';

/** Options of {@link DnsParseMemo}. */
export interface DnsParseMemoOptions {
  /**
   * Distinct questions remembered (about; two generations of half each). 0 disables.
   * Default 16384: more than the DNS graph's default 5000 roots, so a question asked again
   * after its root was evicted is still recognised (bench/dns: +7 % over 4096). Its bytes
   * take a ring of 256 bytes per question (4 MiB at the default).
   */
  readonly size?: number;
}

/** Counters of the memo. */
export interface DnsParseMemoStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries made (first remembered, or replaced after a change). */
  readonly remembered: number;
  /** Decoded messages the memo refused to remember (see the module comment). */
  readonly notMemoizable: number;
  readonly entries: number;
}

interface Entry {
  /** Where the message was copied, masked (absolute arena position, a multiple of 4). */
  readonly at: number;
  /** Message length. */
  readonly length: number;
  /** Absolute offsets of the answers' TTL fields, in answer order. */
  readonly ttlOffsets: readonly number[];
  readonly questions: readonly DnsQuestion[];
  /** Frozen records; replaced (not mutated) when a hit brings other TTLs. */
  answers: readonly DnsRecord[];
  /** Hits so far: an entry is replaced by a changed message only once it has paid off. */
  hits: number;
  /** Handed out with every decode of this entry (see DnsRepeatSlot). */
  readonly repeat: DnsRepeatSlot;
}

const HEADER_BYTES = 12;
/** Ring bytes per remembered question (a typical answer is 60–150 bytes). */
const ARENA_BYTES_PER_ENTRY = 256;
/** The smallest ring (it must hold the largest remembered message). */
const MIN_ARENA_BYTES = 1 << 16;
/** Larger messages are not remembered (rare, and they would crowd the ring). */
const MAX_MEMO_BYTES = 4096;
const FIRST_KEYED_BYTE = 4; // id and flags are not part of the key
const KEPT_TYPES = new Set(['A', 'AAAA', 'CNAME', 'PTR', 'MX', 'SRV']);

/** parseDnsMessage with a bounded memo of recently decoded messages (one per consumer). */
export class DnsParseMemo {
  /**
   * Two generations instead of an exact LRU (lru-cache cost more than the decode it saved
   * on a hit): hits move to `#young`; when it is full, it becomes `#old` and the previous
   * old generation is dropped. Keyed by a hash of the counts + question; collisions are
   * harmless (a hit compares every byte).
   */
  #young = new Map<number, Entry>();
  #old = new Map<number, Entry>();
  readonly #generation: number;
  /** Keys of recent misses not yet remembered (see #seenBefore). */
  #seenYoung = new Set<number>();
  #seenOld = new Set<number>();
  /**
   * Copies of the remembered messages, in a ring: a small typed array per entry costs an
   * off-heap allocation each (more than the decode a hit saves). An entry whose bytes were
   * overwritten by later ones is simply a miss.
   */
  readonly #arena: Uint8Array;
  /** The arena as 32-bit words: entries start at multiples of 4 and are compared a word at a time. */
  readonly #arenaWords: Int32Array;
  readonly #arenaBytes: number;
  /**
   * A message being compared, copied to offset 0 with the ignored bytes zeroed (as in the
   * arena): the input itself may start at any byte offset, so its words cannot be read.
   */
  readonly #scratch = new Uint8Array(MAX_MEMO_BYTES + 4);
  readonly #scratchWords = new Int32Array(this.#scratch.buffer);
  /** Absolute write position (monotonic; position in the ring = write % #arenaBytes). */
  #write = 0;
  #hits = 0;
  #misses = 0;
  #refused = 0;
  #made = 0;

  constructor(options: DnsParseMemoOptions = {}) {
    const size = options.size ?? 16384;
    if (!Number.isInteger(size) || size < 0) throw new TypeError('DnsParseMemo: size must be a non-negative integer');
    this.#generation = Math.ceil(size / 2);
    this.#arenaBytes = size === 0 ? 0 : Math.max(MIN_ARENA_BYTES, size * ARENA_BYTES_PER_ENTRY);
    this.#arena = new Uint8Array(this.#arenaBytes);
    this.#arenaWords = new Int32Array(this.#arena.buffer);
  }

  /** Decode one DNS message, as parseDnsMessage does (same results, never throws). */
  parse(bytes: Uint8Array): DnsParseResult {
    if (this.#generation === 0 || bytes.length < HEADER_BYTES || bytes[4] !== 0 || bytes[5] !== 1) return parseDnsMessage(bytes);
    const qEnd = questionEnd(bytes);
    if (qEnd < 0) return parseDnsMessage(bytes);
    const key = hashBytes(bytes, FIRST_KEYED_BYTE, qEnd);
    let entry = this.#young.get(key);
    if (entry === undefined) {
      entry = this.#old.get(key);
      if (entry !== undefined) this.#remember(key, entry);
    }
    if (entry !== undefined && this.#write - entry.at <= this.#arenaBytes && this.#sameBytes(bytes, entry)) {
      this.#hits++;
      entry.hits++;
      return { ok: true, message: withHeader(bytes, entry.questions, freshTtls(bytes, entry), entry.repeat) };
    }
    this.#misses++;
    const res = parseDnsMessage(bytes);
    // A doorkeeper: a question is remembered the second time it misses within about a
    // memo's worth of questions, so the long tail of one-off names costs no entry.
    if (res.ok && entry === undefined && !this.#seenBefore(key)) return res;
    // The question's answer changed (or rotates: round-robin servers reorder records).
    // Replacing the entry is paid for by the hits it had; one that never hit stays.
    if (entry !== undefined && entry.hits === 0) return res;
    if (res.ok) {
      const e = bytes.length <= MAX_MEMO_BYTES ? entryOf(bytes, qEnd, res.message.questions, res.message.answers, this.#reserve(bytes.length)) : undefined;
      if (e === undefined) this.#refused++;
      else {
        this.#copy(bytes, e);
        this.#remember(key, e);
        this.#made++;
        // Hand out the remembered (frozen) lists from the first time on: consumers can
        // then tell a repeat by identity.
        return { ok: true, message: withHeader(bytes, e.questions, e.answers, e.repeat) };
      }
    }
    return res;
  }

  /** Absolute arena position (a multiple of 4) for a message of `length` bytes (never split across the ring's end). */
  #reserve(length: number): number {
    const n = wordBytes(length);
    const ring = this.#arenaBytes;
    if ((this.#write % ring) + n > ring) this.#write += ring - (this.#write % ring);
    return this.#write;
  }

  /** Copy entry `e`'s message into the arena, the bytes a hit ignores zeroed (maskIgnored). */
  #copy(b: Uint8Array, e: Entry): void {
    const at = e.at % this.#arenaBytes;
    this.#arena.set(b, at);
    maskIgnored(this.#arena, at, b.length, e.ttlOffsets);
    this.#write = e.at + wordBytes(b.length);
  }

  /** Equal length and bytes, the id, flags and TTL fields aside: a word at a time. */
  #sameBytes(b: Uint8Array, e: Entry): boolean {
    const length = b.length;
    if (e.length !== length) return false;
    const scratch = this.#scratch;
    scratch.set(b);
    maskIgnored(scratch, 0, length, e.ttlOffsets);
    const words = this.#scratchWords;
    const arena = this.#arenaWords;
    const base = (e.at % this.#arenaBytes) >> 2;
    const n = wordBytes(length) >> 2;
    for (let i = 0; i < n; i++) if (words[i] !== arena[base + i]) return false;
    return true;
  }

  /** True when `key` missed recently; records it otherwise (two generations, like the entries). */
  #seenBefore(key: number): boolean {
    if (this.#seenYoung.has(key) || this.#seenOld.has(key)) return true;
    if (this.#seenYoung.size >= this.#generation) {
      this.#seenOld = this.#seenYoung;
      this.#seenYoung = new Set();
    }
    this.#seenYoung.add(key);
    return false;
  }

  #remember(key: number, e: Entry): void {
    if (this.#young.size >= this.#generation) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, e);
  }

  /** Counters and size. */
  stats(): DnsParseMemoStats {
    return { hits: this.#hits, misses: this.#misses, remembered: this.#made, notMemoizable: this.#refused, entries: this.#young.size + this.#old.size };
  }
}

/** FNV-1a (32 bit) of bytes [from, to). */
function hashBytes(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  // 30 bits: a small integer in V8 (a larger key would be a heap number, allocated per call).
  return h & 0x3fffffff;
}

/**
 * Offset just past the wire name at `offset`, or -1 when it runs off the end, uses a
 * compression pointer (when `pointers` is false) or an invalid label type.
 */
function skipName(b: Uint8Array, offset: number, pointers: boolean): number {
  let o = offset;
  while (o < b.length) {
    const len = b[o]!;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return pointers && o + 2 <= b.length ? o + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    o += len + 1;
  }
  return -1;
}

/** End of the single question (name + type + class), or -1. */
function questionEnd(b: Uint8Array): number {
  const end = skipName(b, HEADER_BYTES, false);
  return end < 0 || end + 4 > b.length ? -1 : end + 4;
}

/** Bytes of a message rounded up to whole 32-bit words. */
function wordBytes(length: number): number {
  return (length + 3) & ~3;
}

/**
 * Zero, in `buf` at `at`, what a hit ignores of a `length`-byte message: the id and flags,
 * the TTL fields and the bytes up to the next word.
 */
function maskIgnored(buf: Uint8Array, at: number, length: number, ttlOffsets: readonly number[]): void {
  buf[at] = buf[at + 1] = buf[at + 2] = buf[at + 3] = 0;
  for (let k = 0; k < ttlOffsets.length; k++) {
    const o = at + ttlOffsets[k]!;
    buf[o] = buf[o + 1] = buf[o + 2] = buf[o + 3] = 0;
  }
  for (let i = at + length, end = at + wordBytes(length); i < end; i++) buf[i] = 0;
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The entry's answers with this message's TTLs (the entry keeps the latest ones). */
function freshTtls(b: Uint8Array, e: Entry): readonly DnsRecord[] {
  let answers = e.answers;
  const offsets = e.ttlOffsets;
  for (let i = 0; i < offsets.length; i++) {
    const ttl = readU32(b, offsets[i]!);
    const a = answers[i]!;
    if (a.ttl === ttl) continue;
    if (answers === e.answers) answers = answers.slice();
    (answers as DnsRecord[])[i] = Object.freeze({ ...a, ttl });
  }
  if (answers !== e.answers) e.answers = Object.freeze(answers);
  return answers;
}

/** The memo entry of a decoded message, or undefined when it must not be remembered. */
function entryOf(b: Uint8Array, qEnd: number, questions: readonly DnsQuestion[], answers: readonly DnsRecord[], at: number): Entry | undefined {
  if (questions.length !== 1) return undefined;
  const ttlOffsets: number[] = [];
  let o = qEnd;
  for (const a of answers) {
    if (!KEPT_TYPES.has(a.type)) return undefined;
    const nameEnd = skipName(b, o, true);
    if (nameEnd < 0 || nameEnd + 10 > b.length) return undefined;
    const ttlAt = nameEnd + 4;
    if (readU32(b, ttlAt) !== a.ttl) return undefined;
    ttlOffsets.push(ttlAt);
    const rdStart = nameEnd + 10;
    o = rdStart + ((b[nameEnd + 8]! << 8) | b[nameEnd + 9]!);
    // Where the library moves on by the data it read rather than by the length field,
    // both must agree, or the offsets above would not be the library's.
    if (o > b.length || !rdataLengthAgrees(a.type, b, rdStart, o)) return undefined;
  }
  if (!pointersAvoid(b, ttlOffsets)) return undefined;
  for (const a of answers) Object.freeze(a);
  return {
    at,
    length: b.length,
    ttlOffsets: ttlOffsets.slice(), // exact size (push grew it to 16 slots)
    questions: Object.freeze(questions.map((q) => Object.freeze(q))),
    answers: Object.freeze(answers.slice()),
    hits: 0,
    repeat: {},
  };
}

/** True when the library's reading of the record data ends where its length field says. */
function rdataLengthAgrees(type: string, b: Uint8Array, start: number, end: number): boolean {
  switch (type) {
    case 'A':
      return end - start === 4;
    case 'AAAA':
      return end - start === 16;
    case 'CNAME':
    case 'PTR':
      return skipName(b, start, true) === end;
    case 'MX':
      return skipName(b, start + 2, true) === end;
    default:
      return true; // SRV: the library itself skips by the length field
  }
}

/** True when no possible compression pointer in the message targets the id/flags or a TTL. */
function pointersAvoid(b: Uint8Array, ttlOffsets: readonly number[]): boolean {
  for (let i = HEADER_BYTES; i + 1 < b.length; i++) {
    if ((b[i]! & 0xc0) !== 0xc0) continue;
    const target = ((b[i]! & 0x3f) << 8) | b[i + 1]!;
    if (target < FIRST_KEYED_BYTE) return false;
    for (const t of ttlOffsets) if (target >= t && target < t + 4) return false;
  }
  return true;
}
