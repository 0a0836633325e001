/**
 * Live events: the typed fan-out behind GraphQL subscriptions and `GET /v1/events?follow=1`.
 *
 * Publishers (the pipeline for process events; the container and DNS integrations for
 * theirs) call `publish(kind, payload)` synchronously on the ingestion path. Each subscriber
 * has a bounded queue and a filter evaluated at publish time; a subscriber whose queue is
 * full is a slow consumer: it is closed with reason `slow_consumer` (counted) and its queued
 * events are discarded (counted), so one stuck client can neither grow memory without bound
 * nor stall ingestion. With no subscribers, `publish` is one branch (check `active` first to
 * skip building payloads at all).
 */
import type { BootNs } from '../events/types.js';
import type { ProcessNode } from '../caches/process-model.js';
import type { ContainerView } from '../caches/container-model.js';
import type { DnsResponseView } from '../caches/dns-views.js';

/** A process started (fork of a new process), exec'd, or exited (whole thread group). */
export interface ProcessLiveEvent {
  readonly kind: 'processStarted' | 'processExec' | 'processExited';
  /** Event time (boot ns); the process is described as it was at this moment. */
  readonly time: BootNs;
  readonly process: ProcessNode;
}

/** A container appeared (first cgroup created) or went away (last cgroup removed). */
export interface ContainerLiveEvent {
  readonly kind: 'containerStarted' | 'containerRemoved';
  readonly time: BootNs;
  readonly container: ContainerView;
}

/** A DNS answer was received for `question` (normalized name). */
export interface DnsLiveEvent {
  readonly kind: 'dnsAnswered';
  readonly time: BootNs;
  readonly question: string;
  readonly response: DnsResponseView;
}

/** Every live event. */
export type LiveEvent = ProcessLiveEvent | ContainerLiveEvent | DnsLiveEvent;
/** The event kinds, as subscription field names. */
export type LiveEventKind = LiveEvent['kind'];
/** What a publisher passes for each kind (the event without its `kind`). */
export interface LivePayloads {
  processStarted: Omit<ProcessLiveEvent, 'kind'>;
  processExec: Omit<ProcessLiveEvent, 'kind'>;
  processExited: Omit<ProcessLiveEvent, 'kind'>;
  containerStarted: Omit<ContainerLiveEvent, 'kind'>;
  containerRemoved: Omit<ContainerLiveEvent, 'kind'>;
  dnsAnswered: Omit<DnsLiveEvent, 'kind'>;
}
/** What a publisher passes for `kind`. */
export type LivePayload<K extends LiveEventKind> = LivePayloads[K];

/** All kinds, in documentation order. */
export const LIVE_EVENT_KINDS: readonly LiveEventKind[] = Object.freeze([
  'processStarted', 'processExec', 'processExited', 'containerStarted', 'containerRemoved', 'dnsAnswered',
] as const);

/** Why a subscription ended. */
export type LiveCloseReason = 'slow_consumer' | 'client_closed' | 'server_closed' | 'too_many_subscribers';

/** Options of {@link LiveEvents}. */
export interface LiveEventsOptions {
  /** Default per-subscriber queue bound (events). Default 1024. */
  readonly queueSize?: number;
  /** Maximum concurrent subscribers; more are refused (closed at once). Default 256. */
  readonly maxSubscribers?: number;
}

/** Options of one subscription. */
export interface LiveSubscribeOptions {
  /** Kinds wanted. */
  readonly kinds: ReadonlySet<LiveEventKind>;
  /** Filter run at publish time; must be cheap and never throw (a throw counts as no match). */
  readonly match?: (ev: LiveEvent) => boolean;
  /** Queue bound for this subscriber (default: the hub's). */
  readonly queueSize?: number;
  /** Called once when the subscription closes for any reason. */
  readonly onClose?: (reason: LiveCloseReason) => void;
}

/** Counters of the hub (for /v1/stats and /metrics). */
export interface LiveEventsStats {
  readonly subscribers: number;
  /** Events published, by kind (whether or not anyone listened). */
  readonly published: Record<string, number>;
  /** Events queued to subscribers (one per matching subscriber). */
  readonly delivered: number;
  /** Events thrown away with a dropped subscriber's queue, or at the moment it overflowed. */
  readonly discarded: number;
  /** Subscriptions ended, by reason. */
  readonly closed: Record<LiveCloseReason, number>;
  /** Filter functions that threw (counted as no match). */
  readonly filterErrors: number;
}

/**
 * One subscriber's bounded queue; an async iterator (GraphQL) and a pull API (`shift`,
 * `onReadable`) for stream writers that honour socket back-pressure.
 */
export class LiveSubscription implements AsyncIterableIterator<LiveEvent> {
  #queue: LiveEvent[] = [];
  #head = 0;
  #waiter: ((r: IteratorResult<LiveEvent>) => void) | undefined;
  #readable: (() => void) | undefined;
  #closed: LiveCloseReason | undefined;

  constructor(
    readonly kinds: ReadonlySet<LiveEventKind>,
    readonly match: ((ev: LiveEvent) => boolean) | undefined,
    readonly queueSize: number,
    readonly onClose: ((reason: LiveCloseReason) => void) | undefined,
    readonly hub: LiveEvents,
  ) {}

  /** Why it closed, undefined while open. */
  get closedReason(): LiveCloseReason | undefined {
    return this.#closed;
  }

