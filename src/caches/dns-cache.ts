/**
 * The DNS graph cache (Tracee's pkg/dnscache, with history).
 *
 * Query roots live in an LRU (default 5000); every node (names and addresses) is indexed.
 * Answers are edges `owner --CNAME/A/AAAA/MX/SRV/PTR--> target` with validity windows
 * (dns-windows.ts), so a lookup at any moment reports what was valid then, also after the
 * TTL ran out. Each question keeps its recent responses (the round-robin answer sets, in
 * wire order) and who asked it. Pure and deterministic: no timers, time is passed in.
 *
 * Fixed seed defects: reverse names are reversed into addresses (dns-names.ts); an address
 * reached from several names is a child of each of them; evicting a root removes only what
 * no other root reaches; validity is judged per answer at the query time; unknown record
 * types are counted and skipped; names are lowercase without a trailing dot everywhere.
 */
import type { BootNs } from '../events/types.js';
import type { DnsRecord, ParsedDnsMessage } from '../dns/message.js';
import { canonicalAddress, nodeKeyOfName, normalizeName, reverseNameToAddress, type NodeKey } from './dns-names.js';
import { AskerSet, GraphNode, qtypeList, unlinkIn, unreachableFrom, windowsOf, type AskerRecord, type GraphEdge } from './dns-graph.js';
import { RecencyRing } from './recency-ring.js';
import { assignWindow, cmpTime, copyWindow, expiredAt, extendLatest, joinTime, observeWindow, splitTime, startsAfter, windowAt, type TimePair } from './dns-windows.js';
import type {
  DnsAnswerView,
  DnsAsker,
  DnsAskerView,
  DnsCacheStats,
  DnsEdgeType,
  DnsLookupResult,
  DnsProcessQuery,
  DnsResponseView,
  DnsReverseName,
  DnsReverseResult,
} from './dns-views.js';

export type * from './dns-views.js';

/** Bounds of the DNS cache. All must be positive integers (TypeError otherwise). */
export interface DnsCacheOptions {
  /** Query roots kept in the LRU. Default 5000 (Tracee's default). */
  readonly maxRoots?: number;
  /** Validity windows kept per answer, oldest dropped. Default 8. */
  readonly maxWindowsPerEdge?: number;
  /** Responses kept per question, oldest dropped. Default 16. */
  readonly maxResponsesPerNode?: number;
  /**
   * Distinct answers kept per name, least recently seen dropped. Default 64. Answers of
   * the response being added are never dropped, so one huge response may exceed it.
   */
  readonly maxEdgesPerNode?: number;
  /** Askers kept per question, least recently seen dropped. Default 32. */
  readonly maxAskersPerNode?: number;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type Counters = Omit<Writable<DnsCacheStats>, 'roots' | 'maxRoots' | 'nodes' | 'names' | 'addresses' | 'evictions'>;

type ResponseAnswer = DnsResponseView['answers'][number];

/** Pure DNS graph with point-in-time lookups, reverse lookups and per-process attribution. */
export class DnsCache {
  readonly #maxWindows: number;
  readonly #maxResponses: number;
  readonly #maxEdges: number;
  readonly #maxAskers: number;
  readonly #maxRoots: number;
  /** The roots' LRU order (recency-ring.ts: a touch writes no neighbour). */
  readonly #roots = new RecencyRing<GraphNode>();
  readonly #names = new Map<string, GraphNode>();
  readonly #addresses = new Map<string, GraphNode>();
  readonly #counters: Counters = {
    edges: 0,
    responses: 0,
    ignoredMessages: 0,
    skippedRecords: 0,
    unrelatedRecords: 0,
    invalidRecords: 0,
  };
  readonly #evictions = { roots: 0, nodes: 0, edges: 0 };
  readonly #collector = new AnswerCollector();
  /** Scratch lists of addResponse (reused: no allocation per response). */
  readonly #attached: Array<string | GraphEdge | undefined> = [];
  readonly #chain: GraphNode[] = [];
  /** The time of the response being added, split once (windows keep number pairs). */
  readonly #now: TimePair = { sec: 0, ns: 0 };

