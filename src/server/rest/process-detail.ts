/**
 * The JSON body of `GET /v1/processes/{pid}` (and by-key), rendered once per state.
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
 *
 * The text is then written to Node's response directly (see {@link sendJsonText}).
 */
import type { FastifyReply } from 'fastify';
import { Buffer } from 'node:buffer';
import type { BootNs, FileInfo } from '../../events/types.js';
import type { ExecRecord, ProcessNode, TaskAttrs } from '../../caches/process-model.js';
import { containerOfProcess } from '../../query/container-view.js';
import { aliveAt, argvAt, attrsAt, executableAt, exitedAt, formatEpochDigits, formatTime, nameAt, processDto } from '../../query/index.js';
import type { ServerContext } from '../context.js';

/**
 * What processDto reads for one rendering besides the node's own constant fields, in a
 * fixed order: a flat array so that the comparison is one loop over it (no field list to
 * keep in step with this one) and the per-request copy is a reused scratch array.
 */
type Inputs = [
  offset: bigint, // the clock's boot → epoch offset the times are printed with
  startNs: BootNs,
  origin: string,
  attrs: TaskAttrs | undefined,
  exe: FileInfo | undefined,
  argv: readonly string[],
  parent: ProcessNode | undefined,
  parentName: string,
  historyCount: number,
  historyFirst: ExecRecord | undefined,
  historyLast: ExecRecord | undefined,
  exited: boolean,
  alive: boolean,
  exitNs: BootNs | undefined,
  exitStatus: number | undefined,
  container: string | undefined,
];

/** A kept rendering: its inputs and the JSON text after `{"at":…,"atNs":…,`, and its UTF-8 size. */
interface Rendered {
  readonly inputs: Inputs;
  readonly tail: string;
  readonly tailBytes: number;
}

/** Content type of the detail text. */
const JSON_TYPE = 'application/json; charset=utf-8';

/** Renders process details as JSON, reusing the text while the process is unchanged. */
export class ProcessDetailRenderer {
  readonly #ctx: ServerContext;
  readonly #memo = new WeakMap<ProcessNode, Rendered>();
  /** The inputs of the request being answered (copied only when kept). */
  readonly #scratch = emptyInputs();

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
  }

  /** Answers `reply` with the detail of `node` at `at` (the route's serializer renders a change). */
  send(node: ProcessNode, at: BootNs, reply: FastifyReply): void {
    const ctx = this.#ctx;
    const inputs = inputsOf(ctx, node, at, this.#scratch);
    const prefix = atPrefix(at + inputs[0]);
    let kept = this.#memo.get(node);
    if (kept === undefined || !sameInputs(kept.inputs, inputs)) {
      const text = reply.serialize(processDto(ctx.query.tree, ctx.clock, node, at, ctx.query.containers)) as string;
      // The schema puts at/atNs first; anything else (a changed schema) is simply not kept.
      if (!text.startsWith(prefix)) {
        sendJsonText(reply, text, Buffer.byteLength(text));
        return;
      }
      const tail = text.slice(prefix.length);
      kept = { inputs: [...inputs], tail, tailBytes: Buffer.byteLength(tail) };
      this.#memo.set(node, kept);
    }
    // The prefix is ASCII: its length is its size.
    sendJsonText(reply, prefix + kept.tail, prefix.length + kept.tailBytes);
  }
}

/**
 * Sends `text` (`bytes` long in UTF-8) as the whole 200 response of a GET, written to
 * Node's response directly: Fastify's send path (onSend hooks, content checks, header
 * object, a Buffer.byteLength scan of the text) cost 4–5 % of the route's throughput in
 * bench/http, on a text whose size is already known. Text, not bytes: Node sends a string
 * body in one write with the header it prefixes, where a Buffer body is a second chunk.
 * This skips onSend hooks: the app has none on these routes, and a test compares the
 * detail's headers with another JSON route's, so one added later (security headers, CORS)
 * cannot be missed here unnoticed. A HEAD request (Fastify answers it through an onSend
 * hook of its own) goes through `reply.send`.
 */
function sendJsonText(reply: FastifyReply, text: string, bytes: number): void {
  if (reply.request.method !== 'GET') {
    reply.type(JSON_TYPE).send(text);
    return;
  }
  reply.hijack();
  reply.raw.writeHead(200, ['content-type', JSON_TYPE, 'content-length', String(bytes)]);
  reply.raw.end(text);
}

function emptyInputs(): Inputs {
  return [0n, 0n, '', undefined, undefined, [], undefined, '', 0, undefined, undefined, false, false, undefined, undefined, undefined];
}

/** Fills `out` with the inputs of rendering `node` at `at`. */
function inputsOf(ctx: ServerContext, node: ProcessNode, at: BootNs, out: Inputs): Inputs {
  const parent = ctx.query.tree.parentOf(node, at);
  const historyCount = node.execCountAt(at);
  out[0] = ctx.clock.bootToEpochNs;
  out[1] = node.startNs;
  out[2] = node.origin;
  out[3] = attrsAt(node, at);
  out[4] = executableAt(node, at);
  out[5] = argvAt(node, at);
  out[6] = parent;
  out[7] = parent === undefined ? '' : nameAt(parent, at);
  out[8] = historyCount;
  out[9] = node.execAt(0);
  out[10] = historyCount === 0 ? undefined : node.execAt(historyCount - 1);
  out[11] = exitedAt(node, at);
  out[12] = aliveAt(node, at);
  out[13] = node.exitNs;
  out[14] = node.exitStatus;
  out[15] = containerKey(ctx, node, at);
  return out;
}

/** Every input identical (values are immutable snapshots: identity is equality). */
function sameInputs(a: Inputs, b: Inputs): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function atPrefix(epochNs: bigint): string {
  if (epochNs < 0n) return `{"at":"${formatTime(epochNs)}","atNs":"${epochNs}",`;
  const digits = epochNs.toString(); // once for both fields
  return `{"at":"${formatEpochDigits(digits)}","atNs":"${digits}",`;
}

/** The container fields the detail shows, as one comparable string (undefined on the host). */
function containerKey(ctx: ServerContext, node: ProcessNode, at: BootNs): string | undefined {
  const c = containerOfProcess(ctx.query.containers, node, at);
  return c === undefined ? undefined : `${c.id}\n${c.runtime}\n${c.name ?? '\u0000'}\n${c.image ?? '\u0000'}`;
}
