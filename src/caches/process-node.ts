/**
 * The mutable cache-side nodes behind ProcessNode / ThreadNode. Only process-tree.ts
 * mutates them; readers see them through the read-only interfaces of process-model.ts.
 *
 * Keys, start ticks and entity ids are computed lazily and cached: the hot ingest path
 * matches tasks by (pid, startNs) with bigint compares and never builds strings.
 */
import type { BootNs, FileInfo, TaskInfo } from '../events/types.js';
import { Changelog, arrayEquals } from './changelog.js';
import type { ExecRecord, ProcessNode, TaskAttrs, ThreadNode } from './process-model.js';
import { TICK_NS, hashTaskId } from './task-id.js';

/** Where a node sits in the eviction policy. */
export const Tier = {
  /** Alive: never evicted. */
  Live: 0,
  /** Exited, no cached process names it as parent: evicted first (LRU). */
  ExitedLeaf: 1,
  /** Exited but some cached process names it as parent: kept while leaves remain. */
  ExitedAncestor: 2,
  /** Removed from the cache. */
  Evicted: 3,
} as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

/** Per-tree settings every node needs. */
export interface NodeContext {
  readonly bootToEpochNs: bigint;
  readonly changelogSize: number;
}

/** Structural equality of TaskAttrs snapshots. */
export function attrsEquals(a: TaskAttrs, b: TaskAttrs): boolean {
  return (
    a.comm === b.comm &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.cgroupId === b.cgroupId &&
    a.pidNsId === b.pidNsId &&
    a.nsPid === b.nsPid &&
    a.nsTid === b.nsTid
  );
}

/** Structural equality of FileInfo snapshots. */
export function fileEquals(a: FileInfo, b: FileInfo): boolean {
  return a.path === b.path && a.inode === b.inode && a.dev === b.dev && a.ctimeNs === b.ctimeNs && a.mode === b.mode;
}

/** A fresh TaskAttrs snapshot of an event's task (never the event's own object). */
export function attrsOf(t: TaskInfo): TaskAttrs {
  return Object.freeze({
    comm: t.comm,
    uid: t.uid,
    gid: t.gid,
    cgroupId: t.cgroupId,
    pidNsId: t.pidNsId,
    nsPid: t.nsPid,
    nsTid: t.nsTid,
  });
}

/** A fresh FileInfo snapshot. */
export function fileOf(f: FileInfo): FileInfo {
  return Object.freeze({ path: f.path, inode: f.inode, dev: f.dev, ctimeNs: f.ctimeNs, mode: f.mode });
}

/** True when `ns` came from procfs (tick precision) rather than the kernel's exact ns. */
export function isTickPrecision(ns: BootNs): boolean {
  return ns % TICK_NS === 0n;
}

/** Shared identity logic of processes and threads. */
abstract class TaskEntry {
  startNs: BootNs;
  exitNs: BootNs | undefined = undefined;
  exitStatus: number | undefined = undefined;
  tier: Tier = Tier.Live;
  /** Recency list links, owned by EvictionPool. */
  lruPrev: TaskEntry | undefined = undefined;
  lruNext: TaskEntry | undefined = undefined;
  readonly #ctx: NodeContext;
  #key: string | undefined = undefined;
  #ticks: bigint | undefined = undefined;
  #entityId: number | undefined = undefined;

  constructor(
    readonly id: number,
    startNs: BootNs,
    ctx: NodeContext,
  ) {
    this.startNs = startNs;
    this.#ctx = ctx;
  }

