/**
 * GraphQL at /graphql (and GraphiQL at /graphiql): mercurius with the schema file,
 * jit compilation, loaders, a depth limit and a complexity limit. Encapsulated, so its
 * error handler stays on the GraphQL routes.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import mercurius from 'mercurius';
import { complexityRule } from './complexity.js';
import { errorFormatter } from './error-formatter.js';
import { loaders } from './loaders.js';
import { ResultSerializers } from './response-serializer.js';
import { resolvers } from './resolvers.js';
import { subscriptionResolvers } from './subscriptions.js';
import type { LiveSubscriptionContext } from './subscriptions.js';
import type { LiveSocket } from '../live.js';

/** Location of the SDL (src/schema.graphql). */
export const SCHEMA_PATH = new URL('../../schema.graphql', import.meta.url);

/** The GraphQL plugin; reads `app.proctrail` for state and limits. */
export const graphqlPlugin: FastifyPluginAsync = async (app: FastifyInstance) => {
  const limits = app.proctrail.limits;
  await app.register(mercurius, {
    schema: readFileSync(SCHEMA_PATH, 'utf8'),
    resolvers: { ...resolvers, ...subscriptionResolvers },
    loaders,
    // GraphiQL is served by ../graphiql.ts from local assets (mercurius's page needs a CDN).
    graphiql: false,
    jit: 1,
    queryDepth: limits.graphqlDepth,
    validationRules: [complexityRule(limits.graphqlComplexity)],
    errorFormatter,
    // Live events over WebSocket on /graphql; the socket goes into the context so a slow
    // consumer can be cut off (see subscriptions.ts). Queues are the hub's, bounded.
    subscription: {
      context: (socket: LiveSocket): LiveSubscriptionContext => ({ liveSocket: socket }),
    },
  });
  const serializers = new ResultSerializers(app.graphql.schema);
  // A result with only `data` is written by its query's compiled serializer when there is
  // one. mercurius keeps only `data` and `errors` from the formatter on some paths (e.g. a
  // jit-compiled query with bad variables): add the uniform `error` to every 4xx here.
  // A callback hook, not async: it runs on every GraphQL response and needs no promise.
  app.addHook('preSerialization', (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, p: unknown) => void) => {
    if (reply.statusCode === 200 && isDataOnly(payload)) {
      const q = queryOf(req);
      const fn = q === undefined ? undefined : serializers.get(q.query, q.operationName);
      if (fn !== undefined) reply.serializer(fn);
      done(null, payload);
      return;
    }
    done(null, withUniformError(reply.statusCode, payload));
  });
};

/** A result holding `data` (an object) and nothing else: no errors, no extensions. */
function isDataOnly(payload: unknown): boolean {
  if (payload === null || typeof payload !== 'object') return false;
  const data = (payload as { data?: unknown }).data;
  if (data === null || typeof data !== 'object') return false;
  for (const k in payload) if (k !== 'data') return false;
  return true;
}

/** The query text and operation name of a GraphQL request (POST body or GET query string). */
function queryOf(req: FastifyRequest): { query: string; operationName: string | undefined } | undefined {
  const src = (req.method === 'GET' ? req.query : req.body) as { query?: unknown; operationName?: unknown } | string | null | undefined;
  if (typeof src === 'string') return { query: src, operationName: undefined }; // application/graphql
  if (src === null || typeof src !== 'object' || typeof src.query !== 'string') return undefined;
  const op = src.operationName;
  return { query: src.query, operationName: typeof op === 'string' && op !== '' ? op : undefined };
}

function withUniformError(status: number, payload: unknown): unknown {
  if (status < 400 || status >= 500 || payload === null || typeof payload !== 'object') return payload;
  const p = payload as { error?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> };
  const first = p.errors?.[0];
  if (p.error !== undefined || first === undefined) return payload;
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'PT_GRAPHQL_INVALID';
  return { ...p, error: { code, message: String(first.message) } };
}
