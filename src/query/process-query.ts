/**
 * The one query layer REST and GraphQL both call: lookups at a moment, listing with
 * filters and cursors, walks, and DTOs. It only reads the tree and never throws for a
 * miss or bad input: callers turn `undefined` into their own error (404/400).
 */
import type { BootNs } from '../events/types.js';
import type { ProcessNode, ProcessTreeReader, ThreadNode } from '../caches/process-model.js';
import { type Clock, resolveAt } from './time.js';
import { globToRegExp } from './glob.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { compareProcesses, type Descendants, descendantsOf, type Lineage, lineageOf, sortedChildren } from './lineage.js';
import { aliveAt, nameAt } from './process-view.js';
import type { ContainerReader } from './container-view.js';

/** Which processes a listing includes, relative to `at`. */
export type ProcessState = 'alive' | 'exited' | 'all';

/** Options of {@link ProcessQuery.list}. */
export interface ListOptions {
  readonly at: BootNs;
  /** Glob on the process name at `at`. */
  readonly name?: string;
  /** `alive` (default): existed at `at`; `exited`: had exited by `at`; `all`: started by `at`. */
  readonly state?: ProcessState;
  readonly limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  readonly after?: string;
}

/** One page of a listing. */
export interface ListPage {
  readonly items: readonly ProcessNode[];
  /** Cursor for the next page, undefined on the last one. */
  readonly nextCursor: string | undefined;
}

/** Why a listing was refused. */
export type ListError = 'bad-cursor' | 'bad-glob';

/** Point-in-time queries over a {@link ProcessTreeReader}. */
export class ProcessQuery {
  /** The tree read (never mutated), the boot → wall clock, and the container cache when there is one. */
  constructor(
    readonly tree: ProcessTreeReader,
    readonly clock: Clock,
    readonly containers?: ContainerReader,
  ) {}

  /** Current boot time. */
  now(): BootNs {
    return this.clock.nowBootNs();
  }

  /** Parse an `at` parameter (undefined → now); undefined when malformed. */
  at(input: string | undefined): BootNs | undefined {
    return resolveAt(this.clock, input);
  }

  /** The process that had `pid` at `at` (alive then, else the latest one started before). */
  processByPid(pid: number, at: BootNs): ProcessNode | undefined {
    return this.tree.findProcessByPid(pid, at);
  }

  /** The process with this key (any time). */
  processByKey(key: string): ProcessNode | undefined {
    return this.tree.getProcess(key);
  }

  /** The thread that had `tid` at `at`. */
  threadByTid(tid: number, at: BootNs): ThreadNode | undefined {
    return this.tree.findThreadByTid(tid, at);
  }

  /** Parent of `node` at `at`. */
  parent(node: ProcessNode, at: BootNs): ProcessNode | undefined {
    return this.tree.parentOf(node, at);
  }

  /** Children at `at`, by pid. */
  children(node: ProcessNode, at: BootNs): ProcessNode[] {
    return sortedChildren(this.tree, node, at);
  }

  /** Threads at `at`, by tid. */
  threads(node: ProcessNode, at: BootNs): ThreadNode[] {
    return this.tree.threadsOf(node, at).sort((a, b) => a.tid - b.tid || (a.startNs < b.startNs ? -1 : 1));
  }

  /** Ancestor chain, process first. */
  lineage(node: ProcessNode, at: BootNs, maxDepth: number): Lineage {
    return lineageOf(this.tree, node, at, maxDepth);
  }

  /** Descendants breadth-first. */
  descendants(node: ProcessNode, at: BootNs, maxDepth: number, limit: number): Descendants {
    return descendantsOf(this.tree, node, at, maxDepth, limit);
  }

  /** A page of processes ordered by (pid, start), filtered by state and name glob. */
  list(opts: ListOptions): ListPage | ListError {
    const after = opts.after === undefined ? undefined : decodeCursor(opts.after);
    if (opts.after !== undefined && after === undefined) return 'bad-cursor';
    const re = opts.name === undefined ? undefined : globToRegExp(opts.name);
    if (opts.name !== undefined && re === undefined) return 'bad-glob';
    const state = opts.state ?? 'alive';
    const at = opts.at;
    const picked: ProcessNode[] = [];
    for (const p of this.tree.processes()) {
      if (p.startNs > at) continue;
      if (state === 'alive' && !aliveAt(p, at)) continue;
      if (state === 'exited' && (p.exitNs === undefined || p.exitNs > at)) continue;
      if (after !== undefined && (p.pid < after.pid || (p.pid === after.pid && p.startNs <= after.startNs))) continue;
      if (re !== undefined && !re.test(nameAt(p, at))) continue;
      picked.push(p);
    }
    picked.sort(compareProcesses);
    const items = picked.slice(0, opts.limit);
    const last = items[items.length - 1];
    const nextCursor =
      picked.length > opts.limit && last !== undefined ? encodeCursor({ pid: last.pid, startNs: last.startNs }) : undefined;
    return { items, nextCursor };
  }
}
