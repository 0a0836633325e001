/**
 * ProcessTree: processes and threads with history, fed by fork/exec/exit/snapshot events.
 *
 * Follows Tracee's pkg/proctree feeds (thread-group leader = process, a forked process
 * inherits its parent's executable, threads hang off their leader) with these fixes:
 * identity is (pid, start) not a 32-bit hash; exited ancestors of cached processes outlive
 * exited leaves, so lineage resolves; live children are re-parented to the reaper when
 * their parent's group dies; a non-leader exec is handled; events for unknown tasks create
 * them and queue a procfs fill request. Pure and synchronous: time comes in the events.
 */
import type { BootNs, ExecEvent, ExitEvent, FileInfo, ForkEvent, SnapshotEvent, TaskEvent, TaskInfo } from '../events/types.js';
import { arrayEquals } from './changelog.js';
import type { ExecRecord, ProcessNode, ProcessTreeReader, ProcessTreeStats, TaskAttrs, ThreadNode } from './process-model.js';
import { ProcEntry, ThreadEntry, Tier, attrsEquals, attrsOf, fileEquals, fileOf, type NodeContext } from './process-node.js';
import { EvictionPool } from './process-eviction.js';
import { TICK_NS, parseTaskKey } from './task-id.js';
import { TaskIndex } from './task-index.js';

/** Tracee's DefaultProcessCacheSize. */
export const DEFAULT_PROCESS_CACHE_SIZE = 10928;
/** Tracee's DefaultThreadCacheSize. */
export const DEFAULT_THREAD_CACHE_SIZE = 21856;
/** Default execs remembered per process. */
export const DEFAULT_EXEC_HISTORY_SIZE = 16;
/** Default bound of the procfs fill request queue. */
export const DEFAULT_FILL_QUEUE_SIZE = 1024;

/** Options of a ProcessTree; every size must be a positive integer (TypeError otherwise). */
export interface ProcessTreeOptions {
  /** Processes kept before exited ones are evicted. @default 10928 (Tracee) */
  readonly processCacheSize?: number;
  /** Threads kept before exited ones are evicted. @default 21856 (Tracee) */
  readonly threadCacheSize?: number;
  /** Entries per attribute changelog. @default 3 */
  readonly changelogSize?: number;
  /** Execs remembered per process. @default 16 */
  readonly execHistorySize?: number;
  /**
   * CLOCK_REALTIME - CLOCK_BOOTTIME in ns, measured once at start-up. Only used for
   * `entityId`, which hashes the *epoch* start time like Tracee. @default 0n
   */
  readonly bootToEpochNs?: bigint;
  /** Pending procfs fill requests kept (de-duplicated); more are dropped and counted. @default 1024 */
  readonly fillQueueSize?: number;
}

/** ProcessTreeStats plus the fill queue and rejected-event counters. */
export interface ProcessTreeCounters extends ProcessTreeStats {
  readonly fill: { readonly pending: number; readonly requested: number; readonly dropped: number };
  /** Events that could not be applied (malformed), counted and skipped. */
  readonly rejected: number;
}

type TaskType = TaskEvent['type'];

const MAX_WALK = 1024;
const IMAGE_CACHE_SIZE = 4096;

/** argv as an immutable snapshot: the decoder's arrays come frozen and are kept as they are. */
/**
 * When a snapshot's value starts to hold: the task's start when nothing about this
 * attribute is known from before `at`, else `at` itself.
 */
function sinceFor(first: BootNs | undefined, startNs: BootNs, at: BootNs): BootNs {
  return first === undefined || first > at ? (startNs < at ? startNs : at) : at;
}