  constructor(options: DnsCacheOptions = {}) {
    this.#maxRoots = positiveInt(options.maxRoots, 5000, 'maxRoots');
    this.#maxWindows = positiveInt(options.maxWindowsPerEdge, 8, 'maxWindowsPerEdge');
    this.#maxResponses = positiveInt(options.maxResponsesPerNode, 16, 'maxResponsesPerNode');
    this.#maxEdges = positiveInt(options.maxEdgesPerNode, 64, 'maxEdgesPerNode');
    this.#maxAskers = positiveInt(options.maxAskersPerNode, 32, 'maxAskersPerNode');
  }

  /**
   * Add one DNS response received at `time` (boot ns), asked by `asker` when attribution
   * knows it. Queries and messages without exactly one question are counted and ignored.
   * Returns true when the response was added.
   */
  addResponse(msg: ParsedDnsMessage, time: BootNs, asker?: DnsAsker): boolean {
    if (!msg.isResponse || msg.questions.length !== 1) {
      this.#counters.ignoredMessages++;
      return false;
    }
    const question = msg.questions[0]!;
    const root = this.#questionNode(msg, question.name);
    if (root === undefined) {
      this.#counters.ignoredMessages++;
      return false;
    }
    this.#promote(root);
    const now = splitTime(time, this.#now);

    // Most responses repeat the question's latest answer set: compare while attaching and
    // build a new set only from the first difference (no per-answer objects otherwise).
    const recorded = this.#collector;
    const prev = root.responses;
    const prevAnswers = prev === undefined ? undefined : prev[prev.length - 1]?.answers;
    recorded.reset(prevAnswers);
    if (this.#repeatLast(root, msg.answers, now, recorded, prevAnswers !== undefined && prevAnswers === root.lastAnswersSet)) {
      this.#finish(root, time, now, question.type, msg.rcode, recorded, asker, undefined);
      root.lastAnswersSet = root.responses?.[root.responses.length - 1]?.answers;
      return true;
    }
    // The answers as attached, for #repeatLast: kept only when every answer became an edge.
    const memo = this.#attached;
    memo.length = 0;
    let clean = true;
    // Nodes an answer may hang from besides the question: the targets of its CNAME chain.
    const connected = this.#chain;
    connected.length = 0;
    let overfull: GraphNode[] | undefined;
    let remaining: readonly DnsRecord[] = msg.answers;
    let lastOwnerName = question.name;
    let lastOwner = root;
    for (;;) {
      let deferred: DnsRecord[] | undefined;
      let grew = false;
      for (const a of remaining) {
        if (a.type === 'OTHER') {
          this.#counters.skippedRecords++;
          clean = false;
          continue;
        }
        let owner: GraphNode | undefined;
        if (a.name === lastOwnerName) owner = lastOwner;
        else {
          const found = this.#nodeOfName(a.name, false);
          owner = found === root || (found !== undefined && connected.includes(found)) ? found : undefined;
          if (owner !== undefined) {
            lastOwnerName = a.name;
            lastOwner = owner;
          }
        }
        if (owner === undefined) {
          (deferred ??= []).push(a);
          clean = false;
          continue;
        }
        const edge = this.#attach(owner, a, now, recorded);
        if (edge === undefined) {
          clean = false;
          continue;
        }
        const target = edge.target;
        memo.push(a.name, dataKey(a), edge);
        if (owner.edgeCount > this.#maxEdges) (overfull ??= []).push(owner);
        if (a.type === 'CNAME' && target !== root && !connected.includes(target)) {
          connected.push(target);
          grew = true;
        }
      }
      if (deferred === undefined) break;
      if (!grew) {
        this.#counters.unrelatedRecords += deferred.length;
        break;
      }
      remaining = deferred;
    }

    // An exact-size copy: the root keeps it, a grown scratch array would waste its capacity.
    root.lastAnswers = clean ? memo.slice() : undefined;
    this.#finish(root, time, now, question.type, msg.rcode, recorded, asker, overfull);
    // The answer set recorded for exactly the memo's edges (see #repeatLast).
    root.lastAnswersSet = clean ? root.responses?.[root.responses.length - 1]?.answers : undefined;
    return true;
  }

  #finish(
    root: GraphNode,
    time: BootNs,
    now: TimePair,
    qtype: string,
    rcode: string,
    recorded: AnswerCollector,
    asker: DnsAsker | undefined,
    overfull: GraphNode[] | undefined,
  ): void {
    this.#recordResponse(root, time, qtype, rcode, recorded, asker);
    if (asker !== undefined) this.#recordAsker(root, asker, qtype, now);
    if (overfull !== undefined) for (const owner of new Set(overfull)) this.#trimEdges(owner, now);
    this.#counters.responses++;
  }

  /**
   * Fast path for the common case: the answers equal, one for one and as raw strings, the
   * ones this root's previous response attached (all of them edges still in the graph).
   * Then the owners, targets and edges are the same as last time, and only the sightings
   * are recorded: no name normalisation, index lookups or address parsing. When the latest
   * recorded answer set is the one built from these very edges (`sameSet`), it is known to
   * be equal and is not compared again. Returns false (having changed nothing) when
   * anything differs.
   */
  #repeatLast(root: GraphNode, answers: readonly DnsRecord[], now: TimePair, recorded: AnswerCollector, sameSet: boolean): boolean {
    const memo = root.lastAnswers;
    if (memo === undefined || memo.length === 0 || memo.length !== answers.length * 3) return false;
    for (let i = 0; i < answers.length; i++) {
      const a = answers[i]!;
      const edge = memo[i * 3 + 2] as GraphEdge;
      if (a.type !== edge.type || edge.removed || a.name !== memo[i * 3] || dataKey(a) !== memo[i * 3 + 1]) return false;
      if (a.type === 'SRV' && a.port !== edge.port) return false;
    }
    for (let i = 0; i < answers.length; i++) {
      const a = answers[i] as Exclude<DnsRecord, { type: 'OTHER' }>;
      this.#sighting(memo[i * 3 + 2] as GraphEdge, a, now, sameSet ? undefined : recorded);
    }
    if (sameSet) recorded.assumeSame(answers.length);
    return true;
  }

