/**
 * Turns the user's report parameters (strings, as REST and the CLI receive them) into a
 * resolved selection, or says precisely what is wrong. Never throws: REST maps the
 * failures to the error catalogue, the CLI to messages.
 */
import type { BootNs } from '../events/types.js';
import type { ProcessNode } from '../caches/process-model.js';
import type { ProcessQuery } from './process-query.js';
import { globToRegExp } from './glob.js';
import { parseTime } from './time.js';
import { aliveInRange, type ReportSelection } from './report.js';
import type { ReportFilterEcho } from './report-render.js';

/** Raw parameters of a report. */
export interface ReportParams {
  /** Range start: RFC 3339 or epoch ns. Required. */
  readonly from?: string;
  /** Range end (exclusive); default now. */
  readonly to?: string;
  /** A pid (resolved in the range) or a process key `"<pid>@<ticks>"`. */
  readonly root?: string;
  /** Container id, unique id prefix or name. */
  readonly container?: string;
  /** Glob on the process name. */
  readonly name?: string;
}

/** Why a request was refused. */
export type ReportRequestError =
  | { readonly kind: 'bad-time'; readonly param: 'from' | 'to'; readonly value: string }
  | { readonly kind: 'bad-range'; readonly message: string }
  | { readonly kind: 'bad-glob'; readonly value: string }
  | { readonly kind: 'bad-root'; readonly value: string }
  | { readonly kind: 'root-not-found'; readonly value: string }
  | { readonly kind: 'container-not-found'; readonly value: string }
  | { readonly kind: 'container-ambiguous'; readonly value: string; readonly ids: readonly string[] };

/** A resolved request. */
export interface ReportRequest {
  readonly selection: ReportSelection;
  readonly filters: ReportFilterEcho;
}

const PID = /^[0-9]{1,10}$/;
const KEY = /^[0-9]{1,10}@[0-9]{1,20}$/;

/** The process a `root` names: a key, or the pid's process in the range (alive at `from`, else the latest started in it). */
function resolveRoot(q: ProcessQuery, root: string, from: BootNs, to: BootNs): ProcessNode | undefined {
  if (KEY.test(root)) return q.processByKey(root);
  const pid = Number(root);
  const atFrom = q.processByPid(pid, from);
  if (atFrom !== undefined && aliveInRange(atFrom, from, to)) return atFrom;
  const atEnd = q.processByPid(pid, to - 1n);
  if (atEnd !== undefined && aliveInRange(atEnd, from, to)) return atEnd;
  return undefined;
}

/** Validate and resolve report parameters against the query layer. */
export function resolveReportRequest(q: ProcessQuery, p: ReportParams): ReportRequest | ReportRequestError {
  if (p.from === undefined) return { kind: 'bad-range', message: 'from is required' };
  const fromEpoch = parseTime(p.from);
  if (fromEpoch === undefined) return { kind: 'bad-time', param: 'from', value: p.from };
  const from = fromEpoch - q.clock.bootToEpochNs;
  let to: BootNs;
  if (p.to === undefined) to = q.now();
  else {
    const toEpoch = parseTime(p.to);
    if (toEpoch === undefined) return { kind: 'bad-time', param: 'to', value: p.to };
    to = toEpoch - q.clock.bootToEpochNs;
  }
  if (to <= from) return { kind: 'bad-range', message: 'to must be after from' };

  let name: RegExp | undefined;
  if (p.name !== undefined) {
    name = globToRegExp(p.name);
    if (name === undefined) return { kind: 'bad-glob', value: p.name };
  }
  let root: ProcessNode | undefined;
  if (p.root !== undefined) {
    if (!PID.test(p.root) && !KEY.test(p.root)) return { kind: 'bad-root', value: p.root };
    root = resolveRoot(q, p.root, from, to);
    if (root === undefined) return { kind: 'root-not-found', value: p.root };
  }
  let containerId: string | undefined;
  if (p.container !== undefined) {
    const c = q.containers?.resolveContainer(p.container);
    if (c === undefined || c.status === 'not_found') return { kind: 'container-not-found', value: p.container };
    if (c.status === 'ambiguous') return { kind: 'container-ambiguous', value: p.container, ids: c.ids };
    containerId = c.container.id;
  }
  return {
    selection: {
      from,
      to,
      ...(root !== undefined && { root }),
      ...(containerId !== undefined && { containerId }),
      ...(name !== undefined && { name }),
    },
    filters: { root: p.root ?? null, container: p.container ?? null, name: p.name ?? null },
  };
}
