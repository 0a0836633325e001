/**
 * bench ingest: synthetic kernel batches through decoder + ProcessTree, against a bare
 * decode loop over the same batches in the same run.
 *
 * Workload: a host with 64 long-lived shells; each step forks a child (pid space wraps,
 * so PIDs are reused), most children exec, some spawn and end a thread, every child exits.
 * Default cache sizes (10928 / 21856), so most of the run is in eviction steady state.
 *
 *   npx tsx bench/ingest.ts [processes=80000] [rounds=3]
 * Prints one line. Target: >= 1,000,000 events/s into the caches on one core.
 */
import { semiSpaceMiB } from './service-flags.js';
import { decodeBatchInto, encodeBatch, newDecoderStats } from '../src/events/decoder.js';
import type { ProctrailEvent, TaskEvent, TaskInfo } from '../src/events/types.js';
import { LRUCache } from 'lru-cache';
import { ProcessTree } from '../src/caches/process-tree.js';

const PROCESSES = Number(process.argv[2] ?? 80_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const BATCH = 256; // ~ what age-flushed batches hold under load
const TARGET = 1_000_000;

function info(tid: number, pid: number, start: bigint, leaderStart: bigint, ppid: number, parentStart: bigint, comm: string): TaskInfo {
  return {
    tid,
    pid,
    startNs: start,
    leaderStartNs: leaderStart,
    ppid,
    parentStartNs: parentStart,
    uid: 1000,
    gid: 1000,
    cgroupId: 4242n,
    pidNsId: 4026531836,
    nsPid: pid,
    nsTid: tid,
    comm,
  };
}

function workload(processes: number): TaskEvent[] {
  const ev: TaskEvent[] = [];
  let now = 1_000_000_000_000n;
  const tick = (): bigint => (now += 20_011n);
  const init = info(1, 1, 500_000_000n, 500_000_000n, 0, 0n, 'systemd');
  const file = (path: string) => ({ path, inode: 1234n, dev: 2049, ctimeNs: 1_600_000_000_000_000_000n, mode: 0o100755 });
  ev.push({ type: 'exec', time: tick(), task: init, oldTid: 1, file: file('/sbin/init'), argv: ['/sbin/init'], argvTruncated: false });
  const shells: TaskInfo[] = [];
  for (let i = 0; i < 64; i++) {
    const s = info(100 + i, 100 + i, tick(), now, 1, init.startNs, 'bash');
    shells.push(s);
    ev.push({ type: 'fork', time: now, child: s, creatorTid: 1, creatorStartNs: init.startNs, isThread: false });
    ev.push({ type: 'exec', time: tick(), task: s, oldTid: s.tid, file: file('/bin/bash'), argv: ['bash', '-l'], argvTruncated: false });
  }
  let pid = 1000;
  const nextPid = (): number => (pid = pid >= 4_000_000 ? 1000 : pid + 1);
  const pending: TaskEvent[] = []; // exits arrive a little later, interleaved with new forks
  for (let i = 0; i < processes; i++) {
    const sh = shells[i % shells.length]!;
    const cpid = nextPid();
    const c = info(cpid, cpid, tick(), now, sh.pid, sh.startNs, 'bash');
    ev.push({ type: 'fork', time: now, child: c, creatorTid: sh.pid, creatorStartNs: sh.startNs, isThread: false });
    let cur = c;
    if (i % 8 !== 0) {
      cur = { ...c, comm: 'cmd' + (i % 13) };
      ev.push({ type: 'exec', time: tick(), task: cur, oldTid: cpid, file: file('/usr/bin/cmd' + (i % 13)), argv: ['cmd' + (i % 13), '--flag', String(i)], argvTruncated: false });
    }
    if (i % 5 === 0) {
      const tid = nextPid();
      const th = info(tid, cpid, tick(), c.startNs, sh.pid, sh.startNs, cur.comm);
      ev.push({ type: 'fork', time: now, child: th, creatorTid: cpid, creatorStartNs: c.startNs, isThread: true });
      ev.push({ type: 'exit', time: tick(), task: th, exitStatus: 0, groupDead: false });
    }
    pending.push({ type: 'exit', time: 0n, task: cur, exitStatus: (i % 3) << 8, groupDead: true });
    if (pending.length > 32) {
      const x = pending.shift()!;
      ev.push({ ...x, time: tick() } as TaskEvent);
    }
  }
  for (const x of pending) ev.push({ ...x, time: tick() } as TaskEvent);
  return ev;
}

const events = workload(PROCESSES);
const batches: Buffer[] = [];
for (let i = 0; i < events.length; i += BATCH) batches.push(encodeBatch(events.slice(i, i + BATCH) as ProctrailEvent[]));

function bareDecode(): number {
  const stats = newDecoderStats();
  const out: ProctrailEvent[] = [];
  let n = 0;
  for (const b of batches) {
    out.length = 0;
    decodeBatchInto(b, out, stats);
    for (const e of out) if (e.type !== 'dns') n++; // touch every event like a consumer would
  }
  return n;
}

function decodeIntoTree(): { n: number; tree: ProcessTree } {
  const stats = newDecoderStats();
  const tree = new ProcessTree();
  const out: ProctrailEvent[] = [];
  let n = 0;
  for (const b of batches) {
    out.length = 0;
    decodeBatchInto(b, out, stats);
    for (const e of out) {
      if (e.type === 'fork' || e.type === 'exec' || e.type === 'exit' || e.type === 'snapshot') {
        tree.apply(e);
        n++;
      }
    }
  }
  return { n, tree };
}

// The naive prototype of real-parts.md: lru-cache, string keys, one object per task.
interface NaiveTask {
  ppidKey: string;
  comm: string;
  exe: string;
  argv: readonly string[];
  exitNs: bigint | undefined;
}
function decodeIntoNaive(): number {
  const stats = newDecoderStats();
  const lru = new LRUCache<string, NaiveTask>({ max: 10928 });
  const out: ProctrailEvent[] = [];
  let n = 0;
  for (const b of batches) {
    out.length = 0;
    decodeBatchInto(b, out, stats);
    for (const e of out) {
      if (e.type === 'fork') {
        const c = e.child;
        const parentKey = `${c.ppid}@${c.parentStartNs / 10_000_000n}`;
        const parent = lru.get(parentKey);
        lru.set(`${c.pid}@${c.startNs / 10_000_000n}`, { ppidKey: parentKey, comm: c.comm, exe: parent?.exe ?? '', argv: parent?.argv ?? [], exitNs: undefined });
      } else if (e.type === 'exec') {
        const t = lru.get(`${e.task.pid}@${e.task.leaderStartNs / 10_000_000n}`);
        if (t !== undefined) {
          t.exe = e.file.path;
          t.argv = e.argv;
          t.comm = e.task.comm;
        }
      } else if (e.type === 'exit') {
        const t = lru.get(`${e.task.pid}@${e.task.leaderStartNs / 10_000_000n}`);
        if (t !== undefined && e.groupDead) t.exitNs = e.time;
      } else continue;
      n++;
    }
  }
  return n;
}

function timeIt<T>(fn: () => T): { ms: number; r: T } {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}

let bestBare = Infinity;
let bestFull = Infinity;
let bestNaive = Infinity;
let last: ProcessTree | undefined;
let n = 0;
for (let r = 0; r < ROUNDS + 1; r++) {
  // round 0 warms the JIT up; interleave the two so machine noise hits both
  const b = timeIt(bareDecode);
  const f = timeIt(decodeIntoTree);
  const nv = timeIt(decodeIntoNaive);
  if (r === 0) continue;
  bestNaive = Math.min(bestNaive, nv.ms);
  bestBare = Math.min(bestBare, b.ms);
  bestFull = Math.min(bestFull, f.ms);
  n = f.r.n;
  last = f.r.tree;
  if (b.r !== n) throw new Error(`decoded ${b.r} vs applied ${n}`);
}

const bareRate = n / (bestBare / 1000);
const fullRate = n / (bestFull / 1000);
const naiveRate = n / (bestNaive / 1000);
const st = last!.stats();
const m = (x: number): string => `${(x / 1e6).toFixed(2)}M`;
// The service runs with a larger young generation (bin/proctrail.js): say which one this run had.
const semiMiB = semiSpaceMiB();
console.log(
  `bench ingest: ${m(fullRate)} events/s decode+caches, ratio ${(fullRate / bareRate).toFixed(2)} vs bare decode ${m(bareRate)}/s, ${(fullRate / naiveRate).toFixed(2)}x naive lru-cache+string keys ${m(naiveRate)}/s ` +
    `(${n} events, ${st.processes.size} procs/${st.threads.size} threads cached, ` +
    `${st.processes.evictions.exitedLeaf} evicted; semi-space ${semiMiB} MiB; target >= 1.0M/s) ${fullRate >= TARGET ? 'PASS' : 'FAIL'}`,
);
