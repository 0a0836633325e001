/**
 * Validity windows of one DNS answer (an edge of the graph).
 *
 * Each window is `[firstSeen, lastSeen + ttl)`: the answer was first seen at `firstSeen`,
 * re-seen until `lastSeen`, and a client may use it until `validUntil`. A new sighting
 * inside (or at the end of) a window extends it; a sighting after it opens a new one, so
 * "what did this resolve to at T" stays answerable after the TTL ran out (the seed kept a
 * single `expiredAfter` and forgot everything before it).
 */
import type { BootNs } from '../events/types.js';

/** One contiguous period in which an answer was valid. */
export interface ValidityWindow {
  firstSeen: BootNs;
  lastSeen: BootNs;
  validUntil: BootNs;
  /** TTL (seconds) of the latest sighting in this window. */
  ttl: number;
  /** Sightings merged into this window. */
  count: number;
}

export const NS_PER_SECOND = 1_000_000_000n;

/**
 * Record a sighting at `t` with `ttl` seconds into `windows` (sorted by firstSeen, bounded
 * to `max` entries, oldest dropped). Out-of-order sightings are merged where they belong.
 */
export function observeWindow(windows: ValidityWindow[], t: BootNs, ttl: number, max: number): void {
  const until = t + ttlNs(ttl);
  const n = windows.length;
  const last = n > 0 ? windows[n - 1]! : undefined;
  if (last !== undefined && t >= last.firstSeen) {
    if (t <= last.validUntil) {
      extend(last, t, ttl, until);
      return;
    }
  } else if (last !== undefined) {
    insertOutOfOrder(windows, t, ttl, until);
    trim(windows, max);
    return;
  }
  windows.push({ firstSeen: t, lastSeen: t, validUntil: until, ttl, count: 1 });
  trim(windows, max);
}

const TTL_NS: bigint[] = [];

/** TTL seconds as ns, memoized for common TTLs (BigInt arithmetic allocates). */
function ttlNs(ttl: number): bigint {
  if (ttl < 86400) return (TTL_NS[ttl] ??= BigInt(ttl) * NS_PER_SECOND);
  return BigInt(ttl) * NS_PER_SECOND;
}

function extend(w: ValidityWindow, t: BootNs, ttl: number, until: BootNs): void {
  if (t >= w.lastSeen) {
    w.lastSeen = t;
    w.ttl = ttl;
  }
  if (until > w.validUntil) w.validUntil = until;
  w.count++;
}

function insertOutOfOrder(windows: ValidityWindow[], t: BootNs, ttl: number, until: BootNs): void {
  let i = 0;
  while (i < windows.length && windows[i]!.firstSeen <= t) i++;
  // windows[i-1] starts at or before t; windows[i] starts after t.
  const prev = i > 0 ? windows[i - 1]! : undefined;
  if (prev !== undefined && t <= prev.validUntil) {
    extend(prev, t, ttl, until);
  } else {
    windows.splice(i, 0, { firstSeen: t, lastSeen: t, validUntil: until, ttl, count: 1 });
    i++;
  }
  // The grown window may now reach the next one: merge them.
  const cur = windows[i - 1]!;
  while (i < windows.length && windows[i]!.firstSeen <= cur.validUntil) {
    const next = windows[i]!;
    if (next.lastSeen >= cur.lastSeen) {
      cur.lastSeen = next.lastSeen;
      cur.ttl = next.ttl;
    }
    if (next.validUntil > cur.validUntil) cur.validUntil = next.validUntil;
    cur.count += next.count;
    windows.splice(i, 1);
  }
}

function trim(windows: ValidityWindow[], max: number): void {
  if (windows.length > max) windows.splice(0, windows.length - max);
}

/** The window in force at `at` (containing it), else the latest one that began before it. */
export function windowAt(windows: readonly ValidityWindow[], at: BootNs): ValidityWindow | undefined {
  for (let i = windows.length - 1; i >= 0; i--) {
    const w = windows[i]!;
    if (w.firstSeen <= at) return w;
  }
  return undefined;
}
