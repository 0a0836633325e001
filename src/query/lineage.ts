/**
 * Walks of the process tree at one moment: ancestors (lineage) and descendants.
 * Both are bounded (depth and size) and cycle-safe: a corrupt parent chain ends the walk
 * instead of looping.
 */
import type { BootNs } from '../events/types.js';
import type { ProcessNode, ProcessTreeReader } from '../caches/process-model.js';

/** A lineage: `chain[0]` is the process itself, the last element the oldest ancestor. */
export interface Lineage {
  readonly chain: readonly ProcessNode[];
  /** True when maxDepth stopped the walk while a further ancestor existed. */
  readonly truncated: boolean;
}

/** Ancestors of `node` at `at`, up to `maxDepth` of them (the root is usually pid 1). */
export function lineageOf(
  tree: ProcessTreeReader,
  node: ProcessNode,
  at: BootNs,
  maxDepth: number,
): Lineage {
  const chain: ProcessNode[] = [node];
  const seen = new Set<string>([node.key]);
  let cur = node;
  for (;;) {
    const parent = tree.parentOf(cur, at);
    if (parent === undefined || seen.has(parent.key)) return { chain, truncated: false };
    if (chain.length > maxDepth) return { chain, truncated: true };
    chain.push(parent);
    seen.add(parent.key);
    cur = parent;
  }
}

/** One descendant with its depth below the start (children are depth 1). */
export interface Descendant {
  readonly node: ProcessNode;
  readonly depth: number;
  readonly parentKey: string;
}

/** Result of a descendants walk. */
export interface Descendants {
  readonly items: readonly Descendant[];
  /** True when `limit` or `maxDepth` cut the walk short. */
  readonly truncated: boolean;
}

/** Children of `node` at `at`, ordered by pid then start time (a stable order for clients). */
export function sortedChildren(tree: ProcessTreeReader, node: ProcessNode, at: BootNs): ProcessNode[] {
  return tree.childrenOf(node, at).sort(compareProcesses);
}

/** Order processes by pid, then start time. */
export function compareProcesses(a: ProcessNode, b: ProcessNode): number {
  return a.pid - b.pid || (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0);
}

/** Breadth-first descendants of `node` at `at`, at most `maxDepth` levels and `limit` items. */
export function descendantsOf(
  tree: ProcessTreeReader,
  node: ProcessNode,
  at: BootNs,
  maxDepth: number,
  limit: number,
): Descendants {
  const items: Descendant[] = [];
  const seen = new Set<string>([node.key]);
  let frontier: ProcessNode[] = [node];
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: ProcessNode[] = [];
    for (const p of frontier) {
      for (const c of sortedChildren(tree, p, at)) {
        if (seen.has(c.key)) continue;
        if (depth > maxDepth || items.length >= limit) return { items, truncated: true };
        seen.add(c.key);
        items.push({ node: c, depth, parentKey: p.key });
        next.push(c);
      }
    }
    frontier = next;
  }
  return { items, truncated: false };
}
