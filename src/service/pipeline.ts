/**
 * The pipeline: owns the caches and routes every event batch, whatever its source, to the
 * cache that consumes it. Synchronous and timer-free like the caches themselves; the
 * service (service.ts) adds the timers and the I/O.
 */
import type { ProctrailEvent } from '../events/types.js';
import { ProcessTree } from '../caches/process-tree.js';
import { LiveEvents, type LiveEventsOptions } from './live-events.js';
import { publishProcessEvents } from './live-process-events.js';
import { ContainerCache, type ContainerCacheOptions } from '../caches/containers.js';
import { taskKey } from '../caches/task-id.js';
import { DnsPipeline } from '../dns/pipeline.js';
import { askerResolver } from '../dns/asker.js';
import type { DnsCacheOptions } from '../caches/dns-cache.js';
import { normalizeName } from '../caches/dns-names.js';

export interface PipelineOptions {
  /** Boot-time → epoch offset in ns (for Tracee-compatible entity ids). */
  readonly bootToEpochNs: bigint;
  readonly processCacheSize?: number;
  readonly threadCacheSize?: number;
  readonly changelogSize?: number;
  /** Live-event hub options (per-subscriber queue bound, subscriber limit). */
  readonly live?: LiveEventsOptions;
  /** Container cache options (set `hierarchies`/`defaultHierarchyId` to the tracked hierarchy). */
  readonly containers?: ContainerCacheOptions;
  /** DNS graph cache options (root LRU size, history bounds). */
  readonly dns?: DnsCacheOptions;
}

/** Caches plus routing; `ingest` is the one entry point every source feeds. */
export class Pipeline {
  readonly tree: ProcessTree;
  /** Live events (subscriptions, /v1/events): `live.publish(kind, payload)` for every cache. */
  readonly live: LiveEvents;
  readonly containers: ContainerCache;
  /** DNS packets → attribution → DNS graph (askers resolved through the tree and containers). */
  readonly dns: DnsPipeline;
  /** Called with a container id when a cgroup of a container appears (the enricher's trigger). */
  onContainerCgroup: ((containerId: string) => void) | undefined;
  readonly #received: Record<string, number> = {};
  #batches = 0;

  constructor(opts: PipelineOptions) {
    this.tree = new ProcessTree({
      bootToEpochNs: opts.bootToEpochNs,
      ...(opts.processCacheSize !== undefined && { processCacheSize: opts.processCacheSize }),
      ...(opts.threadCacheSize !== undefined && { threadCacheSize: opts.threadCacheSize }),
      ...(opts.changelogSize !== undefined && { changelogSize: opts.changelogSize }),
    });
    this.live = new LiveEvents(opts.live);
    this.containers = new ContainerCache(opts.containers);
    const containers = this.containers;
    // Live filters name containers by id; process events carry cgroup ids.
    this.live.containerIdOf = (cgroupId) => containers.containerIdForCgroup(cgroupId);
    this.dns = new DnsPipeline({
      ...(opts.dns !== undefined && { cache: opts.dns }),
      resolveAsker: askerResolver({
        tree: this.tree,
        // The tree's cgroup id is in the container cache's hierarchy; the socket's is cgroup2.
        containerOf: (processCgroup, socketCgroup) =>
          (processCgroup === undefined ? undefined : containers.containerIdForCgroup(processCgroup)) ??
          containers.containerIdForCgroup(socketCgroup, 0),
      }),
      onAdded: (r) => {
        if (!this.live.active) return;
        const q = r.message.questions[0]?.name;
        const response = q === undefined ? undefined : this.dns.cache.latestResponse(q);
        if (response !== undefined) this.live.publish('dnsAnswered', { time: r.time, question: normalizeName(q!), response });
      },
    });
  }

  /** Apply one batch in order. Never throws on odd events: caches count what they skip. */
  readonly ingest = (events: readonly ProctrailEvent[]): void => {
    this.#batches++;
    const received = this.#received;
    for (const ev of events) {
      received[ev.type] = (received[ev.type] ?? 0) + 1;
      switch (ev.type) {
        case 'fork':
          this.tree.apply(ev);
          // Threads join their process's stay; only new processes need a note.
          if (!ev.isThread) this.containers.noteTask(ev.child.cgroupId, taskKey(ev.child.pid, ev.child.leaderStartNs), ev.time);
          break;
        case 'exec':
        case 'snapshot':
          this.tree.apply(ev);
          this.containers.noteTask(ev.task.cgroupId, taskKey(ev.task.pid, ev.task.leaderStartNs), ev.time);
          break;
        case 'exit':
          this.tree.apply(ev);
          if (ev.groupDead) this.containers.noteTask(ev.task.cgroupId, taskKey(ev.task.pid, ev.task.leaderStartNs), ev.time, true);
          break;
        case 'cgroup_mkdir':
        case 'cgroup_rmdir':
        case 'cgroup_attach':
          this.containers.applyCgroupEvent(ev);
          if (ev.type !== 'cgroup_attach') this.#containerCgroupChanged(ev.type, ev.hierarchyId, ev.cgroupId, ev.time);
          break;
        case 'dns':
          this.dns.handle(ev);
          break;
        default:
          break;
      }
    }
    if (this.live.active) publishProcessEvents(this.live, this.tree, events);
  };

  /** A container's cgroup appeared or went: trigger enrichment, publish start/removal of its root cgroup. */
  #containerCgroupChanged(type: 'cgroup_mkdir' | 'cgroup_rmdir', hierarchyId: number, cgroupId: bigint, time: bigint): void {
    const cg = this.containers.cgroup(hierarchyId, cgroupId);
    if (cg?.containerId === undefined) return;
    if (type === 'cgroup_mkdir') this.onContainerCgroup?.(cg.containerId);
    if (!cg.containerRoot || !this.live.wants(type === 'cgroup_mkdir' ? 'containerStarted' : 'containerRemoved')) return;
    // No `at`: a removed container stays current (dying) through the deletion grace period.
    const container = this.containers.containerAt(cg.containerId);
    if (container === undefined) return;
    this.live.publish(type === 'cgroup_mkdir' ? 'containerStarted' : 'containerRemoved', { time, container });
  }

  /** Counters for /v1/stats. */
  stats(): Record<string, unknown> {
    return { batches: this.#batches, eventsReceived: { ...this.#received }, processTree: this.tree.stats(), containers: this.containers.stats() };
  }
}
