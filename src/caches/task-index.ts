/**
 * pid/tid -> cached entries with that id. PID reuse makes several entries per id possible
 * but rare, so one entry is stored bare and only reuse allocates an array: an array per
 * cached task was one more long-lived object for the GC to copy on every fork.
 */

const NONE: readonly never[] = Object.freeze([]);

/** Entries by numeric id, oldest first; a bare entry when an id has only one. */
export class TaskIndex<E extends object> {
  readonly #m = new Map<number, E | E[]>();

  /** The entry or entries with this id (check with Array.isArray on hot paths). */
  get(id: number): E | readonly E[] | undefined {
    return this.#m.get(id);
  }

  /** The entries with this id as a list, oldest first (allocates for a bare entry). */
  list(id: number): readonly E[] {
    const v = this.#m.get(id);
    return v === undefined ? NONE : Array.isArray(v) ? v : [v as E];
  }

  /** Adds `e` as the newest entry of `id`. */
  add(id: number, e: E): void {
    const v = this.#m.get(id);
    if (v === undefined) this.#m.set(id, e);
    else if (Array.isArray(v)) v.push(e);
    else this.#m.set(id, [v as E, e]);
  }

  /** Removes `e` from `id`'s entries. */
  remove(id: number, e: E): void {
    const v = this.#m.get(id);
    if (v === undefined) return;
    if (!Array.isArray(v)) {
      if (v === e) this.#m.delete(id);
      return;
    }
    const i = v.indexOf(e);
    if (i >= 0) v.splice(i, 1);
    if (v.length === 1) this.#m.set(id, v[0]!);
    else if (v.length === 0) this.#m.delete(id);
  }

  /** Every entry, in no particular order. */
  *values(): IterableIterator<E> {
    for (const v of this.#m.values()) {
      if (Array.isArray(v)) yield* v;
      else yield v as E;
    }
  }
}
