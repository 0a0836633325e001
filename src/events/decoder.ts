/**
 * Decodes one batch from the addon (records of `bpf/events.h`, each padded to 8 bytes)
 * into typed events. Bad input never throws: unknown types, short records and framing
 * garbage are counted and skipped (garbage framing ends the batch, since no later record
 * boundary can be trusted).
 */
import type {
  CgroupEvent,
  DnsPacketEvent,
  ExecEvent,
  ExitEvent,
  ForkEvent,
  ProctrailEvent,
  TaskInfo,
} from './types.js';
import * as L from './layout.js';

// Module-local copies: imported bindings can compile to getters (tsx/CJS interop), which
// cost more than the decode itself on the hot path.
const CGROUP = { ...L.CGROUP };
const DNS = { ...L.DNS };
const EXEC = { ...L.EXEC };
const EXIT = { ...L.EXIT };
const FORK = { ...L.FORK };
const HDR = { ...L.HDR };
const PT_DNS_INGRESS = L.PT_DNS_INGRESS;
const PT_EVENT_CGROUP_ATTACH = L.PT_EVENT_CGROUP_ATTACH;
const PT_EVENT_CGROUP_MKDIR = L.PT_EVENT_CGROUP_MKDIR;
const PT_EVENT_CGROUP_RMDIR = L.PT_EVENT_CGROUP_RMDIR;
const PT_EVENT_DNS = L.PT_EVENT_DNS;
const PT_EVENT_EXEC = L.PT_EVENT_EXEC;
const PT_EVENT_EXIT = L.PT_EVENT_EXIT;
const PT_EVENT_FORK = L.PT_EVENT_FORK;
const PT_EXEC_ARGV_TRUNCATED = L.PT_EXEC_ARGV_TRUNCATED;
const PT_EXIT_GROUP_DEAD = L.PT_EXIT_GROUP_DEAD;
const PT_FORK_IS_THREAD = L.PT_FORK_IS_THREAD;
const PT_PROTO_TCP = L.PT_PROTO_TCP;
const TASK = { ...L.TASK };


/** Decoder counters (totals since construction). */
export interface DecoderStats {
  batches: number;
  records: number;
  decoded: number;
  /** Records with a type this decoder does not know (skipped by header.size). */
  unknownType: number;
  /** Records whose header.size is smaller than their type needs (skipped). */
  shortRecords: number;
  /** Framing errors (size < header, or past the end of the batch): rest of batch dropped. */
  garbage: number;
}

