/**
 * The NDJSON event format (docs/events.md): one JSON object per line, `"v": 1`, every
 * 64-bit integer as an exact decimal string, payload bytes as base64. Used by `record`,
 * `replay` and the tests; a versioned public contract.
 *
 * One field spec per event type drives both directions, so encoder and parser cannot drift.
 */
import type { ProctrailEvent, EventType } from './types.js';

export const NDJSON_VERSION = 1;

type Kind = 'int' | 'big' | 'str' | 'bool' | 'strs' | 'bytes' | 'task' | 'file' | readonly string[];
type Spec = Readonly<Record<string, Kind>>;

const TASK: Spec = {
  tid: 'int', pid: 'int', startNs: 'big', leaderStartNs: 'big', ppid: 'int', parentStartNs: 'big',
  uid: 'int', gid: 'int', cgroupId: 'big', pidNsId: 'int', nsPid: 'int', nsTid: 'int', comm: 'str',
};
const FILE: Spec = { path: 'str', inode: 'big', dev: 'int', ctimeNs: 'big', mode: 'int' };
const CGROUP: Spec = {
  time: 'big', hierarchyId: 'int', cgroupId: 'big', level: 'int', path: 'str', tid: 'int', pid: 'int', taskStartNs: 'big',
};

const SPECS: Readonly<Record<EventType, Spec>> = {
  fork: { time: 'big', child: 'task', creatorTid: 'int', creatorStartNs: 'big', isThread: 'bool' },
  exec: { time: 'big', task: 'task', oldTid: 'int', file: 'file', argv: 'strs', argvTruncated: 'bool' },
  exit: { time: 'big', task: 'task', exitStatus: 'int', groupDead: 'bool' },
  snapshot: { time: 'big', task: 'task', file: 'file', argv: 'strs' },
  cgroup_mkdir: CGROUP,
  cgroup_rmdir: CGROUP,
  cgroup_attach: CGROUP,
  dns: {
    time: 'big', direction: ['egress', 'ingress'], socketCookie: 'big', netnsCookie: 'big', cgroupId: 'big',
    pid: 'int', tid: 'int', protocol: ['udp', 'tcp'], ipVersion: 'int', srcAddr: 'str', dstAddr: 'str',
    srcPort: 'int', dstPort: 'int', wireLength: 'int', payload: 'bytes',
  },
};

/** A line that is not a valid event; `line` is 1-based when known. */
export class NdjsonError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'NdjsonError';
  }
}

function encodeValue(kind: Kind, v: unknown): unknown {
  switch (kind) {
    case 'big': return (v as bigint).toString();
    case 'bytes': return Buffer.from(v as Uint8Array).toString('base64');
    case 'task': return encodeObject(TASK, v as Record<string, unknown>);
    case 'file': return encodeObject(FILE, v as Record<string, unknown>);
    default: return v;
  }
}

function encodeObject(spec: Spec, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, kind] of Object.entries(spec)) out[k] = encodeValue(kind, obj[k]);
  return out;
}

/** One event as one NDJSON line (no trailing newline). */
export function eventToLine(ev: ProctrailEvent): string {
  const spec = SPECS[ev.type];
  return JSON.stringify({ v: NDJSON_VERSION, type: ev.type, ...encodeObject(spec, ev as unknown as Record<string, unknown>) });
}

const U32_MAX = 0xffff_ffff;
const BIG_RE = /^(0|[1-9][0-9]{0,19})$/;

function parseValue(kind: Kind, v: unknown, path: string): unknown {
  const bad = (what: string): never => { throw new NdjsonError(`${path}: expected ${what}`); };
  if (Array.isArray(kind)) return typeof v === 'string' && kind.includes(v) ? v : bad(`one of ${kind.join('|')}`);
  switch (kind) {
    case 'int':
      return Number.isInteger(v) && (v as number) >= -1 && (v as number) <= U32_MAX ? v : bad('an integer 0..2^32-1');
    case 'big': {
      if (typeof v !== 'string' || !BIG_RE.test(v)) return bad('a decimal integer string');
      const b = BigInt(v);
      return b <= 0xffff_ffff_ffff_ffffn ? b : bad('a 64-bit unsigned integer');
    }
    case 'str': return typeof v === 'string' ? v : bad('a string');
    case 'bool': return typeof v === 'boolean' ? v : bad('a boolean');
    case 'strs':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? Object.freeze([...v]) : bad('an array of strings');
    case 'bytes': {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) return bad('base64');
      return new Uint8Array(Buffer.from(v, 'base64'));
    }
    case 'task': return parseObject(TASK, v, path);
    case 'file': return parseObject(FILE, v, path);
  }
}

function parseObject(spec: Spec, v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new NdjsonError(`${path}: expected an object`);
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, kind] of Object.entries(spec)) {
    if (!(k in src)) throw new NdjsonError(`${path ? path + '.' : ''}${k}: missing`);
    out[k] = parseValue(kind, src[k], path ? `${path}.${k}` : k);
  }
  return Object.freeze(out);
}

/** The optional first line of a recording: what a replay needs to show wall-clock times. */
export interface RecordingMeta {
  /** Epoch ns minus boot ns on the recording host (CLOCK_REALTIME - CLOCK_BOOTTIME). */
  readonly bootToEpochNs: bigint;
  readonly hostname: string;
  readonly recordedAt: string;
}

/** The meta line (`{"v":1,"meta":{...}}`) that `record` writes first. */
export function metaToLine(meta: RecordingMeta): string {
  return JSON.stringify({ v: NDJSON_VERSION, meta: { ...meta, bootToEpochNs: meta.bootToEpochNs.toString() } });
}

/** The meta of a line if it is a meta line, else undefined (throws NdjsonError if malformed). */
export function lineToMeta(line: string, lineNo?: number): RecordingMeta | undefined {
  if (!line.startsWith('{"v":1,"meta":')) return undefined;
  let raw: { meta?: Record<string, unknown> };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch (e) {
    throw new NdjsonError(`not JSON (${(e as Error).message})`, lineNo);
  }
  const m = raw.meta ?? {};
  const b = m.bootToEpochNs;
  if (typeof b !== 'string' || !BIG_RE.test(b)) throw new NdjsonError('meta.bootToEpochNs: expected a decimal integer string', lineNo);
  return { bootToEpochNs: BigInt(b), hostname: String(m.hostname ?? ''), recordedAt: String(m.recordedAt ?? '') };
}

/** Parse one NDJSON line into a typed event; throws NdjsonError saying what is wrong. */
export function lineToEvent(line: string, lineNo?: number): ProctrailEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    throw new NdjsonError(`not JSON (${(e as Error).message})`, lineNo);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NdjsonError('not a JSON object', lineNo);
  const obj = raw as Record<string, unknown>;
  if (obj.v !== NDJSON_VERSION) throw new NdjsonError(`unsupported version ${JSON.stringify(obj.v)} (this build reads v${NDJSON_VERSION})`, lineNo);
  const type = obj.type;
  if (typeof type !== 'string' || !Object.hasOwn(SPECS, type)) throw new NdjsonError(`unknown event type ${JSON.stringify(type)}`, lineNo);
  try {
    const fields = parseObject(SPECS[type as EventType], obj, '');
    return Object.freeze({ type, ...fields }) as unknown as ProctrailEvent;
  } catch (e) {
    if (e instanceof NdjsonError && lineNo !== undefined) throw new NdjsonError(e.message, lineNo);
    throw e;
  }
}
