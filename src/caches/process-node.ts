/**
 * The mutable cache-side nodes behind ProcessNode / ThreadNode. Only process-tree.ts
 * mutates them; readers see them through the read-only interfaces of process-model.ts.
 *
 * Keys, start ticks and entity ids are computed lazily and cached: the hot ingest path
 * matches tasks by (pid, startNs) with bigint compares and never builds strings.
 */
import type { BootNs, FileInfo, TaskInfo } from '../events/types.js';
import { Changelog, arrayEquals, deepFreeze, type ChangelogOptions } from './changelog.js';
import type { ChangelogReader, ExecRecord, Image, ProcessNode, TaskAttrs, ThreadNode } from './process-model.js';
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
  /** Options of every attrs Changelog (one object shared by all). */
  readonly attrsOptions: ChangelogOptions<TaskAttrs>;
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

const NO_EXECS: readonly ExecRecord[] = Object.freeze([]);

/** Structural equality of images (file by value, argv element-wise). */
export function imageEquals(a: Image, b: Image): boolean {
  if (a === b) return true;
  const fa = a.file;
  const fb = b.file;
  if (fa !== fb && (fa === undefined || fb === undefined || !fileEquals(fa, fb))) return false;
  const xa = a.argv;
  const xb = b.argv;
  return xa === xb || (xa !== undefined && xb !== undefined && arrayEquals(xa, xb));
}

type Entry<V> = { readonly time: BootNs; readonly value: V };

/** A read view of one field of the image history (allocated per read, never stored). */
class ImageFieldView<V> implements ChangelogReader<V> {
  constructor(
    private readonly log: ChangelogReader<Image>,
    private readonly pick: (i: Image) => V | undefined,
    private readonly eq: (a: V, b: V) => boolean,
  ) {}

  get(t: BootNs): V | undefined {
    const i = this.log.get(t);
    return i === undefined ? undefined : this.pick(i);
  }

  current(): V | undefined {
    const i = this.log.current();
    return i === undefined ? undefined : this.pick(i);
  }

  entries(): ReadonlyArray<Entry<V>> {
    const out: Entry<V>[] = [];
    for (const e of this.log.entries()) {
      const v = this.pick(e.value);
      if (v === undefined) continue;
      const last = out[out.length - 1];
      if (last !== undefined && this.eq(last.value, v)) continue; // the other field changed
      out.push(Object.freeze({ time: e.time, value: v }));
    }
    return out;
  }
}

const pickFile = (i: Image): FileInfo | undefined => i.file;
const pickArgv = (i: Image): readonly string[] | undefined => i.argv;

/** A read view of a history with at most one entry. */
class OneEntryView<V> implements ChangelogReader<V> {
  constructor(
    private readonly time: BootNs,
    private readonly value: V | undefined,
  ) {}

  get(t: BootNs): V | undefined {
    return this.value !== undefined && this.time <= t ? this.value : undefined;
  }

  current(): V | undefined {
    return this.value;
  }

  entries(): ReadonlyArray<Entry<V>> {
    return this.value === undefined ? [] : [Object.freeze({ time: this.time, value: this.value })];
  }
}

/**
 * A thread-group leader (a process) in the cache. Tens of thousands live at once and each
 * long-lived object costs a copy in young GC, so the rarely used parts (children, extra
 * threads, exec history beyond the first, parent changes) are allocated on first use.
 */
/** Read view of a process's inline attribute history (a class: no closures per access). */
class InlineAttrsView implements ChangelogReader<TaskAttrs> {
  constructor(private readonly node: ProcEntry) {}

  get(t: BootNs): TaskAttrs | undefined {
    return this.node.attrsAt(t);
  }

  current(): TaskAttrs | undefined {
    return this.node.currentAttrs();
  }

  entries(): ReadonlyArray<{ readonly time: BootNs; readonly value: TaskAttrs }> {
    return this.node.inlineAttrEntries();
  }
}

/** Read view of a process's inline image (executable + argv) history. */
class InlineImageView implements ChangelogReader<Image> {
  constructor(private readonly node: ProcEntry) {}

  get(t: BootNs): Image | undefined {
    return this.node.imageAt(t);
  }