/** Returns fresh zeroed counters. */
export function newDecoderStats(): DecoderStats {
  return { batches: 0, records: 0, decoded: 0, unknownType: 0, shortRecords: 0, garbage: 0 };
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

const TWO_32 = 4294967296;

/** A direct-mapped memo of recently made bigints, keyed by both 32-bit halves (see u64). */
interface BigMemo {
  readonly mask: number;
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
  readonly big: bigint[];
}

function bigMemo(bits: number): BigMemo {
  const n = 1 << bits;
  // all slots start as (0, 0) -> 0n, a consistent entry
  return { mask: n - 1, lo: new Uint32Array(n), hi: new Uint32Array(n), big: new Array<bigint>(n).fill(0n) };
}

// Times and start times (fork time == child start, starts repeat as leader/parent starts).
const TIMES = bigMemo(12);
// cgroup ids and file identities (inode, ctime): few distinct values, which must not be
// pushed out by the stream of timestamps; ctimes are epoch ns above 2^53, so the memo
// also spares them the slow exact path.
const IDS = bigMemo(8);

/**
 * u64 little-endian as bigint. Creating a bigint costs ~40 ns (several times that above
 * 2^53, where the exact path shifts two halves) and every one a cache keeps is a
 * long-lived object; many values repeat (leader start == own start == fork time, parent
 * starts, cgroup ids, executables' ctimes), so a direct-mapped memo hands out the same
 * bigint for the same value. Below 2^53 (boot-time ns for ~104 days of uptime) one exact
 * double -> BigInt conversion is used instead of readBigUInt64LE.
 */
function u64(b: Buffer, o: number, memo: BigMemo = TIMES): bigint {
  const lo = b[o] + b[o + 1] * 0x100 + b[o + 2] * 0x10000 + b[o + 3] * 0x1000000;
  const hi = b[o + 4] + b[o + 5] * 0x100 + b[o + 6] * 0x10000 + b[o + 7] * 0x1000000;
  const slot = (lo ^ (lo >>> 12) ^ hi) & memo.mask;
  if (memo.lo[slot] === lo && memo.hi[slot] === hi) return memo.big[slot]!;
  const big = hi < 0x200000 ? BigInt(hi * TWO_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
  memo.lo[slot] = lo;
  memo.hi[slot] = hi;
  memo.big[slot] = big;
  return big;
}

function u32(b: Buffer, o: number): number {
  return b[o] + b[o + 1] * 0x100 + b[o + 2] * 0x10000 + b[o + 3] * 0x1000000;
}

// Decoded strings are interned in a direct-mapped table keyed by a hash of their bytes:
// comm, executable paths and most argv words repeat across events, and every string the
// caches keep is long-lived (it survives young GC and is copied), so handing out the
// string decoded last time saves both the decode and the copy.
const INTERN_BITS = 12;
const INTERN_MASK = (1 << INTERN_BITS) - 1;
const INTERN_MAX = 64;
const interned: (string | undefined)[] = new Array<string | undefined>(INTERN_MASK + 1).fill(undefined);

/** Bytes [start, end) as a string: interned for short ASCII, utf8 otherwise. */
function text(b: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > INTERN_MAX) return b.toString('utf8', start, end);
  if (len === 0) return '';
  // Hash a few bytes only (ends and middle: where paths, words and numbers differ); a
  // collision costs a miss, and a hit is verified byte by byte anyway.
  let h = Math.imul(len ^ b[start], 0x9e3779b1);
  h = Math.imul(h ^ b[end - 1], 0x01000193);
  h = Math.imul(h ^ b[start + (len >> 1)], 0x01000193);
  h = Math.imul(h ^ b[end - 2 < start ? start : end - 2], 0x01000193);
  h = Math.imul(h ^ b[start + (len >> 2)], 0x01000193);
  const slot = (h ^ (h >>> INTERN_BITS) ^ (h >>> 24)) & INTERN_MASK;
  const hit = interned[slot];
  if (hit !== undefined && hit.length === len) {
    let i = 0;
    while (i < len && hit.charCodeAt(i) === b[start + i]) i++;
    if (i === len) return hit; // interned strings are ASCII, so the bytes were too
  }
  for (let i = start; i < end; i++) if (b[i] >= 0x80) return b.toString('utf8', start, end);
  const str = b.toString('latin1', start, end);
  interned[slot] = str;
  return str;
}

/** A NUL-terminated string inside [start, start+max). */
function cString(b: Buffer, start: number, max: number): string {
  const end = start + max;
  let i = start;
  while (i < end && b[i] !== 0) i++;
  return text(b, start, i);
}

/** NUL-separated strings in [start, start+len); a trailing NUL ends the list. */
function splitArgv(b: Buffer, start: number, len: number): string[] {
  const out: string[] = [];
  const end = start + len;
  let s = start;
  for (let i = start; i < end; i++) {
    if (b[i] === 0) {
      out.push(text(b, s, i));
      s = i + 1;
    }
  }
  if (s < end) out.push(text(b, s, end));
  return out;
}

function readTask(b: Buffer, o: number): TaskInfo {
  return {
    tid: u32(b, o + TASK.tid),
    pid: u32(b, o + TASK.pid),
    startNs: u64(b, o + TASK.startNs),
    leaderStartNs: u64(b, o + TASK.leaderStartNs),
    ppid: u32(b, o + TASK.ppid),
    parentStartNs: u64(b, o + TASK.parentStartNs),
    uid: u32(b, o + TASK.uid),
    gid: u32(b, o + TASK.gid),
    cgroupId: u64(b, o + TASK.cgroupId, IDS),
    pidNsId: u32(b, o + TASK.pidnsId),
    nsPid: u32(b, o + TASK.nsPid),
    nsTid: u32(b, o + TASK.nsTid),
    comm: cString(b, o + TASK.comm, 16),
  };
}

/** Formats 4 or 16 network-order bytes as a textual IP address (RFC 5952 for IPv6). */
export function formatIp(b: Uint8Array, off: number, version: 4 | 6): string {
  if (version === 4) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  // IPv4-mapped addresses keep the dotted tail.
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) {
    return `::ffff:${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A plain Uint8Array copy (not a Buffer view of the whole batch). */
function copyBytes(b: Buffer, start: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  out.set(b.subarray(start, start + len));
  return out;
}

/** Decodes one record of `size` bytes at `o`; undefined when too short for its type. */
function decodeRecord(b: Buffer, o: number, type: number, size: number, stats: DecoderStats): ProctrailEvent | undefined {
  const time = u64(b, o + HDR.tsNs);
  switch (type) {
    case PT_EVENT_FORK: {
      if (size < FORK.sizeof) break;
      const ev: ForkEvent = {
        type: 'fork',
        time,
        child: readTask(b, o + FORK.child),
        creatorTid: u32(b, o + FORK.creatorTid),
        creatorStartNs: u64(b, o + FORK.creatorStartNs),
        isThread: (u32(b, o + FORK.flags) & PT_FORK_IS_THREAD) !== 0,
      };
      return ev;
    }
    case PT_EVENT_EXEC: {
      if (size < EXEC.sizeof) break;
      const fnLen = Math.min(b.readUInt16LE(o + EXEC.filenameLen), EXEC.argv - EXEC.filename);
      const argvLen = Math.min(b.readUInt16LE(o + EXEC.argvLen), EXEC.sizeof - EXEC.argv);
      const ev: ExecEvent = {
        type: 'exec',
        time,
        task: readTask(b, o + EXEC.task),
        oldTid: u32(b, o + EXEC.oldTid),
        file: {
          path: cString(b, o + EXEC.filename, fnLen),
          inode: u64(b, o + EXEC.inode, IDS),
          dev: u32(b, o + EXEC.dev),
          ctimeNs: u64(b, o + EXEC.ctimeNs, IDS),
          mode: u32(b, o + EXEC.mode),
        },
        // frozen: the caches keep it as an immutable snapshot without copying
        argv: Object.freeze(splitArgv(b, o + EXEC.argv, argvLen)),
        argvTruncated: (u32(b, o + EXEC.flags) & PT_EXEC_ARGV_TRUNCATED) !== 0,
      };
      return ev;
    }
    case PT_EVENT_EXIT: {
      if (size < EXIT.sizeof) break;
      const ev: ExitEvent = {
        type: 'exit',
        time,
        task: readTask(b, o + EXIT.task),
        exitStatus: u32(b, o + EXIT.exitStatus),
        groupDead: (u32(b, o + EXIT.flags) & PT_EXIT_GROUP_DEAD) !== 0,
      };
      return ev;
    }
    case PT_EVENT_CGROUP_MKDIR:
    case PT_EVENT_CGROUP_RMDIR:
    case PT_EVENT_CGROUP_ATTACH: {
      if (size < CGROUP.sizeof) break;
      const pathLen = Math.min(b.readUInt16LE(o + CGROUP.pathLen), CGROUP.sizeof - CGROUP.path);
      const ev: CgroupEvent = {
        type: type === PT_EVENT_CGROUP_MKDIR ? 'cgroup_mkdir' : type === PT_EVENT_CGROUP_RMDIR ? 'cgroup_rmdir' : 'cgroup_attach',
        time,
        hierarchyId: u32(b, o + CGROUP.hierarchyId),
        cgroupId: u64(b, o + CGROUP.cgroupId, IDS),
        level: u32(b, o + CGROUP.level),
        path: cString(b, o + CGROUP.path, pathLen),
        tid: u32(b, o + CGROUP.tid),
        pid: u32(b, o + CGROUP.pid),
        taskStartNs: u64(b, o + CGROUP.taskStartNs),
      };
      return ev;
    }
    case PT_EVENT_DNS: {
      if (size < DNS.payload) break;
      const payloadLen = u32(b, o + DNS.payloadLen);
      if (payloadLen > DNS.sizeof - DNS.payload || DNS.payload + payloadLen > size) break;
      const version = b[o + DNS.ipVersion] === 6 ? 6 : 4;
      const ev: DnsPacketEvent = {
        type: 'dns',
        time,
        direction: b[o + DNS.direction] === PT_DNS_INGRESS ? 'ingress' : 'egress',
        socketCookie: u64(b, o + DNS.socketCookie),
        netnsCookie: u64(b, o + DNS.netnsCookie, IDS),
        cgroupId: u64(b, o + DNS.cgroupId, IDS),
        pid: u32(b, o + DNS.pid),
        tid: u32(b, o + DNS.tid),
        protocol: b[o + DNS.protocol] === PT_PROTO_TCP ? 'tcp' : 'udp',
        ipVersion: version,
        srcAddr: formatIp(b, o + DNS.srcAddr, version),
        dstAddr: formatIp(b, o + DNS.dstAddr, version),
        srcPort: b.readUInt16LE(o + DNS.srcPort),
        dstPort: b.readUInt16LE(o + DNS.dstPort),
        wireLength: u32(b, o + DNS.wireLen),
        // A copy: the batch buffer must not be kept alive by one small packet.
        payload: copyBytes(b, o + DNS.payload, payloadLen),
      };
      return ev;
    }
    default:
      stats.unknownType++;
      return undefined;
  }
  stats.shortRecords++;
  return undefined;
}

/** Decodes a batch, appending to `out`; counts into `stats`. Never throws on bad input. */
export function decodeBatchInto(batch: Uint8Array, out: ProctrailEvent[], stats: DecoderStats): void {
  const b = asBuffer(batch);
  const len = b.length;
  stats.batches++;
  let o = 0;
  while (o < len) {
    if (len - o < HDR.sizeof) {
      stats.garbage++;
      return;
    }
    const type = b.readUInt16LE(o + HDR.type);
    const size = b.readUInt16LE(o + HDR.size);
    if (size < HDR.sizeof || o + size > len) {
      stats.garbage++;
      return;
    }
    stats.records++;
    const ev = decodeRecord(b, o, type, size, stats);
    if (ev !== undefined) {
      out.push(ev);
      stats.decoded++;
    }
    o += (size + 7) & ~7;
  }
}

/** Decodes one batch into a new array (see decodeBatchInto). */
export function decodeBatch(batch: Uint8Array, stats: DecoderStats = newDecoderStats()): ProctrailEvent[] {
  const out: ProctrailEvent[] = [];
  decodeBatchInto(batch, out, stats);
  return out;
}

/** A decoder with its own counters, for one source. */
export class BatchDecoder {
  readonly #stats: DecoderStats = newDecoderStats();

  /** Decodes one batch; bad records are counted in stats(), never thrown. */
  decode(batch: Uint8Array): ProctrailEvent[] {
    return decodeBatch(batch, this.#stats);
  }

  /** A snapshot of the counters. */
  stats(): Readonly<DecoderStats> {
    return { ...this.#stats };
  }
}


/* ---------- encoding: builds valid kernel records (tests, benches, replay tooling) ---------- */

function writeTask(b: Buffer, o: number, t: TaskInfo): void {
  b.writeBigUInt64LE(t.startNs, o + TASK.startNs);
  b.writeBigUInt64LE(t.leaderStartNs, o + TASK.leaderStartNs);
  b.writeBigUInt64LE(t.parentStartNs, o + TASK.parentStartNs);
  b.writeBigUInt64LE(t.cgroupId, o + TASK.cgroupId);
  b.writeUInt32LE(t.tid, o + TASK.tid);
  b.writeUInt32LE(t.pid, o + TASK.pid);
  b.writeUInt32LE(t.ppid, o + TASK.ppid);
  b.writeUInt32LE(t.uid, o + TASK.uid);
  b.writeUInt32LE(t.gid, o + TASK.gid);
  b.writeUInt32LE(t.pidNsId, o + TASK.pidnsId);
  b.writeUInt32LE(t.nsPid, o + TASK.nsPid);
  b.writeUInt32LE(t.nsTid, o + TASK.nsTid);
  writeCString(b, o + TASK.comm, 16, t.comm);
}

/** Writes at most max-1 bytes of `s` plus a NUL; returns the bytes written without the NUL. */
function writeCString(b: Buffer, o: number, max: number, s: string): number {
  const src = Buffer.from(s, 'utf8');
  const n = Math.min(src.length, max - 1);
  src.copy(b, o, 0, n);
  b[o + n] = 0;
  return n;
}

function parseIp(s: string, version: 4 | 6): Buffer {
  const out = Buffer.alloc(16);
  if (version === 4) {
    s.split('.').forEach((p, i) => { if (i < 4) out[i] = Number(p) & 0xff; });
    return out;
  }
  let text = s;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  const tail: number[] = [];
  if (dotted) {
    tail.push(((Number(dotted[1]) << 8) | Number(dotted[2])) & 0xffff, ((Number(dotted[3]) << 8) | Number(dotted[4])) & 0xffff);
    text = text.slice(0, dotted.index) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const hw = head ? head.split(':').map((h) => parseInt(h, 16) || 0) : [];
  const rw = rest !== undefined && rest !== '' ? rest.split(':').map((h) => parseInt(h, 16) || 0) : [];
  const words = rest === undefined ? hw : [...hw, ...new Array<number>(Math.max(0, 8 - hw.length - rw.length)).fill(0), ...rw];
  if (dotted) words.splice(6, 2, tail[0], tail[1]);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(words[i] ?? 0, 2 * i);
  return out;
}

/**
 * Encodes one event as the kernel would have written it (not padded). `snapshot` events
 * have no kernel record and throw a TypeError.
 */
export function encodeEvent(ev: ProctrailEvent, cpu = 0): Buffer {
  let b: Buffer;
  let type: number;
  switch (ev.type) {
    case 'fork':
      b = Buffer.alloc(FORK.sizeof);
      type = PT_EVENT_FORK;
      writeTask(b, FORK.child, ev.child);
      b.writeBigUInt64LE(ev.creatorStartNs, FORK.creatorStartNs);
      b.writeUInt32LE(ev.creatorTid, FORK.creatorTid);
      b.writeUInt32LE(ev.isThread ? PT_FORK_IS_THREAD : 0, FORK.flags);
      break;
    case 'exec': {
      b = Buffer.alloc(EXEC.sizeof);
      type = PT_EVENT_EXEC;
      writeTask(b, EXEC.task, ev.task);
      b.writeBigUInt64LE(ev.file.inode, EXEC.inode);
      b.writeBigUInt64LE(ev.file.ctimeNs, EXEC.ctimeNs);
      b.writeUInt32LE(ev.file.dev, EXEC.dev);
      b.writeUInt32LE(ev.file.mode, EXEC.mode);
      b.writeUInt32LE(ev.oldTid, EXEC.oldTid);
      b.writeUInt16LE(writeCString(b, EXEC.filename, EXEC.argv - EXEC.filename, ev.file.path), EXEC.filenameLen);
      const joined = Buffer.from(ev.argv.map((a) => `${a}\0`).join(''), 'utf8');
      const room = EXEC.sizeof - EXEC.argv;
      const n = Math.min(joined.length, room);
      joined.copy(b, EXEC.argv, 0, n);
      b.writeUInt16LE(n, EXEC.argvLen);
      b.writeUInt32LE(ev.argvTruncated || joined.length > room ? PT_EXEC_ARGV_TRUNCATED : 0, EXEC.flags);
      break;
    }
    case 'exit':
      b = Buffer.alloc(EXIT.sizeof);
      type = PT_EVENT_EXIT;
      writeTask(b, EXIT.task, ev.task);
      b.writeUInt32LE(ev.exitStatus >>> 0, EXIT.exitStatus);
      b.writeUInt32LE(ev.groupDead ? PT_EXIT_GROUP_DEAD : 0, EXIT.flags);
      break;
    case 'cgroup_mkdir':
    case 'cgroup_rmdir':
    case 'cgroup_attach':
      b = Buffer.alloc(CGROUP.sizeof);
      type = ev.type === 'cgroup_mkdir' ? PT_EVENT_CGROUP_MKDIR : ev.type === 'cgroup_rmdir' ? PT_EVENT_CGROUP_RMDIR : PT_EVENT_CGROUP_ATTACH;
      b.writeBigUInt64LE(ev.cgroupId, CGROUP.cgroupId);
      b.writeBigUInt64LE(ev.taskStartNs, CGROUP.taskStartNs);
      b.writeUInt32LE(ev.hierarchyId, CGROUP.hierarchyId);
      b.writeUInt32LE(ev.level, CGROUP.level);
      b.writeUInt32LE(ev.tid, CGROUP.tid);
      b.writeUInt32LE(ev.pid, CGROUP.pid);
      b.writeUInt16LE(writeCString(b, CGROUP.path, CGROUP.sizeof - CGROUP.path, ev.path), CGROUP.pathLen);
      break;
    case 'dns': {
      const n = Math.min(ev.payload.length, DNS.sizeof - DNS.payload);
      b = Buffer.alloc(DNS.payload + n);
      type = PT_EVENT_DNS;
      b.writeBigUInt64LE(ev.socketCookie, DNS.socketCookie);
      b.writeBigUInt64LE(ev.netnsCookie, DNS.netnsCookie);
      b.writeBigUInt64LE(ev.cgroupId, DNS.cgroupId);
      b.writeUInt32LE(ev.pid, DNS.pid);
      b.writeUInt32LE(ev.tid, DNS.tid);
      b[DNS.direction] = ev.direction === 'ingress' ? PT_DNS_INGRESS : 0;
      b[DNS.protocol] = ev.protocol === 'tcp' ? PT_PROTO_TCP : 17;
      b[DNS.ipVersion] = ev.ipVersion;
      b.writeUInt16LE(ev.srcPort, DNS.srcPort);
      b.writeUInt16LE(ev.dstPort, DNS.dstPort);
      parseIp(ev.srcAddr, ev.ipVersion).copy(b, DNS.srcAddr);
      parseIp(ev.dstAddr, ev.ipVersion).copy(b, DNS.dstAddr);
      b.writeUInt32LE(ev.wireLength, DNS.wireLen);
      b.writeUInt32LE(n, DNS.payloadLen);
      Buffer.from(ev.payload.buffer, ev.payload.byteOffset, n).copy(b, DNS.payload);
      break;
    }
    default:
      throw new TypeError(`encodeEvent: '${ev.type}' has no kernel record`);
  }
  b.writeUInt16LE(type, HDR.type);
  b.writeUInt16LE(b.length, HDR.size);
  b.writeUInt32LE(cpu, HDR.cpu);
  b.writeBigUInt64LE(ev.time, HDR.tsNs);
  return b;
}

/** Encodes events into one batch exactly as the addon delivers it (records padded to 8 bytes). */
export function encodeBatch(events: readonly ProctrailEvent[]): Buffer {
  const parts: Buffer[] = [];
  for (const ev of events) {
    const r = encodeEvent(ev);
    parts.push(r);
    const pad = ((r.length + 7) & ~7) - r.length;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  return Buffer.concat(parts);
}
