/**
 * One report entry as data: the JSON item of `GET /v1/reports/lineage?format=json`
 * (schema `ReportProcess` in openapi.yaml), also the source of the DOT and Markdown lines.
 * Attributes are taken as of the end of the process's in-range life, exit facts only when
 * the exit happened before the range's end (the report never shows the future of `to`).
 */
import type { BootNs } from '../events/types.js';
import type { ContainerReader, ContainerRefDto } from './container-view.js';
import { processContainerDto } from './container-view.js';
import type { ReportEntry } from './report.js';
import { type Clock, formatBoot } from './time.js';
import {
  argvAt,
  type ExecRecordDto,
  execRecordDto,
  executableAt,
  exitCodeOf,
  exitSignalOf,
  type LifespanDto,
  nameAt,
  pidOfKey,
} from './process-view.js';

/** A parent edge in the JSON report. */
export interface ReportParentDto {
  key: string;
  pid: number | null;
  /** When this parent took effect (fork, or re-parenting). */
  since: string;
  sinceNs: string;
}

/** One process of the JSON report (exit fields are null unless it exited before the range's end). */
export interface ReportProcessDto extends LifespanDto {
  key: string;
  pid: number;
  /** comm at the end of the process's in-range life. */
  name: string;
  /** Executable path then (null when never known). */
  executable: string | null;
  argv: string[];
  /** Depth in the report's forest (roots 0); items are in depth-first order. */
  depth: number;
  /** The parent the process hangs under (its parent when its in-range life began); null when unknown. */
  parentKey: string | null;
  /** True when `parentKey` is itself in the report. */
  parentInReport: boolean;
  /** Every parent during the in-range life, oldest first; more than one means re-parenting. */
  parents: ReportParentDto[];
  /** True when the process was still alive at the end of the range. */
  aliveAtEnd: boolean;
  /** Execs before the range's end, oldest first (execs before `from` show what it was running). */
  execs: ExecRecordDto[];
  /** The container when its in-range life began; null on the host (or without a container cache). */
  container: ContainerRefDto | null;
}

/** The last instant of the entry's in-range life. */
export function lastInstant(e: ReportEntry, to: BootNs): BootNs {
  const end = e.node.exitNs !== undefined && e.node.exitNs < to ? e.node.exitNs : to;
  const t = end - 1n;
  return t < e.since ? e.since : t;
}

/** Build the JSON item of one entry. */
export function reportProcessDto(clock: Clock, e: ReportEntry, to: BootNs, containers?: ContainerReader): ReportProcessDto {
  const n = e.node;
  const at = lastInstant(e, to);
  const off = clock.bootToEpochNs;
  const exited = n.exitNs !== undefined && n.exitNs < to;
  const execs: ExecRecordDto[] = [];
  for (const r of n.execHistory) if (r.time < to) execs.push(execRecordDto(clock, r));
  return {
    key: n.key,
    pid: n.pid,
    name: nameAt(n, at),
    executable: executableAt(n, at)?.path ?? null,
    argv: [...argvAt(n, at)],
    depth: e.depth,
    parentKey: e.parents[0]?.key ?? null,
    parentInReport: e.parentInReport,
    parents: e.parents.map((p) => ({ key: p.key, pid: pidOfKey(p.key), since: formatBoot(clock, p.since), sinceNs: (p.since + off).toString() })),
    startTime: formatBoot(clock, n.startNs),
    startTimeNs: (n.startNs + off).toString(),
    exitTime: exited ? formatBoot(clock, n.exitNs as BootNs) : null,
    exitTimeNs: exited ? ((n.exitNs as BootNs) + off).toString() : null,
    exitCode: exited ? exitCodeOf(n.exitStatus) : null,
    exitSignal: exited ? exitSignalOf(n.exitStatus) : null,
    aliveAtEnd: !exited,
    execs,
    container: processContainerDto(containers, n, e.since),
  };
}
