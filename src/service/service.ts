/**
 * The service: the edge where side effects live. Chooses and starts the sources (eBPF when
 * the host allows, procfs polling otherwise), feeds the pipeline, runs the timers (procfs
 * fills for tasks events never introduced), builds the HTTP app and tears everything down.
 */
import type { FastifyInstance } from 'fastify';
import { Pipeline } from './pipeline.js';
import { ProcfsSource } from '../sources/procfs.js';
import { EbpfSource } from '../sources/ebpf.js';
import { systemClock } from '../sources/clock.js';
import type { Clock } from '../query/time.js';
import type { EventSource } from '../sources/source.js';
import { buildApp } from '../server/app.js';
import { detectHierarchy } from '../sources/cgroupfs.js';
import { startContainers, type ContainerService } from './containers.js';
import type { RuntimeSockets } from '../runtimes/enricher.js';
import type { LiveEventsOptions } from './live-events.js';

export type SourceMode = 'auto' | 'ebpf' | 'procfs' | 'none';

export interface ServiceOptions {
  readonly source?: SourceMode;
  /** Polling interval of the procfs fallback. */
  readonly pollIntervalMs?: number;
  /** Skip the start-up procfs scan (tests that want only their own events). */
  readonly scan?: boolean;
  readonly processCacheSize?: number;
  readonly threadCacheSize?: number;
  readonly changelogSize?: number;
  /** Max procfs fills per second for tasks the events never introduced. */
  readonly fillsPerSecond?: number;
  /** Live-event hub options (per-subscriber queue bound, subscriber limit). */
  readonly live?: LiveEventsOptions;
  /** Fastify logger option. */
  readonly logger?: boolean | Record<string, unknown>;
  /** Progress/diagnostic lines (defaults to stderr). */
  readonly log?: (line: string) => void;
  /** Capture DNS packets (cgroup_skb) into the DNS graph. Default true; failure leaves process tracing on. */
  readonly dns?: boolean;
  /** Container snapshot directory (the CLI defaults it to /var/lib/proctrail); undefined: no persistence. */
  readonly stateDir?: string;
  /** Snapshot write interval. Default 30 s. */
  readonly snapshotIntervalMs?: number;
  /** Grace between a container cgroup's rmdir and its deletion into history. Default 30 s. */
  readonly containerDeleteGraceMs?: number;
  /** Hierarchy task cgroup ids come from: 'auto' (unified when mounted), 'unified' or a v1 controller. */
  readonly cgroupHierarchy?: string;
  /** Runtime API sockets (undefined: auto-detect defaults; '' disables one). */
  readonly runtimeSockets?: RuntimeSockets;
  /** Query runtime APIs for names, images, labels. Default true. */
  readonly enrich?: boolean;
}

/** A started service; `close()` stops sources, timers and the server. */
export interface RunningService {
  readonly app: FastifyInstance;
  readonly pipeline: Pipeline;
  readonly containers: ContainerService;
  readonly clock: Clock;
  readonly sources: readonly EventSource[];
  /** Which source delivers live events, and why when it is a fallback. */
  readonly mode: { readonly live: 'ebpf' | 'procfs-poll' | 'none'; readonly reason?: string };
  close(): Promise<void>;
}

