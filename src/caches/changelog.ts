/**
 * Changelog<T>: a bounded, time-ordered history of one attribute.
 *
 * Tracee's `common/changelog` keeps entries in arrival order and compares values by
 * pointer; here entries are always sorted by time, an out-of-order `set` lands in its
 * sorted place, a value equal (structurally, through `equals`) to the one already in
 * force adds nothing, and every stored value is frozen so no caller can mutate history.
 */
import type { BootNs } from '../events/types.js';
import type { ChangelogReader } from './process-model.js';

/** Options of a Changelog. */
export interface ChangelogOptions<T> {
  /**
   * Maximum number of entries kept; when full, the oldest entry goes.
   * @default 3
   */
  readonly capacity?: number;
  /**
   * Value equality. @default Object.is — **pass a structural comparison for snapshot
   * objects**, or equal snapshots built from different events count as changes.
   */
  readonly equals?: (a: T, b: T) => boolean;
}

/** Default entries per changelog (the seed's TaskInfo keeps 3). */
export const DEFAULT_CHANGELOG_CAPACITY = 3;

/** Freezes a value and the plain objects/arrays it holds (values are immutable snapshots). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** Element-wise equality of two readonly arrays compared with Object.is. */
export function arrayEquals<E>(a: readonly E[], b: readonly E[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Equality of two flat records: same own keys, each compared with Object.is. */
export function shallowEquals<R extends object>(a: R, b: R): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

interface Entry<T> {
  readonly time: BootNs;
  readonly value: T;
}

function entry<T>(time: BootNs, value: T): Entry<T> {
  return Object.freeze({ time, value });
}

/** A bounded, time-sorted history of values; `get(t)` answers the value in force at `t`. */
export class Changelog<T> implements ChangelogReader<T> {
  readonly capacity: number;
  readonly #equals: (a: T, b: T) => boolean;
  // Entries sorted by time, oldest first. Small (capacity ~3-16): linear scans beat anything clever.
  #list: Entry<T>[] = [];

  constructor(options: ChangelogOptions<T> = {}) {
    const capacity = options.capacity ?? DEFAULT_CHANGELOG_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(`Changelog capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.#equals = options.equals ?? Object.is;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#list.length;
  }

  /**
   * Records that `value` was in force from `time` on. Returns true when the history
   * changed. The value is frozen (deeply); do not mutate it afterwards.
   */
  set(value: T, time: BootNs): boolean {
    const list = this.#list;
    const n = list.length;
    // Fast path: in-order append (the common case for live events).
    if (n === 0 || list[n - 1]!.time < time) {
      if (n > 0 && this.#equals(list[n - 1]!.value, value)) return false;
      if (n === this.capacity) list.shift();
      list.push(entry(time, deepFreeze(value)));
      return true;
    }
    // idx = first entry strictly later than `time`; idx - 1 is the one in force at `time`.
    let idx = n;
    while (idx > 0 && list[idx - 1]!.time > time) idx--;
    const prev = idx > 0 ? list[idx - 1]! : undefined;
    const next = idx < n ? list[idx]! : undefined;
    if (prev !== undefined && prev.time === time) {
      // Same instant: the later report wins, then merge with equal neighbours.
      if (this.#equals(prev.value, value)) return false;
      const before = idx > 1 ? list[idx - 2]! : undefined;
      if (before !== undefined && this.#equals(before.value, value)) {
        list.splice(idx - 1, 1);
        if (next !== undefined && this.#equals(next.value, value)) list.splice(idx - 1, 1);
        return true;
      }
      if (next !== undefined && this.#equals(next.value, value)) {
        list.splice(idx - 1, 2, entry(time, next.value));
        return true;
      }
      list[idx - 1] = entry(time, deepFreeze(value));
      return true;
    }
    if (prev !== undefined && this.#equals(prev.value, value)) return false; // already in force: keep the earlier start
    if (next !== undefined && this.#equals(next.value, value)) {
      // The same value was known from a later time: its validity starts earlier.
      list[idx] = entry(time, next.value);
      return true;
    }
    if (n === this.capacity) {
      if (idx === 0) return false; // older than everything kept: it is the oldest, so it goes
      list.shift();
      idx--;
    }
    list.splice(idx, 0, entry(time, deepFreeze(value)));
    return true;
  }

  /** The value in force at `t` (latest entry with time <= t), or undefined before the first. */
  get(t: BootNs): T | undefined {
    const list = this.#list;
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i]!;
      if (e.time <= t) return e.value;
    }
    return undefined;
  }

  /** The latest value. */
  current(): T | undefined {
    const list = this.#list;
    return list.length === 0 ? undefined : list[list.length - 1]!.value;
  }

  /** Time of the first entry, or undefined when empty. */
  firstTime(): BootNs | undefined {
    return this.#list[0]?.time;
  }

  /** Entries oldest first (a copy; entries and values are frozen). */
  entries(): ReadonlyArray<{ readonly time: BootNs; readonly value: T }> {
    return this.#list.slice();
  }

  /** Distinct values currently held, oldest first. */
  values(): T[] {
    const out: T[] = [];
    for (const e of this.#list) if (!out.some((v) => this.#equals(v, e.value))) out.push(e.value);
    return out;
  }
}
