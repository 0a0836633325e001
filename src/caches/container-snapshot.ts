/**
 * The container cache's snapshot (seed exercise 4), pure: text in, text out. Writing the
 * file atomically and reading the live cgroup tree happen at the edge.
 *
 * Format: one JSON object, `format` "proctrail.containers", `version` 1. bigints (times,
 * cgroup ids) are decimal strings so nothing passes through a double. Times are boot ns
 * of the boot named by `bootId`; with `realtimeOffsetNs` (CLOCK_REALTIME − CLOCK_BOOTTIME
 * at save) a snapshot from an earlier boot is still placed correctly on this boot's clock.
 * The per-container process index is not saved (the process tree is not either).
 */
import type { BootNs } from '../events/types.js';
import type { ContainerRuntime } from './cgroup-path.js';
import type { ContainerEnrichment, PodInfo, RemovalSource } from './container-model.js';
import { definedEnrichment } from './container-enrichment.js';
import type { ContainerCache, RestoredCgroup, RestoredContainer } from './containers.js';

export const SNAPSHOT_FORMAT = 'proctrail.containers';
export const SNAPSHOT_VERSION = 1;

/** One cgroup of a saved container: what restoring takes, plus when it was removed. */
export interface SnapshotCgroup extends RestoredCgroup {
  readonly removedAt: BootNs | undefined;
}

/** One saved container (with the enrichment it had). */
export interface SnapshotContainer extends ContainerEnrichment {
  readonly id: string;
  readonly runtime: ContainerRuntime;
  readonly createdAt: BootNs;
  readonly removedAt: BootNs | undefined;
  readonly removedBy: RemovalSource | undefined;
  readonly inHistory: boolean;
  readonly enriched: boolean;
  readonly cgroups: readonly SnapshotCgroup[];
}

/** A parsed snapshot. `skipped` counts malformed container entries left out. */
export interface ContainerSnapshot {
  readonly version: number;
  readonly savedAtNs: BootNs | undefined;
  readonly bootId: string | undefined;
  readonly realtimeOffsetNs: bigint | undefined;
  readonly containers: readonly SnapshotContainer[];
  readonly skipped: number;
}

/** Facts about the moment of saving (all optional, all recommended). */
export interface SnapshotMeta {
  readonly savedAtNs?: BootNs;
  /** `/proc/sys/kernel/random/boot_id`. */
  readonly bootId?: string;
  /** CLOCK_REALTIME − CLOCK_BOOTTIME in ns, measured at start-up. */
  readonly realtimeOffsetNs?: bigint;
}

/** Result of loadSnapshot: never throws. */
export type SnapshotLoad = { readonly ok: true; readonly data: ContainerSnapshot } | { readonly ok: false; readonly reason: string };

/** This host now, for reconcile(). */
export interface ReconcileOptions {
  /** Used as removedAt of containers found gone when the snapshot has no savedAtNs. */
  readonly nowNs?: BootNs;
  readonly bootId?: string;
  readonly realtimeOffsetNs?: bigint;
}

/** A cgroup that exists now (from the start-up scan). With `path`, the path must match too. */
export interface LiveCgroup {
  readonly hierarchyId: number;
  readonly cgroupId: bigint;
  readonly path?: string;
}

/** What reconcile() did. */
export interface ReconcileResult {
  /** Containers restored into the live map (a cgroup of theirs still exists). */
  readonly live: number;
  /** Containers restored into history (already removed when saved). */
  readonly history: number;
  /** Containers that were alive when saved but whose cgroups are gone now: removed at load. */
  readonly removed: number;
  /** Entries not restored (already known, malformed, or unplaceable foreign-boot times). */
  readonly skipped: number;
  /** True when the snapshot came from another boot. */
  readonly foreignBoot: boolean;
}

