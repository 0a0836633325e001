/**
 * GraphQL resolvers of containers and cgroups. Container objects carry the effective `at`
 * (ContainerRef) so nested fields (processes, and their container) inherit it; a
 * process's `container` is resolved at the process's own `at`.
 */
import { GraphQLError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import type { BootNs } from '../../events/types.js';
import type { ContainerView } from '../../caches/container-model.js';
import type { ServerContext } from '../context.js';
import {
  cgroupDto,
  type CgroupDto,
  type Clock,
  containerDto,
  type ContainerDto,
  containerOfProcess,
  epochToBoot,
  formatBoot,
  type EpochNs,
} from '../../query/index.js';
import { ProcessRef } from './refs.js';

/** A container at a moment (GraphQL `Container`): the DTO's fields plus `at`. */
export class ContainerRef {
  readonly dto: ContainerDto;
  constructor(
    readonly view: ContainerView,
    readonly atBoot: BootNs,
    readonly clock: Clock,
  ) {
    this.dto = containerDto(clock, view, atBoot);
  }
  get at(): string {
    return formatBoot(this.clock, this.atBoot);
  }
  get atNs(): string {
    return (this.atBoot + this.clock.bootToEpochNs).toString();
  }
  get id(): string { return this.dto.id; }
  get runtime(): string { return this.dto.runtime; }
  get name(): string | null { return this.dto.name; }
  get image(): string | null { return this.dto.image; }
  get imageDigest(): string | null { return this.dto.imageDigest; }
  get state(): string | null { return this.dto.state; }
  get createdAt(): string { return this.dto.createdAt; }
  get createdAtNs(): string { return this.dto.createdAtNs; }
  get removedAt(): string | null { return this.dto.removedAt; }
  get removedAtNs(): string | null { return this.dto.removedAtNs; }
  get removedBy(): string | null { return this.dto.removedBy; }
  get alive(): boolean { return this.dto.alive; }
  get enriched(): boolean { return this.dto.enriched; }
  get cgroups(): ContainerDto['cgroups'] { return this.dto.cgroups; }
  get pod(): ContainerDto['pod'] { return this.dto.pod; }
  get labels(): Array<{ key: string; value: string }> {
    return Object.entries(this.dto.labels).map(([key, value]) => ({ key, value }));
  }
  get processCount(): number { return this.dto.processCount; }
  get runningProcessCount(): number { return this.dto.runningProcessCount; }
}

function gqlError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function server(ctx: MercuriusContext): ServerContext {
  return ctx.app.proctrail;
}

function atOf(s: ServerContext, at: EpochNs | undefined | null): BootNs | undefined {
  return at === undefined || at === null ? undefined : epochToBoot(s.clock, at);
}

/** Query fields: containers(at), container(id, at), cgroup(id, hierarchyId, at). */
export const containerQueries = {
  containers(_root: unknown, args: { at?: EpochNs | null }, ctx: MercuriusContext): ContainerRef[] {
    const s = server(ctx);
    const given = atOf(s, args.at);
    const at = given ?? s.clock.nowBootNs();
    return s.containers.containers(given).map((c) => new ContainerRef(c, at, s.clock));
  },
  container(_root: unknown, args: { id: string; at?: EpochNs | null }, ctx: MercuriusContext): ContainerRef | null {
    const s = server(ctx);
    const given = atOf(s, args.at);
    const r = s.containers.resolveContainer(args.id, given);
    if (r.status === 'ambiguous') {
      throw gqlError('PT_CONTAINER_AMBIGUOUS', `Ambiguous container prefix ${args.id}: matches ${r.ids.slice(0, 10).join(', ')}`);
    }
    return r.status === 'found' ? new ContainerRef(r.container, given ?? s.clock.nowBootNs(), s.clock) : null;
  },
  cgroup(_root: unknown, args: { id: string; hierarchyId?: number | null }, ctx: MercuriusContext): (CgroupDto & { containerView: ContainerView | undefined }) | null {
    const s = server(ctx);
    if (!/^[0-9]{1,20}$/.test(args.id) || BigInt(args.id) >= 1n << 64n) throw gqlError('PT_INVALID_INPUT', 'cgroup id must be a 64-bit decimal integer');
    const g = s.containers.cgroup(args.hierarchyId ?? s.containers.defaultHierarchyId, BigInt(args.id));
    if (g === undefined) return null;
    const r = g.containerId === undefined ? undefined : s.containers.resolveContainer(g.containerId);
    const view = r?.status === 'found' ? r.container : undefined;
    return { ...cgroupDto(s.clock, g, view), containerView: view };
  },
};

/** Field resolvers of `Container` and `Cgroup`, and `Process.container`. */
export const containerTypes = {
  Container: {
    processes(r: ContainerRef, _args: unknown, ctx: MercuriusContext): ProcessRef[] {
      const s = server(ctx);
      const out: ProcessRef[] = [];
      for (const e of s.containers.processesOf(r.view.id, r.atBoot)) {
        const node = s.query.processByKey(e.processKey);
        if (node !== undefined) out.push(new ProcessRef(node, r.atBoot, r.clock));
      }
      return out;
    },
  },
  Cgroup: {
    container(g: { containerView: ContainerView | undefined }, _args: unknown, ctx: MercuriusContext): ContainerRef | null {
      const s = server(ctx);
      return g.containerView === undefined ? null : new ContainerRef(g.containerView, s.clock.nowBootNs(), s.clock);
    },
  },
};

/** `Process.container`: the container the process was in at the process's `at`. */
export function processContainer(r: ProcessRef, _args: unknown, ctx: MercuriusContext): ContainerRef | null {
  const c = containerOfProcess(server(ctx).containers, r.node, r.atBoot);
  return c === undefined ? null : new ContainerRef(c, r.atBoot, r.clock);
}
