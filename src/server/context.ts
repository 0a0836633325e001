/**
 * What every route and resolver reaches through `app.proctrail`: the query layer and the
 * limits. Later readers (containers, DNS) join here as optional fields.
 */
import type { BootNs } from '../events/types.js';
import type { ProcessQuery } from '../query/process-query.js';
import type { ContainerReader } from '../query/container-view.js';
import type { DnsQuery } from '../query/dns-query.js';
import { type Clock, formatBoot } from '../query/time.js';
import { InvalidTime } from './errors.js';

/** Request-size and cost limits (all optional in buildApp; defaults below). */
export interface ServerLimits {
  /** Default and maximum `maxDepth` of lineage/ancestors. Default 64 / 1024. */
  readonly defaultLineageDepth: number;
  readonly maxLineageDepth: number;
  /** Default and maximum page size of listings. Default 100 / 1000. */
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  /** Default `maxDepth` and max items of descendants. Default 8 / 10000. */
  readonly defaultDescendantsDepth: number;
  readonly maxDescendants: number;
  /** GraphQL selection depth limit (mercurius queryDepth). Default 12. */
  readonly graphqlDepth: number;
  /** GraphQL cost limit (see graphql/complexity.ts). Default 20000. */
  readonly graphqlComplexity: number;
}

/** Defaults of {@link ServerLimits}. */
export const DEFAULT_LIMITS: ServerLimits = Object.freeze({
  defaultLineageDepth: 64,
  maxLineageDepth: 1024,
  defaultPageSize: 100,
  maxPageSize: 1000,
  defaultDescendantsDepth: 8,
  maxDescendants: 10_000,
  graphqlDepth: 12,
  graphqlComplexity: 20_000,
});

/** The decoration `app.proctrail`. */
export interface ServerContext {
  readonly query: ProcessQuery;
  /** The container cache (read only). */
  readonly containers: ContainerReader;
  readonly clock: Clock;
  readonly limits: ServerLimits;
  /** DNS graph lookups (answers 404 for everything when DNS capture is off). */
  readonly dns: DnsQuery;
  /** Aggregated statistics for /v1/stats. */
  stats(): Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    proctrail: ServerContext;
  }
}

/** Resolve a REST `at` query parameter or throw the catalogue's 400. */
export function atOrThrow(ctx: ServerContext, at: string | undefined, param = 'at'): BootNs {
  const t = ctx.query.at(at);
  if (t === undefined) throw new InvalidTime(param, String(at));
  return t;
}

/** The effective query time as responses carry it (`at` printed, `atNs` epoch ns). */
export function atFields(ctx: ServerContext, at: BootNs): { at: string; atNs: string } {
  return { at: formatBoot(ctx.clock, at), atNs: (at + ctx.clock.bootToEpochNs).toString() };
}