/** The cache's containers (live and history, with enrichment and cgroups) as snapshot text. */
export function serializeContainers(cache: ContainerCache, meta: SnapshotMeta = {}): string {
  const containers = cache.exportContainers().map(({ container: c, cgroups, inHistory }) => ({
    id: c.id,
    runtime: c.runtime,
    createdAt: String(c.createdAt),
    ...(c.removedAt !== undefined ? { removedAt: String(c.removedAt), removedBy: c.removedBy } : {}),
    inHistory,
    enriched: c.enriched,
    ...definedEnrichment(c),
    cgroups: cgroups.map((g) => ({
      hierarchyId: g.hierarchyId,
      cgroupId: String(g.cgroupId),
      path: g.path,
      level: g.level,
      createdAt: String(g.createdAt),
      dead: g.dead,
      ...(g.removedAt !== undefined ? { removedAt: String(g.removedAt) } : {}),
    })),
  }));
  return JSON.stringify({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    ...(meta.savedAtNs !== undefined ? { savedAtNs: String(meta.savedAtNs) } : {}),
    ...(meta.bootId !== undefined ? { bootId: meta.bootId } : {}),
    ...(meta.realtimeOffsetNs !== undefined ? { realtimeOffsetNs: String(meta.realtimeOffsetNs) } : {}),
    containers,
  });
}

/** Parse snapshot text; a corrupt, foreign-format or foreign-version snapshot gives a reason, never a throw. */
export function loadSnapshot(text: string): SnapshotLoad {
  if (typeof text !== 'string' || text.length === 0) return { ok: false, reason: 'empty snapshot' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(raw)) return { ok: false, reason: 'not a JSON object' };
  if (raw.format !== SNAPSHOT_FORMAT) return { ok: false, reason: `foreign format ${JSON.stringify(raw.format)}` };
  if (raw.version !== SNAPSHOT_VERSION) return { ok: false, reason: `unsupported version ${JSON.stringify(raw.version)} (want ${SNAPSHOT_VERSION})` };
  if (!Array.isArray(raw.containers)) return { ok: false, reason: 'containers is not an array' };
  const savedAtNs = optBig(raw.savedAtNs);
  const realtimeOffsetNs = optBig(raw.realtimeOffsetNs, true);
  if (savedAtNs === null) return { ok: false, reason: 'bad savedAtNs' };
  if (realtimeOffsetNs === null) return { ok: false, reason: 'bad realtimeOffsetNs' };
  if (raw.bootId !== undefined && typeof raw.bootId !== 'string') return { ok: false, reason: 'bad bootId' };

  const containers: SnapshotContainer[] = [];
  let skipped = 0;
  for (const entry of raw.containers) {
    const c = parseContainer(entry);
    if (c === undefined) skipped++;
    else containers.push(c);
  }
  return {
    ok: true,
    data: { version: SNAPSHOT_VERSION, savedAtNs, bootId: raw.bootId as string | undefined, realtimeOffsetNs, containers, skipped },
  };
}

/**
 * Put a loaded snapshot back into the cache, checked against the cgroups that exist now
 * (call after the start-up scan). A container keeps living only if one of its saved
 * cgroups is still there (same boot, same id, same path when given); the others become
 * removed — at the snapshot's save time (the last moment they were known to exist) — and
 * go to history. From another boot every saved cgroup id is stale: all containers go to
 * history, their times moved onto this boot's clock through the two realtime offsets
 * (skipped when an offset is missing: such times cannot be placed).
 */
export function reconcile(cache: ContainerCache, data: ContainerSnapshot, liveCgroups: Iterable<LiveCgroup>, options: ReconcileOptions = {}): ReconcileResult {
  const foreignBoot = data.bootId !== undefined && options.bootId !== undefined && data.bootId !== options.bootId;
  let shift = 0n;
  if (foreignBoot) {
    if (data.realtimeOffsetNs === undefined || options.realtimeOffsetNs === undefined) {
      return { live: 0, history: 0, removed: 0, skipped: data.containers.length, foreignBoot };
    }
    shift = data.realtimeOffsetNs - options.realtimeOffsetNs;
  }
  const live = new Map<string, string | undefined>();
  if (!foreignBoot) for (const g of liveCgroups) live.set(`${g.hierarchyId}:${g.cgroupId}`, g.path);
  const isLive = (g: SnapshotCgroup): boolean => {
    if (foreignBoot || g.dead) return false;
    const key = `${g.hierarchyId}:${g.cgroupId}`;
    if (!live.has(key)) return false;
    const path = live.get(key);
    return path === undefined || path === g.path;
  };
  const goneAt = data.savedAtNs !== undefined ? data.savedAtNs + shift : options.nowNs;

  const result = { live: 0, history: 0, removed: 0, skipped: 0, foreignBoot };
  for (const c of data.containers) {
    const cgroups = c.cgroups.map((g) => ({
      hierarchyId: g.hierarchyId,
      cgroupId: g.cgroupId,
      path: g.path,
      level: g.level,
      createdAt: g.createdAt + shift,
      dead: !isLive(g),
    }));
    const anyLive = cgroups.some((g) => !g.dead);
    const goneNow = !anyLive && c.removedAt === undefined;
    const restored: RestoredContainer = {
      id: c.id,
      runtime: c.runtime,
      createdAt: c.createdAt + shift,
      removedAt: anyLive ? undefined : c.removedAt !== undefined ? c.removedAt + shift : goneAt ?? c.createdAt + shift,
      removedBy: anyLive ? undefined : goneNow ? 'reconcile' : c.removedBy ?? 'rmdir',
      enriched: c.enriched,
      sameBoot: !foreignBoot,
      cgroups,
      ...definedEnrichment(c),
    };
    const where = cache.restore(restored);
    if (where === 'skipped') result.skipped++;
    else if (where === 'live') result.live++;
    else if (goneNow) result.removed++;
    else result.history++;
  }
  return result;
}

