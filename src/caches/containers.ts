/**
 * The container cache: every cgroup directory of the host keyed by (hierarchy, 64-bit id),
 * the containers their paths name, delayed deletion and bounded history, and a
 * per-container process index. Pure: no timers, no I/O; times are boot ns passed in.
 *
 * Life of a container cgroup (Tracee's semantics, with history instead of forgetting):
 *   mkdir / scan → live  ──rmdir──►  dead, deletion pending (grace, 30 s default)
 *   ──expire(now ≥ rmdir + grace)──► removed from the live maps into bounded LRU history.
 * A container is removed (`removedAt`) when its last cgroup is rmdir'd and moves to
 * history when its last cgroup leaves the live map, so `at` queries inside
 * `[createdAt, removedAt)` keep answering after deletion.
 */
import { LRUCache } from 'lru-cache';
import type { BootNs, CgroupEvent } from '../events/types.js';
import { parseCgroupPath, type CgroupPathOptions, type ContainerRuntime } from './cgroup-path.js';
import type {
  CgroupOrigin,
  CgroupView,
  ContainerCacheStats,
  ContainerEnrichment,
  ContainerLookup,
  ContainerProcessEntry,
  ContainerView,
  PodInfo,
  RemovalSource,
} from './container-model.js';
import { ContainerProcessIndex } from './container-process-index.js';
import { definedEnrichment } from './container-enrichment.js';

/** Options of {@link ContainerCache}; every one has a default. */
export interface ContainerCacheOptions {
  /** Time a dead cgroup stays resolvable before expire() deletes it. Default 30 s (30_000_000_000n). */
  readonly deleteGraceNs?: bigint;
  /** Removed containers kept for `at` queries (LRU). Default 4096. */
  readonly historyCapacity?: number;
  /**
   * Process stays kept per container once it is in history (the most recent ones).
   * Default 256. Bounds the index's memory to historyCapacity × this (≈100 B each).
   */
  readonly historyProcessesPerContainer?: number;
  /** Deleted cgroups kept so old cgroup ids still resolve (LRU). Default 4 × historyCapacity. */
  readonly cgroupHistoryCapacity?: number;
  /** Process stays kept per container (oldest ended first). Default 4096. */
  readonly processesPerContainer?: number;
  /** Process → current container memberships tracked to detect moves (oldest dropped first). Default 65_536. */
  readonly membershipCapacity?: number;
  /** Cgroup ids with task notes held until the cgroup appears (oldest dropped first). Default 1024, 64 notes each. */
  readonly pendingCapacity?: number;
  /** Hierarchy used when a lookup names none. Default 0 (the unified cgroup2 hierarchy). */
  readonly defaultHierarchyId?: number;
  /**
   * Hierarchies whose events are kept; others are counted as `applied.ignored`.
   * Default: all. **On v1/hybrid hosts every controller fires its own mkdir/rmdir**: pass
   * the one hierarchy the task cgroup ids come from to keep one cgroup per container.
   */
  readonly hierarchies?: readonly number[];
  /** Passed to parseCgroupPath (containerd namespaces). */
  readonly pathOptions?: CgroupPathOptions;
}

/** A container as restored from a snapshot (see container-snapshot.ts reconcile()). */
export interface RestoredContainer extends ContainerEnrichment {
  readonly id: string;
  readonly runtime: ContainerRuntime;
  readonly createdAt: BootNs;
  readonly removedAt: BootNs | undefined;
  readonly removedBy: RemovalSource | undefined;
  readonly enriched: boolean;
  /**
   * False when the snapshot is from another boot: its cgroup ids mean nothing now, so they
   * are kept for display only and never indexed. Default true.
   */
  readonly sameBoot?: boolean;
  /** Its cgroups; `dead` ones are not restored into the live map. */
  readonly cgroups: readonly RestoredCgroup[];
}

/** One cgroup of a restored container. */
export interface RestoredCgroup {
  readonly hierarchyId: number;
  readonly cgroupId: bigint;
  readonly path: string;
  readonly level: number;
  readonly createdAt: BootNs;
  readonly dead: boolean;
}

/** A container and its cgroups as the snapshot writer needs them. */
export interface ContainerExport {
  readonly container: ContainerView;
  readonly cgroups: readonly CgroupView[];
  /** True when the container is in history (deleted from the live map). */
  readonly inHistory: boolean;
}

