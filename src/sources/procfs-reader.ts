/**
 * Reads tasks from procfs into the same TaskInfo shape the kernel records have, so a
 * procfs snapshot and an eBPF event of the same task produce the same key
 * (`start_boottime` floored to USER_HZ ticks equals /proc/PID/stat field 22).
 */
import { readFile, readlink, readdir, stat } from 'node:fs/promises';
import type { FileInfo, SnapshotEvent, TaskInfo, BootNs } from '../events/types.js';

/** USER_HZ is 100 on every Linux architecture proctrail supports: one tick is 10 ms. */
export const NS_PER_TICK = 10_000_000n;

/** Fields of /proc/PID/stat that proctrail needs. */
export interface StatFields {
  readonly comm: string;
  readonly ppid: number;
  readonly startTicks: bigint;
}

/** Parse /proc/PID/stat; comm may contain spaces and ')' so split at the last ')'. */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, starttime is field 22.
  const ppid = Number(rest[1]);
  const start = rest[19];
  if (!Number.isInteger(ppid) || start === undefined || !/^[0-9]+$/.test(start)) return undefined;
  return { comm: text.slice(open + 1, close), ppid, startTicks: BigInt(start) };
}

/** Fields of /proc/PID/status that proctrail needs. */
export interface StatusFields {
  readonly tgid: number;
  readonly uid: number;
  readonly gid: number;
  readonly nsPid: number;
  readonly nsTid: number;
}

/** Parse /proc/PID/status (real uid/gid; innermost namespace ids). */
export function parseStatus(text: string): StatusFields | undefined {
  const get = (key: string): string | undefined => {
    const i = text.indexOf(`\n${key}:`);
    if (i < 0) return undefined;
    const end = text.indexOf('\n', i + 1);
    return text.slice(i + key.length + 2, end < 0 ? undefined : end).trim();
  };
  const last = (v: string | undefined): number => Number(v?.split(/\s+/).pop());
  const first = (v: string | undefined): number => Number(v?.split(/\s+/)[0]);
  const tgid = first(get('Tgid'));
  if (!Number.isInteger(tgid)) return undefined;
  const nsTid = last(get('NSpid'));
  const nsPid = last(get('NStgid'));
  return {
    tgid,
    uid: first(get('Uid')) || 0,
    gid: first(get('Gid')) || 0,
    nsPid: Number.isInteger(nsPid) ? nsPid : tgid,
    nsTid: Number.isInteger(nsTid) ? nsTid : 0,
  };
}

/** The unified-hierarchy path from /proc/PID/cgroup (`0::/path`), or undefined on v1-only hosts. */
export function parseUnifiedCgroupPath(text: string): string | undefined {
  for (const line of text.split('\n')) if (line.startsWith('0::')) return line.slice(3);
  return undefined;
}

/** Where cgroup2 is mounted, from a mountinfo text (first cgroup2 mount), or undefined. */
export function findCgroup2Mount(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    if (line.slice(sep + 3).startsWith('cgroup2 ')) return line.split(' ')[4];
  }
  return undefined;
}

let cgroup2MountPromise: Promise<string | undefined> | undefined;

/** The cgroup2 mount point of this host (cached; /sys/fs/cgroup/unified on hybrid hosts). */
export function cgroup2Mount(): Promise<string | undefined> {
  cgroup2MountPromise ??= readFile('/proc/self/mountinfo', 'utf8').then(findCgroup2Mount, () => undefined);
  return cgroup2MountPromise;
}

const readText = (p: string): Promise<string | undefined> => readFile(p, 'utf8').catch(() => undefined);

/** The cgroup id (directory inode) of a task's unified cgroup, 0n when unknown. */
async function readCgroupId(base: string): Promise<bigint> {
  const mount = await cgroup2Mount();
  if (!mount) return 0n;
  const path = parseUnifiedCgroupPath((await readText(`${base}/cgroup`)) ?? '');
  if (path === undefined) return 0n;
  try {
    return (await stat(mount + path, { bigint: true })).ino;
  } catch {
    return 0n;
  }
}

