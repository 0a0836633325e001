/**
 * `GET /metrics` in Prometheus text format (prom-client), plus request latency (taken from
 * Node's HTTP server, see {@link metricsPlugin}).
 *
 * Each app owns its Registry (never prom-client's global one), so two apps in one process
 * — tests, a replay next to a live server — never mix their numbers. Cache numbers are
 * collected at scrape time from the same {@link MonitorSnapshot} that /v1/stats returns:
 * the caches keep no timers and are read only when someone asks.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { LatencyHistogram, type LatencySeries } from './latency-histogram.js';
import { type MonitorSnapshot, monitorSnapshot, type MonitorSources, type RouteLatency } from './monitor.js';

/** Latency buckets in seconds (sub-millisecond lookups to multi-second reports). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Route label for requests no route matched (keeps the label set bounded). */
const UNMATCHED = 'unmatched';

/** The histogram series and route aggregate of one (method, route, status). */
export interface Series {
  readonly status: number;
  readonly agg: RouteAgg;
  readonly http: LatencySeries;
  readonly graphql: LatencySeries | undefined;
}

interface RouteAgg {
  method: string;
  route: string;
  requests: number;
  errors: number;
  sumMs: number;
  maxMs: number;
}

/** Registry, metric families and the per-route latency aggregate of one app. */
export class MetricsCollector {
  readonly registry = new Registry();
  readonly #sources: MonitorSources;
  readonly #routes = new Map<string, RouteAgg>();
  readonly #series = new Map<string, Series>();
  readonly #http: LatencyHistogram;
  readonly #graphql: LatencyHistogram;
  #current: MonitorSnapshot | undefined;

