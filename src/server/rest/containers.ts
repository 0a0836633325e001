/** REST: /v1/containers, /v1/containers/{ref}, /v1/containers/{ref}/processes, /v1/cgroups/{cgroupId}. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BootNs } from '../../events/types.js';
import type { ContainerView } from '../../caches/container-model.js';
import { atFields, atOrThrow, type ServerContext } from '../context.js';
import { CgroupNotFound, ContainerAmbiguous, ContainerNotFound, InvalidInput } from '../errors.js';
import { cgroupDto, containerDto, containerProcessDto, containerRefDto, formatBoot, processSummaryDto } from '../../query/index.js';
import * as S from './schemas.js';
import * as C from './container-schemas.js';

interface RefRequest {
  Params: { ref: string };
  Querystring: { at?: string };
}

/** Resolve an id, unique id prefix or name (alive at `at` when the request gave one), or throw 404/409. */
function containerOrThrow(ctx: ServerContext, ref: string, at: BootNs | undefined): ContainerView {
  const r = ctx.containers.resolveContainer(ref, at);
  if (r.status === 'found') return r.container;
  if (r.status === 'ambiguous') throw new ContainerAmbiguous(ref, r.ids.slice(0, 10).join(', ') + (r.ids.length > 10 ? ', …' : ''));
  throw new ContainerNotFound(at === undefined ? ref : `${ref} at ${formatBoot(ctx.clock, at)}`);
}

const errors = { ...S.errorResponses, 409: S.errorResponse } as const;

/** Route plugin for containers and cgroups. */
export const containerRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const ctx = app.proctrail;

  app.get<{ Querystring: { at?: string } }>(
    '/v1/containers',
    { schema: { querystring: S.atQuery, response: { 200: C.containerList, ...errors } } },
    async (req) => {
      const given = req.query.at !== undefined;
      const at = atOrThrow(ctx, req.query.at);
      // Without `at`: every container not removed (pre-existing ones included); with: alive then.
      const list = ctx.containers.containers(given ? at : undefined);
      return { ...atFields(ctx, at), items: list.map((c) => containerDto(ctx.clock, c, at)) };
    },
  );

  app.get<RefRequest>(
    '/v1/containers/:ref',
    { schema: { params: C.containerRefParams, querystring: S.atQuery, response: { 200: C.containerDetail, ...errors } } },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const c = containerOrThrow(ctx, req.params.ref, req.query.at === undefined ? undefined : at);
      return { ...atFields(ctx, at), ...containerDto(ctx.clock, c, at) };
    },
  );

  app.get<RefRequest>(
    '/v1/containers/:ref/processes',
    { schema: { params: C.containerRefParams, querystring: S.atQuery, response: { 200: C.containerProcesses, ...errors } } },
    async (req) => {
      const given = req.query.at !== undefined;
      const at = atOrThrow(ctx, req.query.at);
      const c = containerOrThrow(ctx, req.params.ref, given ? at : undefined);
      const entries = ctx.containers.processesOf(c.id, given ? at : undefined);
      return {
        ...atFields(ctx, at),
        container: containerRefDto(c),
        items: entries.map((e) => {
          const node = ctx.query.processByKey(e.processKey);
          return {
            ...containerProcessDto(ctx.clock, e),
            process: node === undefined ? null : processSummaryDto(ctx.clock, node, at, ctx.containers),
          };
        }),
      };
    },
  );

  app.get<{ Params: { cgroupId: string }; Querystring: { at?: string; hierarchyId?: number } }>(
    '/v1/cgroups/:cgroupId',
    {
      schema: {
        params: C.cgroupParams,
        querystring: {
          type: 'object',
          properties: { at: S.atParam, hierarchyId: { type: 'integer', minimum: 0, maximum: 65535 } },
        },
        response: { 200: C.cgroupDetail, ...errors },
      },
    },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const id = BigInt(req.params.cgroupId);
      if (id >= 1n << 64n) throw new InvalidInput('cgroupId exceeds 64 bits');
      const h = req.query.hierarchyId ?? ctx.containers.defaultHierarchyId;
      const g = ctx.containers.cgroup(h, id);
      if (g === undefined) throw new CgroupNotFound(`${req.params.cgroupId} in hierarchy ${h}`);
      const c = g.containerId === undefined ? undefined : ctx.containers.resolveContainer(g.containerId);
      return { ...atFields(ctx, at), ...cgroupDto(ctx.clock, g, c?.status === 'found' ? c.container : undefined) };
    },
  );
};