/** Start sources and build (not listen) the app. */
export async function startService(opts: ServiceOptions = {}): Promise<RunningService> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`proctrail: ${l}\n`));
  const clock = systemClock();
  const hierarchy = await detectHierarchy(opts.cgroupHierarchy ?? 'auto');
  const pipeline = new Pipeline({
    containers: {
      // Cgroup tracepoints fire once per hierarchy: keep only the one task ids come from.
      ...(hierarchy !== undefined && { hierarchies: [hierarchy.hierarchyId], defaultHierarchyId: hierarchy.hierarchyId }),
      ...(opts.containerDeleteGraceMs !== undefined && { deleteGraceNs: BigInt(opts.containerDeleteGraceMs) * 1_000_000n }),
    },
    bootToEpochNs: clock.bootToEpochNs,
    ...(opts.processCacheSize !== undefined && { processCacheSize: opts.processCacheSize }),
    ...(opts.threadCacheSize !== undefined && { threadCacheSize: opts.threadCacheSize }),
    ...(opts.changelogSize !== undefined && { changelogSize: opts.changelogSize }),
    ...(opts.live !== undefined && { live: opts.live }),
  });
  const wanted = opts.source ?? 'auto';
  const pollMs = opts.pollIntervalMs ?? 1000;
  const sources: EventSource[] = [];
  let mode: RunningService['mode'] = { live: 'none' };

  let ebpf: EbpfSource | undefined;
  if (wanted === 'auto' || wanted === 'ebpf') {
    const probe = EbpfSource.probe();
    if (probe.ok) {
      try {
        ebpf = new EbpfSource({ ...(hierarchy !== undefined && { cgroupHierarchy: hierarchy.name }), dns: opts.dns !== false });
        await ebpf.start(pipeline.ingest);
        sources.push(ebpf);
        mode = { live: 'ebpf' };
        log('tracing with eBPF (fork, exec, exit)');
        if (opts.dns !== false) {
          const n = ebpf.stats();
          log(n.dnsAttached === true ? `capturing DNS on ${String(n.cgroup2Mount)}` : `DNS capture off: ${String(n.dnsError)}`);
        }
      } catch (e) {
        ebpf = undefined;
        if (wanted === 'ebpf') throw e;
        mode = { live: 'none', reason: (e as Error).message };
      }
    } else {
      if (wanted === 'ebpf') throw new Error(`eBPF source unavailable: ${probe.reason}`);
      mode = { live: 'none', reason: probe.reason };
    }
  }
  const polling = !ebpf && wanted !== 'none';
  if (polling) {
    log(`eBPF unavailable (${mode.reason ?? 'procfs source requested'}); falling back to polling /proc every ${pollMs} ms: ` +
      'short-lived processes and exit codes will be missed');
    mode = { live: 'procfs-poll', ...(mode.reason !== undefined && { reason: mode.reason }) };
  }
  // Cgroup scan and snapshot after the tracer (no cgroup falls between), before the
  // procfs scan (its tasks then find their cgroups at once).
  const containerSvc: ContainerService = await startContainers(pipeline, clock, {
    hierarchy,
    log,
    ...(opts.stateDir !== undefined && { stateDir: opts.stateDir }),
    ...(opts.snapshotIntervalMs !== undefined && { snapshotIntervalMs: opts.snapshotIntervalMs }),
    ...(opts.runtimeSockets !== undefined && { sockets: opts.runtimeSockets }),
    ...(opts.enrich !== undefined && { enrich: opts.enrich }),
  });
  // The scan starts after the tracer so no process falls between the two.
  const procfs = new ProcfsSource({ now: clock.nowBootNs, pollIntervalMs: polling ? pollMs : 0 });
  if (opts.scan !== false || polling) {
    const t0 = performance.now();
    await procfs.start(pipeline.ingest);
    sources.push(procfs);
    log(`procfs scan: ${String(procfs.stats().tasksRead)} tasks in ${Math.round(performance.now() - t0)} ms`);
  }

  // Tasks the kernel events never introduced (started before the tracer, lost events):
  // read them from procfs, bounded and rate-limited.
  const perTick = Math.max(1, Math.round((opts.fillsPerSecond ?? 500) / 5));
  let filling = false;
  const fillTimer = setInterval(() => {
    if (filling) return;
    const pids = pipeline.tree.takeFillRequests(perTick);
    if (pids.length === 0) return;
    filling = true;
    procfs.fill(pids).catch(() => undefined).finally(() => { filling = false; });
  }, 200);
  fillTimer.unref();

  const app = await buildApp({
    tree: pipeline.tree,
    containers: pipeline.containers,
    clock,
    live: pipeline.live,
    dns: pipeline.dns,
    logger: opts.logger ?? false,
    stats: () => ({
      source: mode,
      containers: containerSvc.stats(),
      pipeline: pipeline.stats(),
      sources: Object.fromEntries(sources.map((s) => [s.name, s.stats()])),
    }),
  });

  let closed = false;
  return {
    app, pipeline, containers: containerSvc, clock, sources, mode,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(fillTimer);
      await app.close();
      for (const s of sources) await s.stop();
      await containerSvc.close();
    },
  };
}
