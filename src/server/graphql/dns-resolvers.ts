/**
 * GraphQL resolvers of the DNS graph: thin calls into the DNS query layer. Objects passed
 * down carry `atBoot`, the effective time, so nested fields (DnsAsker.process,
 * DnsQuery.lookup) inherit `at` like the process fields do.
 */
import { GraphQLError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import type { BootNs } from '../../events/types.js';
import type { ServerContext } from '../context.js';
import { epochToBoot, type EpochNs } from '../../query/time.js';
import type { DnsAskerDto, DnsLookupDto, DnsProcessQueryDto } from '../../query/dns-query.js';
import { ProcessRef } from './refs.js';

/** A DTO with the time nested fields inherit. */
type AtCarrying<T> = T & { readonly atBoot: BootNs };
type LookupOut = Omit<DnsLookupDto, 'askers'> & { askers: Array<AtCarrying<DnsAskerDto>> };

function server(ctx: MercuriusContext): ServerContext {
  return ctx.app.proctrail;
}

function atOf(s: ServerContext, at: EpochNs | undefined | null, dflt?: BootNs): BootNs {
  if (at === undefined || at === null) return dflt ?? s.clock.nowBootNs();
  return epochToBoot(s.clock, at);
}

function lookupAt(s: ServerContext, name: string, at: BootNs): LookupOut | null {
  const r = s.dns.lookup(name, at);
  if (r === 'bad-name') throw new GraphQLError(`Invalid DNS name: ${name}`, { extensions: { code: 'PT_INVALID_DNS_NAME' } });
  if (r === undefined) return null;
  return { ...r, askers: r.askers.map((a) => ({ ...a, atBoot: at })) };
}

/** Query.dns and Query.reverseDns (spread into the Query resolvers). */
export const dnsQueryResolvers = {
  dns(_root: unknown, args: { name: string; at?: EpochNs | null }, ctx: MercuriusContext): LookupOut | null {
    const s = server(ctx);
    return lookupAt(s, args.name, atOf(s, args.at));
  },
  reverseDns(_root: unknown, args: { ip: string; at?: EpochNs | null }, ctx: MercuriusContext) {
    const s = server(ctx);
    const r = s.dns.reverse(args.ip, atOf(s, args.at));
    if (r === 'bad-address') throw new GraphQLError(`Invalid IP address: ${args.ip}`, { extensions: { code: 'PT_INVALID_ADDRESS' } });
    return r ?? null;
  },
};

/** Process.dnsQueries (spread into the Process resolvers). */
export const dnsProcessResolvers = {
  dnsQueries(r: ProcessRef, args: { at?: EpochNs | null }, ctx: MercuriusContext): Array<AtCarrying<DnsProcessQueryDto>> {
    const s = server(ctx);
    const at = atOf(s, args.at, r.atBoot);
    return s.dns.queriesBy(r.node.key, at).map((q) => ({ ...q, atBoot: at }));
  },
};

/** Resolvers of the DNS object types. */
export const dnsTypeResolvers = {
  DnsAsker: {
    process(a: AtCarrying<DnsAskerDto>, _args: unknown, ctx: MercuriusContext): ProcessRef | null {
      const s = server(ctx);
      const node = a.key === null ? undefined : s.query.processByKey(a.key);
      return node === undefined ? null : new ProcessRef(node, a.atBoot, s.clock);
    },
  },
  DnsQuery: {
    lookup(q: AtCarrying<DnsProcessQueryDto>, _args: unknown, ctx: MercuriusContext): LookupOut | null {
      return lookupAt(server(ctx), q.question, q.atBoot);
    },
  },
};
