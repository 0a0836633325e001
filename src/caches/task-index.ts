/**
 * pid/tid -> cached entries with that id.
 *
 * An open-addressing table (linear probing, backward-shift deletion) over an Int32Array of
 * ids: the tree inserts and deletes one id per fork and per eviction, and a Map under
 * that churn spent more time rehashing and probing than the tree spent on the events.
 * PID reuse makes several entries per id possible but rare, so one entry is stored bare
 * and only reuse allocates an array.
 */

const NONE: readonly never[] = Object.freeze([]);
const MIN_CAPACITY = 1024;

/** Entries by positive integer id, oldest first; a bare entry when an id has only one. */
export class TaskIndex<E extends object> {
  #keys = new Int32Array(MIN_CAPACITY); // 0 = empty slot (ids are > 0)
  #vals: (E | E[] | undefined)[] = new Array<E | E[] | undefined>(MIN_CAPACITY).fill(undefined);
  #mask = MIN_CAPACITY - 1;
  #size = 0;

  /** Distinct ids held. */
  get size(): number {
    return this.#size;
  }

  #slot(id: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = Math.imul(id, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === id || k === 0) return i;
      i = (i + 1) & mask;
    }
  }

  /** The entry or entries with this id (check with Array.isArray on hot paths). */
  get(id: number): E | readonly E[] | undefined {
    if (!(id > 0 && id <= 0x7fffffff)) return undefined;
    return this.#vals[this.#slot(id | 0)];
  }

  /** The entries with this id as a list, oldest first (allocates for a bare entry). */
  list(id: number): readonly E[] {
    const v = this.get(id);
    return v === undefined ? NONE : Array.isArray(v) ? v : [v as E];
  }

  /** Adds `e` as the newest entry of `id` (a positive 32-bit integer). */
  add(id: number, e: E): void {
    if (!(id > 0 && id <= 0x7fffffff && Number.isInteger(id))) throw new RangeError(`bad task id ${id}`);
    let i = this.#slot(id);
    const v = this.#vals[i];
    if (v === undefined) {
      if ((this.#size + 1) * 2 > this.#keys.length) {
        this.#grow();
        i = this.#slot(id);
      }
      this.#keys[i] = id;
      this.#vals[i] = e;
      this.#size++;
    } else if (Array.isArray(v)) v.push(e);
    else this.#vals[i] = [v, e];
  }

  /** Removes `e` from `id`'s entries. */
  remove(id: number, e: E): void {
    if (!(id > 0 && id <= 0x7fffffff)) return;
    const i = this.#slot(id | 0);
    const v = this.#vals[i];
    if (v === undefined) return;
    if (Array.isArray(v)) {
      const j = v.indexOf(e);
      if (j >= 0) v.splice(j, 1);
      if (v.length === 1) this.#vals[i] = v[0]!;
      else if (v.length === 0) this.#delete(i);
    } else if (v === e) this.#delete(i);
  }

  /** Every entry, in no particular order. */
  *values(): IterableIterator<E> {
    // a copy: callers may evict (and so shift slots) while iterating
    const out: E[] = [];
    for (const v of this.#vals) {
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    yield* out;
  }

  /** Backward-shift deletion: no tombstones, so probes stay short under churn. */
  #delete(i: number): void {
    const keys = this.#keys;
    const vals = this.#vals;
    const mask = this.#mask;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === 0) break;
      const home = Math.imul(k, 0x9e3779b1) >>> 0 & mask;
      // move j into the hole unless its home lies cyclically in (hole, j]
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        keys[hole] = k;
        vals[hole] = vals[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    vals[hole] = undefined;
    this.#size--;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldVals = this.#vals;
    const cap = oldKeys.length * 2;
    this.#keys = new Int32Array(cap);
    this.#vals = new Array<E | E[] | undefined>(cap).fill(undefined);
    this.#mask = cap - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i]!;
      if (k === 0) continue;
      const s = this.#slot(k);
      this.#keys[s] = k;
      this.#vals[s] = oldVals[i];
    }
  }
}
