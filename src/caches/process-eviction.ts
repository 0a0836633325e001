/**
 * The eviction policy of the process tree, for processes and threads alike.
 *
 * Tracee puts every process in one LRU, so a busy host evicts the exited parent of a
 * live process and its lineage breaks. Here live entries are never evicted; exited
 * entries wait in two recency lists: leaves (no cached process names them as parent) go
 * first, exited ancestors only when no leaf is left.
 *
 * Why not lru-cache here: the bound is on *all* entries (live included) while only exited
 * ones may go, and entries move between lists as they exit or gain children, so the pool
 * must decide when and what to evict itself. lru-cache would only supply recency, at the
 * cost of its per-call option handling, a key map and fixed-size arrays per list: the
 * ingest bench spent more time there than in the tree. An intrusive doubly linked list
 * (two fields on each entry) gives the same O(1) touch/pop with no allocation.
 */
import { Tier } from './process-node.js';

/** What the pool needs from an entry: its tier and two intrusive list links. */
export interface Evictable {
  tier: Tier;
  lruPrev: Evictable | undefined;
  lruNext: Evictable | undefined;
}

/** Least recently used first; O(1) push, remove, touch and pop, no allocation. */
class RecencyList<E extends Evictable> {
  #head: E | undefined = undefined;
  #tail: E | undefined = undefined;
  size = 0;

  push(e: E): void {
    e.lruPrev = this.#tail;
    e.lruNext = undefined;
    if (this.#tail === undefined) this.#head = e;
    else this.#tail.lruNext = e;
    this.#tail = e;
    this.size++;
  }

  remove(e: E): void {
    const prev = e.lruPrev as E | undefined;
    const next = e.lruNext as E | undefined;
    if (prev === undefined) this.#head = next;
    else prev.lruNext = next;
    if (next === undefined) this.#tail = prev;
    else next.lruPrev = prev;
    e.lruPrev = e.lruNext = undefined;
    this.size--;
  }

  touch(e: E): void {
    if (this.#tail === e) return;
    this.remove(e);
    this.push(e);
  }

  pop(): E | undefined {
    const e = this.#head;
    if (e !== undefined) this.remove(e);
    return e;
  }
}

/** Reason names counted in `evictionCounts()`. */
export interface EvictionReasons {
  /** Exited entry with nothing hanging off it. */
  readonly leaf: string;
  /** Exited entry that some cached entry names as parent. */
  readonly ancestor: string;
}

/** Bounded set of entries with the live / exited-leaf / exited-ancestor policy. */
export class EvictionPool<E extends Evictable & object> {
  readonly capacity: number;
  #size = 0;
  readonly #leaves = new RecencyList<E>();
  readonly #ancestors = new RecencyList<E>();
  readonly #onEvict: (e: E, reason: string) => void;
  readonly #reasons: EvictionReasons;
  readonly #counts: Record<string, number>;

  /** `onEvict` removes the entry from the caller's indices; it may call back into the pool. */
  constructor(
    capacity: number,
    onEvict: (e: E, reason: string) => void,
    reasons: EvictionReasons = { leaf: 'exitedLeaf', ancestor: 'exitedAncestor' },
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError(`capacity must be a positive integer`);
    this.capacity = capacity;
    this.#onEvict = onEvict;
    this.#reasons = reasons;
    // overCapacity counts enforce() calls that found only live entries to keep
    this.#counts = { [reasons.leaf]: 0, [reasons.ancestor]: 0, processEvicted: 0, overCapacity: 0 };
  }

  /** Entries held (live and exited). */
  get size(): number {
    return this.#size;
  }

  /** Counts a new (live) entry. */
  add(e: E): void {
    e.tier = Tier.Live;
    this.#size++;
  }

  /** Moves an entry to the tier its state now calls for. */
  place(e: E, tier: Tier): void {
    const old = e.tier;
    if (old === tier || old === Tier.Evicted) return;
    if (old === Tier.ExitedLeaf) this.#leaves.remove(e);
    else if (old === Tier.ExitedAncestor) this.#ancestors.remove(e);
    e.tier = tier;
    if (tier === Tier.ExitedLeaf) this.#leaves.push(e);
    else if (tier === Tier.ExitedAncestor) this.#ancestors.push(e);
  }

  /** Marks an entry recently used. */
  touch(e: E): void {
    if (e.tier === Tier.ExitedLeaf) this.#leaves.touch(e);
    else if (e.tier === Tier.ExitedAncestor) this.#ancestors.touch(e);
  }

  /** Removes an entry now (e.g. its process was evicted), counting `reason`. */
  remove(e: E, reason: string): void {
    if (e.tier === Tier.Evicted) return;
    if (e.tier === Tier.ExitedLeaf) this.#leaves.remove(e);
    else if (e.tier === Tier.ExitedAncestor) this.#ancestors.remove(e);
    e.tier = Tier.Evicted;
    this.#size--;
    this.#counts[reason] = (this.#counts[reason] ?? 0) + 1;
    this.#onEvict(e, reason);
  }

  /** Counts an eviction done outside the pool (an entry that never was in it). */
  count(reason: string): void {
    this.#counts[reason] = (this.#counts[reason] ?? 0) + 1;
  }

  /**
   * Evicts exited entries (leaves first, least recently used first) until within capacity;
   * `extra` entries held outside the pool count against the capacity too.
   */
  enforce(extra = 0): void {
    while (this.#size + extra > this.capacity) {
      let victim = this.#leaves.pop();
      let reason = this.#reasons.leaf;
      if (victim === undefined) {
        victim = this.#ancestors.pop();
        reason = this.#reasons.ancestor;
      }
      if (victim === undefined) {
        this.#counts.overCapacity!++;
        return;
      }
      victim.tier = Tier.Live; // already out of its list; remove() must not touch the lists again
      this.remove(victim, reason);
    }
  }

  /** Evictions so far by reason (a copy). */
  evictionCounts(): Record<string, number> {
    return { ...this.#counts };
  }
}