// ------------------------------------------------------------------ parsing helpers

const RUNTIMES: ReadonlySet<string> = new Set(['docker', 'containerd', 'crio', 'podman', 'garden', 'unknown']);
const DECIMAL = /^-?[0-9]{1,20}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** undefined when absent, null when present but malformed. */
function optBig(v: unknown, signed = false): bigint | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !DECIMAL.test(v) || (!signed && v.startsWith('-'))) return null;
  return BigInt(v);
}

function optString(v: unknown): string | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : null;
}

function parseCgroup(v: unknown): SnapshotCgroup | undefined {
  if (!isObject(v)) return undefined;
  const cgroupId = optBig(v.cgroupId);
  const createdAt = optBig(v.createdAt);
  const removedAt = optBig(v.removedAt);
  if (cgroupId == null || createdAt == null || removedAt === null) return undefined;
  if (!Number.isInteger(v.hierarchyId) || (v.hierarchyId as number) < 0) return undefined;
  if (typeof v.path !== 'string' || !Number.isInteger(v.level) || typeof v.dead !== 'boolean') return undefined;
  return { hierarchyId: v.hierarchyId as number, cgroupId, path: v.path, level: v.level as number, createdAt, dead: v.dead, removedAt };
}

function parseContainer(v: unknown): SnapshotContainer | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.id !== 'string' || v.id.length === 0) return undefined;
  if (typeof v.runtime !== 'string' || !RUNTIMES.has(v.runtime)) return undefined;
  const createdAt = optBig(v.createdAt);
  const removedAt = optBig(v.removedAt);
  if (createdAt == null || removedAt === null) return undefined;
  if (v.removedBy !== undefined && v.removedBy !== 'rmdir' && v.removedBy !== 'reconcile') return undefined;
  if (typeof v.inHistory !== 'boolean' || typeof v.enriched !== 'boolean' || !Array.isArray(v.cgroups)) return undefined;
  const cgroups: SnapshotCgroup[] = [];
  for (const g of v.cgroups) {
    const parsed = parseCgroup(g);
    if (parsed === undefined) return undefined;
    cgroups.push(parsed);
  }
  const name = optString(v.name);
  const image = optString(v.image);
  const imageDigest = optString(v.imageDigest);
  const state = optString(v.state);
  if (name === null || image === null || imageDigest === null || state === null) return undefined;
  let labels: Record<string, string> | undefined;
  if (v.labels !== undefined) {
    if (!isObject(v.labels)) return undefined;
    labels = {};
    for (const [k, val] of Object.entries(v.labels)) {
      if (typeof val !== 'string') return undefined;
      labels[k] = val;
    }
  }
  let pod: PodInfo | undefined;
  if (v.pod !== undefined) {
    const p = v.pod;
    if (!isObject(p) || typeof p.name !== 'string' || typeof p.namespace !== 'string' || typeof p.uid !== 'string' || typeof p.sandbox !== 'boolean') {
      return undefined;
    }
    pod = { name: p.name, namespace: p.namespace, uid: p.uid, sandbox: p.sandbox };
  }
  return {
    id: v.id,
    runtime: v.runtime as ContainerRuntime,
    createdAt,
    removedAt,
    removedBy: v.removedBy as RemovalSource | undefined,
    inHistory: v.inHistory,
    enriched: v.enriched,
    cgroups,
    ...definedEnrichment({ name, image, imageDigest, labels, pod, state }),
  };
}
