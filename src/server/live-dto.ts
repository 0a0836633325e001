/**
 * Live events as JSON: the NDJSON lines of `GET /v1/events` and the GraphQL payload objects
 * (GraphQL resolves `process` through ProcessRef instead; both come from the query layer).
 */
import type { BootNs } from '../events/types.js';
import type { ProcessTreeReader } from '../caches/process-model.js';
import type { ContainerView } from '../caches/container-model.js';
import { type Clock, type ContainerReader, formatBoot, processDto, type ProcessDto } from '../query/index.js';
import type { DnsLiveEvent, LiveEvent } from '../service/live-events.js';

/** A container in a live event. */
export interface LiveContainerDto {
  id: string;
  runtime: string;
  name: string | null;
  image: string | null;
  createdAt: string;
  removedAt: string | null;
  /** Its cgroup ids (decimal strings), live and dead. */
  cgroupIds: string[];
}

/** One answer record of a DNS live event. */
export interface LiveDnsAnswerDto {
  type: string;
  owner: string;
  value: string;
  ttl: number;
}

/** The DNS part of a `dnsAnswered` event. */
export interface LiveDnsDto {
  question: string;
  qtype: string;
  rcode: string;
  answers: LiveDnsAnswerDto[];
  pid: number | null;
  processKey: string | null;
  comm: string | null;
  containerId: string | null;
}

/** One NDJSON line of `GET /v1/events`. */
export type LiveEventLine =
  | { kind: 'processStarted' | 'processExec' | 'processExited'; time: string; timeNs: string; process: ProcessDto }
  | { kind: 'containerStarted' | 'containerRemoved'; time: string; timeNs: string; container: LiveContainerDto }
  | ({ kind: 'dnsAnswered'; time: string; timeNs: string } & LiveDnsDto);

/** ContainerView → DTO. */
export function liveContainerDto(clock: Clock, c: ContainerView): LiveContainerDto {
  return {
    id: c.id,
    runtime: c.runtime,
    name: c.name ?? null,
    image: c.image ?? null,
    createdAt: formatBoot(clock, c.createdAt),
    removedAt: c.removedAt === undefined ? null : formatBoot(clock, c.removedAt),
    cgroupIds: c.cgroups.map((g) => g.cgroupId.toString()),
  };
}

/** DNS event → DTO. */
export function liveDnsDto(ev: DnsLiveEvent): LiveDnsDto {
  const r = ev.response;
  const a = r.asker;
  return {
    question: ev.question,
    qtype: r.qtype,
    rcode: r.rcode,
    answers: r.answers.map((x) => ({ type: x.type, owner: x.owner, value: x.value, ttl: x.ttl })),
    pid: a?.pid ?? null,
    processKey: a?.processKey ?? null,
    comm: a?.comm ?? null,
    containerId: a?.containerId ?? null,
  };
}

/** Event time as the API prints it. */
export function liveTimes(clock: Clock, t: BootNs): { time: string; timeNs: string } {
  return { time: formatBoot(clock, t), timeNs: (t + clock.bootToEpochNs).toString() };
}

/** A live event as one NDJSON object (the process as it was at the event). */
export function liveEventLine(tree: ProcessTreeReader, clock: Clock, ev: LiveEvent, containers?: ContainerReader): LiveEventLine {
  const { time, timeNs } = liveTimes(clock, ev.time);
  switch (ev.kind) {
    case 'processStarted':
    case 'processExec':
    case 'processExited':
      return { kind: ev.kind, time, timeNs, process: processDto(tree, clock, ev.process, ev.time, containers) };
    case 'containerStarted':
    case 'containerRemoved':
      return { kind: ev.kind, time, timeNs, container: liveContainerDto(clock, ev.container) };
    case 'dnsAnswered':
      return { kind: ev.kind, time, timeNs, ...liveDnsDto(ev) };
  }
}
