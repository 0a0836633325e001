/**
 * Validity windows of one DNS answer (an edge of the graph).
 *
 * Each window is `[firstSeen, lastSeen + ttl)`: the answer was first seen at `firstSeen`,
 * re-seen until `lastSeen`, and a client may use it until `validUntil`. A new sighting
 * inside (or at the end of) a window extends it; a sighting after it opens a new one, so
 * "what did this resolve to at T" stays answerable after the TTL ran out (the seed kept a
 * single `expiredAfter` and forgot everything before it).
 *
 * Times are stored as exact number pairs (whole seconds, ns remainder) instead of boot-ns
 * bigints: TTLs are whole seconds, so `validUntil` is `(sec + ttl, ns)` with no BigInt
 * arithmetic (which allocates) on the per-answer path; both halves stay small integers.
 * Bigints appear only at the API (TimePair ↔ BootNs).
 */
import type { BootNs } from '../events/types.js';

/** A boot-ns time as whole seconds and a ns remainder in [0, 1e9). Exact. */
export interface TimePair {
  sec: number;
  ns: number;
}

/** One contiguous period in which an answer was valid. */
export interface ValidityWindow {
  firstSec: number;
  firstNs: number;
  lastSec: number;
  lastNs: number;
  untilSec: number;
  untilNs: number;
  /** TTL (seconds) of the latest sighting in this window. */
  ttl: number;
  /** Sightings merged into this window. */
  count: number;
}

export const NS_PER_SECOND = 1_000_000_000n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const SMI_MAX = 0x3fffffff;

/** Split a boot-ns time into `out` (reused by callers: no allocation on the fast path). */
export function splitTime(t: BootNs, out: TimePair): TimePair {
  let sec: number;
  let ns: number;
  if (t <= MAX_SAFE && t >= 0n) {
    // Below 2^53 ns (104 days of uptime) the number is exact; the division may round up
    // to the next second for the last ns of a second, which the fix-up below undoes.
    const n = Number(t);
    sec = Math.floor(n / 1e9);
    ns = n - sec * 1e9;
  } else {
    sec = Number(t / NS_PER_SECOND);
    ns = Number(t % NS_PER_SECOND);
  }
  if (ns < 0) {
    sec--;
    ns += 1e9;
  } else if (ns >= 1e9) {
    sec++;
    ns -= 1e9;
  }
  // `| 0` keeps both halves small integers (V8 Smis) from the first call on: a float result
  // (what the division and subtraction give before optimisation) stored into a record
  // turns that field into a boxed double for every record of its shape, an extra object
  // and pointer per field. The seconds fit 31 bits for 68 years of uptime; beyond, exact floats.
  out.sec = sec <= SMI_MAX && sec >= -SMI_MAX ? sec | 0 : sec;
  out.ns = ns | 0;
  return out;
}

/** The boot-ns bigint of a (sec, ns) pair. */
export function joinTime(sec: number, ns: number): BootNs {
  return BigInt(sec) * NS_PER_SECOND + BigInt(ns);
}

/** Compare (aSec, aNs) with (bSec, bNs): negative, zero or positive. */
export function cmpTime(aSec: number, aNs: number, bSec: number, bNs: number): number {
  return aSec !== bSec ? aSec - bSec : aNs - bNs;
}

/**
 * Record a sighting at `t` with `ttl` seconds into `windows` (sorted by firstSeen, bounded
 * to `max` entries, oldest dropped). Out-of-order sightings are merged where they belong.
 */
export function observeWindow(windows: ValidityWindow[], t: TimePair, ttl: number, max: number): void {
  const sec = t.sec;
  const ns = t.ns;
  const n = windows.length;
  if (n > 0) {
    const last = windows[n - 1]!;
    if (cmpTime(sec, ns, last.firstSec, last.firstNs) >= 0) {
      if (cmpTime(sec, ns, last.untilSec, last.untilNs) <= 0) {
        extend(last, sec, ns, ttl);
        return;
      }
    } else {
      insertOutOfOrder(windows, sec, ns, ttl);
      trim(windows, max);
      return;
    }
  }
  windows.push(newWindow(sec, ns, ttl));
  trim(windows, max);
}

/**
 * observeWindow's common case, on the newest window alone: when `t` falls inside `latest`
 * (the last of its list), extend it and return true; otherwise change nothing and return
 * false (the caller then uses observeWindow). Spares a busy answer the walk to its list.
 */