async function readPidNs(base: string): Promise<number> {
  try {
    const m = /\[(\d+)\]/.exec(await readlink(`${base}/ns/pid`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const NO_FILE: FileInfo = Object.freeze({ path: '', inode: 0n, dev: 0, ctimeNs: 0n, mode: 0 });

/** stat(2)'s st_dev (userspace encoding) → the kernel's dev_t (major << 20 | minor), as eBPF reads it. */
export function userDevToKernel(dev: bigint): number {
  const major = Number((dev >> 8n) & 0xfffn);
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & 0xfff00n));
  return ((major << 20) | minor) >>> 0;
}

/** The executable of a process: /proc/PID/exe's target path and its stat(2) identity. */
async function readExe(pid: number): Promise<FileInfo> {
  const [path, st] = await Promise.all([
    readlink(`/proc/${pid}/exe`).catch(() => ''),
    stat(`/proc/${pid}/exe`, { bigint: true }).catch(() => undefined),
  ]);
  if (path === '') return NO_FILE;
  return Object.freeze({
    path: path.replace(/ \(deleted\)$/, ''),
    inode: st?.ino ?? 0n, dev: st ? userDevToKernel(st.dev) : 0, ctimeNs: st?.ctimeNs ?? 0n, mode: st ? Number(st.mode) : 0,
  });
}

/** Start ticks of a process (its leader), or undefined when it is gone. */
export async function readStartTicks(pid: number): Promise<bigint | undefined> {
  const s = parseStat((await readText(`/proc/${pid}/stat`)) ?? '');
  return s?.startTicks;
}

/**
 * Read one task (`tid` of process `pid`) as a snapshot event at boot time `now`.
 * Undefined when the task vanished meanwhile (a race every procfs reader has).
 */
export async function readTaskSnapshot(pid: number, tid: number, now: BootNs, leaderStartTicks?: bigint): Promise<SnapshotEvent | undefined> {
  const base = `/proc/${pid}/task/${tid}`;
  const [statText, statusText] = await Promise.all([readText(`${base}/stat`), readText(`${base}/status`)]);
  const st = statText === undefined ? undefined : parseStat(statText);
  const ss = statusText === undefined ? undefined : parseStatus(statusText);
  if (!st || !ss) return undefined;
  const [file, cmdline, cgroupId, pidNsId, parentTicks, leaderTicks] = await Promise.all([
    readExe(pid),
    readText(`/proc/${pid}/cmdline`),
    readCgroupId(base),
    readPidNs(base),
    st.ppid > 0 ? readStartTicks(st.ppid) : Promise.resolve(0n),
    leaderStartTicks !== undefined ? Promise.resolve(leaderStartTicks) : tid === pid ? Promise.resolve(st.startTicks) : readStartTicks(pid),
  ]);
  const argv = cmdline ? cmdline.split('\0').filter((_, i, a) => i < a.length - 1 || a[i] !== '') : [];
  const task: TaskInfo = {
    tid, pid: ss.tgid, startNs: st.startTicks * NS_PER_TICK,
    leaderStartNs: (leaderTicks ?? st.startTicks) * NS_PER_TICK,
    ppid: st.ppid, parentStartNs: (parentTicks ?? 0n) * NS_PER_TICK,
    uid: ss.uid, gid: ss.gid, cgroupId, pidNsId, nsPid: ss.nsPid, nsTid: ss.nsTid, comm: st.comm,
  };
  return { type: 'snapshot', time: now, task, file, argv };
}

/** All pids in /proc (numeric directories). */
export async function listPids(): Promise<number[]> {
  const names = await readdir('/proc').catch(() => [] as string[]);
  return names.filter((n) => /^[0-9]+$/.test(n)).map(Number);
}

/** All tids of a process (empty when it vanished). */
export async function listTids(pid: number): Promise<number[]> {
  const names = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  return names.filter((n) => /^[0-9]+$/.test(n)).map(Number);
}

/** Every task of process `pid` (leader first), as snapshot events. */
export async function readProcessSnapshots(pid: number, now: BootNs): Promise<SnapshotEvent[]> {
  const leaderTicks = await readStartTicks(pid);
  if (leaderTicks === undefined) return [];
  const tids = (await listTids(pid)).sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
  const out = await Promise.all(tids.map((tid) => readTaskSnapshot(pid, tid, now, leaderTicks)));
  return out.filter((e): e is SnapshotEvent => e !== undefined);
}
