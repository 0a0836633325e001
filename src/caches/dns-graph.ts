/**
 * Nodes and edges of the DNS graph (internal to DnsCache).
 *
 * A node is a name or an address; an edge is one answer `owner --type--> target` with its
 * validity windows. A node lists its incoming edges too (each knows its place there, so
 * unlinking one is O(1) even for an address shared by thousands of names).
 *
 * Allocation matters here: a quarter of the responses of real traffic create a query root
 * and its answers, and evicted roots die in the old generation. Most nodes have one to
 * three edges, scanned linearly; a Map index of the outgoing edges by target is added only
 * when a node grows past SMALL (a CDN name with many addresses).
 */
import type { BootNs } from '../events/types.js';
import type { DnsAsker, DnsEdgeType, DnsResponseView } from './dns-views.js';
import type { ValidityWindow } from './dns-windows.js';

/**
 * One answer. The edge is itself its newest validity window (the ValidityWindow fields):
 * most answers only ever have one, and a window list plus a window object per answer were
 * two more objects for every answer of every new question, all surviving into the old
 * generation. Earlier windows, when an answer came back after a gap, are in `past`.
 */
export interface GraphEdge extends ValidityWindow {
  readonly type: DnsEdgeType;
  readonly owner: GraphNode;
  readonly target: GraphNode;
  /** Windows before the current one, oldest first (bounded with it by maxWindowsPerEdge). */
  past: ValidityWindow[] | undefined;
  /** Set when the edge left the graph (a root's lastAnswers may still point at it). */
  removed: boolean;
  /** Position in `target.inEdges` (unlinking is a swap with the last entry, no search). */
  inPos: number;
  preference?: number;
  port?: number;
  priority?: number;
  weight?: number;
}

/** Every validity window of an edge, oldest first (the edge itself last). */
export function windowsOf(e: GraphEdge): readonly ValidityWindow[] {
  return e.past === undefined ? [e] : [...e.past, e];
}

export interface AskerRecord {
  asker: DnsAsker;
  key: string;
  /**
   * First and last sighting as (seconds, ns) pairs (dns-windows.ts), not bigints: a busy
   * name keeps up to 32 of these, and a bigint each pinned the response's time object.
   */
  firstSec: number;
  firstNs: number;
  lastSec: number;
  lastNs: number;
  count: number;
  /** Query types asked: one type (the usual case) as a string, more as an array. */
  qtypes: string | string[];
  /** Neighbours in AskerSet's lastSeen order. */
  older: AskerRecord | undefined;
  newer: AskerRecord | undefined;
}

/** The query types of an asker record as a fresh array. */
export function qtypeList(r: AskerRecord): string[] {
  return typeof r.qtypes === 'string' ? [r.qtypes] : [...r.qtypes];
}

/**
 * The askers of one question by key, also linked in lastSeen order so that dropping the
 * least recently seen one is O(1) (a scan of every record on each newcomer cost ~10% of
 * the benchmark). Sightings mostly arrive in time order: re-linking is at the newest end.
 */
export class AskerSet {
  /** By key, created with the second asker (most questions have one: no Map for them). */
  #byKey: Map<string, AskerRecord> | undefined;
  #oldest: AskerRecord | undefined;
  #newest: AskerRecord | undefined;

  get size(): number {
    return this.#byKey !== undefined ? this.#byKey.size : this.#oldest === undefined ? 0 : 1;
  }