  /** Record one sighting of answer `a` on its edge. */
  #sighting(edge: GraphEdge, a: Exclude<DnsRecord, { type: 'OTHER' }>, time: TimePair, recorded: AnswerCollector | undefined): void {
    const ttl = ttlOf(a);
    if (!extendLatest(edge, time, ttl)) {
      // A new window (after a gap) or an out-of-order sighting: the general case on a list.
      const list = edge.past === undefined ? [copyWindow(edge)] : [...edge.past, copyWindow(edge)];
      observeWindow(list, time, ttl, this.#maxWindows);
      assignWindow(edge, list.pop()!);
      edge.past = list.length > 0 ? list : undefined;
    }
    this.#details(edge, a, ttl, recorded);
  }

  /** The record's own fields (MX/SRV) on the edge, and the answer into the response's set. */
  #details(edge: GraphEdge, a: Exclude<DnsRecord, { type: 'OTHER' }>, ttl: number, recorded: AnswerCollector | undefined): void {
    if (a.type === 'MX') edge.preference = a.preference;
    else if (a.type === 'SRV') {
      edge.port = a.port;
      edge.priority = a.priority;
      edge.weight = a.weight;
    }
    recorded?.add(a.type, edge.owner.value, edge.target.value, ttl);
  }

  /**
   * The graph around `name` as it was at `at`; `now` (default `at`) decides `expiredNow`.
   * `name` may be a reverse name or an address literal. Undefined when nothing was known.
   */
  lookup(name: string, at: BootNs, now: BootNs = at): DnsLookupResult | undefined {
    const node = this.#find(keyOfInput(name));
    if (node === undefined) return undefined;
    const when = viewTimes(at, now);
    const cnames: DnsAnswerView[] = [];
    const addresses: DnsAnswerView[] = [];
    const mx: DnsAnswerView[] = [];
    const srv: DnsAnswerView[] = [];
    const ptr: DnsAnswerView[] = [];
    const visited = new Set<GraphNode>();
    const walk = (n: GraphNode): void => {
      if (visited.has(n)) return;
      visited.add(n);
      for (const e of n.edges()) {
        const v = edgeView(e, when);
        if (v === undefined) continue;
        switch (e.type) {
          case 'CNAME':
            cnames.push(v);
            walk(e.target);
            break;
          case 'A':
          case 'AAAA':
            addresses.push(v);
            break;
          case 'MX':
            mx.push(v);
            break;
          case 'SRV':
            srv.push(v);
            break;
          case 'PTR':
            ptr.push(v);
            break;
        }
      }
    };
    walk(node);
    const aliases = this.#aliasesOf(node, when);
    const askers = askerViews(node, at);
    const responses = (node.responses ?? []).filter((r) => r.time <= at);
    const known = cnames.length + addresses.length + mx.length + srv.length + ptr.length + aliases.length + askers.length + responses.length;
    if (known === 0) return undefined;
    return { question: node.value, kind: node.kind, at, now, cnames, addresses, mx, srv, ptr, aliases, askers, responses };
  }

  /**
   * Every name that resolved to `ip` (an address or its reverse name) as known at `at`:
   * directly (A/AAAA), through CNAME chains, and PTR answers for it.
   */
  reverse(ip: string, at: BootNs, now: BootNs = at): DnsReverseResult | undefined {
    const key = keyOfInput(ip);
    if (key.kind !== 'address') return undefined;
    const node = this.#addresses.get(key.value);
    if (node === undefined) return undefined;
    const when = viewTimes(at, now);
    const names: DnsReverseName[] = [];
    // Forward: breadth first up the parents, so each name gets its shortest path.
    const seen = new Set<GraphNode>();
    let frontier: Array<{ node: GraphNode; path: DnsAnswerView[] }> = [];
    for (const p of node.parentNodes()) {
      for (const type of ['A', 'AAAA'] as const) {
        const e = p.findEdge(node, type);
        const v = e === undefined ? undefined : edgeView(e, when);
        if (v !== undefined) frontier.push({ node: p, path: [v] });
      }
    }
    while (frontier.length > 0) {
      const next: typeof frontier = [];
      for (const { node: n, path } of frontier) {
        if (seen.has(n)) continue;
        seen.add(n);
        names.push(reverseName(n.value, 'forward', path));
        for (const q of n.parentNodes()) {
          const e = q.findEdge(n, 'CNAME');
          const v = e === undefined ? undefined : edgeView(e, when);
          if (v !== undefined && !seen.has(q)) next.push({ node: q, path: [v, ...path] });
        }
      }
      frontier = next;
    }
    // PTR: down from the address, through CNAMEs (RFC 2317 classless delegation).
    const visited = new Set<GraphNode>();
    const ptrSeen = new Set<string>();
    const down = (n: GraphNode, path: DnsAnswerView[]): void => {
      if (visited.has(n)) return;
      visited.add(n);
      for (const e of n.edges()) {
        const v = edgeView(e, when);
        if (v === undefined) continue;
        if (e.type === 'PTR' && !ptrSeen.has(e.target.value)) {
          ptrSeen.add(e.target.value);
          names.push(reverseName(e.target.value, 'ptr', [...path, v]));
        } else if (e.type === 'CNAME') down(e.target, [...path, v]);
      }
    };
    down(node, []);
    if (names.length === 0) return undefined;
    return { address: node.value, at, now, names };
  }

  /**
   * Questions the asker `processKey` (or `pid:<n>` when unkeyed) asked, known by `at`.
   * Scans the nodes (bounded by the LRU) rather than keeping a per-process index that
   * every response would have to maintain.
   */
  queriesBy(processKey: string, at: BootNs): DnsProcessQuery[] {
    const out: DnsProcessQuery[] = [];
    const atPair = splitTime(at, { sec: 0, ns: 0 });
    for (const node of [...this.#names.values(), ...this.#addresses.values()]) {
      const rec = node.askers?.get(processKey);
      const seen = rec === undefined ? undefined : sightingsAt(rec, atPair);
      if (seen !== undefined) out.push({ question: node.value, ...seen });
    }
    return out.sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0));
  }

  /** The latest answer set received for the question `name` (live events), if any. */
  latestResponse(name: string): DnsResponseView | undefined {
    const r = this.#find(nodeKeyOfName(name))?.responses;
    return r?.[r.length - 1];
  }

  /** Query roots, most recently answered first. */
  questions(limit = Infinity): string[] {
    const out: string[] = [];
    for (const node of this.#roots.newestFirst()) {
      if (out.length >= limit) break;
      out.push(node.value);
    }
    return out;
  }

  /** Sizes and counters. */
  stats(): DnsCacheStats {
    return {
      roots: this.#roots.size,
      maxRoots: this.#maxRoots,
      nodes: this.#names.size + this.#addresses.size,
      names: this.#names.size,
      addresses: this.#addresses.size,
      ...this.#counters,
      evictions: { ...this.#evictions },
    };
  }

  #find(key: NodeKey): GraphNode | undefined {
    return (key.kind === 'name' ? this.#names : this.#addresses).get(key.value);
  }

  /**
   * The node of a raw DNS name (reverse names → address nodes), created when `create`;
   * undefined for the empty (root) name. Like nodeKeyOfName without a key object per call.
   */
  #nodeOfName(raw: string, create: boolean): GraphNode | undefined {
    const value = normalizeName(raw);
    if (value === '') return undefined;
    if (value.endsWith('.arpa')) {
      const address = reverseNameToAddress(value);
      if (address !== undefined) return create ? this.#nodeIn(this.#addresses, 'address', address) : this.#addresses.get(address);
    }
    return create ? this.#nodeIn(this.#names, 'name', value) : this.#names.get(value);
  }

  /**
   * The node of the message's question; a remembered message's repeat slot (DnsRepeatSlot)
   * keeps it, so a repeat skips normalising and hashing the name while the node is indexed.
   */
  #questionNode(msg: ParsedDnsMessage, name: string): GraphNode | undefined {
    const slot = msg.repeat;
    if (slot !== undefined && slot.owner === this) {
      const kept = slot.value as GraphNode;
      if (!kept.detached) return kept;
    }
    const node = this.#nodeOfName(name, true);
    if (slot !== undefined && node !== undefined) {
      slot.owner = this;
      slot.value = node;
    }
    return node;
  }

  #nodeIn(index: Map<string, GraphNode>, kind: 'name' | 'address', value: string): GraphNode {
    let node = index.get(value);
    if (node === undefined) {
      node = new GraphNode(kind, value);
      index.set(value, node);
    }
    return node;
  }

  /** Make `node` the newest root (or refresh its recency); evict the oldest beyond the bound. */
  #promote(node: GraphNode): void {
    // Marked first so the eviction below keeps it.
    node.isRoot = true;
    this.#roots.touch(node);
    if (this.#roots.size > this.#maxRoots) {
      const victim = this.#roots.shift()!;
      victim.isRoot = false;
      this.#evictions.roots++;
      // Demoted: drop what no other root reaches any more.
      this.#removeNodes(unreachableFrom([victim]));
    }
  }

  /** Add or refresh the edge for one answer; returns it, or undefined when invalid. */
  #attach(owner: GraphNode, a: Exclude<DnsRecord, { type: 'OTHER' }>, time: TimePair, recorded: AnswerCollector): GraphEdge | undefined {
    let target: GraphNode | undefined;
    let port: number | undefined;
    switch (a.type) {
      case 'A':
      case 'AAAA': {
        const addr = canonicalAddress(a.data);
        if (addr !== undefined && (a.type === 'A') === !addr.includes(':')) target = this.#nodeIn(this.#addresses, 'address', addr);
        break;
      }
      case 'CNAME':
      case 'PTR':
        target = this.#nodeOfName(a.data, true);
        break;
      case 'MX':
        target = this.#nodeOfName(a.exchange, true);
        break;
      case 'SRV':
        target = this.#nodeOfName(a.target, true);
        port = a.port;
        break;
    }
    if (target === undefined) {
      this.#counters.invalidRecords++;
      return undefined;
    }
    let edge = owner.findEdge(target, a.type, port);
    if (edge !== undefined) {
      this.#sighting(edge, a, time, recorded);
      return edge;
    }
    // A new answer: its first window is the edge's own.
    const ttl = ttlOf(a);
    const sec = time.sec;
    const ns = time.ns;
    edge = { type: a.type, owner, target, firstSec: sec, firstNs: ns, lastSec: sec, lastNs: ns, untilSec: sec + ttl, untilNs: ns, ttl, count: 1, past: undefined, removed: false, inPos: 0 };
    if (port !== undefined) edge.port = port;
    owner.addEdge(edge);
    this.#counters.edges++;
    this.#details(edge, a, ttl, recorded);
    return edge;
  }

  /** Drop the least recently seen edges of `owner` beyond the bound (never those seen at `time`). */
  #trimEdges(owner: GraphNode, time: TimePair): void {
    const byAge = owner
      .edges()
      .filter((e) => lastSeenBefore(e, time))
      .sort(byLastSeen);
    const orphans: GraphNode[] = [];
    for (const e of byAge) {
      if (owner.edgeCount <= this.#maxEdges) break;
      owner.removeEdge(e);
      this.#counters.edges--;
      this.#evictions.edges++;
      orphans.push(e.target);
    }
    if (orphans.length > 0) this.#removeNodes(unreachableFrom(orphans));
  }

  #removeNodes(dead: readonly GraphNode[]): void {
    for (const d of dead) {
      for (const e of d.out) {
        e.removed = true;
        unlinkIn(e);
      }
      this.#counters.edges -= d.out.length;
      d.clear();
      d.detached = true;
      (d.kind === 'name' ? this.#names : this.#addresses).delete(d.value);
      this.#evictions.nodes++;
    }
  }

  /** Append the answer set, or count it again when it equals the latest one. */
  #recordResponse(root: GraphNode, time: BootNs, qtype: string, rcode: string, collected: AnswerCollector, asker: DnsAsker | undefined): void {
    const responses = root.responses;
    const last = responses?.[responses.length - 1] as Writable<DnsResponseView> | undefined;
    if (last !== undefined && last.qtype === qtype && last.rcode === rcode && collected.sameAsPrevious()) {
      if (time > last.lastSeen) last.lastSeen = time;
      last.count++;
      if (asker !== undefined) last.asker = asker;
      return;
    }
    // `asker` always in the literal (undefined when unknown): added afterwards, it would
    // give every record a second, out-of-object property array.
    const rec: Writable<DnsResponseView> = { time, lastSeen: time, count: 1, qtype, rcode, answers: collected.result(), asker };
    // Most questions keep one answer set: a one-element list, not an empty one grown by push.
    if (responses === undefined) root.responses = [rec];
    else {
      responses.push(rec);
      if (responses.length > this.#maxResponses) responses.shift();
    }
  }

  #recordAsker(root: GraphNode, asker: DnsAsker, qtype: string, now: TimePair): void {
    const key = asker.processKey ?? `pid:${asker.pid}`;
    const askers = (root.askers ??= new AskerSet());
    const rec = askers.get(key);
    if (rec !== undefined) {
      rec.asker = asker;
      if (cmpTime(now.sec, now.ns, rec.lastSec, rec.lastNs) > 0) {
        rec.lastSec = now.sec;
        rec.lastNs = now.ns;
        askers.seen(rec);
      }
      rec.count++;
      const q = rec.qtypes;
      if (typeof q === 'string') {
        if (q !== qtype) rec.qtypes = [q, qtype];
      } else if (!q.includes(qtype)) q.push(qtype);
      return;
    }
    // Full: the least recently seen asker makes room, and its record is reused; a newcomer
    // seen before all of them (out of order) is the least recent itself and is not kept.
    let reused: AskerRecord | undefined;
    if (askers.size >= this.#maxAskers) {
      const oldest = askers.oldest();
      if (oldest !== undefined && cmpTime(now.sec, now.ns, oldest.lastSec, oldest.lastNs) < 0) return;
      reused = askers.dropOldest();
    }
    if (reused === undefined) {
      askers.add({ asker, key, firstSec: now.sec, firstNs: now.ns, lastSec: now.sec, lastNs: now.ns, count: 1, qtypes: qtype, older: undefined, newer: undefined });
      return;
    }
    reused.asker = asker;
    reused.key = key;
    reused.firstSec = reused.lastSec = now.sec;
    reused.firstNs = reused.lastNs = now.ns;
    reused.count = 1;
    reused.qtypes = qtype;
    askers.add(reused);
  }

  /** CNAME edges pointing (transitively) at `node`, nearest first. */
  #aliasesOf(node: GraphNode, when: ViewTimes): DnsAnswerView[] {
    const out: DnsAnswerView[] = [];
    const seen = new Set<GraphNode>([node]);
    let frontier = [node];
    while (frontier.length > 0) {
      const next: GraphNode[] = [];
      for (const n of frontier) {
        for (const p of n.parentNodes()) {
          const e = p.findEdge(n, 'CNAME');
          const v = e === undefined ? undefined : edgeView(e, when);
          if (v === undefined) continue;
          out.push(v);
          if (!seen.has(p)) {
            seen.add(p);
            next.push(p);
          }
        }
      }
      frontier = next;
    }
    return out;
  }
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`DnsCache: ${name} must be a positive integer`);
  return value;
}

