/**
 * GraphQL resolvers: thin calls into the query layer. Every object passed down is a
 * ProcessRef/ThreadRef carrying the effective `at`, so nested fields inherit it.
 */
import { GraphQLError } from 'graphql';
import type { IResolvers, MercuriusContext } from 'mercurius';
import type { BootNs } from '../../events/types.js';
import type { ServerContext } from '../context.js';
import { encodeCursor, epochToBoot, execRecordDto, type ExecRecordDto, type ProcessState } from '../../query/index.js';
import { ProcessRef, ThreadRef } from './refs.js';
import { containerQueries, containerTypes, processContainer } from './container-resolvers.js';
import { TimeScalar } from './scalars.js';
import { dnsProcessResolvers, dnsQueryResolvers, dnsTypeResolvers } from './dns-resolvers.js';
import type { EpochNs } from '../../query/time.js';

/** A catalogue error as a GraphQL error (code in extensions). */
function gqlError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function server(ctx: MercuriusContext): ServerContext {
  return ctx.app.proctrail;
}

function atOf(s: ServerContext, at: EpochNs | undefined | null): BootNs {
  return at === undefined || at === null ? s.clock.nowBootNs() : epochToBoot(s.clock, at);
}

function clampInt(v: number | undefined | null, dflt: number, min: number, max: number, what: string): number {
  const n = v === undefined || v === null ? dflt : v;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw gqlError('PT_INVALID_INPUT', `${what} must be an integer in [${min}, ${max}]`);
  }
  return n;
}

const STATES: Record<string, ProcessState> = { ALIVE: 'alive', EXITED: 'exited', ALL: 'all' };

/** The resolver map (Process.parent and Process.children come from loaders.ts). */
export const resolvers: IResolvers = {
  Time: TimeScalar,
  ...dnsTypeResolvers,
  Query: {
    ...dnsQueryResolvers,
    ...containerQueries,
    process(_root: unknown, args: { pid?: number | null; key?: string | null; at?: EpochNs | null }, ctx: MercuriusContext) {
      const s = server(ctx);
      const at = atOf(s, args.at);
      const hasPid = args.pid !== undefined && args.pid !== null;
      const hasKey = args.key !== undefined && args.key !== null;
      if (hasPid === hasKey) throw gqlError('PT_INVALID_INPUT', 'process() needs exactly one of pid and key');
      const node = hasPid ? s.query.processByPid(args.pid as number, at) : s.query.processByKey(args.key as string);
      return node === undefined ? null : new ProcessRef(node, at, s.clock);
    },
    processes(
      _root: unknown,
      args: { name?: string | null; at?: EpochNs | null; state?: string | null; first?: number | null; after?: string | null },
      ctx: MercuriusContext,
    ) {
      const s = server(ctx);
      const at = atOf(s, args.at);
      const first = clampInt(args.first, s.limits.defaultPageSize, 1, s.limits.maxPageSize, 'first');
      const page = s.query.list({
        at,
        name: args.name ?? undefined,
        state: STATES[args.state ?? 'ALIVE'] ?? 'alive',
        limit: first,
        after: args.after ?? undefined,
      });
      if (page === 'bad-cursor') throw gqlError('PT_INVALID_CURSOR', 'Invalid cursor');
      if (page === 'bad-glob') throw gqlError('PT_INVALID_GLOB', `Invalid name glob: ${args.name}`);
      const edges = page.items.map((n) => ({
        cursor: encodeCursor({ pid: n.pid, startNs: n.startNs }),
        node: new ProcessRef(n, at, s.clock),
      }));
      return {
        nodes: edges.map((e) => e.node),
        edges,
        pageInfo: { hasNextPage: page.nextCursor !== undefined, endCursor: edges[edges.length - 1]?.cursor ?? null },
      };
    },
    thread(_root: unknown, args: { tid: number; at?: EpochNs | null }, ctx: MercuriusContext) {
      const s = server(ctx);
      const at = atOf(s, args.at);
      const t = s.query.threadByTid(args.tid, at);
      return t === undefined ? null : new ThreadRef(t, at, s.clock);
    },
  },
  Process: {
    container: processContainer,
    ...dnsProcessResolvers,
    ancestors(r: ProcessRef, args: { maxDepth?: number | null }, ctx: MercuriusContext): ProcessRef[] {
      const s = server(ctx);
      const depth = clampInt(args.maxDepth, s.limits.defaultLineageDepth, 0, s.limits.maxLineageDepth, 'maxDepth');
      const chain = s.query.lineage(r.node, r.atBoot, depth).chain;
      const out: ProcessRef[] = [];
      for (let i = 1; i < chain.length; i++) out.push(new ProcessRef(chain[i]!, r.atBoot, r.clock));
      return out;
    },
    descendants(r: ProcessRef, args: { maxDepth?: number | null; first?: number | null }, ctx: MercuriusContext): ProcessRef[] {
      const s = server(ctx);
      const depth = clampInt(args.maxDepth, s.limits.defaultDescendantsDepth, 1, s.limits.maxLineageDepth, 'maxDepth');
      const first = clampInt(args.first, 1000, 1, s.limits.maxDescendants, 'first');
      return s.query.descendants(r.node, r.atBoot, depth, first).items.map((d) => new ProcessRef(d.node, r.atBoot, r.clock));
    },
    threads(r: ProcessRef, _args: unknown, ctx: MercuriusContext): ThreadRef[] {
      return server(ctx).query.threads(r.node, r.atBoot).map((t) => new ThreadRef(t, r.atBoot, r.clock));
    },
    execHistory(r: ProcessRef): ExecRecordDto[] {
      const out: ExecRecordDto[] = [];
      for (const e of r.node.execHistory) if (e.time <= r.atBoot) out.push(execRecordDto(r.clock, e));
      return out;
    },
  },
  ...containerTypes,
  Thread: {
    process(r: ThreadRef, _args: unknown, ctx: MercuriusContext): ProcessRef | null {
      const p = server(ctx).query.processByKey(r.node.processKey);
      return p === undefined ? null : new ProcessRef(p, r.atBoot, r.clock);
    },
  },
};
