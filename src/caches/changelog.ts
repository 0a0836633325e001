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

// The last two specs handed out: caches construct changelogs of two or three kinds in turn.
let recent0: Spec<unknown> | undefined;
let recent1: Spec<unknown> | undefined;

function specFor<T>(capacity: number, equals: ((a: T, b: T) => boolean) | undefined): Spec<T> {
  const eq = (equals ?? Object.is) as (a: unknown, b: unknown) => boolean;
  if (recent0 !== undefined && recent0.equals === eq && recent0.capacity === capacity) return recent0 as Spec<T>;
  if (recent1 !== undefined && recent1.equals === eq && recent1.capacity === capacity) return recent1 as Spec<T>;
  let byCap = specs.get(eq);
  if (byCap === undefined) specs.set(eq, (byCap = new Map()));
  let s = byCap.get(capacity);
  if (s === undefined) byCap.set(capacity, (s = { capacity, equals: eq }));
  recent1 = recent0;
  recent0 = s;
  return s as Spec<T>;
}

/** A bounded, time-sorted history of values; `get(t)` answers the value in force at `t`. */
export class Changelog<T> implements ChangelogReader<T> {
  readonly #spec: Spec<T>;
  // Caches hold tens of thousands of these and most never get past two entries (fork,
  // exec), so the first two live inline: no array at all until a third entry. Entries
  // beyond the second are a flat [t2, v2, t3, v3, ...] array, replaced on change.
  #n = 0;
  #t0: BootNs = 0n;
  #v0: T | undefined = undefined;
  #t1: BootNs = 0n;
  #v1: T | undefined = undefined;
  #rest: unknown[] | undefined = undefined;

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
    return this.#n;
  }

  #time(i: number): BootNs {
    return i === 0 ? this.#t0 : i === 1 ? this.#t1 : (this.#rest![2 * i - 4] as BootNs);
  }

  #value(i: number): T {
    return (i === 0 ? this.#v0 : i === 1 ? this.#v1 : this.#rest![2 * i - 3]) as T;
  }

  /**
   * Records that `value` was in force from `time` on. Returns true when the history
   * changed. The value is frozen (deeply); do not mutate it afterwards.
   */
  set(value: T, time: BootNs): boolean {
    const n = this.#n;
    const eq = this.#spec.equals;
    // Fast path: in-order append (the common case for live events).
    if (n === 0) {
      this.#t0 = time;
      this.#v0 = deepFreeze(value);
      this.#n = 1;
      return true;
    }
    if (n === 1 && this.#t0 < time) {
      if (eq(this.#v0 as T, value)) return false;
      if (this.#spec.capacity === 1) {
        this.#t0 = time;
        this.#v0 = deepFreeze(value);
        return true;
      }
      this.#t1 = time;
      this.#v1 = deepFreeze(value);
      this.#n = 2;
      return true;
    }
    if (n === 2 && this.#t1 < time && this.#spec.capacity === 2) {
      if (eq(this.#v1 as T, value)) return false;
      this.#t0 = this.#t1;
      this.#v0 = this.#v1;
      this.#t1 = time;
      this.#v1 = deepFreeze(value);
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
    this.#store(list);
    return true;
  }

  #store(list: readonly Entry<T>[]): void {
    const n = list.length;
    this.#n = n;
    this.#t0 = n > 0 ? list[0]!.time : 0n;
    this.#v0 = n > 0 ? list[0]!.value : undefined;
    this.#t1 = n > 1 ? list[1]!.time : 0n;
    this.#v1 = n > 1 ? list[1]!.value : undefined;
    if (n <= 2) {
      this.#rest = undefined;
      return;
    }
    const rest: unknown[] = [];
    for (let i = 2; i < n; i++) rest.push(list[i]!.time, list[i]!.value);
    this.#rest = rest;
  }

  /** The value in force at `t` (latest entry with time <= t), or undefined before the first. */
  get(t: BootNs): T | undefined {
    for (let i = this.#n - 1; i >= 0; i--) {
      if (this.#time(i) <= t) return this.#value(i);
    }
    return undefined;
  }

  /** The latest value. */
  current(): T | undefined {
    const n = this.#n;
    return n === 0 ? undefined : this.#value(n - 1);
  }

  /** Time of the first entry, or undefined when empty. */
  firstTime(): BootNs | undefined {
    return this.#n === 0 ? undefined : this.#t0;
  }

  /** Entries oldest first (fresh frozen objects; values are frozen). */
  entries(): ReadonlyArray<{ readonly time: BootNs; readonly value: T }> {
    return this.#toEntries().map((e) => Object.freeze(e));
  }

  /** Distinct values currently held, oldest first. */
  values(): T[] {
    const eq = this.#spec.equals;
    const out: T[] = [];
    for (let i = 0; i < this.#n; i++) {
      const v = this.#value(i);
      if (!out.some((o) => eq(o, v))) out.push(v);
    }
    return out;
  }

  #toEntries(): Entry<T>[] {
    const out: Entry<T>[] = [];
    for (let i = 0; i < this.#n; i++) out.push({ time: this.#time(i), value: this.#value(i) });
    return out;
  }
}