/** A user-supplied name: address literals and reverse names go to the address index. */
function keyOfInput(text: string): NodeKey {
  const addr = canonicalAddress(text.trim());
  return addr !== undefined ? { kind: 'address', value: addr } : nodeKeyOfName(text.trim());
}

/**
 * The answer set of one response, compared on the fly with the question's previous set
 * (TTLs aside): entries equal to the previous set's prefix are not copied until the first
 * difference, so a repeated answer set allocates nothing.
 */
class AnswerCollector {
  #prev: readonly ResponseAnswer[] | undefined;
  #n = 0;
  #list: ResponseAnswer[] | undefined;

  reset(prev: readonly ResponseAnswer[] | undefined): void {
    this.#prev = prev;
    this.#n = 0;
    this.#list = undefined;
  }

  add(type: DnsEdgeType, owner: string, value: string, ttl: number): void {
    if (this.#list === undefined) {
      const p = this.#prev?.[this.#n];
      if (p !== undefined && p.type === type && p.owner === owner && p.value === value) {
        this.#n++;
        return;
      }
      this.#list = this.#prev === undefined ? [] : this.#prev.slice(0, this.#n);
    }
    this.#list.push({ type, owner, value, ttl });
    this.#n++;
  }

  /** Record that `n` answers equalled the previous set's (the caller knows it). */
  assumeSame(n: number): void {
    this.#n = n;
  }

