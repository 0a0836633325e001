/**
 * The eviction policy of the process tree, for processes and threads alike.
 *
 * Tracee puts every process in one LRU, so a busy host evicts the exited parent of a
 * live process and its lineage breaks. Here live entries are never evicted; exited
 * entries wait in two lru-cache recency lists: leaves (no cached process names them as
 * parent) go first, exited ancestors only when no leaf is left. lru-cache gives recency
 * and `pop()` of the least recently used; the pool, not lru-cache, decides *when* to evict,
 * because the bound is on all entries (live included) while only exited ones may go.
 */
import { LRUCache } from 'lru-cache';
import { Tier } from './process-node.js';

/** What the pool needs from an entry. */
export interface Evictable {
  tier: Tier;
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
  readonly #leaves: LRUCache<E, E>;
  readonly #ancestors: LRUCache<E, E>;
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
    // +1: an entry is added before enforce() brings the pool back under capacity
    this.#leaves = new LRUCache<E, E>({ max: capacity + 1 });
    this.#ancestors = new LRUCache<E, E>({ max: capacity + 1 });
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
    if (old === Tier.ExitedLeaf) this.#leaves.delete(e);
    else if (old === Tier.ExitedAncestor) this.#ancestors.delete(e);
    e.tier = tier;
    if (tier === Tier.ExitedLeaf) this.#insert(this.#leaves, e);
    else if (tier === Tier.ExitedAncestor) this.#insert(this.#ancestors, e);
  }

  /** Marks an entry recently used. */
  touch(e: E): void {
    if (e.tier === Tier.ExitedLeaf) this.#leaves.get(e);
    else if (e.tier === Tier.ExitedAncestor) this.#ancestors.get(e);
  }

  /** Removes an entry now (e.g. its process was evicted), counting `reason`. */
  remove(e: E, reason: string): void {
    if (e.tier === Tier.Evicted) return;
    if (e.tier === Tier.ExitedLeaf) this.#leaves.delete(e);
    else if (e.tier === Tier.ExitedAncestor) this.#ancestors.delete(e);
    e.tier = Tier.Evicted;
    this.#size--;
    this.#counts[reason] = (this.#counts[reason] ?? 0) + 1;
    this.#onEvict(e, reason);
  }

  /** Evicts exited entries (leaves first, least recently used first) until within capacity. */
  enforce(): void {
    while (this.#size > this.capacity) {
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

  #insert(list: LRUCache<E, E>, e: E): void {
    if (list.size >= list.max) {
      // cannot happen while enforce() runs after every event; never let lru-cache drop silently
      const victim = list.pop();
      if (victim !== undefined) {
        victim.tier = Tier.Live;
        this.remove(victim, list === this.#leaves ? this.#reasons.leaf : this.#reasons.ancestor);
      }
    }
    list.set(e, e);
  }
}