  current(): Image | undefined {
    return this.node.currentImage();
  }

  entries(): ReadonlyArray<{ readonly time: BootNs; readonly value: Image }> {
    return this.node.inlineImageEntries();
  }
}

export class ProcEntry extends TaskEntry implements ProcessNode {
  // Attributes over time, inline like the image (fork, exec): see setAttrs.
  #aT0: BootNs = 0n;
  #a0: TaskAttrs | undefined = undefined;
  #aT1: BootNs = 0n;
  #a1: TaskAttrs | undefined = undefined;
  #aLog: Changelog<TaskAttrs> | undefined = undefined;
  // Executable + argv over time: two entries inline (fork's inherited image, one exec),
  // a Changelog only from the third on or for out-of-order sets.
  #imgT0: BootNs = 0n;
  #img0: Image | undefined = undefined;
  #imgT1: BootNs = 0n;
  #img1: Image | undefined = undefined;
  #imgLog: Changelog<Image> | undefined = undefined;
  origin: 'event' | 'procfs';
  // The parent/children index: cached processes named in a process's parentKey are its
  // linked parents, and it is their child. The first link is intrusive (a sibling list
  // through the children, no allocation, O(1) unlink); more (re-parenting) use a Set.
  /** The parent whose intrusive child list holds this process. */
  parent0: ProcEntry | undefined = undefined;
  /** Further linked parents (this process is in their `moreChildren`). */
  moreParents: ProcEntry[] | undefined = undefined;
  firstChild: ProcEntry | undefined = undefined;
  sibPrev: ProcEntry | undefined = undefined;
  sibNext: ProcEntry | undefined = undefined;
  moreChildren: Set<ProcEntry> | undefined = undefined;
  /** Linked children. */
  childCount = 0;
  /** The leader's own thread entry. */
  leader: ThreadEntry | undefined = undefined;
  /** The leader's thread exists but has no entry (it shares this entry's start, attrs and exit). */
  leaderVirtual = false;
  /** Other threads of the group. */
  firstOther: ThreadEntry | undefined = undefined;
  // Parent history: the first entry inline, a Changelog only once it changes (re-parenting).
  #parentTime: BootNs = 0n;
  #parentKey: string | undefined = undefined;
  #parentLog: Changelog<string> | undefined = undefined;
  // Exec history: one record bare, an array from the second exec on.
  #execs: ExecRecord | ExecRecord[] | undefined = undefined;

  constructor(pid: number, startNs: BootNs, origin: 'event' | 'procfs', ctx: NodeContext) {
    super(pid, startNs, ctx);
    this.origin = origin;
  }

  /** Attributes over time (a read view; inline storage, see the fields). */
  get attrs(): ChangelogReader<TaskAttrs> {
    return this.#aLog ?? new InlineAttrsView(this);
  }

