/**
 * What GraphQL resolvers pass down: a node plus the effective time `at`. Nested fields
 * read `atBoot` from their parent object, which is how `at` is inherited. Scalar fields are
 * getters so the default (jit-inlined) resolvers read them without resolver calls.
 */
import type { BootNs, FileInfo } from '../../events/types.js';
import type { ProcessNode, ThreadNode } from '../../caches/process-model.js';
import {
  aliveAt,
  argvAt,
  attrsAt,
  type Clock,
  executableAt,
  exitCodeOf,
  exitedAt,
  exitSignalOf,
  type FileInfoDto,
  formatBoot,
  formatTime,
  nameAt,
  pidOfKey,
} from '../../query/index.js';

/** Fields common to processes and threads. */
abstract class TaskRef<N extends ProcessNode | ThreadNode> {
  constructor(
    readonly node: N,
    /** The effective time (boot ns) nested fields inherit. */
    readonly atBoot: BootNs,
    readonly clock: Clock,
  ) {}
  /** Loader cache key: identity plus time, never the whole node. */
  toJSON(): string {
    return `${this.node.key}|${this.atBoot}`;
  }
  get atNs(): string {
    return (this.atBoot + this.clock.bootToEpochNs).toString();
  }
  /** GraphQL `at`: the effective time as RFC 3339. */
  get at(): string {
    return formatBoot(this.clock, this.atBoot);
  }
  get key(): string {
    return this.node.key;
  }
  get entityId(): number {
    return this.node.entityId;
  }
  get name(): string {
    return nameAt(this.node, this.atBoot);
  }
  get startTime(): string {
    return formatBoot(this.clock, this.node.startNs);
  }
  get startTimeNs(): string {
    return (this.node.startNs + this.clock.bootToEpochNs).toString();
  }
  get exitTime(): string | null {
    return exitedAt(this.node, this.atBoot) ? formatBoot(this.clock, this.node.exitNs as BootNs) : null;
  }
  get exitTimeNs(): string | null {
    return exitedAt(this.node, this.atBoot) ? ((this.node.exitNs as BootNs) + this.clock.bootToEpochNs).toString() : null;
  }
  get exitCode(): number | null {
    return exitedAt(this.node, this.atBoot) ? exitCodeOf(this.node.exitStatus) : null;
  }
  get exitSignal(): number | null {
    return exitedAt(this.node, this.atBoot) ? exitSignalOf(this.node.exitStatus) : null;
  }
  get alive(): boolean {
    return aliveAt(this.node, this.atBoot);
  }
  get uid(): number | null {
    return attrsAt(this.node, this.atBoot)?.uid ?? null;
  }
  get gid(): number | null {
    return attrsAt(this.node, this.atBoot)?.gid ?? null;
  }
}

/** A process at a moment (GraphQL `Process`). */
export class ProcessRef extends TaskRef<ProcessNode> {
  get pid(): number {
    return this.node.pid;
  }
  get executable(): FileInfoRef | null {
    const f = executableAt(this.node, this.atBoot);
    return f === undefined ? null : new FileInfoRef(f);
  }
  get argv(): readonly string[] {
    return argvAt(this.node, this.atBoot);
  }
  get cgroupId(): string | null {
    return attrsAt(this.node, this.atBoot)?.cgroupId.toString() ?? null;
  }
  get pidNsId(): number | null {
    return attrsAt(this.node, this.atBoot)?.pidNsId ?? null;
  }
  get nsPid(): number | null {
    return attrsAt(this.node, this.atBoot)?.nsPid ?? null;
  }
  get origin(): string {
    return this.node.origin;
  }
}

/**
 * GraphQL `FileInfo`: fileInfoDto's fields (same conversions) as getters, so a query for
 * `path` alone (the common one, e.g. in lineages) does not format times and big integers
 * it drops.
 */
export class FileInfoRef implements FileInfoDto {
  constructor(readonly file: FileInfo) {}
  get path(): string {
    return this.file.path;
  }
  get inode(): string {
    return this.file.inode.toString();
  }
  get dev(): number {
    return this.file.dev;
  }
  get ctime(): string {
    return formatTime(this.file.ctimeNs);
  }
  get ctimeNs(): string {
    return this.file.ctimeNs.toString();
  }
  get mode(): number {
    return this.file.mode;
  }
}

/** A thread at a moment (GraphQL `Thread`). */
export class ThreadRef extends TaskRef<ThreadNode> {
  get tid(): number {
    return this.node.tid;
  }
  get pid(): number | null {
    return pidOfKey(this.node.processKey);
  }
}
