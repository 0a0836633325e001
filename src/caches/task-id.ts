/**
 * Task identity: the public key `"<pid>@<startTicks>"` and Tracee's 32-bit `HashTaskID`.
 *
 * The key is the primary identity (unique, readable, URL-safe). The hash exists only so
 * our output can be joined with Tracee's: 32-bit hashes of ~10k live tasks collide, so
 * it is never used to look anything up.
 */
import type { BootNs } from '../events/types.js';

/** Nanoseconds per clock tick (USER_HZ = 100): the precision of /proc/PID/stat field 22. */
export const TICK_NS = 10_000_000n;

/** Tracee's seed for HashTaskID's murmur3. */
export const TASK_ID_SEED = 0x18273645;

/** Tracee rounds start times to 100 ms (10 ticks) before hashing. */
const HASH_ROUND_NS = 100_000_000n;

const utf8 = new TextEncoder();

/** MurmurHash3 x86_32 of `data` (a string is hashed as its UTF-8 bytes); unsigned result. */
export function murmur3(data: Uint8Array | string, seed = 0): number {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  const len = bytes.length;
  const blocks = len & ~3;
  let h = seed | 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rem = len & 3;
  if (rem > 0) {
    let k = 0;
    if (rem === 3) k ^= bytes[i + 2]! << 16;
    if (rem >= 2) k ^= bytes[i + 1]! << 8;
    k ^= bytes[i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// One reusable buffer: hashing is synchronous, so nothing can interleave.
const idBuf = new Uint8Array(12);
const idView = new DataView(idBuf.buffer);

/**
 * Tracee's HashTaskID: murmur3 (seed 0x18273645) of BE32(pid) ‖ BE64(start rounded down
 * to 100 ms), where the start is in **epoch** ns (boot ns + boot-to-epoch offset).
 */
export function hashTaskId(pid: number, startEpochNs: bigint): number {
  const rounded = startEpochNs < 0n ? 0n : (startEpochNs / HASH_ROUND_NS) * HASH_ROUND_NS;
  idView.setUint32(0, pid >>> 0, false);
  idView.setBigUint64(4, BigInt.asUintN(64, rounded), false);
  return murmur3(idBuf, TASK_ID_SEED);
}

/** Start time floored to clock ticks (= /proc/PID/stat field 22). */
export function startTicksOf(startNs: BootNs): bigint {
  return startNs / TICK_NS;
}

/** The public key of a task: `"<pid>@<startTicks>"`. */
export function taskKey(pid: number, startNs: BootNs): string {
  return `${pid}@${startNs / TICK_NS}`;
}

/** A parsed task key. */
export interface ParsedTaskKey {
  readonly id: number;
  readonly startTicks: bigint;
}

const KEY_RE = /^(\d{1,10})@(\d{1,20})$/;

/** Parses `"<pid>@<startTicks>"`; undefined when malformed (never throws). */
export function parseTaskKey(key: string): ParsedTaskKey | undefined {
  const m = KEY_RE.exec(key);
  if (m === null) return undefined;
  const id = Number(m[1]);
  if (id > 0xffffffff) return undefined;
  return { id, startTicks: BigInt(m[2]!) };
}