  /** Events waiting. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Queue an event; false when the queue is full (the hub then drops this subscriber). */
  offer(ev: LiveEvent): boolean {
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w({ value: ev, done: false });
      return true;
    }
    if (this.pending >= this.queueSize) return false;
    this.#queue.push(ev);
    const r = this.#readable;
    if (r !== undefined) {
      this.#readable = undefined;
      // After the publisher's batch, never inside it: writers do I/O and serialization.
      queueMicrotask(r);
    }
    return true;
  }

  /** Next queued event without waiting, undefined when none. */
  shift(): LiveEvent | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const ev = this.#queue[this.#head++];
    // Compact now and then instead of Array#shift (O(n) per call).
    if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return ev;
  }

  /** Call `cb` once when an event is queued (or the subscription closes). */
  onReadable(cb: () => void): void {
    if (this.pending > 0 || this.#closed !== undefined) queueMicrotask(cb);
    else this.#readable = cb;
  }

  /** End the subscription; idempotent. Returns the number of events discarded. */
  close(reason: LiveCloseReason): number {
    if (this.#closed !== undefined) return 0;
    this.#closed = reason;
    const discarded = this.pending;
    this.#queue = [];
    this.#head = 0;
    this.hub.detach(this, reason, discarded);
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.({ value: undefined, done: true });
    const r = this.#readable;
    this.#readable = undefined;
    r?.();
    this.onClose?.(reason);
    return discarded;
  }

  next(): Promise<IteratorResult<LiveEvent>> {
    const ev = this.shift();
    if (ev !== undefined) return Promise.resolve({ value: ev, done: false });
    if (this.#closed !== undefined) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<LiveEvent>> {
    this.close('client_closed');
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The hub: subscribe, publish, stats. One per service. */
export class LiveEvents {
  readonly #queueSize: number;
  readonly #maxSubscribers: number;
  #subs: LiveSubscription[] = [];
  readonly #published: Record<string, number> = Object.fromEntries(LIVE_EVENT_KINDS.map((k) => [k, 0]));
  #delivered = 0;
  #discarded = 0;
  #filterErrors = 0;
  readonly #closed: Record<LiveCloseReason, number> = { slow_consumer: 0, client_closed: 0, server_closed: 0, too_many_subscribers: 0 };
  /**
   * Container id of a cgroup at a moment, for the `container` filter on process events. Set
   * by whoever owns the container cache; until then the filter compares decimal cgroup ids.
   */
  containerIdOf: ((cgroupId: bigint, at: BootNs) => string | undefined) | undefined;
  /** Kinds at least one subscriber wants (publishers may skip building others' payloads). */
  #wanted = new Set<LiveEventKind>();

  constructor(opts: LiveEventsOptions = {}) {
    const q = opts.queueSize ?? 1024;
    const m = opts.maxSubscribers ?? 256;
    if (!Number.isSafeInteger(q) || q < 1) throw new TypeError(`queueSize must be a positive integer, got ${String(q)}`);
    if (!Number.isSafeInteger(m) || m < 1) throw new TypeError(`maxSubscribers must be a positive integer, got ${String(m)}`);
    this.#queueSize = q;
    this.#maxSubscribers = m;
  }

  /** True when anyone listens: the hot path's only cost when nobody does. */
  get active(): boolean {
    return this.#subs.length > 0;
  }

  /** True when some subscriber wants `kind`. */
  wants(kind: LiveEventKind): boolean {
    return this.#wanted.has(kind);
  }

  /** Publish one event to every matching subscriber (synchronous, never throws, never blocks). */
  publish<K extends LiveEventKind>(kind: K, payload: LivePayload<K>): void {
    this.#published[kind] = (this.#published[kind] ?? 0) + 1;
    if (!this.#wanted.has(kind)) return;
    const ev = { kind, ...payload } as unknown as LiveEvent;
    let slow: LiveSubscription[] | undefined;
    for (const s of this.#subs) {
      if (!s.kinds.has(kind)) continue;
      if (s.match !== undefined) {
        let ok: boolean;
        try {
          ok = s.match(ev);
        } catch {
          this.#filterErrors++;
          ok = false;
        }
        if (!ok) continue;
      }
      if (s.offer(ev)) this.#delivered++;
      else (slow ??= []).push(s);
    }
    // Closed after the loop: close() edits the subscriber list.
    if (slow !== undefined) {
      for (const s of slow) {
        this.#discarded++; // the event that did not fit
        s.close('slow_consumer');
      }
    }
  }

  /** Start a subscription. Over the subscriber limit it comes back already closed. */
  subscribe(opts: LiveSubscribeOptions): LiveSubscription {
    const q = opts.queueSize ?? this.#queueSize;
    if (!Number.isSafeInteger(q) || q < 1) throw new TypeError(`queueSize must be a positive integer, got ${String(q)}`);
    const s = new LiveSubscription(opts.kinds, opts.match, q, opts.onClose, this);
    if (this.#subs.length >= this.#maxSubscribers) {
      s.close('too_many_subscribers');
      return s;
    }
    this.#subs = [...this.#subs, s];
    this.#rewant();
    return s;
  }

  /** Close every subscription (service shutdown). */
  closeAll(): void {
    for (const s of this.#subs) s.close('server_closed');
  }

  /** Called by LiveSubscription.close: forget it and count why. */
  detach(s: LiveSubscription, reason: LiveCloseReason, discarded: number): void {
    this.#closed[reason]++;
    this.#discarded += discarded;
    const i = this.#subs.indexOf(s);
    if (i < 0) return;
    // Copy on write: publish() may be iterating the old array.
    this.#subs = this.#subs.filter((x) => x !== s);
    this.#rewant();
  }

  /** Counters. */
  stats(): LiveEventsStats {
    return {
      subscribers: this.#subs.length,
      published: { ...this.#published },
      delivered: this.#delivered,
      discarded: this.#discarded,
      closed: { ...this.#closed },
      filterErrors: this.#filterErrors,
    };
  }

  #rewant(): void {
    const w = new Set<LiveEventKind>();
    for (const s of this.#subs) for (const k of s.kinds) w.add(k);
    this.#wanted = w;
  }
}
