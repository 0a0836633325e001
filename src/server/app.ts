/**
 * The Fastify app factory. `buildApp` wires the query layer, REST routes, GraphQL and the
 * error catalogue, and never listens: the CLI calls `listen()` (default 127.0.0.1:7421),
 * tests call `inject()`.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ProcessTreeReader } from '../caches/process-model.js';
import { ContainerCache } from '../caches/containers.js';
import type { ContainerReader } from '../query/container-view.js';
import { containerRoutes } from './rest/containers.js';
import { ProcessQuery } from '../query/process-query.js';
import type { Clock } from '../query/time.js';
import { DEFAULT_LIMITS, type ServerContext, type ServerLimits } from './context.js';
import { errorHandlerPlugin } from './error-handler.js';
import { graphqlPlugin } from './graphql/plugin.js';
import { graphiqlRoutes } from './graphiql.js';
import { metaRoutes } from './rest/meta.js';
import { processRoutes } from './rest/processes.js';
import { threadRoutes } from './rest/threads.js';
import { eventRoutes } from './rest/events.js';
import { uiRoutes } from './ui.js';
import { reportRoutes } from './rest/reports.js';
import { MetricsCollector, metricsPlugin } from './metrics.js';
import { dnsRoutes } from './rest/dns.js';
import { DnsQuery, type DnsSource } from '../query/dns-query.js';
import { LiveEvents } from '../service/live-events.js';
import './live.js';

/** Default listen address (the CLI's, documented here beside the app). */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7421;

/** Options of {@link buildApp}. Readers for containers and DNS join as optional fields. */
export interface BuildAppOptions {
  /** The process tree, read only. */
  readonly tree: ProcessTreeReader;
  /** The container cache, read only (default: an empty one, so the routes still answer). */
  readonly containers?: ContainerReader;
  /** Boot-time ↔ wall-clock conversion and "now". */
  readonly clock: Clock;
  /**
   * Extra statistics merged into /v1/stats next to `processTree` (source counters, drops,
   * ...). Called per request; bigint values are sent as decimal strings.
   */
  readonly stats?: () => Record<string, unknown>;
  /** Fastify logger option. Default false. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Live-event hub (subscriptions, /v1/events); default: an idle hub nothing publishes to. */
  readonly live?: LiveEvents;
  /** The DNS graph and its counters (DnsPipeline); without it DNS routes answer 404. */
  readonly dns?: DnsSource;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<ServerLimits>;
}

function checkLimits(l: ServerLimits): void {
  for (const [k, v] of Object.entries(l)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`limits.${k} must be a positive integer, got ${String(v)}`);
  }
  if (l.defaultLineageDepth > l.maxLineageDepth) throw new TypeError('limits.defaultLineageDepth exceeds maxLineageDepth');
  if (l.defaultPageSize > l.maxPageSize) throw new TypeError('limits.defaultPageSize exceeds maxPageSize');
}

/** Build the configured (not listening) Fastify instance. Bad options throw TypeError. */
export function buildApp(opts: BuildAppOptions): FastifyInstance {
  if (opts === null || typeof opts !== 'object' || opts.tree === undefined || opts.clock === undefined) {
    throw new TypeError('buildApp needs { tree, clock }');
  }
  if (typeof opts.clock.bootToEpochNs !== 'bigint' || typeof opts.clock.nowBootNs !== 'function') {
    throw new TypeError('clock must be { bootToEpochNs: bigint, nowBootNs(): bigint }');
  }
  const limits: ServerLimits = Object.freeze({ ...DEFAULT_LIMITS, ...opts.limits });
  checkLimits(limits);

  const app = Fastify({
    logger: opts.logger ?? false,
    // Query strings are small; a long one is an attack or a bug.
    routerOptions: { maxParamLength: 260 }, // a DNS name is up to 253 characters
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, useDefaults: true, allErrors: false } },
  });

  const containers = opts.containers ?? new ContainerCache();
  const query = new ProcessQuery(opts.tree, opts.clock, containers);
  const extra = opts.stats;
  const live = opts.live ?? new LiveEvents();
  const dns = new DnsQuery(opts.dns, opts.clock);
  const metrics = new MetricsCollector({ containers, ...(opts.dns !== undefined && { dns: opts.dns }) });
  const ctx: ServerContext = {
    query,
    containers,
    clock: opts.clock,
    limits,
    dns,
    // `monitor` is derived from the rest (hit rates, events, losses, latency): /metrics renders it.
    stats: () => {
      const raw: Record<string, unknown> = { processTree: opts.tree.stats(), live: live.stats(), dns: dns.stats(), ...(extra === undefined ? {} : extra()) };
      raw.monitor = metrics.snapshot(raw);
      return raw;
    },
  };
  app.decorate('proctrail', ctx);
  app.decorate('proctrailLive', live);
  // Streams and subscriptions end with the server.
  app.addHook('onClose', async () => live.closeAll());

  app.register(errorHandlerPlugin);
  app.register(metricsPlugin, { collector: metrics });
  app.register(metaRoutes);
  app.register(processRoutes);
  app.register(threadRoutes);
  app.register(containerRoutes);
  app.register(dnsRoutes);
  app.register(graphqlPlugin);
  app.register(graphiqlRoutes);
  app.register(eventRoutes);
  app.register(uiRoutes);
  app.register(reportRoutes);
  return app;
}
