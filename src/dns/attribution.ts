/**
 * Attribute DNS answers to the process that asked.
 *
 * The capture sees every socket; a lookup shows as client egress (query), server ingress,
 * server egress (answer), client ingress (answer). Only egress carries the sending task:
 * on ingress the current task is whoever ran the stack (on loopback/veth the *sender*), so
 * it is never used. An answer is matched to its query by (socket cookie, DNS id) — one
 * socket may carry parallel queries (A and AAAA) with different ids — and inherits the
 * query's task. Pure: time comes from the events; pending queries are bounded in number
 * and age. Nothing here throws on bad input: it is counted.
 */
import type { BootNs, DnsPacketEvent } from '../events/types.js';
import type { ParsedDnsMessage } from './message.js';
import { DnsParseMemo, type DnsParseMemoStats } from './parse-memo.js';
import { TcpDnsReassembler, type TcpReassemblyOptions, type TcpReassemblyStats } from './tcp-reassembly.js';

/** Where a query came from: the egress record of the asking socket. */
export interface DnsQueryOrigin {
  readonly time: BootNs;
  readonly socketCookie: bigint;
  readonly netnsCookie: bigint;
  readonly cgroupId: bigint;
  readonly pid: number;
  readonly tid: number;
  readonly id: number;
  /** First question of the query, as on the wire. */
  readonly question: string | undefined;
  readonly qtype: string | undefined;
  readonly protocol: 'udp' | 'tcp';
}

/** A response ready for the cache, with its asker when the query was seen. */
export interface AttributedResponse {
  readonly message: ParsedDnsMessage;
  /** Time the response was received (the ingress event's time). */
  readonly time: BootNs;
  readonly origin: DnsQueryOrigin | undefined;
  readonly event: DnsPacketEvent;
}

/** Bounds and policy of attribution. */
export interface DnsAttributionOptions extends TcpReassemblyOptions {
  /** Queries waiting for their answer; the oldest is dropped beyond it. Default 65536. */
  readonly maxPending?: number;
  /** A query unanswered for this long (ns) is dropped. Default 30 s. */
  readonly queryTimeoutNs?: bigint;
  /**
   * Also emit responses a local server *sends* (egress responses), unattributed. Default
   * false: the same answer arrives at the client's socket (ingress) and is attributed there.
   */
  readonly includeServerResponses?: boolean;
  /** Messages whose decode is remembered (repeated answers skip the library). Default 16384; 0 disables. */
  readonly parseMemoSize?: number;
}

/** Counters of attribution (and of parsing, which happens here). */
export interface DnsAttributionStats {
  readonly packets: number;
  /** DNS messages decoded (a TCP segment may hold several, or part of one). */
  readonly parsed: number;
  readonly malformed: number;
  /** Packets whose payload was cut by the capture bound (wire length > captured). */
  readonly tooBig: number;
  readonly queries: number;
  readonly responses: number;
  /** Responses matched to a pending query. */
  readonly matched: number;
  /** Ingress responses without a pending query (or with a different question). */
  readonly unmatched: number;
  /** Queries dropped unanswered: timed out or pushed out by the bound. */
  readonly expiredQueries: number;
  readonly evictedQueries: number;
  readonly pending: number;
  /** Queries received and responses sent by a local server socket. */
  readonly serverQueries: number;
  readonly serverResponses: number;
  readonly tcp: TcpReassemblyStats;
  readonly parseMemo: DnsParseMemoStats;
}

type Counters = { -readonly [K in keyof Omit<DnsAttributionStats, 'pending' | 'tcp' | 'parseMemo'>]: number };