export function extendLatest(latest: ValidityWindow, t: TimePair, ttl: number): boolean {
  const sec = t.sec;
  const ns = t.ns;
  if (cmpTime(sec, ns, latest.firstSec, latest.firstNs) < 0 || cmpTime(sec, ns, latest.untilSec, latest.untilNs) > 0) return false;
  extend(latest, sec, ns, ttl);
  return true;
}

/** A copy of a window (a plain window object, whatever else `w` is). */
export function copyWindow(w: ValidityWindow): ValidityWindow {
  return { firstSec: w.firstSec, firstNs: w.firstNs, lastSec: w.lastSec, lastNs: w.lastNs, untilSec: w.untilSec, untilNs: w.untilNs, ttl: w.ttl, count: w.count };
}

/** Overwrite the window fields of `to` with those of `from`. */
export function assignWindow(to: ValidityWindow, from: ValidityWindow): void {
  to.firstSec = from.firstSec;
  to.firstNs = from.firstNs;
  to.lastSec = from.lastSec;
  to.lastNs = from.lastNs;
  to.untilSec = from.untilSec;
  to.untilNs = from.untilNs;
  to.ttl = from.ttl;
  to.count = from.count;
}

function newWindow(sec: number, ns: number, ttl: number): ValidityWindow {
  return { firstSec: sec, firstNs: ns, lastSec: sec, lastNs: ns, untilSec: sec + ttl, untilNs: ns, ttl, count: 1 };
}

function extend(w: ValidityWindow, sec: number, ns: number, ttl: number): void {
  if (cmpTime(sec, ns, w.lastSec, w.lastNs) >= 0) {
    w.lastSec = sec;
    w.lastNs = ns;
    w.ttl = ttl;
  }
  if (cmpTime(sec + ttl, ns, w.untilSec, w.untilNs) > 0) {
    w.untilSec = sec + ttl;
    w.untilNs = ns;
  }
  w.count++;
}

function insertOutOfOrder(windows: ValidityWindow[], sec: number, ns: number, ttl: number): void {
  let i = 0;
  while (i < windows.length && cmpTime(windows[i]!.firstSec, windows[i]!.firstNs, sec, ns) <= 0) i++;
  // windows[i-1] starts at or before t; windows[i] starts after t.
  const prev = i > 0 ? windows[i - 1]! : undefined;
  if (prev !== undefined && cmpTime(sec, ns, prev.untilSec, prev.untilNs) <= 0) {
    extend(prev, sec, ns, ttl);
  } else {
    windows.splice(i, 0, newWindow(sec, ns, ttl));
    i++;
  }
  // The grown window may now reach the next one: merge them.
  const cur = windows[i - 1]!;
  while (i < windows.length && cmpTime(windows[i]!.firstSec, windows[i]!.firstNs, cur.untilSec, cur.untilNs) <= 0) {
    const next = windows[i]!;
    if (cmpTime(next.lastSec, next.lastNs, cur.lastSec, cur.lastNs) >= 0) {
      cur.lastSec = next.lastSec;
      cur.lastNs = next.lastNs;
      cur.ttl = next.ttl;
    }
    if (cmpTime(next.untilSec, next.untilNs, cur.untilSec, cur.untilNs) > 0) {
      cur.untilSec = next.untilSec;
      cur.untilNs = next.untilNs;
    }
    cur.count += next.count;
    windows.splice(i, 1);
  }
}

function trim(windows: ValidityWindow[], max: number): void {
  if (windows.length > max) windows.splice(0, windows.length - max);
}

/** The window in force at `at` (containing it), else the latest one that began before it. */
export function windowAt(windows: readonly ValidityWindow[], at: TimePair): ValidityWindow | undefined {
  for (let i = windows.length - 1; i >= 0; i--) {
    const w = windows[i]!;
    if (cmpTime(w.firstSec, w.firstNs, at.sec, at.ns) <= 0) return w;
  }
  return undefined;
}

/** True when the window has ended by `at` (`at >= validUntil`). */
export function expiredAt(w: ValidityWindow, at: TimePair): boolean {
  return cmpTime(at.sec, at.ns, w.untilSec, w.untilNs) >= 0;
}

/** True when the window began after `at`. */
export function startsAfter(w: ValidityWindow, at: TimePair): boolean {
  return cmpTime(w.firstSec, w.firstNs, at.sec, at.ns) > 0;
}
