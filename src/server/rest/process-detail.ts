/**
 * The JSON text of `GET /v1/processes/{pid}` (and by-key), rendered once per state.
 *
 * A process is looked up far more often than it changes (dashboards poll the same pids),
 * and building + serializing its detail (~900 bytes: executable, argv, exec history,
 * parent, container) cost more than the rest of the request. So the rendered text is kept
 * per process, next to the inputs it was made from: the attribute, image and parent values
 * in force, the exec-history entries up to `at`, the exit state, the container's name
 * fields. Changelog values are immutable snapshots, so comparing them by identity is
 * exact. When every input is the same at the next request, the text is reused and only
 * the leading `at`/`atNs` fields are written anew; otherwise processDto + the route's
 * serializer render it again. Held in a WeakMap: an evicted process takes its text along.
 */
import type { FastifyReply } from 'fastify';
import type { BootNs, FileInfo } from '../../events/types.js';
import type { ExecRecord, ProcessNode, TaskAttrs } from '../../caches/process-model.js';
import { containerOfProcess } from '../../query/container-view.js';
import { aliveAt, argvAt, attrsAt, executableAt, exitedAt, formatTime, nameAt, processDto } from '../../query/index.js';
import type { ServerContext } from '../context.js';

/** What processDto reads for one rendering (besides the node's own constant fields). */
interface Inputs {
  /** The clock's boot → epoch offset the times are printed with. */
  readonly offset: bigint;
  readonly startNs: BootNs;
  readonly origin: string;
  readonly attrs: TaskAttrs | undefined;
  readonly exe: FileInfo | undefined;
  readonly argv: readonly string[];
  readonly parent: ProcessNode | undefined;
  readonly parentName: string;
  readonly historyCount: number;
  readonly historyFirst: ExecRecord | undefined;
  readonly historyLast: ExecRecord | undefined;
  readonly exited: boolean;
  readonly alive: boolean;
  readonly exitNs: BootNs | undefined;
  readonly exitStatus: number | undefined;
  readonly container: string | undefined;
}

/** A kept rendering: its inputs and the JSON text after `{"at":…,"atNs":…,`. */
interface Rendered {
  readonly inputs: Inputs;
  readonly tail: string;
}

/** Renders process details as JSON text, reusing the text while the process is unchanged. */
export class ProcessDetailRenderer {
  readonly #ctx: ServerContext;
  readonly #memo = new WeakMap<ProcessNode, Rendered>();

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
  }

  /** The response body for `node` at `at`; `reply` (the route's) serializes on a change. */
  render(node: ProcessNode, at: BootNs, reply: FastifyReply): string {
    const ctx = this.#ctx;
    const inputs = inputsOf(ctx, node, at);
    const prefix = atPrefix(at + inputs.offset);
    const prev = this.#memo.get(node);
    if (prev !== undefined && sameInputs(prev.inputs, inputs)) return `${prefix}${prev.tail}`;
    const text = reply.serialize(processDto(ctx.query.tree, ctx.clock, node, at, ctx.query.containers)) as string;
    // The schema puts at/atNs first; anything else (a changed schema) is simply not kept.
    if (text.startsWith(prefix)) this.#memo.set(node, { inputs, tail: text.slice(prefix.length) });
    return text;
  }
}

function inputsOf(ctx: ServerContext, node: ProcessNode, at: BootNs): Inputs {
  const parent = ctx.query.tree.parentOf(node, at);
  const history = node.execHistory;
  let historyCount = 0;
  while (historyCount < history.length && history[historyCount]!.time <= at) historyCount++;
  return {
    offset: ctx.clock.bootToEpochNs,
    startNs: node.startNs,
    origin: node.origin,
    attrs: attrsAt(node, at),
    exe: executableAt(node, at),
    argv: argvAt(node, at),
    parent,
    parentName: parent === undefined ? '' : nameAt(parent, at),
    historyCount,
    historyFirst: history[0],
    historyLast: historyCount === 0 ? undefined : history[historyCount - 1],
    exited: exitedAt(node, at),
    alive: aliveAt(node, at),
    exitNs: node.exitNs,
    exitStatus: node.exitStatus,
    container: containerKey(ctx, node, at),
  };
}

/** Every input identical (values are immutable snapshots: identity is equality). */
function sameInputs(a: Inputs, b: Inputs): boolean {
  // Over the object's own keys, so a field added to inputsOf is compared without a list.
  for (const k in a) if (a[k as keyof Inputs] !== b[k as keyof Inputs]) return false;
  return true;
}

function atPrefix(epochNs: bigint): string {
  return `{"at":"${formatTime(epochNs)}","atNs":"${epochNs}",`;
}

/** The container fields the detail shows, as one comparable string (undefined on the host). */
function containerKey(ctx: ServerContext, node: ProcessNode, at: BootNs): string | undefined {
  const c = containerOfProcess(ctx.query.containers, node, at);
  return c === undefined ? undefined : `${c.id}\n${c.runtime}\n${c.name ?? '\u0000'}\n${c.image ?? '\u0000'}`;
}
