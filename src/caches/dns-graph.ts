/**
 * Nodes and edges of the DNS graph (internal to DnsCache).
 *
 * A node is a name or an address; an edge is one answer `owner --type--> target` with its
 * validity windows. Parents are counted per edge so that removing one of two edges
 * between the same pair keeps the link.
 */
import type { BootNs } from '../events/types.js';
import type { DnsAsker, DnsEdgeType, DnsResponseView } from './dns-views.js';
import type { ValidityWindow } from './dns-windows.js';

export interface GraphEdge {
  readonly type: DnsEdgeType;
  readonly owner: GraphNode;
  readonly target: GraphNode;
  readonly windows: ValidityWindow[];
  preference?: number;
  port?: number;
  priority?: number;
  weight?: number;
}

export interface AskerRecord {
  asker: DnsAsker;
  readonly key: string;
  readonly firstSeen: BootNs;
  lastSeen: BootNs;
  count: number;
  readonly qtypes: string[];
}

export class GraphNode {
  /** True while the node is a query root held by the LRU. */
  isRoot = false;
  /** Outgoing edges by `edgeKey`. */
  readonly children = new Map<string, GraphEdge>();
  /** Incoming edges: parent → number of edges from it. */
  readonly parents = new Map<GraphNode, number>();
  /** Responses to this question, oldest first (roots only, bounded). */
  responses: DnsResponseView[] | undefined;
  /** Askers of this question by asker key (roots only, bounded). */
  askers: Map<string, AskerRecord> | undefined;

  constructor(
    readonly kind: 'name' | 'address',
    readonly value: string,
  ) {}
}

/** Key of an edge among its owner's children. SRV keeps one edge per target and port. */
export function edgeKey(type: DnsEdgeType, target: GraphNode, port?: number): string {
  const base = `${type}${target.kind === 'address' ? '@' : ' '}${target.value}`;
  return port === undefined ? base : `${base}:${port}`;
}

/** Add one parent link (one edge) to `child`. */
export function linkParent(child: GraphNode, parent: GraphNode): void {
  child.parents.set(parent, (child.parents.get(parent) ?? 0) + 1);
}

/** Remove one parent link; the parent disappears from the map with its last edge. */
export function unlinkParent(child: GraphNode, parent: GraphNode): void {
  const n = child.parents.get(parent);
  if (n === undefined) return;
  if (n <= 1) child.parents.delete(parent);
  else child.parents.set(parent, n - 1);
}

/**
 * Nodes that no query root reaches any more after a change below `starts` (a root was
 * demoted, or an edge into a start node was removed). Only descendants of `starts` can
 * have lost their path to a root; a descendant survives when it is a root or a parent
 * outside that set (still reachable by the invariant) or a surviving parent reaches it.
 * This is what keeps nodes shared between roots alive (the seed deleted them).
 */
export function unreachableFrom(starts: readonly GraphNode[]): GraphNode[] {
  const affected = new Set<GraphNode>();
  const stack = [...starts];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (affected.has(n)) continue;
    affected.add(n);
    for (const e of n.children.values()) if (!affected.has(e.target)) stack.push(e.target);
  }
  const alive = new Set<GraphNode>();
  const queue: GraphNode[] = [];
  for (const n of affected) {
    let keep = n.isRoot;
    if (!keep) {
      for (const p of n.parents.keys()) {
        if (!affected.has(p)) {
          keep = true;
          break;
        }
      }
    }
    if (keep) {
      alive.add(n);
      queue.push(n);
    }
  }
  while (queue.length > 0) {
    const n = queue.pop()!;
    for (const e of n.children.values()) {
      if (affected.has(e.target) && !alive.has(e.target)) {
        alive.add(e.target);
        queue.push(e.target);
      }
    }
  }
  const dead: GraphNode[] = [];
  for (const n of affected) if (!alive.has(n)) dead.push(n);
  return dead;
}