/** Consumes DnsPacketEvents and emits attributed responses. */
export class DnsAttributor {
  readonly #maxPending: number;
  readonly #timeout: bigint;
  readonly #includeServer: boolean;
  readonly #tcp: TcpDnsReassembler;
  readonly #parser: DnsParseMemo;
  /** `${cookie}/${id}` → origin, insertion (= time) ordered. */
  readonly #pending = new Map<string, DnsQueryOrigin>();
  readonly #c: Counters = {
    packets: 0,
    parsed: 0,
    malformed: 0,
    tooBig: 0,
    queries: 0,
    responses: 0,
    matched: 0,
    unmatched: 0,
    expiredQueries: 0,
    evictedQueries: 0,
    serverQueries: 0,
    serverResponses: 0,
  };

  constructor(options: DnsAttributionOptions = {}) {
    this.#maxPending = options.maxPending ?? 65536;
    this.#timeout = options.queryTimeoutNs ?? 30_000_000_000n;
    this.#includeServer = options.includeServerResponses ?? false;
    if (!Number.isInteger(this.#maxPending) || this.#maxPending < 1) throw new TypeError('maxPending must be a positive integer');
    if (this.#timeout <= 0n) throw new TypeError('queryTimeoutNs must be positive');
    this.#tcp = new TcpDnsReassembler(options);
    this.#parser = new DnsParseMemo(options.parseMemoSize === undefined ? {} : { size: options.parseMemoSize });
  }

  /** Consume one captured packet; `emit` is called for each response it completes. */
  handle(ev: DnsPacketEvent, emit: (r: AttributedResponse) => void): void {
    this.#c.packets++;
    this.#expire(ev.time);
    const payload = ev.payload;
    if (ev.protocol === 'tcp') {
      const key = `${ev.socketCookie}${ev.direction === 'egress' ? '>' : '<'}`;
      if (ev.wireLength > payload.length) {
        // Part of the stream is missing: its framing cannot be trusted any more.
        this.#c.tooBig++;
        this.#tcp.reset(key);
        return;
      }
      this.#tcp.push(key, payload, (bytes) => this.#message(ev, bytes, emit));
      return;
    }
    if (ev.wireLength > payload.length) {
      this.#c.tooBig++;
      return;
    }
    this.#message(ev, payload, emit);
  }

  /** Counters and sizes. */
  stats(): DnsAttributionStats {
    return { ...this.#c, pending: this.#pending.size, tcp: this.#tcp.stats(), parseMemo: this.#parser.stats() };
  }

  /** Handle one whole DNS message; false when it did not parse. */
  #message(ev: DnsPacketEvent, bytes: Uint8Array, emit: (r: AttributedResponse) => void): boolean {
    const parsed = this.#parser.parse(bytes);
    if (!parsed.ok) {
      this.#c.malformed++;
      return false;
    }
    this.#c.parsed++;
    const msg = parsed.message;
    const q = msg.questions[0];
    if (!msg.isResponse) {
      if (ev.direction === 'ingress') {
        this.#c.serverQueries++;
        return true;
      }
      this.#c.queries++;
      const key = `${ev.socketCookie}/${msg.id}`;
      this.#pending.delete(key); // a retransmission moves to the back
      this.#pending.set(key, {
        time: ev.time,
        socketCookie: ev.socketCookie,
        netnsCookie: ev.netnsCookie,
        cgroupId: ev.cgroupId,
        pid: ev.pid,
        tid: ev.tid,
        id: msg.id,
        question: q?.name,
        qtype: q?.type,
        protocol: ev.protocol,
      });
      while (this.#pending.size > this.#maxPending) {
        this.#pending.delete(this.#pending.keys().next().value as string);
        this.#c.evictedQueries++;
      }
      return true;
    }
    if (ev.direction === 'egress') {
      this.#c.serverResponses++;
      if (this.#includeServer) emit({ message: msg, time: ev.time, origin: undefined, event: ev });
      return true;
    }
    this.#c.responses++;
    const key = `${ev.socketCookie}/${msg.id}`;
    const origin = this.#pending.get(key);
    if (origin !== undefined && sameQuestion(origin.question, q?.name)) {
      this.#pending.delete(key);
      this.#c.matched++;
      emit({ message: msg, time: ev.time, origin, event: ev });
    } else {
      // The query predates capture, or the id was reused for another name: keep the
      // answer for the graph, but with no asker rather than a wrong one.
      this.#c.unmatched++;
      emit({ message: msg, time: ev.time, origin: undefined, event: ev });
    }
    return true;
  }

  /** Drop queries older than the timeout (the map is in arrival order). */
  #expire(now: BootNs): void {
    for (const [key, o] of this.#pending) {
      if (o.time + this.#timeout > now) break;
      this.#pending.delete(key);
      this.#c.expiredQueries++;
    }
  }
}

function sameQuestion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === b) return true;
  return a.replace(/\.+$/, '').toLowerCase() === b.replace(/\.+$/, '').toLowerCase();
}
