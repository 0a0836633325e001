/**
 * GraphQL subscriptions: each `subscribe` opens a bounded LiveSubscription on the hub with
 * the compiled filter; mercurius pulls from it (an async iterator) and writes to the socket.
 * mercurius awaits each socket write, so a client that stops reading stops the pulling, the
 * queue fills, the hub drops the subscriber as `slow_consumer`, and the socket is terminated
 * here (closing it politely would wait on the very client that does not read).
 */
import { GraphQLError } from 'graphql';
import type { IResolvers, MercuriusContext } from 'mercurius';
import { formatBoot } from '../../query/index.js';
import type { ContainerLiveEvent, DnsLiveEvent, LiveEventKind, LiveSubscription, ProcessLiveEvent } from '../../service/live-events.js';
import { compileLiveFilter, type LiveFilterSpec } from '../live-filter.js';
import { liveContainerDto, liveDnsDto, type LiveContainerDto, type LiveDnsAnswerDto } from '../live-dto.js';
import type { LiveSocket } from '../live.js';
import { ProcessRef } from './refs.js';

/** What `subscription.context` adds to the subscription context (see plugin.ts). */
export interface LiveSubscriptionContext {
  readonly liveSocket?: LiveSocket;
}

function open(kind: LiveEventKind) {
  return (_root: unknown, args: LiveFilterSpec, ctx: MercuriusContext): LiveSubscription => {
    const s = ctx.app.proctrail;
    const live = ctx.app.proctrailLive;
    const f = compileLiveFilter(args, s.query.tree, live, s.limits.maxLineageDepth);
    if (!f.ok) throw new GraphQLError(f.message, { extensions: { code: f.code } });
    const socket = (ctx as MercuriusContext & LiveSubscriptionContext).liveSocket;
    return live.subscribe({
      kinds: new Set([kind]),
      ...(f.match !== undefined && { match: f.match }),
      onClose: (reason) => {
        if (reason === 'slow_consumer' || reason === 'too_many_subscribers') socket?.terminate();
      },
    });
  };
}

const field = (kind: LiveEventKind) => ({ subscribe: open(kind), resolve: (ev: unknown) => ev });

function clockOf(ctx: MercuriusContext) {
  return ctx.app.proctrail.clock;
}

/** Subscription fields and the payload types' resolvers. */
export const subscriptionResolvers: IResolvers = {
  Subscription: {
    processStarted: field('processStarted'),
    processExec: field('processExec'),
    processExited: field('processExited'),
    containerStarted: field('containerStarted'),
    containerRemoved: field('containerRemoved'),
    dnsAnswered: field('dnsAnswered'),
  },
  LiveProcessEvent: {
    time: (ev: ProcessLiveEvent, _a: unknown, ctx: MercuriusContext): string => formatBoot(clockOf(ctx), ev.time),
    timeNs: (ev: ProcessLiveEvent, _a: unknown, ctx: MercuriusContext): string => (ev.time + clockOf(ctx).bootToEpochNs).toString(),
    process: (ev: ProcessLiveEvent, _a: unknown, ctx: MercuriusContext): ProcessRef => new ProcessRef(ev.process, ev.time, clockOf(ctx)),
  },
  LiveContainerEvent: {
    time: (ev: ContainerLiveEvent, _a: unknown, ctx: MercuriusContext): string => formatBoot(clockOf(ctx), ev.time),
    timeNs: (ev: ContainerLiveEvent, _a: unknown, ctx: MercuriusContext): string => (ev.time + clockOf(ctx).bootToEpochNs).toString(),
    container: (ev: ContainerLiveEvent, _a: unknown, ctx: MercuriusContext): LiveContainerDto => liveContainerDto(clockOf(ctx), ev.container),
  },
  LiveDnsEvent: {
    time: (ev: DnsLiveEvent, _a: unknown, ctx: MercuriusContext): string => formatBoot(clockOf(ctx), ev.time),
    timeNs: (ev: DnsLiveEvent, _a: unknown, ctx: MercuriusContext): string => (ev.time + clockOf(ctx).bootToEpochNs).toString(),
    question: (ev: DnsLiveEvent): string => ev.question,
    qtype: (ev: DnsLiveEvent): string => ev.response.qtype,
    rcode: (ev: DnsLiveEvent): string => ev.response.rcode,
    answers: (ev: DnsLiveEvent): LiveDnsAnswerDto[] => liveDnsDto(ev).answers,
    pid: (ev: DnsLiveEvent): number | null => ev.response.asker?.pid ?? null,
    processKey: (ev: DnsLiveEvent): string | null => ev.response.asker?.processKey ?? null,
    comm: (ev: DnsLiveEvent): string | null => ev.response.asker?.comm ?? null,
    containerId: (ev: DnsLiveEvent): string | null => ev.response.asker?.containerId ?? null,
    process: (ev: DnsLiveEvent, _a: unknown, ctx: MercuriusContext): ProcessRef | null => {
      const key = ev.response.asker?.processKey;
      const p = key === undefined ? undefined : ctx.app.proctrail.query.processByKey(key);
      return p === undefined ? null : new ProcessRef(p, ev.time, clockOf(ctx));
    },
  },
};