  get key(): string {
    return (this.#key ??= `${this.id}@${this.startTicks}`);
  }

  get startTicks(): bigint {
    return (this.#ticks ??= this.startNs / TICK_NS);
  }

  get entityId(): number {
    return (this.#entityId ??= hashTaskId(this.id, this.startNs + this.#ctx.bootToEpochNs));
  }

  /** Same task as (id, startNs)? Exact ns first; tick precision when either side came from procfs. */
  matches(startNs: BootNs): boolean {
    return this.startNs === startNs || this.startTicks === startNs / TICK_NS;
  }

  /** Replace a tick-precision start by the kernel's exact one (same ticks, so the key stays). */
  refineStart(startNs: BootNs): void {
    if (this.startNs !== startNs && isTickPrecision(this.startNs) && !isTickPrecision(startNs)) {
      this.startNs = startNs;
      this.#entityId = undefined;
    }
  }

  /** Started at or before `at` and not exited by then. */
  aliveAt(at: BootNs): boolean {
    return this.startNs <= at && (this.exitNs === undefined || this.exitNs > at);
  }

  protected get ctx(): NodeContext {
    return this.#ctx;
  }
}

const NO_PARENTS: readonly ProcEntry[] = Object.freeze([]);
const NO_EXECS: readonly ExecRecord[] = Object.freeze([]);

/**
 * A thread-group leader (a process) in the cache. Tens of thousands live at once, so the
 * rarely used parts (children, extra threads, exec history) are allocated on first use.
 */
export class ProcEntry extends TaskEntry implements ProcessNode {
  readonly parentKey: Changelog<string>;
  readonly attrs: Changelog<TaskAttrs>;
  readonly executable: Changelog<FileInfo>;
  readonly argv: Changelog<readonly string[]>;
  origin: 'event' | 'procfs';
  /** Distinct cached processes named in parentKey (kept in sync with their `children`). */
  parents: readonly ProcEntry[] = NO_PARENTS;
  /** Cached processes naming this one in their parentKey, at any time. */
  children: Set<ProcEntry> | undefined = undefined;
  /** The leader's own thread entry. */
  leader: ThreadEntry | undefined = undefined;
  /** Other threads of the group. */
  others: Set<ThreadEntry> | undefined = undefined;
  #execs: ExecRecord[] | undefined = undefined;

  constructor(pid: number, startNs: BootNs, origin: 'event' | 'procfs', ctx: NodeContext) {
    super(pid, startNs, ctx);
    this.origin = origin;
    const capacity = ctx.changelogSize;
    this.parentKey = new Changelog<string>({ capacity });
    this.attrs = new Changelog<TaskAttrs>({ capacity, equals: attrsEquals });
    this.executable = new Changelog<FileInfo>({ capacity, equals: fileEquals });
    this.argv = new Changelog<readonly string[]>({ capacity, equals: arrayEquals });
  }

  get pid(): number {
    return this.id;
  }

  /** Execs oldest first, bounded. */
  get execHistory(): readonly ExecRecord[] {
    return this.#execs ?? NO_EXECS;
  }

  /** The mutable exec history (created on first use). */
  execList(): ExecRecord[] {
    return (this.#execs ??= []);
  }

  get childCount(): number {
    return this.children === undefined ? 0 : this.children.size;
  }

  /** Every thread entry of this process, leader first. */
  threadList(): ThreadEntry[] {
    const out: ThreadEntry[] = this.leader === undefined ? [] : [this.leader];
    if (this.others !== undefined) for (const t of this.others) out.push(t);
    return out;
  }

  addThread(th: ThreadEntry): void {
    if (th.attrs === this.attrs && this.leader === undefined) this.leader = th;
    else (this.others ??= new Set()).add(th);
  }

  removeThread(th: ThreadEntry): void {
    if (this.leader === th) this.leader = undefined;
    else this.others?.delete(th);
  }
}

/** A task (thread) in the cache; the leader's thread shares the process's attrs. */
export class ThreadEntry extends TaskEntry implements ThreadNode {
  readonly attrs: Changelog<TaskAttrs>;

  constructor(
    tid: number,
    startNs: BootNs,
    readonly process: ProcEntry,
    ctx: NodeContext,
  ) {
    super(tid, startNs, ctx);
    this.attrs =
      tid === process.pid && process.matches(startNs)
        ? process.attrs
        : new Changelog<TaskAttrs>({ capacity: ctx.changelogSize, equals: attrsEquals });
  }

  get tid(): number {
    return this.id;
  }

  get processKey(): string {
    return this.process.key;
  }
}
