/**
 * Per-container process index: which process keys ran in one container, and when.
 * Bounded per container; when full, the entry that ended longest ago goes first, and only
 * when no entry has ended the one first seen longest ago (a leak of missed exits must not
 * grow without bound).
 */
import type { BootNs } from '../events/types.js';
import type { ContainerProcessEntry } from './container-model.js';

interface MutableEntry {
  processKey: string;
  firstSeen: BootNs;
  lastSeen: BootNs;
  endedAt: BootNs | undefined;
}

/** Process stays of one container; `evicted` counts entries dropped for capacity. */
export class ContainerProcessIndex {
  readonly #capacity: number;
  // Two maps so eviction is O(1): Map iteration order is insertion order.
  readonly #running = new Map<string, MutableEntry>();
  readonly #ended = new Map<string, MutableEntry>();
  evicted = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#running.size + this.#ended.size;
  }

  /** Record a task event of `processKey` at `at`; `ended` when it exited or left the container. */
  touch(processKey: string, at: BootNs, ended: boolean): void {
    let e = this.#running.get(processKey);
    if (e === undefined) {
      e = this.#ended.get(processKey);
      if (e !== undefined && !ended) {
        // A late event for an ended stay (out-of-order delivery) keeps the end time.
        if (at < e.firstSeen) e.firstSeen = at;
        if (at > e.lastSeen && e.endedAt !== undefined && at <= e.endedAt) e.lastSeen = at;
        return;
      }
    }
    if (e === undefined) {
      if (this.size >= this.#capacity) this.#evictOne();
      e = { processKey, firstSeen: at, lastSeen: at, endedAt: undefined };
      if (ended) {
        e.endedAt = at;
        this.#ended.set(processKey, e);
      } else {
        this.#running.set(processKey, e);
      }
      return;
    }
    if (at < e.firstSeen) e.firstSeen = at;
    if (at > e.lastSeen) e.lastSeen = at;
    if (ended) {
      if (e.endedAt === undefined || at > e.endedAt) e.endedAt = at;
      if (this.#running.delete(processKey)) this.#ended.set(processKey, e);
    }
  }

  /**
   * Entries that were inside at `at` (first seen <= at, not ended before at; `endOfLife`
   * closes still-running entries of a removed container). Without `at`: the running ones.
   */
  entries(at: BootNs | undefined, endOfLife: BootNs | undefined): ContainerProcessEntry[] {
    const out: ContainerProcessEntry[] = [];
    if (at === undefined) {
      for (const e of this.#running.values()) out.push({ ...e });
      return out;
    }
    for (const map of [this.#running, this.#ended]) {
      for (const e of map.values()) {
        if (e.firstSeen > at) continue;
        const end = e.endedAt ?? (endOfLife !== undefined && endOfLife > e.lastSeen ? endOfLife : undefined);
        if (end !== undefined && at > end) continue;
        out.push({ ...e });
      }
    }
    return out;
  }

  /** Every entry, running first (for counts and exports). */
  all(): ContainerProcessEntry[] {
    return [...this.#running.values(), ...this.#ended.values()].map((e) => ({ ...e }));
  }

  /** Entries still running (not ended). */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Drop entries (ended first, oldest first) until at most `capacity` remain. */
  trim(capacity: number): void {
    // One iterator per map: restarting iteration after each front delete rescans the holes.
    for (const map of [this.#ended, this.#running]) {
      for (const key of map.keys()) {
        if (this.size <= capacity) return;
        map.delete(key);
        this.evicted++;
      }
    }
  }

  #evictOne(): void {
    const victim = this.#ended.size > 0 ? this.#ended : this.#running;
    const first = victim.keys().next();
    if (!first.done) {
      victim.delete(first.value);
      this.evicted++;
    }
  }
}