  /** `sources` are the typed readers (container cache, DNS) the snapshot needs besides the raw stats. */
  constructor(sources: MonitorSources = {}) {
    this.#sources = sources;
    const registers = [this.registry];
    this.#http = new LatencyHistogram({
      name: 'proctrail_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status code (GraphQL included as POST /graphql).',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BUCKETS,
      registers,
    });
    this.#graphql = new LatencyHistogram({
      name: 'proctrail_graphql_request_duration_seconds',
      help: 'GraphQL request latency (POST/GET /graphql) by outcome (ok, error).',
      labelNames: ['outcome'],
      buckets: BUCKETS,
      registers,
    });
    this.#defineCacheMetrics();
  }

  /** Record one finished request. */
  observe(method: string, route: string, status: number, ms: number): void {
    this.observeSeries(this.series(method, route, status), ms);
  }

  /** The series of (method, route, status): resolve once, then {@link observeSeries}. */
  series(method: string, route: string, status: number): Series {
    const key = `${method} ${route} ${status}`;
    let s = this.#series.get(key);
    if (s === undefined) {
      const routeKey = `${method} ${route}`;
      let agg = this.#routes.get(routeKey);
      if (agg === undefined) this.#routes.set(routeKey, (agg = { method, route, requests: 0, errors: 0, sumMs: 0, maxMs: 0 }));
      s = {
        status,
        agg,
        http: this.#http.labels({ method, route, status_code: String(status) }),
        graphql: route === '/graphql' ? this.#graphql.labels({ outcome: status < 400 ? 'ok' : 'error' }) : undefined,
      };
      this.#series.set(key, s);
    }
    return s;
  }

  /** Record one request of `ms` milliseconds on a resolved series. */
  observeSeries(s: Series, ms: number): void {
    const status = s.status;
    const seconds = ms / 1000;
    s.http.observe(seconds);
    s.graphql?.observe(seconds);
    const a = s.agg;
    a.requests++;
    if (status >= 400) a.errors++;
    a.sumMs += ms;
    if (ms > a.maxMs) a.maxMs = ms;
  }

  /** Per-route latency so far, busiest first. */
  routes(): RouteLatency[] {
    return [...this.#routes.values()]
      .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route))
      .map((a) => ({ method: a.method, route: a.route, requests: a.requests, errors: a.errors, meanMs: round(a.sumMs / a.requests), maxMs: round(a.maxMs) }));
  }

  /** The monitor snapshot of a raw /v1/stats object. */
  snapshot(raw: Record<string, unknown>): MonitorSnapshot {
    return monitorSnapshot(raw, this.#sources, this.routes());
  }

  /** Prometheus text exposition of `snap` (plus the latency histograms). */
  async scrape(snap: MonitorSnapshot): Promise<string> {
    this.#current = snap;
    try {
      return await this.registry.metrics();
    } finally {
      this.#current = undefined;
    }
  }

  #defineCacheMetrics(): void {
    const registers = [this.registry];
    const self = this;
    const snap = (): MonitorSnapshot | undefined => self.#current;
    const perCache = (name: string, help: string, pick: (c: MonitorSnapshot['caches'][string]) => number | null, counter: boolean): void => {
      const opts = {
        name,
        help,
        labelNames: ['cache'] as const,
        registers,
        collect(this: Counter<'cache'> | Gauge<'cache'>) {
          const s = snap();
          this.reset();
          if (s === undefined) return;
          for (const [cache, c] of Object.entries(s.caches)) {
            const v = pick(c);
            if (v === null) continue;
            if (this instanceof Counter) this.inc({ cache }, v);
            else this.set({ cache }, v);
          }
        },
      };
      if (counter) new Counter(opts);
      else new Gauge(opts);
    };
    perCache('proctrail_cache_hits_total', 'Cache lookups that found an entry.', (c) => c.hits, true);
    perCache('proctrail_cache_misses_total', 'Cache lookups that found nothing.', (c) => c.misses, true);
    perCache('proctrail_cache_hit_ratio', 'hits / (hits + misses) since start.', (c) => c.hitRate, false);
    perCache('proctrail_cache_size', 'Entries in the cache now.', (c) => c.size, false);
    perCache('proctrail_cache_capacity', 'Bound of the cache (entries).', (c) => c.capacity, false);

    const labelled = <L extends string>(name: string, help: string, label: L, rows: (s: MonitorSnapshot) => Array<[Record<L, string>, number]>, counter = true): void => {
      const opts = {
        name,
        help,
        labelNames: [label] as unknown as readonly L[],
        registers,
        collect(this: Counter<L> | Gauge<L>) {
          const s = snap();
          this.reset();
          if (s === undefined) return;
          for (const [labels, v] of rows(s)) {
            if (this instanceof Counter) this.inc(labels as never, v);
            else (this as Gauge<L>).set(labels as never, v);
          }
        },
      };
      if (counter) new Counter<L>(opts);
      else new Gauge<L>(opts);
    };
    new Counter({
      name: 'proctrail_cache_evictions_total',
      help: 'Entries removed from a cache, by reason.',
      labelNames: ['cache', 'reason'],
      registers,
      collect() {
        const s = snap();
        this.reset();
        if (s === undefined) return;
        for (const [cache, c] of Object.entries(s.caches)) for (const [reason, v] of Object.entries(c.evictions)) this.inc({ cache, reason }, v);
      },
    });
    labelled('proctrail_events_total', 'Events received, by type.', 'type', (s) => Object.entries(s.events).map(([type, v]) => [{ type }, v]));
    labelled('proctrail_events_lost_total', 'Events or records lost or dropped, by cause.', 'cause', (s) => Object.entries(s.lost).map(([cause, v]) => [{ cause }, v]));
    labelled('proctrail_enrichment_total', 'Container enrichment attempts through runtime APIs, by result.', 'result', (s) =>
      s.enrichment === null
        ? []
        : [
            [{ result: 'attempt' }, s.enrichment.attempts],
            [{ result: 'enriched' }, s.enrichment.enriched],
            [{ result: 'failure' }, s.enrichment.failures],
            [{ result: 'not_found' }, s.enrichment.notFound],
            [{ result: 'gave_up' }, s.enrichment.gaveUp],
          ],
    );
    new Gauge({
      name: 'proctrail_enrichment_pending',
      help: 'Containers waiting for enrichment.',
      registers,
      collect() {
        const s = snap();
        this.set(s?.enrichment?.pending ?? 0);
      },
    });
    new Gauge({
      name: 'proctrail_live_subscribers',
      help: 'Live-event subscribers (GraphQL subscriptions and /v1/events streams) now.',
      registers,
      collect() {
        this.set(snap()?.liveSubscribers ?? 0);
      },
    });
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  readonly collector: MetricsCollector;
}

