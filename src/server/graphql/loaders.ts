/**
 * Mercurius loaders for the N+1-prone edges (Process.parent, Process.children): one
 * batch per request and field, cached per request by (key, at) — see ProcessRef.toJSON.
 */
import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import { ProcessRef } from './refs.js';

interface Query {
  obj: ProcessRef;
}

/** The loader map. */
export const loaders: MercuriusLoaders = {
  Process: {
    async parent(queries: Query[], ctx: MercuriusContext): Promise<Array<ProcessRef | null>> {
      const q = ctx.app.proctrail.query;
      return queries.map(({ obj }) => {
        const p = q.parent(obj.node, obj.atBoot);
        return p === undefined ? null : new ProcessRef(p, obj.atBoot, obj.clock);
      });
    },
    async children(queries: Query[], ctx: MercuriusContext): Promise<ProcessRef[][]> {
      const q = ctx.app.proctrail.query;
      return queries.map(({ obj }) => q.children(obj.node, obj.atBoot).map((c) => new ProcessRef(c, obj.atBoot, obj.clock)));
    },
  },
};