  /** The inline attribute entries, oldest first (used by the read view). */
  inlineAttrEntries(): ReadonlyArray<{ readonly time: BootNs; readonly value: TaskAttrs }> {
    const out: { readonly time: BootNs; readonly value: TaskAttrs }[] = [];
    if (this.#a0 !== undefined) out.push(Object.freeze({ time: this.#aT0, value: this.#a0 }));
    if (this.#a1 !== undefined) out.push(Object.freeze({ time: this.#aT1, value: this.#a1 }));
    return out;
  }

  /** The attributes in force at `t`. */
  attrsAt(t: BootNs): TaskAttrs | undefined {
    if (this.#aLog !== undefined) return this.#aLog.get(t);
    if (this.#a1 !== undefined && this.#aT1 <= t) return this.#a1;
    return this.#a0 !== undefined && this.#aT0 <= t ? this.#a0 : undefined;
  }

  /** The latest attributes. */
  currentAttrs(): TaskAttrs | undefined {
    if (this.#aLog !== undefined) return this.#aLog.current();
    return this.#a1 ?? this.#a0;
  }

  /** Time of the first attributes entry. */
  attrsFirstTime(): BootNs | undefined {
    if (this.#aLog !== undefined) return this.#aLog.firstTime();
    return this.#a0 === undefined ? undefined : this.#aT0;
  }

  /**
   * Changelog.set semantics for the attributes. In-order appends of the first two entries
   * stay in fields (no Changelog object for most processes); anything else moves the
   * entries into a Changelog, which then handles it.
   */
  setAttrs(a: TaskAttrs, time: BootNs): boolean {
    if (this.#aLog === undefined && this.ctx.changelogSize >= 2) {
      if (this.#a0 === undefined) {
        this.#aT0 = time;
        this.#a0 = deepFreeze(a);
        return true;
      }
      if (this.#a1 === undefined && this.#aT0 < time) {
        if (attrsEquals(this.#a0, a)) return false;
        this.#aT1 = time;
        this.#a1 = deepFreeze(a);
        return true;
      }
      if (this.#a1 !== undefined && this.#aT1 < time && attrsEquals(this.#a1, a)) return false;
    }
    let log = this.#aLog;
    if (log === undefined) {
      log = this.#aLog = new Changelog<TaskAttrs>(this.ctx.attrsOptions);
      if (this.#a0 !== undefined) log.set(this.#a0, this.#aT0);
      if (this.#a1 !== undefined) log.set(this.#a1, this.#aT1);
      this.#a0 = this.#a1 = undefined;
    }
    return log.set(a, time);
  }

  /** Executable + argv over time (a read view; inline storage, see the fields). */
  get image(): ChangelogReader<Image> {
    return this.#imgLog ?? new InlineImageView(this);
  }

  /** The inline image entries, oldest first (used by the read view). */
  inlineImageEntries(): ReadonlyArray<{ readonly time: BootNs; readonly value: Image }> {
    const out: { readonly time: BootNs; readonly value: Image }[] = [];
    if (this.#img0 !== undefined) out.push(Object.freeze({ time: this.#imgT0, value: this.#img0 }));
    if (this.#img1 !== undefined) out.push(Object.freeze({ time: this.#imgT1, value: this.#img1 }));
    return out;
  }

  /** The image in force at `t`. */
  imageAt(t: BootNs): Image | undefined {
    if (this.#imgLog !== undefined) return this.#imgLog.get(t);
    if (this.#img1 !== undefined && this.#imgT1 <= t) return this.#img1;
    return this.#img0 !== undefined && this.#imgT0 <= t ? this.#img0 : undefined;
  }

  /** The latest image. */
  currentImage(): Image | undefined {
    if (this.#imgLog !== undefined) return this.#imgLog.current();
    return this.#img1 ?? this.#img0;
  }

  /** Time of the first image entry. */
  imageFirstTime(): BootNs | undefined {
    if (this.#imgLog !== undefined) return this.#imgLog.firstTime();
    return this.#img0 === undefined ? undefined : this.#imgT0;
  }

  /** Changelog.set semantics for the image (in-order appends stay inline). */
  setImage(img: Image, time: BootNs): boolean {
    if (this.#imgLog === undefined && this.ctx.changelogSize >= 2) {
      if (this.#img0 === undefined) {
        this.#imgT0 = time;
        this.#img0 = deepFreeze(img);
        return true;
      }
      if (this.#img1 === undefined && this.#imgT0 < time) {
        if (imageEquals(this.#img0, img)) return false;
        this.#imgT1 = time;
        this.#img1 = deepFreeze(img);
        return true;
      }
      if (this.#img1 !== undefined && this.#imgT1 < time && imageEquals(this.#img1, img)) return false;
    }
    let log = this.#imgLog;
    if (log === undefined) {
      log = this.#imgLog = new Changelog<Image>({ capacity: this.ctx.changelogSize, equals: imageEquals });
      if (this.#img0 !== undefined) log.set(this.#img0, this.#imgT0);
      if (this.#img1 !== undefined) log.set(this.#img1, this.#imgT1);
      this.#img0 = this.#img1 = undefined;
    }
    return log.set(img, time);
  }

  get pid(): number {
    return this.id;
  }

  /** Parent process key over time. */
  get parentKey(): ChangelogReader<string> {
    return this.#parentLog ?? new OneEntryView(this.#parentTime, this.#parentKey);
  }

  /** Executable over time (inherited from the parent at fork, replaced at exec). */
  get executable(): ChangelogReader<FileInfo> {
    return new ImageFieldView(this.image, pickFile, fileEquals);
  }

  /** argv over time. */
  get argv(): ChangelogReader<readonly string[]> {
    return new ImageFieldView(this.image, pickArgv, arrayEquals);
  }

  /** Parent key in force at `t`. */
  parentAt(t: BootNs): string | undefined {
    if (this.#parentLog !== undefined) return this.#parentLog.get(t);
    return this.#parentKey !== undefined && this.#parentTime <= t ? this.#parentKey : undefined;
  }

  /** The latest parent key. */
  currentParentKey(): string | undefined {
    return this.#parentLog !== undefined ? this.#parentLog.current() : this.#parentKey;
  }

  /** Time of the first parent entry, if any. */
  firstParentTime(): BootNs | undefined {
    if (this.#parentLog !== undefined) return this.#parentLog.firstTime();
    return this.#parentKey === undefined ? undefined : this.#parentTime;
  }

  /** Changelog.set semantics for the parent key; true when the history changed. */
  setParentKey(key: string, time: BootNs): boolean {
    if (this.#parentLog === undefined) {
      if (this.#parentKey === undefined) {
        this.#parentKey = key;
        this.#parentTime = time;
        return true;
      }
      if (this.#parentKey === key && this.#parentTime <= time) return false;
      this.#parentLog = new Changelog<string>({ capacity: this.ctx.changelogSize });
      this.#parentLog.set(this.#parentKey, this.#parentTime);
      this.#parentKey = undefined;
    }
    return this.#parentLog.set(key, time);
  }

  /** Distinct parent keys held, oldest first. */
  parentKeys(): string[] {
    if (this.#parentLog !== undefined) return this.#parentLog.values();
    return this.#parentKey === undefined ? [] : [this.#parentKey];
  }

  /** Execs oldest first, bounded. */
  get execHistory(): readonly ExecRecord[] {
    const h = this.#execs;
    return h === undefined ? NO_EXECS : Array.isArray(h) ? h : Object.freeze([h]);
  }

  /** How many exec records are at or before `at` (no array built for a lone record). */
  execCountAt(at: BootNs): number {
    const h = this.#execs;
    if (h === undefined) return 0;
    if (!Array.isArray(h)) return h.time <= at ? 1 : 0;
    let n = 0;
    while (n < h.length && h[n]!.time <= at) n++;
    return n;
  }

  /** The `i`-th exec record, oldest first. */
  execAt(i: number): ExecRecord | undefined {
    const h = this.#execs;
    return h === undefined ? undefined : Array.isArray(h) ? h[i] : i === 0 ? h : undefined;
  }

  /** Inserts an exec record in time order, dropping the oldest beyond `max`; replayed duplicates are ignored. */
  recordExec(rec: ExecRecord, max: number): void {
    const cur = this.#execs;
    if (cur === undefined) {
      this.#execs = rec;
      return;
    }
    const h: ExecRecord[] = Array.isArray(cur) ? cur : [cur];
    let i = h.length;
    while (i > 0 && h[i - 1]!.time > rec.time) i--;
    const same = i > 0 ? h[i - 1]! : undefined;
    if (same !== undefined && same.time === rec.time && same.file.path === rec.file.path) return;
    if (h.length >= max) {
      if (i === 0) return; // older than everything kept
      h.shift();
      i--;
    }
    h.splice(i, 0, rec);
    this.#execs = h.length === 1 ? h[0] : h;
  }

  /** Linked parents (distinct cached processes named in parentKey). */
  parentList(): ProcEntry[] {
    const out: ProcEntry[] = this.parent0 === undefined ? [] : [this.parent0];
    if (this.moreParents !== undefined) out.push(...this.moreParents);
    return out;
  }

  /** Linked children (cached processes naming this one in their parentKey, at any time); a copy. */
  childList(): ProcEntry[] {
    const out: ProcEntry[] = [];
    for (let c = this.firstChild; c !== undefined; c = c.sibNext) out.push(c);
    if (this.moreChildren !== undefined) for (const c of this.moreChildren) out.push(c);
    return out;
  }

  /** Links `child` under this process; false when already linked. */
  linkChild(child: ProcEntry): boolean {
    if (child.parent0 === this || (child.moreParents !== undefined && child.moreParents.includes(this))) return false;
    if (child.parent0 === undefined) {
      child.parent0 = this;
      child.sibPrev = undefined;
      child.sibNext = this.firstChild;
      if (this.firstChild !== undefined) this.firstChild.sibPrev = child;
      this.firstChild = child;
    } else {
      (child.moreParents ??= []).push(this);
      (this.moreChildren ??= new Set()).add(child);
    }
    this.childCount++;
    return true;
  }

  /** Unlinks `child` from this process; false when it was not linked. */
  unlinkChild(child: ProcEntry): boolean {
    if (child.parent0 === this) {
      const prev = child.sibPrev;
      const next = child.sibNext;
      if (prev === undefined) this.firstChild = next;
      else prev.sibNext = next;
      if (next !== undefined) next.sibPrev = prev;
      child.parent0 = child.sibPrev = child.sibNext = undefined;
    } else {
      const i = child.moreParents === undefined ? -1 : child.moreParents.indexOf(this);
      if (i < 0) return false;
      child.moreParents!.splice(i, 1);
      if (child.moreParents!.length === 0) child.moreParents = undefined;
      this.moreChildren?.delete(child);
      if (this.moreChildren?.size === 0) this.moreChildren = undefined;
    }
    this.childCount--;
    return true;
  }

  /** Every thread entry of this process, leader first. */
  threadList(): ThreadEntry[] {
    const out: ThreadEntry[] = this.leader === undefined ? [] : [this.leader];
    const first = out.length;
    for (let t = this.firstOther; t !== undefined; t = t.sibNext) out.push(t);
    // the list is newest first: hand the others out oldest first
    for (let i = first, j = out.length - 1; i < j; i++, j--) [out[i], out[j]] = [out[j]!, out[i]!];
    return out;
  }

  addThread(th: ThreadEntry): void {
    if (th.ownAttrs === undefined && this.leader === undefined) this.leader = th;
    else if (th.sibPrev === undefined && this.firstOther !== th) {
      // an intrusive list: no Set per threaded process
      th.sibNext = this.firstOther;
      if (this.firstOther !== undefined) this.firstOther.sibPrev = th;
      this.firstOther = th;
    }
  }

  removeThread(th: ThreadEntry): void {
    if (this.leader === th) this.leader = undefined;
    else if (th.sibPrev !== undefined || this.firstOther === th) {
      const prev = th.sibPrev;
      const next = th.sibNext;
      if (prev === undefined) this.firstOther = next;
      else prev.sibNext = next;
      if (next !== undefined) next.sibPrev = prev;
      th.sibPrev = th.sibNext = undefined;
    }
  }
}

/** A task (thread) in the cache; the leader's thread shares the process's attrs. */
export class ThreadEntry extends TaskEntry implements ThreadNode {
  /** Links of the process's list of other (non-leader) threads. */
  sibPrev: ThreadEntry | undefined = undefined;
  sibNext: ThreadEntry | undefined = undefined;
  /** This thread's own attrs history; undefined for the leader's thread, which shares its process's. */
  readonly ownAttrs: Changelog<TaskAttrs> | undefined;

  constructor(
    tid: number,
    startNs: BootNs,
    readonly process: ProcEntry,
    ctx: NodeContext,
  ) {
    super(tid, startNs, ctx);
    this.ownAttrs = tid === process.pid && process.matches(startNs) ? undefined : new Changelog<TaskAttrs>(ctx.attrsOptions);
  }

  /** Attributes over time (the process's for the leader's thread). */
  get attrs(): ChangelogReader<TaskAttrs> {
    return this.ownAttrs ?? this.process.attrs;
  }

  /** The attributes in force at `t`. */
  attrsAt(t: BootNs): TaskAttrs | undefined {
    return this.ownAttrs !== undefined ? this.ownAttrs.get(t) : this.process.attrsAt(t);
  }

  get tid(): number {
    return this.id;
  }

  get processKey(): string {
    return this.process.key;
  }
}