  get(key: string): AskerRecord | undefined {
    if (this.#byKey !== undefined) return this.#byKey.get(key);
    return this.#oldest?.key === key ? this.#oldest : undefined;
  }

  values(): IterableIterator<AskerRecord> {
    if (this.#byKey !== undefined) return this.#byKey.values();
    return (this.#oldest === undefined ? [] : [this.#oldest]).values();
  }

  /** Add a record (its key must be new), placed by its lastSeen. */
  add(rec: AskerRecord): void {
    if (this.#byKey !== undefined) this.#byKey.set(rec.key, rec);
    else if (this.#oldest !== undefined) {
      // Two set() calls: the Map(iterable) constructor allocates and iterates pair arrays.
      const byKey = (this.#byKey = new Map());
      byKey.set(this.#oldest.key, this.#oldest);
      byKey.set(rec.key, rec);
    }
    this.#place(rec);
  }

  /** Re-place `rec` after its lastSec/lastNs grew. */
  seen(rec: AskerRecord): void {
    if (rec === this.#newest) return;
    this.#unlink(rec);
    this.#place(rec);
  }

  /** The least recently seen record. */
  oldest(): AskerRecord | undefined {
    return this.#oldest;
  }

  /** Remove and return the least recently seen record. */
  dropOldest(): AskerRecord | undefined {
    const rec = this.#oldest;
    if (rec === undefined) return undefined;
    this.#unlink(rec);
    this.#byKey?.delete(rec.key);
    return rec;
  }

  #place(rec: AskerRecord): void {
    let after = this.#newest;
    while (after !== undefined && (after.lastSec > rec.lastSec || (after.lastSec === rec.lastSec && after.lastNs > rec.lastNs))) after = after.older;
    rec.older = after;
    rec.newer = after === undefined ? this.#oldest : after.newer;
    if (rec.newer !== undefined) rec.newer.older = rec;
    else this.#newest = rec;
    if (after !== undefined) after.newer = rec;
    else this.#oldest = rec;
  }

  #unlink(rec: AskerRecord): void {
    if (rec.older !== undefined) rec.older.newer = rec.newer;
    else this.#oldest = rec.newer;
    if (rec.newer !== undefined) rec.newer.older = rec.older;
    else this.#newest = rec.older;
    rec.older = rec.newer = undefined;
  }
}

/** Above this many outgoing edges, a node indexes them by target in a Map. */
const SMALL = 12;

// Shared empty list (frozen: a push by mistake throws): leaves allocate no edge array,
// roots no incoming one. Replaced by a fresh array on the first link.
const NO_EDGES = Object.freeze([]) as unknown as GraphEdge[];

export class GraphNode {
  /** True while the node is a query root held by the LRU. */
  isRoot = false;
  /** Set when the node left the graph (a parse memo's repeat slot may still point at it). */
  detached = false;
  /** Scratch mark of unreachableFrom (epoch numbers instead of per-call Sets). */
  mark = 0;
  /** Scratch of unreachableFrom: edges into this node from the nodes it marked. */
  markedIn = 0;
  /** Slot in the roots' recency ring (recency-ring.ts), -1 while not a root. */
  ringSlot = -1;
  /** Outgoing edges, in insertion order. */
  out: GraphEdge[] = NO_EDGES;
  /** target → edges to it; only for nodes with more than SMALL edges. */
  outIndex: Map<GraphNode, GraphEdge[]> | undefined = undefined;
  /** Incoming edges, unordered (a CDN address shared by thousands of names has thousands). */
  inEdges: GraphEdge[] = NO_EDGES;
  /** Responses to this question, oldest first (roots only, bounded). */
  responses: DnsResponseView[] | undefined = undefined;
  /** Askers of this question by asker key (roots only, bounded). */
  askers: AskerSet | undefined = undefined;
  /** The latest response's answers as (raw name, raw target, edge) triples (roots only). */
  lastAnswers: Array<string | GraphEdge | undefined> | undefined = undefined;
  /** The response answer set recorded from exactly lastAnswers' edges, if still known. */
  lastAnswersSet: readonly unknown[] | undefined = undefined;

  constructor(
    readonly kind: 'name' | 'address',
    readonly value: string,
  ) {}

  /** Number of outgoing edges. */
  get edgeCount(): number {
    return this.out.length;
  }

  /** The edge `this --type(:port)--> target`, if any. */
  findEdge(target: GraphNode, type: DnsEdgeType, port?: number): GraphEdge | undefined {
    const list = this.outIndex === undefined ? this.out : this.outIndex.get(target);
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.target === target && e.type === type && e.port === port) return e;
    }
    return undefined;
  }

  /** Add a new edge (caller checked findEdge) and link this node as a parent of its target. */
  addEdge(edge: GraphEdge): void {
    if (this.out === NO_EDGES) this.out = [edge];
    else this.out.push(edge);
    if (this.outIndex !== undefined) pushIndexed(this.outIndex, edge);
    else if (this.out.length > SMALL) {
      this.outIndex = new Map();
      for (const e of this.out) pushIndexed(this.outIndex, e);
    }
    linkIn(edge);
  }

  /** Remove one edge and its parent link. */
  removeEdge(edge: GraphEdge): void {
    const i = this.out.indexOf(edge);
    if (i < 0) return;
    this.out.splice(i, 1);
    edge.removed = true;
    if (this.outIndex !== undefined) {
      const same = this.outIndex.get(edge.target)!;
      if (same.length === 1) this.outIndex.delete(edge.target);
      else same.splice(same.indexOf(edge), 1);
    }
    unlinkIn(edge);
  }

  /** All outgoing edges, in insertion order (a copy). */
  edges(): GraphEdge[] {
    return this.out.slice();
  }

  /** Parent nodes (one entry per parent, whatever the number of edges). */
  parentNodes(): IterableIterator<GraphNode> {
    const parents = new Set<GraphNode>();
    for (const e of this.inEdges) parents.add(e.owner);
    return parents.values();
  }

  /** Forget every link of a removed node (its edges were unlinked by the caller). */
  clear(): void {
    this.out = NO_EDGES;
    this.outIndex = undefined;
    this.inEdges = NO_EDGES;
    // A parse memo's repeat slot may keep the detached node alive for a long time: it
    // must not keep the question's history along with it.
    this.responses = undefined;
    this.askers = undefined;
    this.lastAnswers = undefined;
    this.lastAnswersSet = undefined;
  }
}

function pushIndexed(index: Map<GraphNode, GraphEdge[]>, e: GraphEdge): void {
  const list = index.get(e.target);
  if (list === undefined) index.set(e.target, [e]);
  else list.push(e);
}

function linkIn(e: GraphEdge): void {
  const t = e.target;
  e.inPos = t.inEdges.length;
  if (t.inEdges === NO_EDGES) t.inEdges = [e];
  else t.inEdges.push(e);
}

/** Remove `e` from its target's incoming edges (the last entry moves into its place). */
export function unlinkIn(e: GraphEdge): void {
  const list = e.target.inEdges;
  // Not there when the target itself was removed (and cleared) first.
  if (list[e.inPos] !== e) return;
  const last = list.pop()!;
  if (last !== e) {
    list[e.inPos] = last;
    last.inPos = e.inPos;
  }
}

let epoch = 0;
// Scratch lists of unreachableFrom, reused across calls (it runs on every root eviction).
const scratchList: GraphNode[] = [];
const scratchStack: GraphNode[] = [];
const scratchQueue: GraphNode[] = [];
const scratchDead: GraphNode[] = [];

/**
 * Nodes that no query root reaches any more after a change below `starts` (a root was
 * demoted, or an edge into a start node was removed). Only descendants of `starts` can
 * have lost their path to a root; a descendant survives when it is a root or a parent
 * outside that set (still reachable by the invariant) or a surviving parent reaches it.
 * This is what keeps nodes shared between roots alive (the seed deleted them).
 * The returned array is reused by the next call: consume it first.
 */
export function unreachableFrom(starts: readonly GraphNode[]): GraphNode[] {
  // mark === affected: below a start; mark === alive: still reached by a root.
  const affected = (epoch += 2);
  const alive = affected + 1;
  const list = scratchList;
  const stack = scratchStack;
  const queue = scratchQueue;
  const dead = scratchDead;
  list.length = 0;
  stack.length = 0;
  queue.length = 0;
  dead.length = 0;
  for (const s of starts) {
    if (s.mark === affected) continue;
    s.mark = affected;
    s.markedIn = 0;
    list.push(s);
    stack.push(s);
  }
  while (stack.length > 0) {
    const out = stack.pop()!.out;
    for (let i = 0; i < out.length; i++) {
      const t = out[i]!.target;
      if (t.mark !== affected) {
        t.mark = affected;
        t.markedIn = 0;
        list.push(t);
        stack.push(t);
      }
      t.markedIn++;
    }
  }
  // A node with more incoming edges than come from the affected set has a parent outside
  // it: counted, so no parent (a cold node elsewhere in the graph) is read.
  for (const n of list) if (n.isRoot || n.inEdges.length > n.markedIn) queue.push(n);
  for (const n of queue) n.mark = alive;
  while (queue.length > 0) {
    const n = queue.pop()!;
    const out = n.out;
    for (let i = 0; i < out.length; i++) {
      const t = out[i]!.target;
      if (t.mark === affected) {
        t.mark = alive;
        queue.push(t);
      }
    }
  }
  for (const n of list) if (n.mark === affected) dead.push(n);
  list.length = 0;
  return dead;
}