  /** True when every answer equalled the previous set, in order, and none is missing. */
  sameAsPrevious(): boolean {
    return this.#list === undefined && this.#prev !== undefined && this.#n === this.#prev.length;
  }

  /** The collected set (a fresh array; entries shared with the previous set are immutable). */
  result(): ResponseAnswer[] {
    // Copied to its exact size: the list grew by push (spare capacity the record would keep).
    return this.#list !== undefined ? this.#list.slice() : this.#prev === undefined ? [] : this.#prev.slice(0, this.#n);
  }
}

/** The raw target of an answer as received (before normalisation), for #repeatLast. */
function dataKey(a: DnsRecord): string | undefined {
  switch (a.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'PTR':
      return a.data;
    case 'MX':
      return a.exchange;
    case 'SRV':
      return a.target;
    default:
      return undefined;
  }
}

/** True when the edge was last seen before `t`. */
function lastSeenBefore(e: GraphEdge, t: TimePair): boolean {
  return cmpTime(e.lastSec, e.lastNs, t.sec, t.ns) < 0;
}

function byLastSeen(a: GraphEdge, b: GraphEdge): number {
  return cmpTime(a.lastSec, a.lastNs, b.lastSec, b.lastNs);
}

/** The TTL of an answer as kept: whole seconds, 0 when absent or invalid. */
function ttlOf(a: DnsRecord): number {
  return Number.isFinite(a.ttl) && a.ttl >= 0 ? Math.floor(a.ttl) : 0;
}

