/**
 * REST: `GET /v1/reports/lineage` — every process alive in `[from, to)` as a forest, in
 * JSON, DOT or Markdown. The body is streamed: the renderer's chunks are piped into the
 * socket with back-pressure, so the server never holds the whole document.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { REPORT_FORMATS, type ReportFormat, buildLineageReport } from '../../query/report.js';
import { chunked, REPORT_CONTENT_TYPES, renderReport } from '../../query/report-render.js';
import { resolveReportRequest, type ReportRequestError } from '../../query/report-request.js';
import { ContainerAmbiguous, ContainerNotFound, InvalidGlob, InvalidInput, InvalidTime, ProcessNotFound } from '../errors.js';
import * as S from './schemas.js';

interface ReportQuery {
  from?: string;
  to?: string;
  format?: ReportFormat;
  root?: string;
  container?: string;
  name?: string;
}

/** The catalogue error for a refused request. */
export function reportError(e: ReportRequestError): Error {
  switch (e.kind) {
    case 'bad-time': return new InvalidTime(e.param, e.value);
    case 'bad-range': return new InvalidInput(e.message);
    case 'bad-glob': return new InvalidGlob(e.value);
    case 'bad-root': return new InvalidInput(`root must be a pid or a process key "<pid>@<ticks>", got ${e.value}`);
    case 'root-not-found': return new ProcessNotFound(`${e.value} in the range`);
    case 'container-not-found': return new ContainerNotFound(e.value);
    case 'container-ambiguous': return new ContainerAmbiguous(e.value, e.ids.join(', '));
  }
}

/** Route plugin for /v1/reports. */
export const reportRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const ctx = app.proctrail;

  app.get<{ Querystring: ReportQuery }>(
    '/v1/reports/lineage',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['from'],
          properties: {
            from: S.atParam,
            to: S.atParam,
            format: { type: 'string', enum: [...REPORT_FORMATS], default: 'json' },
            root: { type: 'string', minLength: 1, maxLength: 40 },
            container: { type: 'string', minLength: 1, maxLength: 256 },
            name: { type: 'string', minLength: 1, maxLength: 256 },
          },
          additionalProperties: false,
        },
        response: S.errorResponses,
      },
    },
    async (req, reply) => {
      const q = req.query;
      const r = resolveReportRequest(ctx.query, q);
      if ('kind' in r) throw reportError(r);
      const format = q.format ?? 'json';
      const report = buildLineageReport(ctx.query.tree, r.selection, ctx.query.containers);
      const body = Readable.from(chunked(renderReport(format, { report, clock: ctx.clock, filters: r.filters, containers: ctx.query.containers })), {
        objectMode: false,
        encoding: 'utf8',
      });
      return reply
        .type(REPORT_CONTENT_TYPES[format])
        .header('cache-control', 'no-store')
        .header('x-proctrail-processes', String(report.size))
        .send(body);
    },
  );
};
