/** REST: /v1/processes and everything under it. Thin: parse, call the query layer, shape. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BootNs } from '../../events/types.js';
import type { ProcessNode } from '../../caches/process-model.js';
import { atFields, atOrThrow, type ServerContext } from '../context.js';
import { InvalidCursor, InvalidGlob, ProcessNotFound } from '../errors.js';
import { descendantDto, formatBoot, lineageToDot, nameAt, processSummaryDto, threadDto, type ProcessState } from '../../query/index.js';
import * as S from './schemas.js';
import { ProcessDetailRenderer } from './process-detail.js';

interface PidRequest {
  Params: { pid: number };
  Querystring: { at?: string };
}

function ref(n: ProcessNode, at: BootNs): { key: string; pid: number; name: string } {
  return { key: n.key, pid: n.pid, name: nameAt(n, at) };
}

/** Find the process for `pid` at `at` or throw 404. */
function byPidOrThrow(ctx: ServerContext, pid: number, at: BootNs): ProcessNode {
  const p = ctx.query.processByPid(pid, at);
  if (p === undefined) throw new ProcessNotFound(`with pid ${pid} at or before ${formatBoot(ctx.clock, at)}`);
  return p;
}

/** Route plugin for /v1/processes. */
export const processRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const ctx = app.proctrail;
  const L = ctx.limits;
  const details = new ProcessDetailRenderer(ctx);

  app.get<{ Querystring: { at?: string; name?: string; state?: ProcessState; limit?: number; cursor?: string } }>(
    '/v1/processes',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            at: S.atParam,
            name: { type: 'string', minLength: 1, maxLength: 256 },
            state: { type: 'string', enum: ['alive', 'exited', 'all'], default: 'alive' },
            limit: { type: 'integer', minimum: 1, maximum: L.maxPageSize, default: L.defaultPageSize },
            cursor: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        response: { 200: S.processList, ...S.errorResponses },
      },
    },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const page = ctx.query.list({
        at,
        name: req.query.name,
        state: req.query.state,
        limit: req.query.limit ?? L.defaultPageSize,
        after: req.query.cursor,
      });
      if (page === 'bad-cursor') throw new InvalidCursor();
      if (page === 'bad-glob') throw new InvalidGlob(String(req.query.name));
      return {
        ...atFields(ctx, at),
        items: page.items.map((p) => processSummaryDto(ctx.clock, p, at, ctx.query.containers)),
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  app.get<PidRequest>(
    '/v1/processes/:pid',
    { schema: { params: S.pidParams, querystring: S.atQuery, response: { 200: S.processDetail, ...S.errorResponses } } },
    // Synchronous: the body is ready at once, no promise to settle per lookup.
    (req, reply): void => {
      const at = atOrThrow(ctx, req.query.at);
      const p = byPidOrThrow(ctx, req.params.pid, at);
      details.send(p, at, reply);
    },
  );

  app.get<{ Params: { key: string }; Querystring: { at?: string } }>(
    '/v1/processes/by-key/:key',
    { schema: { params: S.keyParams, querystring: S.atQuery, response: { 200: S.processDetail, ...S.errorResponses } } },
    (req, reply): void => {
      const at = atOrThrow(ctx, req.query.at);
      const p = ctx.query.processByKey(req.params.key);
      if (p === undefined) throw new ProcessNotFound(`with key ${req.params.key}`);
      details.send(p, at, reply);
    },
  );

  app.get<{ Params: { pid: number }; Querystring: { at?: string; maxDepth?: number; format?: 'json' | 'dot' } }>(
    '/v1/processes/:pid/lineage',
    {
      schema: {
        params: S.pidParams,
        querystring: {
          type: 'object',
          properties: {
            at: S.atParam,
            maxDepth: { type: 'integer', minimum: 0, maximum: L.maxLineageDepth, default: L.defaultLineageDepth },
            format: { type: 'string', enum: ['json', 'dot'], default: 'json' },
          },
        },
        response: { 200: S.lineageResponse, ...S.errorResponses },
      },
    },
    async (req, reply) => {
      const at = atOrThrow(ctx, req.query.at);
      const p = byPidOrThrow(ctx, req.params.pid, at);
      const lin = ctx.query.lineage(p, at, req.query.maxDepth ?? L.defaultLineageDepth);
      if (req.query.format === 'dot') {
        // A string payload with an explicit type skips the JSON response schema.
        return reply.type('text/vnd.graphviz; charset=utf-8').serializer((s) => s as string).send(lineageToDot(lin.chain, at));
      }
      return {
        ...atFields(ctx, at),
        truncated: lin.truncated,
        lineage: lin.chain.map((n) => processSummaryDto(ctx.clock, n, at, ctx.query.containers)),
      };
    },
  );

  app.get<PidRequest>(
    '/v1/processes/:pid/children',
    { schema: { params: S.pidParams, querystring: S.atQuery, response: { 200: S.childrenResponse, ...S.errorResponses } } },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const p = byPidOrThrow(ctx, req.params.pid, at);
      return {
        ...atFields(ctx, at),
        process: ref(p, at),
        children: ctx.query.children(p, at).map((c) => processSummaryDto(ctx.clock, c, at, ctx.query.containers)),
      };
    },
  );

  app.get<{ Params: { pid: number }; Querystring: { at?: string; maxDepth?: number; limit?: number } }>(
    '/v1/processes/:pid/descendants',
    {
      schema: {
        params: S.pidParams,
        querystring: {
          type: 'object',
          properties: {
            at: S.atParam,
            maxDepth: { type: 'integer', minimum: 1, maximum: L.maxLineageDepth, default: L.defaultDescendantsDepth },
            limit: { type: 'integer', minimum: 1, maximum: L.maxDescendants, default: L.maxDescendants },
          },
        },
        response: { 200: S.descendantsResponse, ...S.errorResponses },
      },
    },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const p = byPidOrThrow(ctx, req.params.pid, at);
      const d = ctx.query.descendants(p, at, req.query.maxDepth ?? L.defaultDescendantsDepth, req.query.limit ?? L.maxDescendants);
      return {
        ...atFields(ctx, at),
        process: ref(p, at),
        truncated: d.truncated,
        descendants: d.items.map((i) => descendantDto(ctx.clock, i.node, at, i.depth, i.parentKey, ctx.query.containers)),
      };
    },
  );

  app.get<PidRequest>(
    '/v1/processes/:pid/threads',
    { schema: { params: S.pidParams, querystring: S.atQuery, response: { 200: S.threadsResponse, ...S.errorResponses } } },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const p = byPidOrThrow(ctx, req.params.pid, at);
      return {
        ...atFields(ctx, at),
        process: ref(p, at),
        threads: ctx.query.threads(p, at).map((t) => threadDto(ctx.clock, t, at)),
      };
    },
  );
};