/** One route's latency series by status, stamped on each of its responses. */
interface RouteSeries {
  readonly url: string;
  /** One method: the series by status alone; several: the collector's own lookup. */
  readonly byStatus: Map<number, Series> | undefined;
}

/** When Node parsed the request's head (performance.now() ms). */
const STARTED = Symbol('proctrail.metrics.started');
/** The route that answered (absent: no route matched). */
const ROUTE = Symbol('proctrail.metrics.route');
type StampedResponse = ServerResponse & { [STARTED]?: number; [ROUTE]?: RouteSeries };
/** The message Node publishes on its http.server.* diagnostics channels. */
interface HttpServerMessage {
  readonly request: IncomingMessage;
  readonly response: StampedResponse;
  readonly server: unknown;
}

/**
 * Latency of every request on every route, and `GET /metrics`. Registered with
 * fastify-plugin so that it reaches routes of every other plugin.
 *
 * A request is timed from the moment Node parsed its head to the moment its response
 * finished, through Node's own `http.server.request.start` / `http.server.response.finish`
 * diagnostics channels rather than Fastify hooks: any onResponse hook makes Fastify add
 * and remove two listeners on every response and run a hook chain, which cost ~10 % of the
 * throughput of a cheap route. Each route's handler stamps its series on the response;
 * requests that fail before their handler (bad input) are stamped by an onError hook,
 * which runs only then; unstamped responses are the ones no route matched. Requests
 * made with `inject()` do not pass through the HTTP server and are not counted.
 */
export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app: FastifyInstance, opts) => {
    const collector = opts.collector;
    const routes = new Map<string, RouteSeries>();
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const series: RouteSeries = { url: route.url, byStatus: methods.length === 1 ? new Map() : undefined };
      for (const m of methods) routes.set(`${m} ${route.url}`, series);
      const handler = route.handler;
      route.handler = function stampRoute(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
        (reply.raw as StampedResponse)[ROUTE] = series;
        return handler.call(this, req, reply);
      };
    });
    app.addHook('onError', (req: FastifyRequest, reply: FastifyReply, _err: Error, done: () => void) => {
      const res = reply.raw as StampedResponse;
      if (res[ROUTE] === undefined && !req.is404) res[ROUTE] = routes.get(`${req.method} ${req.routeOptions.url}`);
      done();
    });

    const server = app.server;
    const onStart = (m: unknown): void => {
      const msg = m as HttpServerMessage;
      if (msg.server === server) msg.response[STARTED] = performance.now();
    };
    const onFinish = (m: unknown): void => {
      const msg = m as HttpServerMessage;
      if (msg.server !== server) return;
      const res = msg.response;
      const started = res[STARTED];
      if (started === undefined) return; // began before the plugin subscribed
      const ms = performance.now() - started;
      const status = res.statusCode;
      const method = msg.request.method ?? 'GET';
      const route = res[ROUTE];
      if (route === undefined) {
        collector.observe(method, UNMATCHED, status, ms);
        return;
      }
      let s = route.byStatus?.get(status);
      if (s === undefined) {
        s = collector.series(method, route.url, status);
        route.byStatus?.set(status, s);
      }
      collector.observeSeries(s, ms);
    };
    diagnostics.subscribe('http.server.request.start', onStart);
    diagnostics.subscribe('http.server.response.finish', onFinish);
    app.addHook('onClose', (_app: FastifyInstance, done: () => void) => {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
      done();
    });

    app.get('/metrics', async (_req, reply) => {
      const snap = app.proctrail.stats().monitor as MonitorSnapshot;
      const text = await collector.scrape(snap);
      return reply.type(collector.registry.contentType).send(text);
    });
  },
  { name: 'proctrail-metrics' },
);
