/**
 * The procfs source: a start-up scan of every existing task (so processes started before
 * proctrail are in the tree with their parents), on-demand reads of single pids (to fill
 * tasks the kernel events never introduced), and a polling fallback for hosts where eBPF
 * cannot run (it sees only tasks that live longer than the interval, and no exit codes).
 */
import type { BootNs, ExitEvent, ProctrailEvent, SnapshotEvent } from '../events/types.js';
import type { EventSink, EventSource, SourceStats } from './source.js';
import { listPids, readProcessSnapshots } from './procfs-reader.js';

/** ExitEvent.exitStatus when the exit was inferred by polling: the status is unknowable. */
export const UNKNOWN_EXIT_STATUS = -1;

export interface ProcfsSourceOptions {
  /** Boot-time clock (injected so tests and replays control time). */
  readonly now: () => BootNs;
  /** Poll for new and vanished tasks every `pollIntervalMs` (0 = scan once, no polling). */
  readonly pollIntervalMs?: number;
  /** Events per delivered batch. */
  readonly batchSize?: number;
  /** Concurrent procfs reads. */
  readonly concurrency?: number;
}

interface Known { readonly pid: number; readonly tid: number; readonly startNs: BootNs; readonly leaderStartNs: BootNs }

/** Reads /proc; see the module comment for its three roles. */
export class ProcfsSource implements EventSource {
  readonly name = 'procfs';
  #sink: EventSink | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #known = new Map<string, Known>();
  #counters = { scans: 0, tasksRead: 0, fills: 0, pollNew: 0, pollExited: 0, lastScanMs: 0 };
  readonly #opts: Required<ProcfsSourceOptions>;

  constructor(opts: ProcfsSourceOptions) {
    this.#opts = { pollIntervalMs: 0, batchSize: 512, concurrency: 32, ...opts };
    if (!Number.isInteger(this.#opts.pollIntervalMs) || this.#opts.pollIntervalMs < 0) throw new TypeError('pollIntervalMs must be a non-negative integer');
  }

  /** Scan all tasks once, then poll if configured. */
  async start(sink: EventSink): Promise<void> {
    this.#sink = sink;
    await this.#scan(true);
    if (this.#opts.pollIntervalMs > 0) this.#schedule();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sink = undefined;
  }

  /** Read the given pids now and deliver what is still alive (tasks events never introduced). */
  async fill(pids: readonly number[]): Promise<number> {
    const events = (await this.#readAll(pids, this.#opts.now())).filter((e) => !this.#known.has(keyOf(e)));
    this.#counters.fills += events.length;
    this.#deliver(events);
    return events.length;
  }

  stats(): SourceStats {
    return { ...this.#counters, polling: this.#opts.pollIntervalMs > 0, pollIntervalMs: this.#opts.pollIntervalMs, knownTasks: this.#known.size };
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      if (this.#polling || !this.#sink) return;
      this.#polling = true;
      this.#scan(false).catch(() => undefined).finally(() => {
        this.#polling = false;
        if (this.#sink) this.#schedule();
      });
    }, this.#opts.pollIntervalMs);
    this.#timer.unref();
  }

  async #readAll(pids: readonly number[], now: BootNs): Promise<SnapshotEvent[]> {
    const out: SnapshotEvent[] = [];
    for (let i = 0; i < pids.length; i += this.#opts.concurrency) {
      const chunk = await Promise.all(pids.slice(i, i + this.#opts.concurrency).map((p) => readProcessSnapshots(p, now)));
      for (const evs of chunk) out.push(...evs);
    }
    this.#counters.tasksRead += out.length;
    return out;
  }

  async #scan(initial: boolean): Promise<void> {
    const t0 = performance.now();
    const now = this.#opts.now();
    const snaps = await this.#readAll(await listPids(), now);
    // Oldest first, so a parent is usually known before its children.
    snaps.sort((a, b) => (a.task.startNs < b.task.startNs ? -1 : a.task.startNs > b.task.startNs ? 1 : a.task.tid - b.task.tid));
    const seen = new Map<string, Known>();
    const events: ProctrailEvent[] = [];
    for (const s of snaps) {
      const k = keyOf(s);
      seen.set(k, { pid: s.task.pid, tid: s.task.tid, startNs: s.task.startNs, leaderStartNs: s.task.leaderStartNs });
      if (initial || !this.#known.has(k)) {
        events.push(s);
        if (!initial) this.#counters.pollNew++;
      }
    }
    if (!initial) {
      for (const [k, t] of this.#known) {
        if (seen.has(k)) continue;
        events.push(exitOf(t, now));
        this.#counters.pollExited++;
      }
    }
    this.#known = seen;
    this.#counters.scans++;
    this.#counters.lastScanMs = Math.round(performance.now() - t0);
    this.#deliver(events);
  }

  #deliver(events: readonly ProctrailEvent[]): void {
    const sink = this.#sink;
    if (!sink) return;
    for (let i = 0; i < events.length; i += this.#opts.batchSize) sink(events.slice(i, i + this.#opts.batchSize));
  }
}

function keyOf(s: SnapshotEvent): string {
  return `${s.task.tid}@${s.task.startNs}`;
}

/** An exit inferred by polling: only identity is known (a leader's dir vanishes with its group). */
function exitOf(t: Known, now: BootNs): ExitEvent {
  return {
    type: 'exit', time: now, exitStatus: UNKNOWN_EXIT_STATUS, groupDead: t.pid === t.tid,
    task: {
      tid: t.tid, pid: t.pid, startNs: t.startNs, leaderStartNs: t.leaderStartNs, ppid: 0, parentStartNs: 0n,
      uid: 0, gid: 0, cgroupId: 0n, pidNsId: 0, nsPid: 0, nsTid: 0, comm: '',
    },
  };
}