/** The query moments of a view, as bigints (for the output) and split (for comparisons). */
interface ViewTimes {
  readonly at: BootNs;
  readonly now: BootNs;
  readonly atPair: TimePair;
  readonly nowPair: TimePair;
}

function viewTimes(at: BootNs, now: BootNs): ViewTimes {
  return { at, now, atPair: splitTime(at, { sec: 0, ns: 0 }), nowPair: splitTime(now, { sec: 0, ns: 0 }) };
}

/** The edge as known at `at`, or undefined when it was first seen after `at`. */
function edgeView(e: GraphEdge, when: ViewTimes): DnsAnswerView | undefined {
  const windows = windowsOf(e);
  const w = windowAt(windows, when.atPair);
  if (w === undefined) return undefined;
  const latest = windowAt(windows, when.nowPair) ?? w;
  const history = [];
  for (const h of windows) {
    if (startsAfter(h, when.atPair)) break;
    history.push({
      validFrom: joinTime(h.firstSec, h.firstNs),
      lastSeen: joinTime(h.lastSec, h.lastNs),
      validUntil: joinTime(h.untilSec, h.untilNs),
      ttl: h.ttl,
      count: h.count,
    });
  }
  const view: Writable<DnsAnswerView> = {
    type: e.type,
    owner: e.owner.value,
    value: e.target.value,
    ttl: w.ttl,
    validFrom: joinTime(w.firstSec, w.firstNs),
    validUntil: joinTime(w.untilSec, w.untilNs),
    lastSeen: joinTime(w.lastSec, w.lastNs),
    expiredAtQuery: expiredAt(w, when.atPair),
    expiredNow: expiredAt(latest, when.nowPair),
    history,
  };
  if (e.type === 'MX') view.preference = e.preference;
  if (e.type === 'SRV') {
    view.port = e.port;
    view.priority = e.priority;
    view.weight = e.weight;
  }
  return view;
}