function frozenArgv(argv: readonly string[]): readonly string[] {
  return Object.isFrozen(argv) ? argv : Object.freeze(argv.slice());
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer, got ${String(v)}`);
  return n;
}

function perType(): Record<TaskType, number> {
  return { fork: 0, exec: 0, exit: 0, snapshot: 0 };
}

function validTask(t: TaskInfo | undefined): t is TaskInfo {
  return (
    t !== undefined &&
    t !== null &&
    typeof t.pid === 'number' &&
    typeof t.tid === 'number' &&
    typeof t.startNs === 'bigint' &&
    typeof t.leaderStartNs === 'bigint' &&
    t.pid > 0 &&
    t.tid > 0
  );
}

/** The host's process tree with history; implements the read-side ProcessTreeReader. */
export class ProcessTree implements ProcessTreeReader {
  readonly #ctx: NodeContext;
  readonly #execHistorySize: number;
  readonly #fillCap: number;
  // pid -> every cached process that had it (PID reuse gives several), oldest first.
  readonly #byPid = new TaskIndex<ProcEntry>();
  readonly #byTid = new TaskIndex<ThreadEntry>();
  // path -> the last image exec'd from it: equal FileInfo / argv snapshots are shared
  // between processes instead of kept once per exec (bounded: cleared when full).
  readonly #images = new Map<string, { file: FileInfo; argv: readonly string[] }>();
  readonly #procs: EvictionPool<ProcEntry>;
  readonly #threads: EvictionPool<ThreadEntry>;
  // pid -> children whose snapshot named that ppid before any such process was known.
  readonly #pendingParent = new Map<number, { child: ProcEntry; time: BootNs }[]>();
  readonly #fill = new Set<number>();
  #fillRequested = 0;
  // processes whose leader thread has no entry of its own (see #leaderFor)
  #virtualLeaders = 0;
  #fillDropped = 0;
  #rejected = 0;
  #procHits = 0;
  #procMisses = 0;
  #threadHits = 0;
  #threadMisses = 0;
  readonly #applied = perType();
  readonly #unknown = perType();

  constructor(options: ProcessTreeOptions = {}) {
    const bootToEpochNs = options.bootToEpochNs ?? 0n;
    if (typeof bootToEpochNs !== 'bigint') throw new TypeError('bootToEpochNs must be a bigint');
    const changelogSize = positiveInt('changelogSize', options.changelogSize, 3);
    this.#ctx = { bootToEpochNs, changelogSize, attrsOptions: { capacity: changelogSize, equals: attrsEquals } };
    this.#execHistorySize = positiveInt('execHistorySize', options.execHistorySize, DEFAULT_EXEC_HISTORY_SIZE);
    this.#fillCap = positiveInt('fillQueueSize', options.fillQueueSize, DEFAULT_FILL_QUEUE_SIZE);
    const pc = positiveInt('processCacheSize', options.processCacheSize, DEFAULT_PROCESS_CACHE_SIZE);
    const tc = positiveInt('threadCacheSize', options.threadCacheSize, DEFAULT_THREAD_CACHE_SIZE);
    this.#procs = new EvictionPool<ProcEntry>(pc, (p, reason) => this.#removeProcess(p, reason));
    this.#threads = new EvictionPool<ThreadEntry>(tc, (t, reason) => this.#removeThread(t, reason), {
      leaf: 'exited',
      ancestor: 'exitedAncestor',
    });
  }

  // ---------------------------------------------------------------- write side

  /** Applies one task event; malformed events are counted (`rejected`) and skipped, never thrown. */
  apply(event: TaskEvent): void {
    try {
      switch (event.type) {
        case 'fork':
          if (!validTask(event.child)) break;
          this.#applied.fork++;
          this.#onFork(event);
          this.#enforce();
          return;
        case 'exec':
          if (!validTask(event.task) || event.file === undefined) break;
          this.#applied.exec++;
          this.#onExec(event);
          this.#enforce();
          return;
        case 'exit':
          if (!validTask(event.task)) break;
          this.#applied.exit++;
          this.#onExit(event);
          this.#enforce();
          return;
        case 'snapshot':
          if (!validTask(event.task)) break;
          this.#applied.snapshot++;
          this.#onSnapshot(event);
          this.#enforce();
          return;
      }
    } catch {
      // fall through to counting: a bad field deep in an event must not stop ingestion
    }
    this.#rejected++;
  }

  /** Applies events in order. */
  applyBatch(events: Iterable<TaskEvent>): void {
    for (const e of events) this.apply(e);
  }

  /** Removes and returns up to `max` pids whose tasks should be (re)read from procfs, oldest first. */
  takeFillRequests(max: number): number[] {
    const out: number[] = [];
    for (const pid of this.#fill) {
      if (out.length >= max) break;
      out.push(pid);
    }
    for (const pid of out) this.#fill.delete(pid);
    return out;
  }

  #onFork(e: ForkEvent): void {
    const c = e.child;
    const t = e.time;
    if (e.isThread && c.tid !== c.pid) {
      const p = this.#procFor(c.pid, c.leaderStartNs, 'fork');
      const th = this.#threadFor(p, c.tid, c.startNs);
      th.ownAttrs?.set(attrsOf(c), c.startNs < t ? c.startNs : t);
      return;
    }
    // A new process: the child is its own leader.
    const since = c.startNs < t ? c.startNs : t;
    let p = this.#findProc(c.pid, c.startNs);
    if (p === undefined) p = this.#createProc(c.pid, c.startNs, 'event');
    p.setAttrs(attrsOf(c), since);
    const parent = c.ppid > 0 ? this.#parentFor(c.ppid, c.parentStartNs, t, 'fork') : undefined;
    if (parent !== undefined && parent !== p) {
      this.#setParent(p, parent, since);
      // fork copies the image: the child runs its parent's executable until it execs
      const img = parent.imageAt(t);
      if (img !== undefined) p.setImage(img, since); // the parent's immutable image, shared
      // a fork replayed after its parent's exit: the child was re-parented at that exit
      if (parent.exitNs !== undefined && parent.exitNs >= since && p.exitNs === undefined) {
        this.#reparentChildren(parent, parent.exitNs);
      }
    }
    this.#leaderFor(p, c.startNs);
  }

  #onExec(e: ExecEvent): void {
    const k = e.task;
    const t = e.time;
    let p = this.#findProc(k.pid, k.leaderStartNs);
    const unknown = p === undefined;
    if (p === undefined) {
      p = this.#createProc(k.pid, k.leaderStartNs, 'event');
      this.#unknown.exec++;
      this.#requestFill(k.pid);
    }
    if (k.ppid > 0) {
      const parent = this.#parentFor(k.ppid, k.parentStartNs, t, 'exec');
      if (parent !== undefined && parent !== p && p.parentAt(t) !== parent.key) {
        // unknown task: best guess is that this parent had it since its start (a later
        // fork or snapshot corrects it); known task: a re-parenting we missed, seen now
        this.#setParent(p, parent, unknown ? p.startNs : t);
      }
    }
    if (e.oldTid !== k.tid) {
      // de_thread(): the exec'ing thread took over the leader's tid and start time; its
      // old tid is gone (the kernel reports no exit for it)
      for (const th of p.threadList()) {
        if (th.tid === e.oldTid && th.exitNs === undefined) this.#threadExited(th, t, undefined);
      }
    }
    const leader = this.#leaderFor(p, k.leaderStartNs);
    if (leader !== undefined && leader.exitNs !== undefined && leader.exitNs <= t && p.exitNs === undefined) {
      // the old leader's exit was reported under this key; the key lives on in the exec'er
      leader.exitNs = undefined;
      leader.exitStatus = undefined;
      this.#threads.place(leader, Tier.Live);
    }
    const { file, argv } = this.#image(e.file, e.argv);
    p.setAttrs(attrsOf(k), t);
    // the exec record is the image: one object for history and executable/argv alike
    const rec: ExecRecord = Object.freeze({ time: t, file, argv, argvTruncated: e.argvTruncated });
    p.setImage(rec, t);
    p.recordExec(rec, this.#execHistorySize);
  }

  #onExit(e: ExitEvent): void {
    const k = e.task;
    const t = e.time;
    let p = this.#findProc(k.pid, k.leaderStartNs);
    if (p === undefined) {
      p = this.#createProc(k.pid, k.leaderStartNs, 'event');
      this.#unknown.exit++;
      if (!e.groupDead) this.#requestFill(k.pid);
    }
    if (e.groupDead && k.tid === k.pid && p.leader === undefined && p.matches(k.startNs)) {
      // the leader's thread ends with its group: a virtual leader needs no entry for that
      this.#leaderFor(p, k.startNs);
    } else {
      const th = this.#threadFor(p, k.tid, k.startNs);
      if (th.exitNs === undefined) this.#threadExited(th, t, e.exitStatus);
    }
    if (!e.groupDead) return;
    // The process ends when its group is dead, not when the leader thread exits.
    if (p.exitNs === undefined || t < p.exitNs) {
      p.exitNs = t;
      p.exitStatus = e.exitStatus;
    }
    if (p.leader !== undefined && p.leader.exitNs === undefined) this.#threadExited(p.leader, t, e.exitStatus);
    for (let other = p.firstOther; other !== undefined; other = other.sibNext) {
      if (other.exitNs === undefined) this.#threadExited(other, t, e.exitStatus);
    }
    this.#reparentChildren(p, t);
    this.#procs.place(p, this.#procTier(p));
  }

  #onSnapshot(e: SnapshotEvent): void {
    const k = e.task;
    const at = e.time;
    const leaderStart = k.tid === k.pid ? k.startNs : k.leaderStartNs;
    let p = this.#findProc(k.pid, leaderStart);
    if (p === undefined) p = this.#createProc(k.pid, leaderStart, 'procfs');
    if (k.tid !== k.pid) {
      const th = this.#threadFor(p, k.tid, k.startNs);
      const own = th.ownAttrs;
      if (own !== undefined) own.set(this.#mergeAttrs(own.get(at), k), sinceFor(own.firstTime(), th.startNs, at));
      return;
    }
    // "At `at` it was like this": a value already in force (e.g. from a precise exec event)
    // is kept with its earlier start. Where nothing earlier is known about an attribute
    // (typically the start-up scan creating the task), the snapshot's value is the best
    // knowledge since the task started, as Tracee's FeedFromProcFS does; otherwise it
    // holds from the read time on.
    p.setAttrs(this.#mergeAttrs(p.attrsAt(at), k), sinceFor(p.attrsFirstTime(), p.startNs, at));
    if (k.ppid > 0) {
      const parent =
        k.parentStartNs !== 0n ? this.#procForSnapshot(k.ppid, k.parentStartNs) : this.#lookupPid(k.ppid, at);
      const since = sinceFor(p.firstParentTime(), p.startNs, at);
      if (parent === undefined) this.#awaitParent(k.ppid, p, since);
      else if (parent !== p && p.parentAt(at) !== parent.key) this.#setParent(p, parent, since);
    }
    if (e.file.path !== '' || e.argv.length > 0) {
      const cur = p.imageAt(at);
      let file = cur?.file;
      // Keep the exec event's FileInfo when it names the same file (procfs may lack fields).
      if (e.file.path !== '' && (file === undefined || file.path !== e.file.path || (e.file.inode !== 0n && file.inode !== e.file.inode))) {
        file = Object.freeze({ ...e.file });
      }
      let argv = cur?.argv;
      if (e.argv.length > 0 && (argv === undefined || !arrayEquals(argv, e.argv))) argv = frozenArgv(e.argv);
      if (cur === undefined || file !== cur.file || argv !== cur.argv) {
        p.setImage(Object.freeze({ file, argv }), sinceFor(p.imageFirstTime(), p.startNs, at));
      }
    }
    this.#leaderFor(p, leaderStart);
  }

  // ---------------------------------------------------------------- internals

  /** procfs leaves fields it cannot read at 0: keep what events already told us. */
  #mergeAttrs(cur: TaskAttrs | undefined, k: TaskInfo): TaskAttrs {
    const a = attrsOf(k);
    if (cur === undefined) return a;
    return {
      comm: a.comm !== '' ? a.comm : cur.comm,
      uid: a.uid,
      gid: a.gid,
      cgroupId: a.cgroupId !== 0n ? a.cgroupId : cur.cgroupId,
      pidNsId: a.pidNsId !== 0 ? a.pidNsId : cur.pidNsId,
      nsPid: a.nsPid !== 0 ? a.nsPid : cur.nsPid,
      nsTid: a.nsTid !== 0 ? a.nsTid : cur.nsTid,
    };
  }

  /** Shared immutable snapshots of an exec's file and argv (equal ones from earlier execs reused). */
  #image(f: FileInfo, argv: readonly string[]): { file: FileInfo; argv: readonly string[] } {
    const img = this.#images.get(f.path);
    if (img === undefined) {
      if (this.#images.size >= IMAGE_CACHE_SIZE) this.#images.clear();
      const fresh = { file: fileOf(f), argv: frozenArgv(argv) };
      this.#images.set(f.path, fresh);
      return fresh;
    }
    if (!fileEquals(img.file, f)) img.file = fileOf(f);
    if (!arrayEquals(img.argv, argv)) img.argv = frozenArgv(argv);
    return img;
  }

  #findProc(pid: number, startNs: BootNs): ProcEntry | undefined {
    const found = this.#byPid.get(pid);
    if (found !== undefined && !Array.isArray(found)) {
      const p = found as ProcEntry;
      if (p.matches(startNs)) {
        this.#procHits++;
        p.refineStart(startNs);
        this.#procs.touch(p);
        return p;
      }
    } else if (found !== undefined) {
      const list = found as readonly ProcEntry[];
      for (let i = list.length - 1; i >= 0; i--) {
        const p = list[i]!;
        if (p.startNs === startNs) {
          this.#procHits++;
          this.#procs.touch(p);
          return p;
        }
      }
      // procfs gives tick precision: compare ticks (the slow path, one division)
      const ticks = startNs / TICK_NS;
      for (let i = list.length - 1; i >= 0; i--) {
        const p = list[i]!;
        if (p.startTicks === ticks) {
          this.#procHits++;
          p.refineStart(startNs);
          this.#procs.touch(p);
          return p;
        }
      }
    }
    this.#procMisses++;
    return undefined;
  }

  /** The process for an event's (pid, leader start), created (and counted unknown) if new. */
  #procFor(pid: number, startNs: BootNs, type: TaskType): ProcEntry {
    let p = this.#findProc(pid, startNs);
    if (p === undefined) {
      p = this.#createProc(pid, startNs, 'event');
      this.#unknown[type]++;
      this.#requestFill(pid);
    }
    return p;
  }

  #parentFor(ppid: number, parentStartNs: BootNs, at: BootNs, type: TaskType): ProcEntry | undefined {
    if (parentStartNs === 0n) {
      const p = this.#lookupPid(ppid, at);
      if (p === undefined) this.#requestFill(ppid);
      return p;
    }
    return this.#procFor(ppid, parentStartNs, type);
  }

  #procForSnapshot(pid: number, startNs: BootNs): ProcEntry {
    return this.#findProc(pid, startNs) ?? this.#createProc(pid, startNs, 'procfs');
  }

  #createProc(pid: number, startNs: BootNs, origin: 'event' | 'procfs'): ProcEntry {
    const p = new ProcEntry(pid, startNs, origin, this.#ctx);
    this.#byPid.add(pid, p);
    this.#procs.add(p);
    const waiting = this.#pendingParent.get(pid);
    if (waiting !== undefined) {
      this.#pendingParent.delete(pid);
      for (const w of waiting) {
        if (w.child.tier !== Tier.Evicted && w.child !== p && w.child.parentAt(w.time) === undefined) {
          this.#setParent(w.child, p, w.time);
        }
      }
    }
    return p;
  }

  #awaitParent(ppid: number, child: ProcEntry, time: BootNs): void {
    this.#requestFill(ppid);
    const list = this.#pendingParent.get(ppid);
    if (list === undefined) this.#pendingParent.set(ppid, [{ child, time }]);
    else if (list.length < 1024) list.push({ child, time });
  }

  #threadFor(p: ProcEntry, tid: number, startNs: BootNs): ThreadEntry {
    const found = this.#byTid.get(tid);
    if (found !== undefined && !Array.isArray(found)) {
      const th = found as ThreadEntry;
      if (th.process === p && th.matches(startNs)) return this.#threadHit(th, startNs);
    } else if (found !== undefined) {
      const list = found as readonly ThreadEntry[];
      for (let i = list.length - 1; i >= 0; i--) {
        const th = list[i]!;
        if (th.process === p && th.matches(startNs)) return this.#threadHit(th, startNs);
      }
    }
    this.#threadMisses++;
    const th = new ThreadEntry(tid, startNs, p, this.#ctx);
    if (p.leaderVirtual && th.ownAttrs === undefined) {
      p.leaderVirtual = false;
      this.#virtualLeaders--;
    }
    this.#byTid.add(tid, th);
    p.addThread(th);
    this.#threads.add(th);
    return th;
  }

  /**
   * The leader's thread entry if it has one, else marks the leader virtual: a leader whose
   * thread shares its process's attrs, start and (group) exit needs no entry of its own
   * until a read asks for it or its thread exits before the group. Most never do, and
   * each entry was one more long-lived object, index slot and pool link per fork.
   */
  #leaderFor(p: ProcEntry, startNs: BootNs): ThreadEntry | undefined {
    const th = p.leader;
    if (th !== undefined) return this.#threadHit(th, startNs);
    if (!p.leaderVirtual) {
      p.leaderVirtual = true;
      this.#virtualLeaders++;
    }
    return undefined;
  }

  /** A real entry for p's virtual leader (reads hand out ThreadNodes). */
  #materializeLeader(p: ProcEntry): void {
    if (!p.leaderVirtual) return;
    const th = this.#threadFor(p, p.pid, p.startNs); // clears leaderVirtual
    if (p.exitNs !== undefined && th.exitNs === undefined) this.#threadExited(th, p.exitNs, p.exitStatus);
  }

  #materializeLeaders(tid: number): void {
    const found = this.#byPid.get(tid);
    if (found === undefined) return;
    if (!Array.isArray(found)) this.#materializeLeader(found as ProcEntry);
    else for (const p of (found as readonly ProcEntry[]).slice()) this.#materializeLeader(p);
  }

  #threadHit(th: ThreadEntry, startNs: BootNs): ThreadEntry {
    this.#threadHits++;
    th.refineStart(startNs);
    this.#threads.touch(th);
    return th;
  }

  #threadExited(th: ThreadEntry, t: BootNs, status: number | undefined): void {
    th.exitNs = t;
    th.exitStatus = status;
    this.#threads.place(th, Tier.ExitedLeaf);
  }

  #procTier(p: ProcEntry): Tier {
    if (p.exitNs === undefined) return Tier.Live;
    return p.childCount === 0 ? Tier.ExitedLeaf : Tier.ExitedAncestor;
  }

  /** Records `parent` as p's parent from `time` on and keeps the children index in sync. */
  #setParent(p: ProcEntry, parent: ProcEntry, time: BootNs): void {
    if (!p.setParentKey(parent.key, time)) return;
    if (p.parent0 !== undefined || p.moreParents !== undefined) {
      // a change of parent: unlink the parents the bounded history no longer names
      const keys = p.parentKeys();
      for (const cand of p.parentList()) {
        if (keys.includes(cand.key)) continue;
        cand.unlinkChild(p);
        this.#procs.place(cand, this.#procTier(cand));
      }
      if (!keys.includes(parent.key)) return;
    }
    if (p.parent0 !== parent && parent.linkChild(p) && parent.childCount === 1) {
      this.#procs.place(parent, this.#procTier(parent));
    }
  }

  #currentParent(p: ProcEntry): ProcEntry | undefined {
    const key = p.currentParentKey();
    if (key === undefined) return undefined;
    return p.parent0?.key === key ? p.parent0 : p.moreParents?.find((c) => c.key === key);
  }

  /** Live children of `p` whose parent was `p` at `t` get the reaper as parent from `t` on. */
  #reparentChildren(p: ProcEntry, t: BootNs): void {
    let reaper: ProcEntry | undefined | null = null;
    if (p.childCount === 0) return; // before p.key: most exits have no children
    const pkey = p.key;
    for (const c of p.childList()) {
      if (c.exitNs !== undefined && c.exitNs <= t) continue;
      if (c.parentAt(t) !== pkey) continue;
      if (reaper === null) reaper = this.#reaperOf(p, t);
      if (reaper === undefined) {
        this.#requestFill(1);
        return;
      }
      if (reaper !== c) this.#setParent(c, reaper, t);
    }
  }

  /**
   * The task that inherits p's orphans at `t`: the init of the pid namespace (nearest live
   * ancestor with nsPid 1), else host pid 1. Subreapers are not known here; a later fork
   * or snapshot naming the real parent corrects it.
   */
  #reaperOf(p: ProcEntry, t: BootNs): ProcEntry | undefined {
    let a = this.#currentParent(p);
    for (let depth = 0; a !== undefined && depth < MAX_WALK; depth++) {
      if (a.exitNs === undefined || a.exitNs > t) {
        if (a.pid === 1 || a.currentAttrs()?.nsPid === 1) return a;
      }
      a = this.#currentParent(a);
    }
    return this.#lookupPid(1, t);
  }

  #requestFill(pid: number): void {
    if (this.#fill.has(pid)) return;
    if (this.#fill.size >= this.#fillCap) {
      this.#fillDropped++;
      return;
    }
    this.#fill.add(pid);
    this.#fillRequested++;
  }

  #enforce(): void {
    this.#procs.enforce();
    this.#threads.enforce(this.#virtualLeaders);
  }

  /** Eviction callback: drop p from every index. */
  #removeProcess(p: ProcEntry, _reason: string): void {
    this.#byPid.remove(p.pid, p);
    const par0 = p.parent0;
    if (par0 !== undefined) {
      par0.unlinkChild(p);
      if (par0.tier !== Tier.Evicted) this.#procs.place(par0, this.#procTier(par0));
    }
    if (p.moreParents !== undefined) {
      for (const par of p.moreParents.slice()) {
        par.unlinkChild(p);
        if (par.tier !== Tier.Evicted) this.#procs.place(par, this.#procTier(par));
      }
    }
    if (p.childCount > 0) for (const c of p.childList()) p.unlinkChild(c);
    if (p.leader !== undefined) this.#threads.remove(p.leader, 'processEvicted');
    if (p.leaderVirtual) {
      p.leaderVirtual = false;
      this.#virtualLeaders--;
      this.#threads.count('processEvicted');
    }
    for (let th = p.firstOther; th !== undefined; ) {
      const next = th.sibNext;
      this.#threads.remove(th, 'processEvicted');
      p.removeThread(th); // (the eviction callback has unlinked it already)
      th = next;
    }
  }

  #removeThread(th: ThreadEntry, _reason: string): void {
    this.#byTid.remove(th.tid, th);
    th.process.removeThread(th);
  }

  #lookupPid(pid: number, at: BootNs): ProcEntry | undefined {
    return pickAt(this.#byPid.list(pid), at);
  }

  // ---------------------------------------------------------------- read side

  /** The process with this pid that started at `startNs` (ns, or ticks for procfs ones). */
  getProcessOf(pid: number, startNs: BootNs): ProcessNode | undefined {
    return this.#counted(this.#byPid.list(pid).find((p) => p.matches(startNs)));
  }

  /** The process with this exact key (`"<pid>@<startTicks>"`). */
  getProcess(key: string): ProcessNode | undefined {
    const k = parseTaskKey(key);
    return this.#counted(k === undefined ? undefined : this.#byPid.list(k.id).find((p) => p.startTicks === k.startTicks));
  }

  /** Counts a lookup by identity as hit or miss; a hit is the LRU's most recent. */
  #counted(p: ProcEntry | undefined): ProcessNode | undefined {
    if (p === undefined) {
      this.#procMisses++;
      return undefined;
    }
    this.#procHits++;
    this.#procs.touch(p);
    return p;
  }

  /** The process alive with this pid at `at`, else the most recent that started before `at`. */
  findProcessByPid(pid: number, at: BootNs): ProcessNode | undefined {
    return this.#counted(pickAt(this.#byPid.list(pid), at));
  }

  /** The thread with this exact key (`"<tid>@<startTicks>"`). */
  getThread(key: string): ThreadNode | undefined {
    const k = parseTaskKey(key);
    if (k !== undefined) this.#materializeLeaders(k.id);
    const list = k === undefined ? undefined : this.#byTid.list(k.id);
    if (list !== undefined) {
      for (const th of list) {
        if (th.startTicks === k!.startTicks) {
          this.#threadHits++;
          this.#threads.touch(th);
          return th;
        }
      }
    }
    this.#threadMisses++;
    return undefined;
  }

  /** Same rule as findProcessByPid, for tids. */
  findThreadByTid(tid: number, at: BootNs): ThreadNode | undefined {
    this.#materializeLeaders(tid);
    const th = pickAt(this.#byTid.list(tid), at);
    if (th === undefined) this.#threadMisses++;
    else {
      this.#threadHits++;
      this.#threads.touch(th);
    }
    return th;
  }

  /** Parent at `at` (follows parentKey.get(at)); undefined when unknown or evicted. */
  parentOf(p: ProcessNode, at: BootNs): ProcessNode | undefined {
    const key = p instanceof ProcEntry ? p.parentAt(at) : p.parentKey.get(at);
    if (key === undefined) return undefined;
    if (p instanceof ProcEntry) {
      if (p.parent0?.key === key) return p.parent0;
      const more = p.moreParents?.find((c) => c.key === key);
      if (more !== undefined) return more;
    }
    return this.getProcess(key);
  }

  /** Processes whose parent at `at` was `p` and that existed at `at`. */
  childrenOf(p: ProcessNode, at: BootNs): ProcessNode[] {
    const own = p instanceof ProcEntry ? p : this.getProcess(p.key);
    if (!(own instanceof ProcEntry)) return [];
    const key = own.key;
    const out: ProcessNode[] = [];
    for (const c of own.childList()) if (c.aliveAt(at) && c.parentAt(at) === key) out.push(c);
    return out;
  }

  /** Threads of `p` that existed at `at` (started <= at, not exited before at). */
  threadsOf(p: ProcessNode, at: BootNs): ThreadNode[] {
    const own = p instanceof ProcEntry ? p : this.getProcess(p.key);
    if (!(own instanceof ProcEntry)) return [];
    this.#materializeLeader(own);
    const out: ThreadNode[] = [];
    for (const th of own.threadList()) if (th.aliveAt(at)) out.push(th);
    return out;
  }

  /** All cached processes, in no particular order. */
  *processes(): IterableIterator<ProcessNode> {
    yield* this.#byPid.values();
  }

  /** Cache counters: sizes, hits, misses, evictions by reason, events applied and unknown tasks by type. */
  stats(): ProcessTreeCounters {
    return {
      processes: {
        size: this.#procs.size,
        capacity: this.#procs.capacity,
        hits: this.#procHits,
        misses: this.#procMisses,
        evictions: this.#procs.evictionCounts(),
      },
      threads: {
        size: this.#threads.size + this.#virtualLeaders,
        capacity: this.#threads.capacity,
        hits: this.#threadHits,
        misses: this.#threadMisses,
        evictions: this.#threads.evictionCounts(),
      },
      applied: { ...this.#applied },
      unknownTasks: { ...this.#unknown },
      fill: { pending: this.#fill.size, requested: this.#fillRequested, dropped: this.#fillDropped },
      rejected: this.#rejected,
    };
  }
}

/** The entry alive at `at` (latest start wins), else the latest that started at or before `at`. */
function pickAt<E extends ProcEntry | ThreadEntry>(list: readonly E[] | undefined, at: BootNs): E | undefined {
  if (list === undefined) return undefined;
  let alive: E | undefined;
  let before: E | undefined;
  for (const e of list) {
    if (e.startNs > at) continue;
    if (e.exitNs === undefined || e.exitNs > at) {
      if (alive === undefined || e.startNs > alive.startNs) alive = e;
    } else if (before === undefined || e.startNs > before.startNs) before = e;
  }
  return alive ?? before;
}
