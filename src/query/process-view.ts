/**
 * A process or thread as seen at one moment: field accessors and the JSON DTOs that
 * REST returns. GraphQL resolvers use the same accessors, so both APIs agree.
 */
import type { BootNs, FileInfo } from '../events/types.js';
import type {
  ChangelogReader,
  ExecRecord,
  ProcessNode,
  ProcessTreeReader,
  TaskAttrs,
  ThreadNode,
} from '../caches/process-model.js';
import { type Clock, formatBoot, formatTime } from './time.js';
import { type ContainerReader, type ContainerRefDto, processContainerDto } from './container-view.js';

/** An executable's identity (Tracee FileInfo); big integers as decimal strings. */
export interface FileInfoDto {
  path: string;
  inode: string;
  dev: number;
  /** Inode change time (wall clock), RFC 3339. */
  ctime: string;
  ctimeNs: string;
  mode: number;
}

/** Enough to name a process (the `parent` field). */
export interface ProcessRefDto {
  key: string;
  pid: number;
  name: string;
}

/** Start and exit of a process or thread; exit fields are null while it was alive at the moment described. */
export interface LifespanDto {
  startTime: string;
  startTimeNs: string;
  exitTime: string | null;
  exitTimeNs: string | null;
  exitCode: number | null;
  exitSignal: number | null;
}

/** A process at a moment: what lineage, children and list entries carry. */
export interface ProcessSummaryDto extends ProcessRefDto, LifespanDto {
  entityId: number;
  executable: FileInfoDto | null;
  argv: string[];
  alive: boolean;
  /** The container the process was in at the queried moment; null on the host. */
  container: ContainerRefDto | null;
}

/** One exec in a process's history. */
export interface ExecRecordDto {
  time: string;
  timeNs: string;
  path: string;
  executable: FileInfoDto;
  argv: string[];
  argvTruncated: boolean;
}

/** Everything about a process at a moment (`GET /v1/processes/{pid}`). */
export interface ProcessDto extends ProcessSummaryDto {
  /** The effective query time. */
  at: string;
  atNs: string;
  parent: ProcessRefDto | null;
  uid: number | null;
  gid: number | null;
  cgroupId: string | null;
  pidNsId: number | null;
  nsPid: number | null;
  origin: 'event' | 'procfs';
  execHistory: ExecRecordDto[];
}

/** A thread at a moment. */
export interface ThreadDto extends LifespanDto {
  /** The effective query time. */
  at: string;
  atNs: string;
  key: string;
  tid: number;
  pid: number | null;
  processKey: string;
  entityId: number;
  name: string;
  alive: boolean;
  uid: number | null;
  gid: number | null;
}

/** Value in force at `at`, or the earliest one when `at` predates the history. */
export function valueAt<T>(log: ChangelogReader<T>, at: BootNs): T | undefined {
  const v = log.get(at);
  if (v !== undefined) return v;
  const first = log.entries()[0];
  return first === undefined ? undefined : first.value;
}

/** Attributes (comm, uid, ...) of a task at `at`. */
export function attrsAt(node: ProcessNode | ThreadNode, at: BootNs): TaskAttrs | undefined {
  // The reader objects (node.attrs) are built per read: only for the rare fallback.
  return node.attrsAt(at) ?? valueAt(node.attrs, at);
}

/** `comm` at `at` ('' when never known). */
export function nameAt(node: ProcessNode | ThreadNode, at: BootNs): string {
  return attrsAt(node, at)?.comm ?? '';
}

/** Executable at `at`. */
export function executableAt(node: ProcessNode, at: BootNs): FileInfo | undefined {
  return node.imageAt(at)?.file ?? valueAt(node.executable, at);
}

/** argv at `at` (empty when unknown). */
export function argvAt(node: ProcessNode, at: BootNs): readonly string[] {
  return node.imageAt(at)?.argv ?? valueAt(node.argv, at) ?? [];
}

/** True when the task existed at `at` (started, not yet exited). */
export function aliveAt(node: { startNs: BootNs; exitNs: BootNs | undefined }, at: BootNs): boolean {
  return node.startNs <= at && (node.exitNs === undefined || node.exitNs > at);
}

/** True when the task had exited by `at`. */
export function exitedAt(node: { exitNs: BootNs | undefined }, at: BootNs): boolean {
  return node.exitNs !== undefined && node.exitNs <= at;
}

/** Exit code from a wait(2) status (null when killed by a signal or unknown). */
export function exitCodeOf(status: number | undefined): number | null {
  // Negative: the exit was inferred by procfs polling and its status is unknowable.
  if (status === undefined || status < 0) return null;
  return (status & 0x7f) === 0 ? (status >> 8) & 0xff : null;
}

/** Terminating signal from a wait(2) status (null when it exited normally). */
export function exitSignalOf(status: number | undefined): number | null {
  if (status === undefined || status < 0) return null;
  const sig = status & 0x7f;
  return sig === 0 ? null : sig;
}