interface CgroupRec {
  hierarchyId: number;
  cgroupId: bigint;
  path: string;
  level: number;
  containerId: string | undefined;
  runtime: ContainerRuntime | undefined;
  containerRoot: boolean;
  createdAt: BootNs;
  dead: boolean;
  removedAt: BootNs | undefined;
  expiresAt: BootNs | undefined;
  origin: CgroupOrigin;
}

interface ContainerRec {
  id: string;
  runtime: ContainerRuntime;
  createdAt: BootNs;
  removedAt: BootNs | undefined;
  removedBy: RemovalSource | undefined;
  cgroups: Map<string, CgroupRec>;
  enrichment: MutableEnrichment;
  enriched: boolean;
  processes: ContainerProcessIndex;
}

type MutableEnrichment = {
  name?: string;
  image?: string;
  imageDigest?: string;
  labels?: Readonly<Record<string, string>>;
  pod?: PodInfo;
  state?: string;
};

interface PendingNote {
  processKey: string;
  at: BootNs;
  ended: boolean;
}

// USER_HZ = 100: process keys are "<pid>@<startTicks>" (same rule as task-id.ts taskKey()).
const NS_PER_TICK = 10_000_000n;
const PENDING_NOTES_PER_CGROUP = 64;

const cgroupKey = (hierarchyId: number, cgroupId: bigint): string => `${hierarchyId}:${cgroupId}`;

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`${name} must be a positive integer`);
  return v;
}

/** Cgroups and containers of the host with delayed deletion, history and a per-container process index. */
export class ContainerCache {
  readonly #graceNs: bigint;
  readonly #defaultHierarchy: number;
  readonly #hierarchies: ReadonlySet<number> | undefined;
  readonly #pathOptions: CgroupPathOptions | undefined;
  readonly #perContainer: number;
  readonly #historyCapacity: number;
  readonly #historyPerContainer: number;
  readonly #cgroupHistoryCapacity: number;

  // Live cgroups: hierarchy → id → record. Nested maps keep the hot lookup free of string keys.
  readonly #cgroups = new Map<number, Map<bigint, CgroupRec>>();
  readonly #cgroupHistory: LRUCache<string, CgroupRec>;
  readonly #pending = new Map<string, CgroupRec>();
  readonly #containers = new Map<string, ContainerRec>();
  readonly #history: LRUCache<string, ContainerRec>;
  // Plain Maps bounded first-in-first-out: lru-cache 11 clears its whole preallocated
  // storage (O(max)) whenever the last entry is deleted, and these two empty out constantly.
  readonly #membership = new Map<string, ContainerRec>();
  readonly #membershipCapacity: number;
  readonly #pendingNotes = new Map<string, PendingNote[]>();
  readonly #pendingCapacity: number;

  #hits = 0;
  #misses = 0;
  #historyEvictions = 0;
  #cgroupHistoryEvictions = 0;
  #pendingNoteEvictions = 0;
  #evictedProcessEntries = 0;
  #unknownCgroupEvents = 0;
  #invalidEvents = 0;
  #enrichments = 0;
  #expiredCgroups = 0;
  #expiredContainers = 0;
  readonly #applied: Record<string, number> = { cgroup_mkdir: 0, cgroup_rmdir: 0, cgroup_attach: 0, scan: 0, ignored: 0 };

