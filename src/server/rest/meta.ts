/** REST: /healthz, /v1/stats and /openapi.yaml (the API describing itself). */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

/** Location of the OpenAPI document at the repository root. */
export const OPENAPI_PATH = new URL('../../../openapi.yaml', import.meta.url);

/** JSON-safe copy: bigint → decimal string (JSON.stringify throws on bigint). */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object') {
    if (v instanceof Map) return jsonSafe(Object.fromEntries(v));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = jsonSafe(x);
    return out;
  }
  return v;
}

/** Route plugin for the service's own endpoints. */
export const metaRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const ctx = app.proctrail;
  // Read once: the document is part of the build, not of the state.
  const openapi = readFileSync(OPENAPI_PATH, 'utf8');

  app.get(
    '/healthz',
    {
      schema: {
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, processes: { type: 'integer' } } } },
      },
    },
    async () => ({ status: 'ok', processes: ctx.query.tree.stats().processes.size }),
  );

  app.get('/v1/stats', async () => jsonSafe(ctx.stats()));

  app.get('/openapi.yaml', async (_req, reply) => reply.type('application/yaml; charset=utf-8').send(openapi));
};
