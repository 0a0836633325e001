/**
 * The lineage report model (shared by REST and the CLI): every process alive at any moment
 * of `[from, to)` — including those that exited in it — as a forest of parent → child edges.
 *
 * A process is in the range when `start < to` and it had not exited by `from`. Its
 * *primary* parent is the one in force when its in-range life began (max(from, start)); it
 * hangs under that parent in the forest. Later parents (re-parenting to a reaper when the
 * parent died) are extra edges. The model holds node references and child lists only, so
 * its size is a few pointers per process; renderers (report-render.ts) stream the text.
 */
import type { BootNs } from '../events/types.js';
import type { ChangelogReader, ProcessNode, ProcessTreeReader } from '../caches/process-model.js';
import type { ContainerReader } from './container-view.js';
import { compareProcesses } from './lineage.js';

/** Output formats of a report. */
export const REPORT_FORMATS = ['json', 'dot', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Filters of a report, already resolved. */
export interface ReportSelection {
  /** Range start (inclusive), boot ns. */
  readonly from: BootNs;
  /** Range end (exclusive), boot ns; must be > from. */
  readonly to: BootNs;
  /** Only this process and its descendants (by any parent edge in the range). */
  readonly root?: ProcessNode;
  /** Only processes that were in this container at some moment of the range. */
  readonly containerId?: string;
  /** Only processes with a matching name (comm) at some moment of the range. */
  readonly name?: RegExp;
}

/** One parent edge of a process during the range. */
export interface ReportParent {
  readonly key: string;
  /** When this parent took effect (the fork for the first one, the re-parenting for later ones). */
  readonly since: BootNs;
}

/** One process of the report, in forest order (depth-first, children by pid then start). */
export interface ReportEntry {
  readonly node: ProcessNode;
  /** Depth in the report's forest (roots are 0). */
  readonly depth: number;
  /** Parent edges whose validity overlaps the process's in-range life, oldest first. */
  readonly parents: readonly ReportParent[];
  /** True when the first parent is itself in the report (the entry hangs under it). */
  readonly parentInReport: boolean;
  /** Start of the process's in-range life: max(from, start). */
  readonly since: BootNs;
}

/** A report over a range: counts are known up front, entries are produced lazily. */
export interface LineageReport {
  readonly selection: ReportSelection;
  /** Processes in the report. */
  readonly size: number;
  /** Roots of the forest. */
  readonly roots: number;
  /** True when `key` is in the report. */
  has(key: string): boolean;
  /** The entries in forest order (a fresh walk each call). */
  entries(): Generator<ReportEntry>;
}

/** True when `p` existed at some moment of `[from, to)`. */
export function aliveInRange(p: { startNs: BootNs; exitNs: BootNs | undefined }, from: BootNs, to: BootNs): boolean {
  return p.startNs < to && (p.exitNs === undefined || p.exitNs > from);
}

/** The values of a changelog in force during `[lo, hi)` (the first entry counts from -inf). */
export function valuesDuring<T>(log: ChangelogReader<T>, lo: BootNs, hi: BootNs): Array<{ time: BootNs; value: T }> {
  const es = log.entries();
  const out: Array<{ time: BootNs; value: T }> = [];
  for (let i = 0; i < es.length; i++) {
    const e = es[i] as { time: BootNs; value: T };
    const next = es[i + 1];
    if (next !== undefined && next.time <= lo) continue; // superseded before the window
    if (i > 0 && e.time >= hi) break; // starts after the window
    out.push({ time: e.time, value: e.value });
  }
  return out;
}

/** The in-range life of `p`: `[max(from, start), min(to, exit))`. */
function window(p: ProcessNode, from: BootNs, to: BootNs): [BootNs, BootNs] {
  const lo = p.startNs > from ? p.startNs : from;
  const hi = p.exitNs !== undefined && p.exitNs < to ? p.exitNs : to;
  return [lo, hi];
}

/** Parent edges of `p` during its in-range life. */
export function parentsInRange(p: ProcessNode, from: BootNs, to: BootNs): ReportParent[] {
  const [lo, hi] = window(p, from, to);
  const out: ReportParent[] = [];
  for (const e of valuesDuring(p.parentKey, lo, hi)) {
    if (out.length > 0 && out[out.length - 1]?.key === e.value) continue;
    out.push({ key: e.value, since: e.time });
  }
  return out;
}

function nameMatches(p: ProcessNode, re: RegExp, lo: BootNs, hi: BootNs): boolean {
  for (const e of valuesDuring(p.attrs, lo, hi)) if (re.test(e.value.comm)) return true;
  return false;
}

function inContainer(p: ProcessNode, containers: ContainerReader, id: string, lo: BootNs, hi: BootNs): boolean {
  for (const e of valuesDuring(p.attrs, lo, hi)) {
    const cg = e.value.cgroupId;
    if (cg !== 0n && containers.containerIdForCgroup(cg) === id) return true;
  }
  return false;
}

/**
 * Select and arrange the processes of a report. Reads every cached process once (O(n));
 * keeps only references, child lists and one set of keys.
 */
export function buildLineageReport(tree: ProcessTreeReader, sel: ReportSelection, containers?: ContainerReader): LineageReport {
  const { from, to } = sel;
  // Every process alive in the range, with its first parent during it.
  const inRange = new Map<string, ProcessNode>();
  for (const p of tree.processes()) if (aliveInRange(p, from, to)) inRange.set(p.key, p);

  let selected: Map<string, ProcessNode>;
  if (sel.root !== undefined) {
    // Descendants by any parent edge in the range (a re-parented orphan still belongs to its
    // original subtree), breadth-first over an index of the in-range edges.
    const kids = new Map<string, ProcessNode[]>();
    for (const p of inRange.values()) {
      for (const e of parentsInRange(p, from, to)) {
        let l = kids.get(e.key);
        if (l === undefined) kids.set(e.key, (l = []));
        l.push(p);
      }
    }
    selected = new Map();
    if (inRange.has(sel.root.key)) {
      selected.set(sel.root.key, sel.root);
      const queue: ProcessNode[] = [sel.root];
      for (let i = 0; i < queue.length; i++) {
        for (const c of kids.get((queue[i] as ProcessNode).key) ?? []) {
          if (selected.has(c.key)) continue;
          selected.set(c.key, c);
          queue.push(c);
        }
      }
    }
  } else selected = inRange;

  if (sel.name !== undefined || sel.containerId !== undefined) {
    const re = sel.name;
    const cid = sel.containerId;
    const kept = new Map<string, ProcessNode>();
    for (const [k, p] of selected) {
      const [lo, hi] = window(p, from, to);
      if (re !== undefined && !nameMatches(p, re, lo, hi)) continue;
      if (cid !== undefined && (containers === undefined || !inContainer(p, containers, cid, lo, hi))) continue;
      kept.set(k, p);
    }
    selected = kept;
  }

  // Forest by primary parent; children sorted once.
  const children = new Map<string, ProcessNode[]>();
  const rootList: ProcessNode[] = [];
  for (const p of selected.values()) {
    const first = primaryParent(p, from, to);
    if (first !== undefined && first !== p.key && selected.has(first)) {
      let l = children.get(first);
      if (l === undefined) children.set(first, (l = []));
      l.push(p);
    } else rootList.push(p);
  }
  for (const l of children.values()) l.sort(compareProcesses);
  rootList.sort(compareProcesses);
  const size = selected.size;

  return {
    selection: sel,
    size,
    roots: rootList.length,
    has: (key) => selected.has(key),
    *entries() {
      // Each process is in exactly one child list (its primary parent's), so a walk from the
      // roots reaches every process at most once and never enters a parent cycle.
      let emitted = 0;
      for (const e of walk(rootList, children, sel, selected)) {
        emitted++;
        yield e;
      }
      // A corrupt parent cycle has no root: emit its members as roots so none is lost.
      if (emitted < size) {
        const reached = new Set<string>();
        for (const e of walk(rootList, children, sel, selected)) reached.add(e.node.key);
        const rest = [...selected.values()].filter((p) => !reached.has(p.key)).sort(compareProcesses);
        for (const p of rest) {
          if (reached.has(p.key)) continue;
          for (const e of walk([p], children, sel, selected, reached)) {
            reached.add(e.node.key);
            yield e;
          }
        }
      }
    },
  };
}

function primaryParent(p: ProcessNode, from: BootNs, to: BootNs): string | undefined {
  const [lo] = window(p, from, to);
  const es = p.parentKey.entries();
  if (es.length === 0) return undefined;
  let v = (es[0] as { value: string }).value;
  for (const e of es) {
    if (e.time > lo) break;
    v = e.value;
  }
  return v;
}

/** Depth-first pre-order with an explicit stack (depth is unbounded: no recursion); `stop` cuts at already emitted nodes. */
function* walk(
  roots: readonly ProcessNode[],
  children: ReadonlyMap<string, readonly ProcessNode[]>,
  sel: ReportSelection,
  selected: ReadonlyMap<string, ProcessNode>,
  stop?: ReadonlySet<string>,
): Generator<ReportEntry> {
  const stack: Array<{ node: ProcessNode; depth: number }> = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i] as ProcessNode, depth: 0 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: ProcessNode; depth: number };
    if (stop?.has(node.key) === true) continue;
    const parents = parentsInRange(node, sel.from, sel.to);
    const first = parents[0]?.key;
    yield {
      node,
      depth,
      parents,
      parentInReport: depth > 0 && first !== undefined && selected.has(first),
      since: node.startNs > sel.from ? node.startNs : sel.from,
    };
    const kids = children.get(node.key);
    if (kids !== undefined) for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i] as ProcessNode, depth: depth + 1 });
  }
}
