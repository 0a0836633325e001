/**
 * Read-side shape of the process tree: what the query layer (REST and GraphQL alike)
 * may see. The ProcessTree class (process-tree.ts) implements `ProcessTreeReader`.
 * All times are boot-time ns (`bigint`); conversion to wall clock happens in the query layer.
 */
import type { BootNs, FileInfo } from '../events/types.js';

/** A bounded, time-ordered history of one attribute (see changelog.ts). */
export interface ChangelogReader<T> {
  /** The value in force at `t` (latest entry with time <= t), or undefined before the first. */
  get(t: BootNs): T | undefined;
  /** The latest value. */
  current(): T | undefined;
  /** Entries oldest first. */
  entries(): ReadonlyArray<{ readonly time: BootNs; readonly value: T }>;
}

/** Per-task attributes that can change over a task's life (exec renames comm, setuid...). */
export interface TaskAttrs {
  readonly comm: string;
  readonly uid: number;
  readonly gid: number;
  readonly cgroupId: bigint;
  readonly pidNsId: number;
  readonly nsPid: number;
  readonly nsTid: number;
}

/** One exec of a process image. */
export interface ExecRecord {
  readonly time: BootNs;
  readonly file: FileInfo;
  readonly argv: readonly string[];
  readonly argvTruncated: boolean;
}

/**
 * What a process runs: executable and argv change together (fork inherits both, exec
 * replaces both), so one history holds both. Exec events store their ExecRecord itself;
 * a forked child stores its parent's image object (immutable, so sharing is safe).
 */
export interface Image {
  readonly file: FileInfo | undefined;
  readonly argv: readonly string[] | undefined;
}

/** A thread-group leader, i.e. a process. Key: `"<pid>@<startTicks>"`. */
export interface ProcessNode {
  readonly key: string;
  readonly pid: number;
  /** Leader's start_boottime in ns (ticks precision when it came from procfs). */
  readonly startNs: BootNs;
  /** start_boottime floored to USER_HZ ticks (= /proc/PID/stat field 22). */
  readonly startTicks: bigint;
  /** Tracee's HashTaskID (murmur3), for interoperability; never a primary key. */
  readonly entityId: number;
  /** Parent process key over time (re-parenting on parent exit). */
  readonly parentKey: ChangelogReader<string>;
  readonly attrs: ChangelogReader<TaskAttrs>;
  /** `attrs.get(t)` without a reader object (a request reads it several times). */
  attrsAt(t: BootNs): TaskAttrs | undefined;
  /** Executable over time (inherited from the parent at fork, replaced at exec). */
  readonly executable: ChangelogReader<FileInfo>;
  readonly argv: ChangelogReader<readonly string[]>;
  /** Executable and argv in force at `t` (what `executable.get(t)` and `argv.get(t)` read). */
  imageAt(t: BootNs): Image | undefined;
  /** Execs oldest first, bounded. */
  readonly execHistory: readonly ExecRecord[];
  /** How many of execHistory are at or before `at`, without building the array. */
  execCountAt(at: BootNs): number;
  /** execHistory[i], without building the array. */
  execAt(i: number): ExecRecord | undefined;
  /** Group exit time, undefined while alive. */
  readonly exitNs: BootNs | undefined;
  /** wait(2)-style status of the group exit, undefined while alive. */
  readonly exitStatus: number | undefined;
  /** Where this node's data came from first: 'ebpf' events or a 'procfs' snapshot. */
  readonly origin: 'event' | 'procfs';
}

/** A task (thread), including the leader's own thread entry. Key: `"<tid>@<startTicks>"`. */
export interface ThreadNode {
  readonly key: string;
  readonly tid: number;
  readonly startNs: BootNs;
  readonly startTicks: bigint;
  readonly entityId: number;
  /** Key of the process (thread-group leader) this thread belongs to. */
  readonly processKey: string;
  readonly attrs: ChangelogReader<TaskAttrs>;
  /** `attrs.get(t)` without a reader object. */
  attrsAt(t: BootNs): TaskAttrs | undefined;
  readonly exitNs: BootNs | undefined;
  readonly exitStatus: number | undefined;
}

/** Counters every cache exposes (style: size, hits, misses, evictions by reason). */
export interface ProcessTreeStats {
  readonly processes: { size: number; capacity: number; hits: number; misses: number; evictions: Record<string, number> };
  readonly threads: { size: number; capacity: number; hits: number; misses: number; evictions: Record<string, number> };
  /** Events applied, by type (fork, exec, exit, snapshot). */
  readonly applied: Record<string, number>;
  /** Events for tasks never seen before (created on the fly), by type. */
  readonly unknownTasks: Record<string, number>;
}

/** The query surface of the process tree. Lookups never throw: a miss is `undefined`. */
export interface ProcessTreeReader {
  /** The process with this exact key. */
  getProcess(key: string): ProcessNode | undefined;
  /** The process `getProcess(taskKey(pid, startNs))` finds, without building the key. */
  getProcessOf(pid: number, startNs: BootNs): ProcessNode | undefined;
  /**
   * The process that had this pid at `at`: the one alive then, or if none was alive
   * the most recent one that started before `at`.
   */
  findProcessByPid(pid: number, at: BootNs): ProcessNode | undefined;
  getThread(key: string): ThreadNode | undefined;
  /** Same rule as findProcessByPid, for tids. */
  findThreadByTid(tid: number, at: BootNs): ThreadNode | undefined;
  /** Parent at `at` (follows parentKey.get(at)). */
  parentOf(p: ProcessNode, at: BootNs): ProcessNode | undefined;
  /** Processes whose parent at `at` was `p` and that existed at `at`. */
  childrenOf(p: ProcessNode, at: BootNs): ProcessNode[];
  /** Threads of `p` that existed at `at` (started <= at, not exited before at). */
  threadsOf(p: ProcessNode, at: BootNs): ThreadNode[];
  /** All cached processes, in no particular order. */
  processes(): IterableIterator<ProcessNode>;
  stats(): ProcessTreeStats;
}
