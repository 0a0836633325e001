/**
 * The container side of the service (the edge around the pure ContainerCache): the
 * start-up cgroupfs scan, loading and reconciling the snapshot, the delayed-deletion
 * timer, periodic and final snapshot writes, and runtime enrichment.
 */
import type { ContainerCache } from '../caches/containers.js';
import { loadSnapshot, reconcile, serializeContainers, type ReconcileResult } from '../caches/container-snapshot.js';
import type { Clock } from '../query/time.js';
import { Enricher, type RuntimeSockets } from '../runtimes/enricher.js';
import { scanCgroupfs, type CgroupHierarchy } from '../sources/cgroupfs.js';
import type { Pipeline } from './pipeline.js';
import { bootId, readSnapshotText, SNAPSHOT_FILE, writeFileAtomic } from './snapshot-file.js';

/** Options of {@link startContainers}. */
export interface ContainerServiceOptions {
  /** The tracked hierarchy; undefined on hosts without any cgroup mount (no scan). */
  readonly hierarchy: CgroupHierarchy | undefined;
  /** Snapshot directory; undefined disables persistence. */
  readonly stateDir?: string;
  /** Snapshot write interval. Default 30 s. */
  readonly snapshotIntervalMs?: number;
  /** How often dead cgroups past their grace are deleted. Default 1 s. */
  readonly expireIntervalMs?: number;
  /** Runtime API sockets; `enrich: false` turns enrichment off. */
  readonly sockets?: RuntimeSockets;
  readonly enrich?: boolean;
  readonly enrichTimeoutMs?: number;
  readonly log: (line: string) => void;
}

/** The running container machinery. */
export interface ContainerService {
  readonly enricher: Enricher | undefined;
  /** Write the snapshot now (no-op without a state dir). */
  saveSnapshot(): Promise<void>;
  stats(): Record<string, unknown>;
  /** Stop timers, write the final snapshot, close API connections. */
  close(): Promise<void>;
}

/** Scan, restore, and start timers and enrichment for `pipeline.containers`. */
export async function startContainers(pipeline: Pipeline, clock: Clock, opts: ContainerServiceOptions): Promise<ContainerService> {
  const cache: ContainerCache = pipeline.containers;
  const h = opts.hierarchy;
  const boot = await bootId();
  const counters = { snapshotWrites: 0, snapshotErrors: 0, lastSnapshotError: undefined as string | undefined, scanned: 0, scanErrors: 0, scanMs: 0 };
  let restored: ReconcileResult | { error: string } | undefined;

  // 1. The live tree. Events that arrived meanwhile win (addScannedCgroup keeps their time).
  const live: Array<{ hierarchyId: number; cgroupId: bigint; path: string }> = [];
  if (h !== undefined) {
    const t0 = performance.now();
    const scan = await scanCgroupfs(h.mount, clock.bootToEpochNs);
    for (const g of scan.cgroups) {
      const v = cache.addScannedCgroup(h.hierarchyId, g.cgroupId, g.path, g.ctimeBootNs);
      live.push({ hierarchyId: h.hierarchyId, cgroupId: g.cgroupId, path: g.path });
      if (v?.containerId !== undefined) pipeline.onContainerCgroup?.(v.containerId);
    }
    counters.scanned = scan.cgroups.length;
    counters.scanErrors = scan.errors;
    counters.scanMs = Math.round(performance.now() - t0);
    opts.log(`cgroup scan (${h.name} at ${h.mount}): ${scan.cgroups.length} cgroups, ${cache.containers().length} containers in ${counters.scanMs} ms`);
  }

  // 2. The snapshot, reconciled against that tree; a bad one is logged and ignored.
  const offset = clock.bootToEpochNs;
  if (opts.stateDir !== undefined) {
    try {
      const text = await readSnapshotText(opts.stateDir);
      if (text !== undefined) {
        const loaded = loadSnapshot(text);
        if (!loaded.ok) {
          restored = { error: loaded.reason };
          opts.log(`container snapshot ${opts.stateDir}/${SNAPSHOT_FILE} ignored: ${loaded.reason}`);
        } else {
          restored = reconcile(cache, loaded.data, live, { nowNs: clock.nowBootNs(), ...(boot !== undefined && { bootId: boot }), realtimeOffsetNs: offset });
          opts.log(`container snapshot: ${restored.live} live, ${restored.history} history, ${restored.removed} removed while down, ${restored.skipped} skipped`);
        }
      }
    } catch (e) {
      restored = { error: (e as Error).message };
      opts.log(`container snapshot unreadable, ignored: ${(e as Error).message}`);
    }
  }

  // 3. Delayed deletion.
  const expireTimer = setInterval(() => cache.expire(clock.nowBootNs()), opts.expireIntervalMs ?? 1000);
  expireTimer.unref();

  // 4. Enrichment, triggered by new container cgroups and a periodic sweep.
  let enricher: Enricher | undefined;
  if (opts.enrich !== false) {
    enricher = new Enricher(cache, {
      now: clock.nowBootNs,
      ...(opts.sockets !== undefined && { sockets: opts.sockets }),
      ...(opts.enrichTimeoutMs !== undefined && { timeoutMs: opts.enrichTimeoutMs }),
    });
    pipeline.onContainerCgroup = enricher.kick;
    enricher.start();
  }

  // 5. Snapshots: on an interval and at shutdown; one write at a time.
  let writing: Promise<void> | undefined;
  const saveSnapshot = async (): Promise<void> => {
    if (opts.stateDir === undefined) return;
    if (writing !== undefined) await writing;
    const dir = opts.stateDir;
    writing = (async () => {
      try {
        const text = serializeContainers(cache, { savedAtNs: clock.nowBootNs(), ...(boot !== undefined && { bootId: boot }), realtimeOffsetNs: offset });
        await writeFileAtomic(dir, SNAPSHOT_FILE, text);
        counters.snapshotWrites++;
      } catch (e) {
        counters.snapshotErrors++;
        counters.lastSnapshotError = (e as Error).message;
      }
    })();
    await writing;
    writing = undefined;
  };
  const snapTimer = opts.stateDir === undefined ? undefined : setInterval(() => void saveSnapshot(), opts.snapshotIntervalMs ?? 30_000);
  snapTimer?.unref();

  let closed = false;
  return {
    enricher,
    saveSnapshot,
    stats: () => ({
      hierarchy: h === undefined ? null : { kind: h.kind, name: h.name, hierarchyId: h.hierarchyId, mount: h.mount },
      scan: { cgroups: counters.scanned, errors: counters.scanErrors, ms: counters.scanMs },
      snapshot: {
        stateDir: opts.stateDir ?? null,
        restored: restored ?? null,
        writes: counters.snapshotWrites,
        errors: counters.snapshotErrors,
        lastError: counters.lastSnapshotError ?? null,
      },
      enrichment: enricher?.stats() ?? null,
    }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(expireTimer);
      if (snapTimer !== undefined) clearInterval(snapTimer);
      pipeline.onContainerCgroup = undefined;
      await enricher?.close();
      await saveSnapshot();
    },
  };
}
