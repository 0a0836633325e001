/**
 * Read-side shapes of the container cache (containers.ts): what the query layer, the
 * enrichment service and the snapshot writer see. Times are boot-time ns (`bigint`);
 * cgroup ids are full 64-bit kernfs ids (`bigint`), never truncated.
 */
import type { BootNs } from '../events/types.js';
import type { ContainerRuntime } from './cgroup-path.js';

export type { ContainerRuntime } from './cgroup-path.js';

/** Kubernetes pod facts carried by the runtime's labels. */
export interface PodInfo {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** True for the pod's sandbox ("pause") container. */
  readonly sandbox: boolean;
}

/** What a runtime API adds to a container (all optional: enrichment may fail or lag). */
export interface ContainerEnrichment {
  readonly name?: string;
  readonly image?: string;
  readonly imageDigest?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly pod?: PodInfo;
  /** Runtime's own state word (`running`, `exited`, ...), as reported. */
  readonly state?: string;
}

/** How a cgroup became known. */
export type CgroupOrigin = 'event' | 'scan' | 'snapshot';

/** One cgroup directory, host or container, in one hierarchy. */
export interface CgroupView {
  readonly hierarchyId: number;
  readonly cgroupId: bigint;
  /** Path inside the hierarchy (mount point stripped), e.g. `/docker/<id>`. */
  readonly path: string;
  readonly level: number;
  /** Container the path names, undefined for host cgroups. */
  readonly containerId: string | undefined;
  readonly runtime: ContainerRuntime | undefined;
  /** True when this directory is the container's own cgroup, not a sub-cgroup of it. */
  readonly containerRoot: boolean;
  /** mkdir time, or the directory's ctime when found by the start-up scan. */
  readonly createdAt: BootNs;
  /** rmdir seen (or the cgroup was gone at reconcile). */
  readonly dead: boolean;
  readonly removedAt: BootNs | undefined;
  readonly origin: CgroupOrigin;
}

/** How a container's removal time was learned. */
export type RemovalSource = 'rmdir' | 'reconcile';

/** One container as the cache knows it (live, dying or from history). */
export interface ContainerView extends ContainerEnrichment {
  readonly id: string;
  readonly runtime: ContainerRuntime;
  /** Earliest creation time among its cgroups (mkdir time or directory ctime). */
  readonly createdAt: BootNs;
  /** When its last cgroup was removed; undefined while any of its cgroups lives. */
  readonly removedAt: BootNs | undefined;
  /**
   * 'rmdir' when an event (or the snapshot) recorded it; 'reconcile' when the container was
   * found gone at start-up and removedAt is only the last time it was known to exist.
   */
  readonly removedBy: RemovalSource | undefined;
  /** Its cgroups, live and dead, as `(hierarchyId, cgroupId)`. */
  readonly cgroups: ReadonlyArray<{ readonly hierarchyId: number; readonly cgroupId: bigint; readonly path: string }>;
  /** True once enrich() merged runtime data. */
  readonly enriched: boolean;
  /** Processes that ran in it and are still in the (bounded) process index. */
  readonly processCount: number;
  /** Of those, the ones not known to have exited or left. */
  readonly runningProcessCount: number;
}

/** One process's stay in a container, from the per-container process index. */
export interface ContainerProcessEntry {
  /** Process key `"<pid>@<startTicks>"`. */
  readonly processKey: string;
  /** First task event seen for it in this container. */
  readonly firstSeen: BootNs;
  /** Latest task event seen for it in this container. */
  readonly lastSeen: BootNs;
  /** Exit, or move to another cgroup's container; undefined while it is still inside. */
  readonly endedAt: BootNs | undefined;
}

/** Result of resolving an id, id prefix or name. */
export type ContainerLookup =
  | { readonly status: 'found'; readonly container: ContainerView }
  | { readonly status: 'ambiguous'; readonly ids: readonly string[] }
  | { readonly status: 'not_found' };

/** Counters of the container cache (style: size, capacity, hits, misses, evictions by reason). */
export interface ContainerCacheStats {
  readonly cgroups: { size: number; historySize: number; historyCapacity: number; pendingDeletions: number };
  readonly containers: { size: number; historySize: number; historyCapacity: number };
  /** containerForCgroup/noteTask lookups: hit = cgroup known (host or container), miss = unknown. */
  readonly lookups: { hits: number; misses: number };
  /** Removals from the bounded structures, by what was removed. */
  readonly evictions: { containerHistory: number; cgroupHistory: number; processEntries: number; pendingNotes: number };
  /** Events applied, by type; plus rmdir/attach for cgroups never seen. */
  readonly applied: Record<string, number>;
  readonly unknownCgroupEvents: number;
  /** Events skipped as malformed (bad ids, non-string paths...). */
  readonly invalidEvents: number;
  readonly processIndex: { entries: number; perContainerCapacity: number };
  /** Task notes held for cgroups not yet known (replayed when the cgroup appears). */
  readonly pendingNotes: number;
  readonly enrichments: number;
  readonly expired: { cgroups: number; containers: number };
}
