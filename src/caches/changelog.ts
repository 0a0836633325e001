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
    // for-in, not Object.values: no temporary array on the ingest path
    for (const k in value) deepFreeze((value as Record<string, unknown>)[k]);
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

/** Settings shared by every changelog of one kind (one object, not two fields per instance). */
interface Spec<T> {
  readonly capacity: number;
  readonly equals: (a: T, b: T) => boolean;
}

// Specs are interned per (equals, capacity): changelogs are many, their settings few.
const specs = new WeakMap<object, Map<number, Spec<unknown>>>();

function specFor<T>(capacity: number, equals: ((a: T, b: T) => boolean) | undefined): Spec<T> {
  const eq = (equals ?? Object.is) as (a: unknown, b: unknown) => boolean;
  let byCap = specs.get(eq);
  if (byCap === undefined) specs.set(eq, (byCap = new Map()));
  let s = byCap.get(capacity);
  if (s === undefined) byCap.set(capacity, (s = { capacity, equals: eq }));
  return s as Spec<T>;
}

const EMPTY: readonly unknown[] = Object.freeze([]);

/** d[from..] + [time, value] as an exactly sized array (literals for the usual tiny sizes). */
function appended(d: readonly unknown[], from: number, time: BootNs, value: unknown): unknown[] {
  const len = d.length - from;
  if (len === 0) return [time, value];
  if (len === 2) return [d[from], d[from + 1], time, value];
  if (len === 4) return [d[from], d[from + 1], d[from + 2], d[from + 3], time, value];
  const out = d.slice(from);
  out.push(time, value);
  return out;
}

/** A bounded, time-sorted history of values; `get(t)` answers the value in force at `t`. */
export class Changelog<T> implements ChangelogReader<T> {
  readonly #spec: Spec<T>;
  // Flat, time-sorted [t0, v0, t1, v1, ...], replaced (never grown in place) on change:
  // caches hold tens of thousands of these, so no per-entry objects and no slack capacity.
  #d: readonly unknown[] = EMPTY;

  constructor(options: ChangelogOptions<T> = {}) {
    const capacity = options.capacity ?? DEFAULT_CHANGELOG_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(`Changelog capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.#spec = specFor(capacity, options.equals);
  }

  /** Maximum entries kept. */
  get capacity(): number {
    return this.#spec.capacity;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#d.length >> 1;
  }

  /**
   * Records that `value` was in force from `time` on. Returns true when the history
   * changed. The value is frozen (deeply); do not mutate it afterwards.
   */
  set(value: T, time: BootNs): boolean {
    const d = this.#d;
    const n = d.length >> 1;
    const eq = this.#spec.equals;
    // Fast path: in-order append (the common case for live events).
    if (n === 0 || (d[2 * n - 2] as BootNs) < time) {
      if (n > 0 && eq(d[2 * n - 1] as T, value)) return false;
      this.#d = appended(d, n === this.#spec.capacity ? 2 : 0, time, deepFreeze(value));
      return true;
    }
    const list = this.#toEntries();
    // idx = first entry strictly later than `time`; idx - 1 is the one in force at `time`.
    let idx = n;
    while (idx > 0 && list[idx - 1]!.time > time) idx--;
    const prev = idx > 0 ? list[idx - 1]! : undefined;
    const next = idx < n ? list[idx]! : undefined;
    if (prev !== undefined && prev.time === time) {
      // Same instant: the later report wins, then merge with equal neighbours.
      if (eq(prev.value, value)) return false;
      const before = idx > 1 ? list[idx - 2]! : undefined;
      if (before !== undefined && eq(before.value, value)) {
        list.splice(idx - 1, 1);
        if (next !== undefined && eq(next.value, value)) list.splice(idx - 1, 1);
      } else if (next !== undefined && eq(next.value, value)) {
        list.splice(idx - 1, 2, { time, value: next.value });
      } else {
        list[idx - 1] = { time, value: deepFreeze(value) };
      }
    } else if (prev !== undefined && eq(prev.value, value)) {
      return false; // already in force: keep the earlier start
    } else if (next !== undefined && eq(next.value, value)) {
      // The same value was known from a later time: its validity starts earlier.
      list[idx] = { time, value: next.value };
    } else {
      if (n === this.#spec.capacity) {
        if (idx === 0) return false; // older than everything kept: it is the oldest, so it goes
        list.shift();
        idx--;
      }
      list.splice(idx, 0, { time, value: deepFreeze(value) });
    }
    this.#d = list.flatMap((e) => [e.time, e.value]);
    return true;
  }

  /** The value in force at `t` (latest entry with time <= t), or undefined before the first. */
  get(t: BootNs): T | undefined {
    const d = this.#d;
    for (let i = d.length - 2; i >= 0; i -= 2) {
      if ((d[i] as BootNs) <= t) return d[i + 1] as T;
    }
    return undefined;
  }

  /** The latest value. */
  current(): T | undefined {
    const d = this.#d;
    return d.length === 0 ? undefined : (d[d.length - 1] as T);
  }

  /** Time of the first entry, or undefined when empty. */
  firstTime(): BootNs | undefined {
    return this.#d[0] as BootNs | undefined;
  }

  /** Entries oldest first (fresh frozen objects; values are frozen). */
  entries(): ReadonlyArray<{ readonly time: BootNs; readonly value: T }> {
    return this.#toEntries().map((e) => Object.freeze(e));
  }

  /** Distinct values currently held, oldest first. */
  values(): T[] {
    const d = this.#d;
    const eq = this.#spec.equals;
    const out: T[] = [];
    for (let i = 1; i < d.length; i += 2) {
      const v = d[i] as T;
      if (!out.some((o) => eq(o, v))) out.push(v);
    }
    return out;
  }

  #toEntries(): Entry<T>[] {
    const d = this.#d;
    const out: Entry<T>[] = [];
    for (let i = 0; i < d.length; i += 2) out.push({ time: d[i] as BootNs, value: d[i + 1] as T });
    return out;
  }
}
