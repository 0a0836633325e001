/** REST: /v1/threads/{tid}. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { atOrThrow } from '../context.js';
import { ThreadNotFound } from '../errors.js';
import { formatBoot, threadDto } from '../../query/index.js';
import * as S from './schemas.js';

/** Route plugin for /v1/threads. */
export const threadRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const ctx = app.proctrail;
  app.get<{ Params: { tid: number }; Querystring: { at?: string } }>(
    '/v1/threads/:tid',
    { schema: { params: S.tidParams, querystring: S.atQuery, response: { 200: S.threadDetail, ...S.errorResponses } } },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const t = ctx.query.threadByTid(req.params.tid, at);
      if (t === undefined) throw new ThreadNotFound(`with tid ${req.params.tid} at or before ${formatBoot(ctx.clock, at)}`);
      return threadDto(ctx.clock, t, at);
    },
  );
};
