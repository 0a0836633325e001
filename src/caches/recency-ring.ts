/**
 * Exact least-recently-used order of a set of items, for an LRU whose items are touched far
 * more often than they are evicted (the DNS cache's query roots).
 *
 * A doubly linked list re-links a touched item between its two neighbours and the newest
 * item: three other objects written per touch, each a cache miss when the set is large
 * and the touches random. Here a touch appends the item to a ring of slots and leaves a
 * hole where it was (the item knows its slot): one write to the item and two to a compact
 * array. Eviction takes the oldest slot, skipping holes. When the ring fills up, the live
 * items are packed together in order (their slots rewritten), growing the ring when more
 * than a quarter of it is live, so packing costs at most a third of a write per touch.
 */

/** What the ring keeps in an item: its slot, -1 while not in the ring. */
export interface RingItem {
  ringSlot: number;
}

const INITIAL_SLOTS = 64;

/** Items in least-recently-touched order (see the module comment). */
export class RecencyRing<T extends RingItem> {
  #slots: Array<T | undefined> = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  /** Slot of the oldest entry (live or hole). */
  #head = 0;
  /** Slot the next touch writes. */
  #tail = 0;
  /** Slots in use between head and tail, holes included. */
  #used = 0;
  #size = 0;

  /** Items in the ring. */
  get size(): number {
    return this.#size;
  }

  /** Make `item` the most recent one, adding it when it is not in the ring. */
  touch(item: T): void {
    const slots = this.#slots;
    const at = item.ringSlot;
    if (at >= 0) {
      if (at === (this.#tail + slots.length - 1) % slots.length) return; // already the newest
      slots[at] = undefined;
    } else this.#size++;
    if (this.#used === this.#slots.length) this.#pack();
    const s = this.#tail;
    this.#slots[s] = item;
    item.ringSlot = s;
    this.#tail = (s + 1) % this.#slots.length;
    this.#used++;
  }

  /** Remove and return the least recently touched item. */
  shift(): T | undefined {
    const slots = this.#slots;
    while (this.#used > 0) {
      const item = slots[this.#head];
      slots[this.#head] = undefined;
      this.#head = (this.#head + 1) % slots.length;
      this.#used--;
      if (item !== undefined) {
        item.ringSlot = -1;
        this.#size--;
        return item;
      }
    }
    return undefined;
  }

  /** Items, most recently touched first. */
  *newestFirst(): Generator<T> {
    const slots = this.#slots;
    for (let k = 1; k <= this.#used; k++) {
      const item = slots[(this.#tail - k + slots.length) % slots.length];
      if (item !== undefined) yield item;
    }
  }

  /**
   * Pack the live items together in order: in place from the head (the write position never
   * passes the read position), or at the start of a twice larger ring when over a quarter
   * of it is live.
   */
  #pack(): void {
    const old = this.#slots;
    const n = old.length;
    const grow = this.#size * 4 > n;
    const slots = grow ? new Array<T | undefined>(n * 2).fill(undefined) : old;
    const m = slots.length;
    const start = grow ? 0 : this.#head;
    let w = start;
    let live = 0;
    for (let k = 0, r = this.#head; k < this.#used; k++, r = (r + 1) % n) {
      const item = old[r];
      if (item === undefined) continue;
      old[r] = undefined;
      slots[w] = item;
      item.ringSlot = w;
      w = (w + 1) % m;
      live++;
    }
    this.#slots = slots;
    this.#head = start;
    this.#tail = w;
    // Not #size: an item being re-touched is counted there but already out of its slot.
    this.#used = live;
  }
}
