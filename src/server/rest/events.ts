/**
 * `GET /v1/events?follow=1`: live events as NDJSON (one JSON object per line) for curl
 * users, with the subscriptions' filters. The writer honours socket back-pressure: it pulls
 * from the bounded subscription queue only while the socket accepts data, so a client that
 * stops reading fills the queue, is dropped as `slow_consumer` (counted in /v1/stats
 * `live.closed`) and its connection destroyed — memory stays bounded, ingestion never waits.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { LIVE_EVENT_KINDS, type LiveEventKind } from '../../service/live-events.js';
import { compileLiveFilter } from '../live-filter.js';
import { liveEventLine } from '../live-dto.js';
import { errorBody, TooManySubscribers } from '../errors.js';
import '../live.js';

interface EventsQuery {
  follow?: string;
  kinds?: string;
  container?: string;
  name?: string;
  ancestor?: string;
  queue?: number;
}

const querySchema = {
  type: 'object',
  properties: {
    follow: { type: 'string', enum: ['1', 'true'] },
    kinds: { type: 'string', maxLength: 200 },
    container: { type: 'string', minLength: 1, maxLength: 256 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    ancestor: { type: 'string', maxLength: 40 },
    queue: { type: 'integer', minimum: 1, maximum: 65536 },
  },
  additionalProperties: false,
} as const;

/** Route plugin for /v1/events. */
export const eventRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const ctx = app.proctrail;
  const live = app.proctrailLive;

  app.get<{ Querystring: EventsQuery }>('/v1/events', { schema: { querystring: querySchema } }, async (req, reply) => {
    const q = req.query;
    if (q.follow === undefined) {
      return reply.code(400).send(errorBody('PT_INVALID_INPUT',
        'Invalid input: follow=1 is required (past processes are queried with /v1/processes or GraphQL)'));
    }
    let kinds: Set<LiveEventKind>;
    if (q.kinds === undefined) kinds = new Set(LIVE_EVENT_KINDS);
    else {
      const parts = q.kinds.split(',').map((k) => k.trim()).filter((k) => k !== '');
      const bad = parts.find((k) => !(LIVE_EVENT_KINDS as readonly string[]).includes(k));
      if (bad !== undefined || parts.length === 0) {
        return reply.code(400).send(errorBody('PT_INVALID_INPUT', `Invalid input: kinds must list some of ${LIVE_EVENT_KINDS.join(', ')}`));
      }
      kinds = new Set(parts as LiveEventKind[]);
    }
    const f = compileLiveFilter(q, ctx.query.tree, live, ctx.limits.maxLineageDepth);
    if (!f.ok) return reply.code(400).send(errorBody(f.code, f.code === 'PT_INVALID_GLOB' ? f.message : `Invalid input: ${f.message}`));

    const res = reply.raw;
    const sub = live.subscribe({
      kinds,
      ...(f.match !== undefined && { match: f.match }),
      ...(q.queue !== undefined && { queueSize: q.queue }),
      onClose: (reason) => {
        // A slow consumer is not reading: ending politely would wait for it.
        if (reason === 'client_closed' || reason === 'too_many_subscribers') return;
        if (reason === 'server_closed' && res.writable) res.end();
        else res.destroy();
      },
    });
    if (sub.closedReason !== undefined) throw new TooManySubscribers();
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.flushHeaders();
    res.on('close', () => sub.close('client_closed'));

    let waitingDrain = false;
    const pump = (): void => {
      if (sub.closedReason !== undefined || waitingDrain) return;
      for (;;) {
        const ev = sub.shift();
        if (ev === undefined) {
          sub.onReadable(pump);
          return;
        }
        const line = JSON.stringify(liveEventLine(ctx.query.tree, ctx.clock, ev, ctx.query.containers)) + '\n';
        if (!res.write(line)) {
          waitingDrain = true;
          res.once('drain', () => {
            waitingDrain = false;
            pump();
          });
          return;
        }
      }
    };
    pump();
    return reply;
  });
};