/** FileInfo → DTO (ctime is wall-clock already: inode times are CLOCK_REALTIME). */
export function fileInfoDto(f: FileInfo): FileInfoDto {
  return {
    path: f.path,
    inode: f.inode.toString(),
    dev: f.dev,
    ctime: formatTime(f.ctimeNs),
    ctimeNs: f.ctimeNs.toString(),
    mode: f.mode,
  };
}

/** ExecRecord → DTO. */
export function execRecordDto(clock: Clock, r: ExecRecord): ExecRecordDto {
  return {
    time: formatBoot(clock, r.time),
    timeNs: (r.time + clock.bootToEpochNs).toString(),
    path: r.file.path,
    executable: fileInfoDto(r.file),
    argv: [...r.argv],
    argvTruncated: r.argvTruncated,
  };
}

/** Start and exit of a task as seen at `at` (exit fields null while it was running). */
export function lifespanDto(clock: Clock, node: { startNs: BootNs; exitNs: BootNs | undefined; exitStatus: number | undefined }, at: BootNs): LifespanDto {
  const exited = exitedAt(node, at);
  return {
    startTime: formatBoot(clock, node.startNs),
    startTimeNs: (node.startNs + clock.bootToEpochNs).toString(),
    exitTime: exited ? formatBoot(clock, node.exitNs as BootNs) : null,
    exitTimeNs: exited ? ((node.exitNs as BootNs) + clock.bootToEpochNs).toString() : null,
    exitCode: exited ? exitCodeOf(node.exitStatus) : null,
    exitSignal: exited ? exitSignalOf(node.exitStatus) : null,
  };
}

/** The process at `at` as a summary (`containers` resolves its `container` field). */
export function processSummaryDto(clock: Clock, node: ProcessNode, at: BootNs, containers?: ContainerReader): ProcessSummaryDto {
  const exe = executableAt(node, at);
  return {
    key: node.key,
    pid: node.pid,
    name: nameAt(node, at),
    entityId: node.entityId,
    executable: exe === undefined ? null : fileInfoDto(exe),
    argv: [...argvAt(node, at)],
    ...lifespanDto(clock, node, at),
    alive: aliveAt(node, at),
    container: processContainerDto(containers, node, at),
  };
}

/**
 * The process at `at` with parent, credentials and exec history, plus the effective time.
 * (The REST detail keeps its rendering while the process is unchanged: see
 * server/rest/process-detail.ts; this runs when something changed.)
 */
export function processDto(
  tree: ProcessTreeReader,
  clock: Clock,
  node: ProcessNode,
  at: BootNs,
  containers?: ContainerReader,
): ProcessDto {
  const a = attrsAt(node, at);
  const parent = tree.parentOf(node, at);
  const exe = executableAt(node, at);
  const history: ExecRecordDto[] = [];
  for (const r of node.execHistory) if (r.time <= at) history.push(execRecordDto(clock, r));
  const off = clock.bootToEpochNs;
  return {
    at: formatTime(at + off),
    atNs: (at + off).toString(),
    key: node.key,
    pid: node.pid,
    name: a?.comm ?? '',
    entityId: node.entityId,
    executable: exe === undefined ? null : fileInfoDto(exe),
    argv: argvAt(node, at).slice(),
    ...lifespanDto(clock, node, at),
    alive: aliveAt(node, at),
    container: processContainerDto(containers, node, at),
    parent: parent === undefined ? null : { key: parent.key, pid: parent.pid, name: nameAt(parent, at) },
    uid: a?.uid ?? null,
    gid: a?.gid ?? null,
    cgroupId: a === undefined ? null : a.cgroupId.toString(),
    pidNsId: a?.pidNsId ?? null,
    nsPid: a?.nsPid ?? null,
    origin: node.origin,
    execHistory: history,
  };
}

/** A descendant: the summary plus its depth and parent key. */
export interface DescendantDto extends ProcessSummaryDto {
  depth: number;
  parentKey: string;
}

/** Summary of a descendant at `at`. */
export function descendantDto(
  clock: Clock,
  node: ProcessNode,
  at: BootNs,
  depth: number,
  parentKey: string,
  containers?: ContainerReader,
): DescendantDto {
  const d = processSummaryDto(clock, node, at, containers) as DescendantDto;
  d.depth = depth;
  d.parentKey = parentKey;
  return d;
}

/** The pid encoded in a `"<pid>@<ticks>"` key (null when malformed). */
export function pidOfKey(key: string): number | null {
  const at = key.indexOf('@');
  const pid = Number(at < 0 ? NaN : key.slice(0, at));
  return Number.isSafeInteger(pid) ? pid : null;
}

/** The thread at `at`. */
export function threadDto(clock: Clock, node: ThreadNode, at: BootNs): ThreadDto {
  const a = attrsAt(node, at);
  const off = clock.bootToEpochNs;
  return {
    at: formatTime(at + off),
    atNs: (at + off).toString(),
    key: node.key,
    tid: node.tid,
    pid: pidOfKey(node.processKey),
    processKey: node.processKey,
    entityId: node.entityId,
    name: a?.comm ?? '',
    ...lifespanDto(clock, node, at),
    alive: aliveAt(node, at),
    uid: a?.uid ?? null,
    gid: a?.gid ?? null,
  };
}