  constructor(options: ContainerCacheOptions = {}) {
    const grace = options.deleteGraceNs ?? 30_000_000_000n;
    if (typeof grace !== 'bigint' || grace < 0n) throw new TypeError('deleteGraceNs must be a non-negative bigint');
    this.#graceNs = grace;
    this.#historyCapacity = positiveInt('historyCapacity', options.historyCapacity, 4096);
    this.#historyPerContainer = positiveInt('historyProcessesPerContainer', options.historyProcessesPerContainer, 256);
    this.#cgroupHistoryCapacity = positiveInt('cgroupHistoryCapacity', options.cgroupHistoryCapacity, 4 * this.#historyCapacity);
    this.#perContainer = positiveInt('processesPerContainer', options.processesPerContainer, 4096);
    this.#membershipCapacity = positiveInt('membershipCapacity', options.membershipCapacity, 65_536);
    this.#pendingCapacity = positiveInt('pendingCapacity', options.pendingCapacity, 1024);
    this.#defaultHierarchy = options.defaultHierarchyId ?? 0;
    if (!Number.isInteger(this.#defaultHierarchy) || this.#defaultHierarchy < 0) {
      throw new TypeError('defaultHierarchyId must be a non-negative integer');
    }
    this.#hierarchies = options.hierarchies === undefined ? undefined : new Set(options.hierarchies);
    this.#pathOptions = options.pathOptions;

    this.#history = new LRUCache<string, ContainerRec>({
      max: this.#historyCapacity,
      dispose: (v, _k, reason) => {
        if (reason !== 'evict') return;
        this.#historyEvictions++;
        this.#evictedProcessEntries += v.processes.evicted; // keep the counter monotonic
      },
    });
    this.#cgroupHistory = new LRUCache<string, CgroupRec>({
      max: this.#cgroupHistoryCapacity,
      dispose: (_v, _k, reason) => {
        if (reason === 'evict') this.#cgroupHistoryEvictions++;
      },
    });
  }

  /** The grace period between rmdir and deletion, in ns. */
  get deleteGraceNs(): bigint {
    return this.#graceNs;
  }

  /** Hierarchy used by lookups that name none. */
  get defaultHierarchyId(): number {
    return this.#defaultHierarchy;
  }

  // ---------------------------------------------------------------- ingest

  /** Apply a kernel cgroup event (mkdir, rmdir, attach); malformed events are counted and skipped. */
  applyCgroupEvent(ev: CgroupEvent): void {
    if (!isValidCgroupEvent(ev)) {
      this.#invalidEvents++;
      return;
    }
    if (this.#hierarchies !== undefined && !this.#hierarchies.has(ev.hierarchyId)) {
      this.#applied.ignored!++;
      return;
    }
    this.#applied[ev.type] = (this.#applied[ev.type] ?? 0) + 1;
    switch (ev.type) {
      case 'cgroup_mkdir':
        this.#upsert(ev.hierarchyId, ev.cgroupId, ev.path, ev.level, ev.time, 'event');
        return;
      case 'cgroup_rmdir':
        this.#rmdir(ev);
        return;
      case 'cgroup_attach': {
        let rec = this.#live(ev.hierarchyId, ev.cgroupId);
        if (rec === undefined) {
          // Attach into a cgroup whose mkdir we missed: the event carries its path.
          this.#unknownCgroupEvents++;
          rec = this.#upsert(ev.hierarchyId, ev.cgroupId, ev.path, ev.level, ev.time, 'event');
        }
        // The tracepoint reports the moved thread group's leader; keys need the leader's start.
        if (ev.pid > 0 && ev.tid === ev.pid) {
          this.#note(rec, `${ev.pid}@${ev.taskStartNs / NS_PER_TICK}`, ev.time, false);
        }
        return;
      }
    }
  }

  /** Record a cgroup directory found by the start-up cgroupfs scan (path relative to the mount). */
  addScannedCgroup(hierarchyId: number, cgroupId: bigint, path: string, ctimeNs: BootNs): CgroupView | undefined {
    if (!Number.isInteger(hierarchyId) || hierarchyId < 0 || typeof cgroupId !== 'bigint' || typeof path !== 'string' || typeof ctimeNs !== 'bigint') {
      this.#invalidEvents++;
      return undefined;
    }
    if (this.#hierarchies !== undefined && !this.#hierarchies.has(hierarchyId)) {
      this.#applied.ignored!++;
      return undefined;
    }
    this.#applied.scan!++;
    const existing = this.#live(hierarchyId, cgroupId);
    // An event already told us about it: the event's time is exact, a ctime is not.
    if (existing !== undefined && !existing.dead && existing.path === path) return cgroupView(existing);
    const level = path === '/' ? 0 : path.split('/').filter((p) => p.length > 0).length;
    return cgroupView(this.#upsert(hierarchyId, cgroupId, path, level, ctimeNs, 'scan'));
  }

  /**
   * Record that a task of `processKey` ran in cgroup `cgroupId` at `at` (`ended` at its exit).
   * Returns the container id, or undefined for host cgroups and unknown cgroups (notes for
   * unknown cgroups are held and replayed when the cgroup appears).
   */
  noteTask(cgroupId: bigint, processKey: string, at: BootNs, ended = false, hierarchyId = this.#defaultHierarchy): string | undefined {
    const rec = this.#find(hierarchyId, cgroupId);
    if (rec === undefined) {
      this.#misses++;
      if (typeof cgroupId !== 'bigint' || cgroupId === 0n) return undefined;
      const key = cgroupKey(hierarchyId, cgroupId);
      const notes = this.#pendingNotes.get(key);
      if (notes === undefined) {
        if (this.#pendingNotes.size >= this.#pendingCapacity) {
          const oldest = this.#pendingNotes.keys().next();
          if (!oldest.done) this.#pendingNotes.delete(oldest.value);
          this.#pendingNoteEvictions++;
        }
        this.#pendingNotes.set(key, [{ processKey, at, ended }]);
      } else if (notes.length < PENDING_NOTES_PER_CGROUP) notes.push({ processKey, at, ended });
      else this.#pendingNoteEvictions++;
      return undefined;
    }
    this.#hits++;
    return this.#note(rec, processKey, at, ended);
  }

  /** Merge runtime data into a container (live or history); false when the id is unknown. */
  enrich(containerId: string, data: ContainerEnrichment): boolean {
    const c = this.#containers.get(containerId) ?? this.#history.peek(containerId);
    if (c === undefined) return false;
    const e = c.enrichment;
    if (data.name !== undefined) e.name = data.name;
    if (data.image !== undefined) e.image = data.image;
    if (data.imageDigest !== undefined) e.imageDigest = data.imageDigest;
    if (data.labels !== undefined) e.labels = Object.freeze({ ...data.labels });
    if (data.pod !== undefined) e.pod = Object.freeze({ ...data.pod });
    if (data.state !== undefined) e.state = data.state;
    c.enriched = true;
    this.#enrichments++;
    return true;
  }

  /** Delete dead cgroups whose grace period ended by `nowNs` (into history); returns how many. */
  expire(nowNs: BootNs): number {
    let n = 0;
    for (const [key, rec] of this.#pending) {
      if (rec.expiresAt === undefined || rec.expiresAt > nowNs) continue;
      this.#pending.delete(key);
      this.#deleteLive(rec);
      n++;
    }
    this.#expiredCgroups += n;
    return n;
  }

  /** Containers that need enrichment: known, not enriched, not removed. */
  unenriched(): string[] {
    const out: string[] = [];
    for (const c of this.#containers.values()) if (!c.enriched && c.removedAt === undefined) out.push(c.id);
    return out;
  }

  // ---------------------------------------------------------------- queries

  /** The container with this exact id, unique id prefix or name (alive at `at` when given). */
  containerAt(idOrPrefixOrName: string, at?: BootNs): ContainerView | undefined {
    const r = this.resolveContainer(idOrPrefixOrName, at);
    return r.status === 'found' ? r.container : undefined;
  }

  /**
   * Resolve an exact id, then a name (docker's leading `/` optional), then a unique id
   * prefix. With `at` only containers alive at `at` count; without, live ones win over history.
   */
  resolveContainer(query: string, at?: BootNs): ContainerLookup {
    if (typeof query !== 'string' || query.length === 0) return { status: 'not_found' };
    const alive = (c: ContainerRec): boolean => at === undefined || aliveAt(c, at);
    const exact = this.#containers.get(query) ?? this.#history.peek(query);
    if (exact !== undefined && alive(exact)) return { status: 'found', container: this.#view(exact) };

    const candidates = this.#candidates(at);
    const name = query.startsWith('/') ? query.slice(1) : query;
    const byName = candidates.filter((c) => c.enrichment.name !== undefined && stripSlash(c.enrichment.name) === name);
    if (byName.length > 0) return { status: 'found', container: this.#view(pickBest(byName)) };

    const byPrefix = candidates.filter((c) => c.id.startsWith(query));
    if (byPrefix.length === 1) return { status: 'found', container: this.#view(byPrefix[0]!) };
    if (byPrefix.length > 1) {
      // The same id may sit in live map and history only if revived; dedupe by id.
      const ids = [...new Set(byPrefix.map((c) => c.id))].sort();
      if (ids.length === 1) return { status: 'found', container: this.#view(pickBest(byPrefix)) };
      return { status: 'ambiguous', ids };
    }
    return { status: 'not_found' };
  }

  /** Containers alive at `at` (without `at`: those not removed), oldest first. */
  containers(at?: BootNs): ContainerView[] {
    const list = at === undefined ? [...this.#containers.values()].filter((c) => c.removedAt === undefined) : this.#candidates(at);
    list.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return list.map((c) => this.#view(c));
  }

  /** One cgroup (live, dying or from history). */
  cgroup(hierarchyId: number, cgroupId: bigint): CgroupView | undefined {
    const rec = this.#find(hierarchyId, cgroupId);
    return rec === undefined ? undefined : cgroupView(rec);
  }

  /**
   * The container of a cgroup (default hierarchy unless given); undefined on the host or
   * when unknown. A 64-bit cgroup id is never reused within a boot, so the mapping does not
   * change over time: `at` is accepted for symmetry and does not filter.
   */
  containerForCgroup(cgroupId: bigint, at?: BootNs, hierarchyId = this.#defaultHierarchy): ContainerView | undefined {
    void at;
    const id = this.containerIdForCgroup(cgroupId, hierarchyId);
    if (id === undefined) return undefined;
    const c = this.#containers.get(id) ?? this.#history.peek(id);
    return c === undefined ? undefined : this.#view(c);
  }

  /** Fast path of containerForCgroup: only the id (no object built). */
  containerIdForCgroup(cgroupId: bigint, hierarchyId = this.#defaultHierarchy): string | undefined {
    const rec = this.#find(hierarchyId, cgroupId);
    if (rec === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return rec.containerId;
  }

  /** Processes that ran in the container at `at` (without `at`: those still inside it). */
  processesOf(containerId: string, at?: BootNs): ContainerProcessEntry[] {
    const c = this.#containers.get(containerId) ?? this.#history.peek(containerId);
    if (c === undefined) return [];
    return c.processes.entries(at, c.removedAt);
  }

  /** Every container (live and history) with its cgroups, for the snapshot writer. */
  exportContainers(): ContainerExport[] {
    const out: ContainerExport[] = [];
    for (const c of this.#containers.values()) out.push({ container: this.#view(c), cgroups: [...c.cgroups.values()].map(cgroupView), inHistory: false });
    // Oldest first, so that a reload's LRU order matches this one's.
    for (const c of [...this.#history.rvalues()]) if (c !== undefined) out.push({ container: this.#view(c), cgroups: [...c.cgroups.values()].map(cgroupView), inHistory: true });
    return out;
  }

  /**
   * Put back a container from a snapshot. With a live cgroup it joins the live map (merged
   * into an already scanned one: earlier createdAt and missing enrichment win); without,
   * it goes to history. Returns where it went.
   */
  restore(r: RestoredContainer): 'live' | 'history' | 'skipped' {
    if (typeof r?.id !== 'string' || r.id.length === 0 || typeof r.createdAt !== 'bigint') return 'skipped';
    const liveCgroups = r.sameBoot === false ? [] : r.cgroups.filter((g) => !g.dead);
    let c = this.#containers.get(r.id);
    if (c === undefined && liveCgroups.length === 0) {
      if (this.#history.has(r.id)) return 'skipped';
      c = this.#newContainer(r.id, r.runtime, r.createdAt);
      c.removedAt = r.removedAt ?? r.createdAt;
      c.removedBy = r.removedBy ?? 'reconcile';
      for (const g of r.cgroups) {
        const rec = restoredCgroup(g, c, true, c.removedAt);
        c.cgroups.set(cgroupKey(g.hierarchyId, g.cgroupId), rec);
        if (r.sameBoot !== false) this.#cgroupHistory.set(cgroupKey(g.hierarchyId, g.cgroupId), rec);
      }
      mergeEnrichment(c, r, true);
      this.#history.set(r.id, c);
      return 'history';
    }
    for (const g of liveCgroups) {
      const existing = this.#live(g.hierarchyId, g.cgroupId);
      if (existing === undefined) {
        this.#upsert(g.hierarchyId, g.cgroupId, g.path, g.level, g.createdAt, 'snapshot');
      } else if (existing.createdAt > g.createdAt) {
        existing.createdAt = g.createdAt;
      }
    }
    c = this.#containers.get(r.id);
    if (c === undefined) {
      // Live cgroup paths no longer name this id (should not happen): keep it as history.
      return this.restore({ ...r, cgroups: r.cgroups.map((g) => ({ ...g, dead: true })) });
    }
    if (r.createdAt < c.createdAt) c.createdAt = r.createdAt;
    if (c.runtime === 'unknown') c.runtime = r.runtime;
    mergeEnrichment(c, r, false);
    return 'live';
  }

  /** Counters and sizes. */
  stats(): ContainerCacheStats {
    let cgroups = 0;
    for (const m of this.#cgroups.values()) cgroups += m.size;
    let entries = 0;
    let evicted = this.#evictedProcessEntries;
    for (const c of this.#containers.values()) {
      entries += c.processes.size;
      evicted += c.processes.evicted;
    }
    for (const c of this.#history.values()) {
      entries += c.processes.size;
      evicted += c.processes.evicted;
    }
    let pendingNotes = 0;
    for (const n of this.#pendingNotes.values()) pendingNotes += n.length;
    return {
      cgroups: { size: cgroups, historySize: this.#cgroupHistory.size, historyCapacity: this.#cgroupHistoryCapacity, pendingDeletions: this.#pending.size },
      containers: { size: this.#containers.size, historySize: this.#history.size, historyCapacity: this.#historyCapacity },
      lookups: { hits: this.#hits, misses: this.#misses },
      evictions: {
        containerHistory: this.#historyEvictions,
        cgroupHistory: this.#cgroupHistoryEvictions,
        processEntries: evicted,
        pendingNotes: this.#pendingNoteEvictions,
      },
      applied: { ...this.#applied },
      unknownCgroupEvents: this.#unknownCgroupEvents,
      invalidEvents: this.#invalidEvents,
      processIndex: { entries, perContainerCapacity: this.#perContainer },
      pendingNotes,
      enrichments: this.#enrichments,
      expired: { cgroups: this.#expiredCgroups, containers: this.#expiredContainers },
    };
  }

  // ---------------------------------------------------------------- internals

  #live(hierarchyId: number, cgroupId: bigint): CgroupRec | undefined {
    return this.#cgroups.get(hierarchyId)?.get(cgroupId);
  }

  #find(hierarchyId: number, cgroupId: bigint): CgroupRec | undefined {
    const live = this.#cgroups.get(hierarchyId)?.get(cgroupId);
    if (live !== undefined) return live;
    if (this.#cgroupHistory.size === 0 || typeof cgroupId !== 'bigint') return undefined;
    return this.#cgroupHistory.get(cgroupKey(hierarchyId, cgroupId));
  }

  #upsert(hierarchyId: number, cgroupId: bigint, path: string, level: number, createdAt: BootNs, origin: CgroupOrigin): CgroupRec {
    let byId = this.#cgroups.get(hierarchyId);
    if (byId === undefined) {
      byId = new Map();
      this.#cgroups.set(hierarchyId, byId);
    }
    const key = cgroupKey(hierarchyId, cgroupId);
    const old = byId.get(cgroupId);
    if (old !== undefined) {
      if (!old.dead && old.path === path) {
        // Repeated mkdir (or scan then event): keep the record, prefer the event's time.
        if (origin === 'event' && old.origin !== 'event') {
          old.origin = 'event';
          this.#setCreated(old, createdAt);
        }
        return old;
      }
      // Same id, different directory (should not happen with 64-bit ids): retire the old one.
      this.#pending.delete(key);
      if (!old.dead) this.#markDead(old, createdAt, 'rmdir');
      this.#deleteLive(old);
    }
    const parsed = parseCgroupPath(path, this.#pathOptions);
    const rec: CgroupRec = {
      hierarchyId,
      cgroupId,
      path,
      level,
      containerId: parsed?.containerId,
      runtime: parsed?.runtime,
      containerRoot: parsed?.containerRoot ?? false,
      createdAt,
      dead: false,
      removedAt: undefined,
      expiresAt: undefined,
      origin,
    };
    byId.set(cgroupId, rec);
    if (parsed !== undefined) {
      let c = this.#containers.get(parsed.containerId);
      if (c === undefined) {
        c = this.#history.peek(parsed.containerId);
        if (c !== undefined) {
          // Same container id again (docker stop/start makes a new cgroup): revive it.
          this.#history.delete(parsed.containerId);
          c.removedAt = undefined;
          c.removedBy = undefined;
        } else {
          c = this.#newContainer(parsed.containerId, parsed.runtime, createdAt);
        }
        this.#containers.set(c.id, c);
      } else if (c.removedAt !== undefined) {
        c.removedAt = undefined;
        c.removedBy = undefined;
      }
      if (createdAt < c.createdAt) c.createdAt = createdAt;
      if (c.runtime === 'unknown' && parsed.runtime !== 'unknown') c.runtime = parsed.runtime;
      c.cgroups.set(key, rec);
    }
    const notes = this.#pendingNotes.get(key);
    if (notes !== undefined) {
      this.#pendingNotes.delete(key);
      for (const n of notes) this.#note(rec, n.processKey, n.at, n.ended);
    }
    return rec;
  }

  #setCreated(rec: CgroupRec, createdAt: BootNs): void {
    rec.createdAt = createdAt;
    const c = rec.containerId === undefined ? undefined : this.#containers.get(rec.containerId);
    if (c === undefined) return;
    let min = createdAt;
    for (const g of c.cgroups.values()) if (g.createdAt < min) min = g.createdAt;
    c.createdAt = min;
  }

  #rmdir(ev: CgroupEvent): void {
    let rec = this.#live(ev.hierarchyId, ev.cgroupId);
    if (rec === undefined) {
      this.#unknownCgroupEvents++;
      // Only worth creating when tasks were already attributed to it (mkdir lost/late).
      const notes = this.#pendingNotes.get(cgroupKey(ev.hierarchyId, ev.cgroupId));
      if (notes === undefined) return;
      let first = ev.time;
      for (const n of notes) if (n.at < first) first = n.at;
      rec = this.#upsert(ev.hierarchyId, ev.cgroupId, ev.path, ev.level, first, 'event');
    }
    if (rec.dead) return;
    this.#markDead(rec, ev.time, 'rmdir');
    rec.expiresAt = ev.time + this.#graceNs;
    this.#pending.set(cgroupKey(rec.hierarchyId, rec.cgroupId), rec);
  }

  #markDead(rec: CgroupRec, at: BootNs, by: RemovalSource): void {
    rec.dead = true;
    rec.removedAt = at;
    if (rec.containerId === undefined) return;
    const c = this.#containers.get(rec.containerId);
    if (c === undefined) return;
    for (const g of c.cgroups.values()) if (!g.dead) return;
    c.removedAt = at;
    c.removedBy = by;
  }

  #deleteLive(rec: CgroupRec): void {
    const byId = this.#cgroups.get(rec.hierarchyId);
    if (byId?.get(rec.cgroupId) === rec) byId.delete(rec.cgroupId);
    this.#cgroupHistory.set(cgroupKey(rec.hierarchyId, rec.cgroupId), rec);
    if (rec.containerId === undefined) return;
    const c = this.#containers.get(rec.containerId);
    if (c === undefined) return;
    for (const g of c.cgroups.values()) {
      if (this.#cgroups.get(g.hierarchyId)?.get(g.cgroupId) === g) return;
    }
    this.#containers.delete(c.id);
    if (c.removedAt === undefined) {
      c.removedAt = rec.removedAt ?? rec.createdAt;
      c.removedBy = 'rmdir';
    }
    c.processes.trim(this.#historyPerContainer);
    this.#history.set(c.id, c);
    this.#expiredContainers++;
  }

  #note(rec: CgroupRec, processKey: string, at: BootNs, ended: boolean): string | undefined {
    const containerId = rec.containerId;
    // Membership holds the container record itself: the common case (same container as
    // the process's previous event) then needs no container lookup.
    let prev = this.#membership.get(processKey);
    if (prev !== undefined && prev.id !== containerId) {
      // Moved out of a container (attach, or a later cgroup id): close the old stay.
      prev.processes.touch(processKey, at, true);
      this.#membership.delete(processKey);
      prev = undefined;
    }
    if (containerId === undefined) return undefined;
    const c = prev ?? this.#containers.get(containerId) ?? this.#history.peek(containerId);
    if (c === undefined) return containerId;
    c.processes.touch(processKey, at, ended);
    if (ended) {
      if (prev !== undefined) this.#membership.delete(processKey);
    } else if (prev === undefined) {
      if (this.#membership.size >= this.#membershipCapacity) {
        const oldest = this.#membership.keys().next();
        if (!oldest.done) this.#membership.delete(oldest.value);
      }
      this.#membership.set(processKey, c);
    }
    return containerId;
  }

  #newContainer(id: string, runtime: ContainerRuntime, createdAt: BootNs): ContainerRec {
    return {
      id,
      runtime,
      createdAt,
      removedAt: undefined,
      removedBy: undefined,
      cgroups: new Map(),
      enrichment: {},
      enriched: false,
      processes: new ContainerProcessIndex(this.#perContainer),
    };
  }

  #candidates(at: BootNs | undefined): ContainerRec[] {
    const out: ContainerRec[] = [];
    for (const c of this.#containers.values()) if (at === undefined || aliveAt(c, at)) out.push(c);
    for (const c of this.#history.values()) if (at === undefined || aliveAt(c, at)) out.push(c);
    return out;
  }

  #view(c: ContainerRec): ContainerView {
    const e = c.enrichment;
    return {
      id: c.id,
      runtime: c.runtime,
      createdAt: c.createdAt,
      removedAt: c.removedAt,
      removedBy: c.removedBy,
      cgroups: [...c.cgroups.values()].map((g) => ({ hierarchyId: g.hierarchyId, cgroupId: g.cgroupId, path: g.path })),
      enriched: c.enriched,
      processCount: c.processes.size,
      runningProcessCount: c.processes.runningCount,
      ...definedEnrichment(e),
    };
  }
}

function aliveAt(c: ContainerRec, at: BootNs): boolean {
  return c.createdAt <= at && (c.removedAt === undefined || at < c.removedAt);
}

function stripSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/** Among same-named containers: a live one, else the most recently created. */
function pickBest(list: ContainerRec[]): ContainerRec {
  let best = list[0]!;
  for (const c of list) {
    const cLive = c.removedAt === undefined;
    const bLive = best.removedAt === undefined;
    if ((cLive && !bLive) || (cLive === bLive && c.createdAt > best.createdAt)) best = c;
  }
  return best;
}

function cgroupView(r: CgroupRec): CgroupView {
  return {
    hierarchyId: r.hierarchyId,
    cgroupId: r.cgroupId,
    path: r.path,
    level: r.level,
    containerId: r.containerId,
    runtime: r.runtime,
    containerRoot: r.containerRoot,
    createdAt: r.createdAt,
    dead: r.dead,
    removedAt: r.removedAt,
    origin: r.origin,
  };
}

function restoredCgroup(g: RestoredContainer['cgroups'][number], c: ContainerRec, dead: boolean, removedAt: BootNs | undefined): CgroupRec {
  const parsed = parseCgroupPath(g.path);
  return {
    hierarchyId: g.hierarchyId,
    cgroupId: g.cgroupId,
    path: g.path,
    level: g.level,
    containerId: c.id,
    runtime: c.runtime,
    containerRoot: parsed?.containerRoot ?? false,
    createdAt: g.createdAt,
    dead,
    removedAt: dead ? removedAt : undefined,
    expiresAt: undefined,
    origin: 'snapshot',
  };
}

function mergeEnrichment(c: ContainerRec, r: RestoredContainer, overwrite: boolean): void {
  const e = c.enrichment;
  const take = <K extends keyof MutableEnrichment>(k: K, v: MutableEnrichment[K] | undefined): void => {
    if (v !== undefined && (overwrite || e[k] === undefined)) e[k] = v;
  };
  take('name', r.name);
  take('image', r.image);
  take('imageDigest', r.imageDigest);
  take('labels', r.labels === undefined ? undefined : Object.freeze({ ...r.labels }));
  take('pod', r.pod === undefined ? undefined : Object.freeze({ ...r.pod }));
  take('state', r.state);
  if (r.enriched) c.enriched = true;
}

function isValidCgroupEvent(ev: CgroupEvent): boolean {
  return (
    ev !== null &&
    typeof ev === 'object' &&
    (ev.type === 'cgroup_mkdir' || ev.type === 'cgroup_rmdir' || ev.type === 'cgroup_attach') &&
    typeof ev.time === 'bigint' &&
    typeof ev.cgroupId === 'bigint' &&
    ev.cgroupId >= 0n &&
    Number.isInteger(ev.hierarchyId) &&
    ev.hierarchyId >= 0 &&
    typeof ev.path === 'string' &&
    (ev.type !== 'cgroup_attach' || (Number.isInteger(ev.pid) && Number.isInteger(ev.tid) && typeof ev.taskStartNs === 'bigint'))
  );
}
