/**
 * Containers in the query layer: the read interface of the container cache, the JSON DTOs
 * REST returns (GraphQL resolves the same DTOs), and a process's container at a moment.
 */
import type { BootNs } from '../events/types.js';
import type { ProcessNode } from '../caches/process-model.js';
import type {
  CgroupView,
  ContainerCacheStats,
  ContainerLookup,
  ContainerProcessEntry,
  ContainerView,
} from '../caches/container-model.js';
import { type Clock, formatBoot } from './time.js';
import { attrsAt } from './process-view.js';

/** What the query layer reads from the container cache (ContainerCache implements it). */
export interface ContainerReader {
  readonly defaultHierarchyId: number;
  resolveContainer(query: string, at?: BootNs): ContainerLookup;
  containers(at?: BootNs): ContainerView[];
  cgroup(hierarchyId: number, cgroupId: bigint): CgroupView | undefined;
  containerIdForCgroup(cgroupId: bigint, hierarchyId?: number): string | undefined;
  containerForCgroup(cgroupId: bigint, at?: BootNs, hierarchyId?: number): ContainerView | undefined;
  processesOf(containerId: string, at?: BootNs): ContainerProcessEntry[];
  stats(): ContainerCacheStats;
}

/** The short form every process carries (`container` field; null on the host). */
export interface ContainerRefDto {
  id: string;
  name: string | null;
  image: string | null;
  runtime: string;
}

/** Kubernetes pod facts. */
export interface PodDto {
  name: string;
  namespace: string;
  uid: string;
  sandbox: boolean;
}

/** A cgroup of a container. */
export interface ContainerCgroupDto {
  hierarchyId: number;
  cgroupId: string;
  path: string;
}

/** A container as `GET /v1/containers[/{id}]` returns it. */
export interface ContainerDto {
  id: string;
  runtime: string;
  name: string | null;
  image: string | null;
  imageDigest: string | null;
  state: string | null;
  createdAt: string;
  createdAtNs: string;
  removedAt: string | null;
  removedAtNs: string | null;
  /** `rmdir` (seen) or `reconcile` (found gone at start-up; removedAt is the last time known alive). */
  removedBy: string | null;
  alive: boolean;
  enriched: boolean;
  cgroups: ContainerCgroupDto[];
  pod: PodDto | null;
  labels: Record<string, string>;
  processCount: number;
  runningProcessCount: number;
}

/** A cgroup as `GET /v1/cgroups/{id}` returns it. */
export interface CgroupDto {
  hierarchyId: number;
  cgroupId: string;
  path: string;
  level: number;
  alive: boolean;
  createdAt: string;
  createdAtNs: string;
  removedAt: string | null;
  removedAtNs: string | null;
  origin: string;
  containerRoot: boolean;
  container: ContainerRefDto | null;
}

/** One process's stay in a container. */
export interface ContainerProcessDto {
  key: string;
  pid: number | null;
  firstSeen: string;
  firstSeenNs: string;
  lastSeen: string;
  lastSeenNs: string;
  endedAt: string | null;
  endedAtNs: string | null;
}

const ns = (clock: Clock, t: BootNs): string => (t + clock.bootToEpochNs).toString();

/** ContainerView → short ref. */
export function containerRefDto(c: ContainerView): ContainerRefDto {
  return { id: c.id, name: c.name ?? null, image: c.image ?? null, runtime: c.runtime };
}

/** ContainerView → DTO (alive relative to `at`). */
export function containerDto(clock: Clock, c: ContainerView, at: BootNs): ContainerDto {
  return {
    id: c.id,
    runtime: c.runtime,
    name: c.name ?? null,
    image: c.image ?? null,
    imageDigest: c.imageDigest ?? null,
    state: c.state ?? null,
    createdAt: formatBoot(clock, c.createdAt),
    createdAtNs: ns(clock, c.createdAt),
    removedAt: c.removedAt === undefined ? null : formatBoot(clock, c.removedAt),
    removedAtNs: c.removedAt === undefined ? null : ns(clock, c.removedAt),
    removedBy: c.removedBy ?? null,
    alive: c.createdAt <= at && (c.removedAt === undefined || at < c.removedAt),
    enriched: c.enriched,
    cgroups: c.cgroups.map((g) => ({ hierarchyId: g.hierarchyId, cgroupId: g.cgroupId.toString(), path: g.path })),
    pod: c.pod === undefined ? null : { ...c.pod },
    labels: { ...(c.labels ?? {}) },
    processCount: c.processCount,
    runningProcessCount: c.runningProcessCount,
  };
}

/** CgroupView → DTO with its container. */
export function cgroupDto(clock: Clock, g: CgroupView, container: ContainerView | undefined): CgroupDto {
  return {
    hierarchyId: g.hierarchyId,
    cgroupId: g.cgroupId.toString(),
    path: g.path,
    level: g.level,
    alive: !g.dead,
    createdAt: formatBoot(clock, g.createdAt),
    createdAtNs: ns(clock, g.createdAt),
    removedAt: g.removedAt === undefined ? null : formatBoot(clock, g.removedAt),
    removedAtNs: g.removedAt === undefined ? null : ns(clock, g.removedAt),
    origin: g.origin,
    containerRoot: g.containerRoot,
    container: container === undefined ? null : containerRefDto(container),
  };
}

/** A process-index entry → DTO. */
export function containerProcessDto(clock: Clock, e: ContainerProcessEntry): ContainerProcessDto {
  const at = e.processKey.indexOf('@');
  const pid = Number(at < 0 ? NaN : e.processKey.slice(0, at));
  return {
    key: e.processKey,
    pid: Number.isSafeInteger(pid) ? pid : null,
    firstSeen: formatBoot(clock, e.firstSeen),
    firstSeenNs: ns(clock, e.firstSeen),
    lastSeen: formatBoot(clock, e.lastSeen),
    lastSeenNs: ns(clock, e.lastSeen),
    endedAt: e.endedAt === undefined ? null : formatBoot(clock, e.endedAt),
    endedAtNs: e.endedAt === undefined ? null : ns(clock, e.endedAt),
  };
}

/**
 * The container a process was in at `at`: its cgroup id then (from the task records)
 * mapped through the cache. A 64-bit cgroup id is never reused within a boot, so the
 * mapping holds for removed containers too. Undefined on the host or when unknown.
 */
export function containerOfProcess(containers: ContainerReader | undefined, node: ProcessNode, at: BootNs): ContainerView | undefined {
  if (containers === undefined) return undefined;
  const cg = attrsAt(node, at)?.cgroupId;
  if (cg === undefined || cg === 0n) return undefined;
  // The id-only lookup first: most processes are on the host, and it allocates nothing.
  if (containers.containerIdForCgroup(cg) === undefined) return undefined;
  return containers.containerForCgroup(cg);
}

/** The `container` field of a process DTO. */
export function processContainerDto(containers: ContainerReader | undefined, node: ProcessNode, at: BootNs): ContainerRefDto | null {
  const c = containerOfProcess(containers, node, at);
  return c === undefined ? null : containerRefDto(c);
}
