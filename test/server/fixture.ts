/**
 * A replayed task sequence (fork/exec/exit TaskEvents applied to a real ProcessTree) and
 * an app built on it. Times are boot ns; the clock maps them to 2026-11-27 wall time.
 *
 *   1 init ─ 100 bash ─┬ 200 bash→sleep (exec at 20.5 s; thread 201) ─ 300 false (exit 1 at 22 s)
 *                      └ 400 yes (killed by SIGKILL at 23 s)
 */
import type { ExecEvent, ExitEvent, ForkEvent, SnapshotEvent, TaskEvent, TaskInfo } from '../../src/events/types.js';
import { ProcessTree } from '../../src/caches/process-tree.js';
import { buildApp, type BuildAppOptions } from '../../src/server/app.js';
import type { Clock } from '../../src/query/time.js';

export const S = 1_000_000_000n;
/** 2026-11-27T10:00:00Z in epoch ns minus nothing at boot: boot ns 0 = this instant. */
export const BOOT_EPOCH_NS = 1_795_773_600_000_000_000n;
export const NOW = 100n * S;
export const clock: Clock = Object.freeze({ bootToEpochNs: BOOT_EPOCH_NS, nowBootNs: () => NOW });

/** Boot ns → the RFC 3339 string the API prints. */
export function iso(bootNs: bigint): string {
  const e = bootNs + BOOT_EPOCH_NS;
  const sec = e / S;
  const ns = e % S;
  return new Date(Number(sec) * 1000).toISOString().slice(0, -5) + '.' + ns.toString().padStart(9, '0') + 'Z';
}

function task(pid: number, startNs: bigint, ppid: number, parentStartNs: bigint, comm: string, tid = pid): TaskInfo {
  return {
    tid,
    pid,
    startNs,
    leaderStartNs: startNs,
    ppid,
    parentStartNs,
    uid: 1000,
    gid: 1000,
    cgroupId: 18446744073709551557n,
    pidNsId: 4026531836,
    nsPid: pid,
    nsTid: tid,
    comm,
  };
}

/** Process start times (boot ns, odd ns on purpose: precision must survive). */
export const START = Object.freeze({
  p1: 1n * S,
  p100: 10n * S + 123_456_789n,
  p200: 20n * S + 1n,
  p201: 20n * S + 600_000_007n,
  p300: 21n * S + 5n,
  p400: 21n * S + 9n,
});
export const EXEC_200 = 20n * S + 500_000_001n;
export const EXIT_300 = 22n * S + 7n;
export const EXIT_400 = 23n * S + 3n;

function file(path: string, inode: bigint): ExecEvent['file'] {
  return { path, inode, dev: 2049, ctimeNs: 1_700_000_000_123_456_789n, mode: 0o100755 };
}

const t = START;
const init: SnapshotEvent = {
  type: 'snapshot',
  time: 2n * S,
  task: task(1, t.p1, 0, 0n, 'init'),
  file: { path: '/sbin/init', inode: 0n, dev: 0, ctimeNs: 0n, mode: 0 },
  argv: ['/sbin/init'],
};
function fork(child: TaskInfo, creator: number, creatorStart: bigint, time: bigint, isThread = false): ForkEvent {
  return { type: 'fork', time, child, creatorTid: creator, creatorStartNs: creatorStart, isThread };
}
function exec(tk: TaskInfo, time: bigint, path: string, argv: string[], inode: bigint): ExecEvent {
  return { type: 'exec', time, task: tk, oldTid: tk.tid, file: file(path, inode), argv, argvTruncated: false };
}
function exit(tk: TaskInfo, time: bigint, status: number): ExitEvent {
  return { type: 'exit', time, task: tk, exitStatus: status, groupDead: true };
}

/** The replayed sequence, in time order. */
export const EVENTS: readonly TaskEvent[] = Object.freeze([
  init,
  fork(task(100, t.p100, 1, t.p1, 'init'), 1, t.p1, t.p100),
  exec(task(100, t.p100, 1, t.p1, 'bash'), t.p100 + 1_000_000n, '/usr/bin/bash', ['bash'], 1001n),
  fork(task(200, t.p200, 100, t.p100, 'bash'), 100, t.p100, t.p200),
  exec(task(200, t.p200, 100, t.p100, 'sleep'), EXEC_200, '/usr/bin/sleep', ['sleep', '3'], 1002n),
  fork({ ...task(200, t.p201, 100, t.p100, 'sleep', 201), leaderStartNs: t.p200 }, 200, t.p200, t.p201, true),
  fork(task(300, t.p300, 200, t.p200, 'sleep'), 200, t.p200, t.p300),
  exec(task(300, t.p300, 200, t.p200, 'false'), t.p300 + 1000n, '/bin/false', ['false', '--x'], 1003n),
  exit(task(300, t.p300, 200, t.p200, 'false'), EXIT_300, 1 << 8),
  fork(task(400, t.p400, 100, t.p100, 'bash'), 100, t.p100, t.p400),
  exec(task(400, t.p400, 100, t.p100, 'yes'), t.p400 + 1000n, '/usr/bin/yes', ['yes'], 1004n),
  exit(task(400, t.p400, 100, t.p100, 'yes'), EXIT_400, 9),
]);

/** A real ProcessTree fed with EVENTS. */
export function replayedTree(): ProcessTree {
  const tree = new ProcessTree({ bootToEpochNs: BOOT_EPOCH_NS });
  for (const e of EVENTS) tree.apply(e);
  return tree;
}

/** buildApp over the replayed tree. */
export function replayedApp(extra: Partial<BuildAppOptions> = {}) {
  const tree = replayedTree();
  return { tree, app: buildApp({ tree, clock, ...extra }) };
}
