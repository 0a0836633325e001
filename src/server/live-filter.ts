/**
 * The filter shared by GraphQL subscriptions and `GET /v1/events`: container, name glob and
 * ancestor key, all optional, combined with AND. Compiled once per subscription and run at
 * publish time on the ingestion path, so each test is a field read, a RegExp test or a
 * bounded parent walk.
 */
import type { BootNs } from '../events/types.js';
import type { ProcessNode, ProcessTreeReader } from '../caches/process-model.js';
import { attrsAt, globToRegExp, nameAt } from '../query/index.js';
import type { LiveEvent, LiveEvents } from '../service/live-events.js';

/** What a client may filter on. */
export interface LiveFilterSpec {
  /**
   * Container id (full, or a prefix of at least 4 characters), container name, or — for
   * processes outside any known container — the decimal cgroup id.
   */
  readonly container?: string | null;
  /** Glob (`*`, `?`, `[...]`) on the process name (comm) at the event, the container name, or the DNS asker's comm. */
  readonly name?: string | null;
  /** Process key `"<pid>@<ticks>"`: only events of that process and its descendants (at the event). */
  readonly ancestor?: string | null;
}

/** A compiled filter, or why it could not be compiled. */
export type LiveFilterResult =
  | { readonly ok: true; readonly match: ((ev: LiveEvent) => boolean) | undefined }
  | { readonly ok: false; readonly code: 'PT_INVALID_GLOB' | 'PT_INVALID_INPUT'; readonly message: string };

const KEY = /^\d{1,10}@\d{1,20}$/;

function containerMatches(want: string, id: string | undefined, name: string | undefined): boolean {
  if (id !== undefined && (id === want || (want.length >= 4 && id.startsWith(want)))) return true;
  return name !== undefined && name === want;
}

/** True when `p` is `key` or descends from it at `at` (walk bounded by `maxDepth`). */
function descendsFrom(tree: ProcessTreeReader, p: ProcessNode, key: string, at: BootNs, maxDepth: number): boolean {
  let cur: ProcessNode | undefined = p;
  for (let i = 0; cur !== undefined && i <= maxDepth; i++) {
    if (cur.key === key) return true;
    cur = tree.parentOf(cur, at);
  }
  return false;
}

/** Compile a filter spec against the tree (for ancestry) and the hub (for container ids). */
export function compileLiveFilter(spec: LiveFilterSpec, tree: ProcessTreeReader, live: LiveEvents, maxDepth: number): LiveFilterResult {
  const container = spec.container ?? undefined;
  const ancestor = spec.ancestor ?? undefined;
  let name: RegExp | undefined;
  if (spec.name !== undefined && spec.name !== null) {
    if (spec.name.length > 200) return { ok: false, code: 'PT_INVALID_INPUT', message: 'name glob longer than 200 characters' };
    name = globToRegExp(spec.name);
    if (name === undefined) return { ok: false, code: 'PT_INVALID_GLOB', message: `Invalid name glob: ${spec.name}` };
  }
  if (ancestor !== undefined && !KEY.test(ancestor)) {
    return { ok: false, code: 'PT_INVALID_INPUT', message: `ancestor must be a process key "<pid>@<ticks>", got ${ancestor}` };
  }
  if (container !== undefined && (container.length === 0 || container.length > 256)) {
    return { ok: false, code: 'PT_INVALID_INPUT', message: 'container must be 1 to 256 characters' };
  }
  if (container === undefined && ancestor === undefined && name === undefined) return { ok: true, match: undefined };

  const processMatches = (p: ProcessNode, at: BootNs): boolean => {
    if (name !== undefined && !name.test(nameAt(p, at))) return false;
    if (container !== undefined) {
      const cg = attrsAt(p, at)?.cgroupId;
      const id = cg === undefined ? undefined : live.containerIdOf?.(cg, at);
      if (!containerMatches(container, id, undefined) && !(id === undefined && cg !== undefined && cg.toString() === container)) return false;
    }
    return ancestor === undefined || descendsFrom(tree, p, ancestor, at, maxDepth);
  };

  const match = (ev: LiveEvent): boolean => {
    switch (ev.kind) {
      case 'processStarted':
      case 'processExec':
      case 'processExited':
        return processMatches(ev.process, ev.time);
      case 'containerStarted':
      case 'containerRemoved':
        if (ancestor !== undefined) return false;
        if (name !== undefined && !name.test(ev.container.name ?? '')) return false;
        return container === undefined || containerMatches(container, ev.container.id, ev.container.name);
      case 'dnsAnswered': {
        const a = ev.response.asker;
        if (name !== undefined && !name.test(a?.comm ?? '')) return false;
        if (container !== undefined) {
          const byId = containerMatches(container, a?.containerId, undefined);
          const byCgroup = a?.containerId === undefined && a?.cgroupId !== undefined && a.cgroupId.toString() === container;
          if (!byId && !byCgroup) return false;
        }
        if (ancestor === undefined) return true;
        const p = a?.processKey === undefined ? undefined : tree.getProcess(a.processKey);
        return p !== undefined && descendsFrom(tree, p, ancestor, ev.time, maxDepth);
      }
    }
  };
  return { ok: true, match };
}
