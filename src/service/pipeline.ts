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
}

/** Caches plus routing; `ingest` is the one entry point every source feeds. */
export class Pipeline {
  readonly tree: ProcessTree;
  /** Live events (subscriptions, /v1/events): `live.publish(kind, payload)` for every cache. */
  readonly live: LiveEvents;
  readonly containers: ContainerCache;
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
          if (ev.type === 'cgroup_mkdir' && this.onContainerCgroup !== undefined) {
            const id = this.containers.cgroup(ev.hierarchyId, ev.cgroupId)?.containerId;
            if (id !== undefined) this.onContainerCgroup(id);
          }
          break;
        default:
          // dns events have their cache in a later milestone; counted above.
          break;
      }
    }
    if (this.live.active) publishProcessEvents(this.live, this.tree, events);
  };

  /** Counters for /v1/stats. */
  stats(): Record<string, unknown> {
    return { batches: this.#batches, eventsReceived: { ...this.#received }, processTree: this.tree.stats(), containers: this.containers.stats() };
  }
}