function askerViews(node: GraphNode, at: BootNs): DnsAskerView[] {
  const out: DnsAskerView[] = [];
  const atPair = splitTime(at, { sec: 0, ns: 0 });
  for (const r of node.askers?.values() ?? []) {
    const seen = sightingsAt(r, atPair);
    if (seen !== undefined) out.push({ ...r.asker, ...seen });
  }
  return out;
}

/** An asker record's sightings as the views show them; undefined when first seen after `at`. */
function sightingsAt(r: AskerRecord, at: TimePair): Omit<DnsProcessQuery, 'question'> | undefined {
  if (cmpTime(r.firstSec, r.firstNs, at.sec, at.ns) > 0) return undefined;
  return { firstSeen: joinTime(r.firstSec, r.firstNs), lastSeen: joinTime(r.lastSec, r.lastNs), count: r.count, qtypes: qtypeList(r) };
}

function reverseName(name: string, source: 'forward' | 'ptr', path: DnsAnswerView[]): DnsReverseName {
  let validFrom = path[0]!.validFrom;
  let validUntil = path[0]!.validUntil;
  let expiredAtQuery = false;
  let expiredNow = false;
  for (const v of path) {
    if (v.validFrom > validFrom) validFrom = v.validFrom;
    if (v.validUntil < validUntil) validUntil = v.validUntil;
    expiredAtQuery ||= v.expiredAtQuery;
    expiredNow ||= v.expiredNow;
  }
  return { name, source, path, validFrom, validUntil, expiredAtQuery, expiredNow };
}

