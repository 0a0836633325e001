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
  /** Next edge from the same owner to the same target (another type or SRV port). */
  next: GraphEdge | undefined;
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

const NO_NODES: ReadonlyMap<GraphNode, number> = new Map();

/**
 * Edges are keyed by their target node (identity hashing, no string keys on the hot
 * path); the rare second edge to the same target is chained through `next`. Maps are
 * created on first use: most nodes are leaves, and roots have no parents.
 */
export class GraphNode {
  /** True while the node is a query root held by the LRU. */
  isRoot = false;
  /** Scratch mark of unreachableFrom (epoch numbers instead of per-call Sets). */
  mark = 0;
  /** Outgoing edges: target → first edge to it. */
  children: Map<GraphNode, GraphEdge> | undefined;
  /** Number of outgoing edges. */
  edgeCount = 0;
  /** Incoming edges: parent → number of edges from it. */
  parents: Map<GraphNode, number> | undefined;
  /** Responses to this question, oldest first (roots only, bounded). */
  responses: DnsResponseView[] | undefined;
  /** Askers of this question by asker key (roots only, bounded). */
  askers: Map<string, AskerRecord> | undefined;

  constructor(
    readonly kind: 'name' | 'address',
    readonly value: string,
  ) {}

  /** The edge `this --type(:port)--> target`, if any. */
  findEdge(target: GraphNode, type: DnsEdgeType, port?: number): GraphEdge | undefined {
    for (let e = this.children?.get(target); e !== undefined; e = e.next) {
      if (e.type === type && e.port === port) return e;
    }
    return undefined;
  }

  /** Add a new edge (caller checked findEdge) and link this node as a parent of its target. */
  addEdge(edge: GraphEdge): void {
    const children = (this.children ??= new Map());
    const head = children.get(edge.target);
    if (head === undefined) children.set(edge.target, edge);
    else {
      edge.next = head.next;
      head.next = edge;
    }
    this.edgeCount++;
    const parents = (edge.target.parents ??= new Map());
    parents.set(this, (parents.get(this) ?? 0) + 1);
  }

  /** Remove one edge and its parent link. */
  removeEdge(edge: GraphEdge): void {
    const children = this.children;
    if (children === undefined) return;
    const head = children.get(edge.target);
    if (head === edge) {
      if (edge.next === undefined) children.delete(edge.target);
      else children.set(edge.target, edge.next);
    } else {
      let e = head;
      while (e !== undefined && e.next !== edge) e = e.next;
      if (e === undefined) return;
      e.next = edge.next;
    }
    this.edgeCount--;
    unlinkParent(edge.target, this);
  }

  /** All outgoing edges, in insertion order of their targets. */
  edges(): GraphEdge[] {
    const out: GraphEdge[] = [];
    if (this.children === undefined) return out;
    for (const head of this.children.values()) for (let e: GraphEdge | undefined = head; e !== undefined; e = e.next) out.push(e);
    return out;
  }

  /** Parent nodes (one entry per parent, whatever the number of edges). */
  parentNodes(): IterableIterator<GraphNode> {
    return (this.parents ?? NO_NODES).keys();
  }
}

/** Remove one parent link; the parent disappears from the map with its last edge. */
export function unlinkParent(child: GraphNode, parent: GraphNode): void {
  const n = child.parents?.get(parent);
  if (n === undefined) return;
  if (n <= 1) child.parents!.delete(parent);
  else child.parents!.set(parent, n - 1);
}

let epoch = 0;

/**
 * Nodes that no query root reaches any more after a change below `starts` (a root was
 * demoted, or an edge into a start node was removed). Only descendants of `starts` can
 * have lost their path to a root; a descendant survives when it is a root or a parent
 * outside that set (still reachable by the invariant) or a surviving parent reaches it.
 * This is what keeps nodes shared between roots alive (the seed deleted them).
 */
export function unreachableFrom(starts: readonly GraphNode[]): GraphNode[] {
  // mark === affected: below a start; mark === alive: still reached by a root.
  const affected = (epoch += 2);
  const alive = affected + 1;
  const list: GraphNode[] = [];
  const stack = [...starts];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.mark === affected) continue;
    n.mark = affected;
    list.push(n);
    if (n.children !== undefined) for (const t of n.children.keys()) if (t.mark !== affected) stack.push(t);
  }
  const queue: GraphNode[] = [];
  for (const n of list) {
    let keep = n.isRoot;
    if (!keep) {
      for (const p of n.parentNodes()) {
        if (p.mark !== affected && p.mark !== alive) {
          keep = true;
          break;
        }
      }
    }
    if (keep) queue.push(n);
  }
  for (const n of queue) n.mark = alive;
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (n.children === undefined) continue;
    for (const t of n.children.keys()) {
      if (t.mark === affected) {
        t.mark = alive;
        queue.push(t);
      }
    }
  }
  const dead: GraphNode[] = [];
  for (const n of list) if (n.mark === affected) dead.push(n);
  return dead;
}
