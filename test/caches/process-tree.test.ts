import t from 'tap';
import { rng } from '../helpers/rng.js';
import type { ExecEvent, ExitEvent, ForkEvent, SnapshotEvent, TaskInfo } from '../../src/events/types.js';
import type { ProcessNode } from '../../src/caches/process-model.js';
import { ProcessTree } from '../../src/caches/process-tree.js';
import { hashTaskId } from '../../src/caches/task-id.js';

// ---- event factories (plain objects matching src/events/types.ts) ----

const S = 1_000_000_000n; // one second in ns
const TICK = 10_000_000n;

interface TaskSpec {
  tid: number;
  pid?: number;
  start: bigint;
  leaderStart?: bigint;
  ppid?: number;
  parentStart?: bigint;
  comm?: string;
  nsPid?: number;
}

function task(s: TaskSpec): TaskInfo {
  const pid = s.pid ?? s.tid;
  return Object.freeze({
    tid: s.tid,
    pid,
    startNs: s.start,
    leaderStartNs: s.leaderStart ?? s.start,
    ppid: s.ppid ?? 0,
    parentStartNs: s.parentStart ?? 0n,
    uid: 0,
    gid: 0,
    cgroupId: 77n,
    pidNsId: 4026531836,
    nsPid: s.nsPid ?? pid,
    nsTid: s.tid,
    comm: s.comm ?? 'task',
  });
}

const fork = (time: bigint, child: TaskInfo, isThread = false): ForkEvent => ({
  type: 'fork',
  time,
  child,
  creatorTid: child.ppid,
  creatorStartNs: child.parentStartNs,
  isThread,
});

const exec = (time: bigint, tk: TaskInfo, path: string, argv: string[], oldTid = tk.tid): ExecEvent => ({
  type: 'exec',
  time,
  task: tk,
  oldTid,
  file: { path, inode: 1000n + BigInt(path.length), dev: 2049, ctimeNs: 5n, mode: 0o100755 },
  argv,
  argvTruncated: false,
});

const exit = (time: bigint, tk: TaskInfo, exitStatus: number, groupDead = true): ExitEvent => ({
  type: 'exit',
  time,
  task: tk,
  exitStatus,
  groupDead,
});

const snapshot = (time: bigint, tk: TaskInfo, exePath: string, argv: string[]): SnapshotEvent => ({
  type: 'snapshot',
  time,
  task: tk,
  file: { path: exePath, inode: 0n, dev: 0, ctimeNs: 0n, mode: 0 },
  argv,
});

// pid 1, exact start 0.5 s after boot, exec'd /sbin/init; bash (pid 100) under it.
const INIT = task({ tid: 1, start: S / 2n, comm: 'systemd' });
const BASH = task({ tid: 100, start: 2n * S + 123n, ppid: 1, parentStart: S / 2n, comm: 'bash' });

function baseTree(opts: ConstructorParameters<typeof ProcessTree>[0] = {}): ProcessTree {
  const tree = new ProcessTree(opts);
  tree.apply(exec(S, INIT, '/sbin/init', ['/sbin/init']));
  tree.apply(fork(2n * S + 500n, BASH));
  tree.apply(exec(3n * S, BASH, '/bin/bash', ['bash']));
  return tree;
}

function lineage(tree: ProcessTree, p: ProcessNode | undefined, at: bigint): number[] {
  const out: number[] = [];
  for (let n = p, i = 0; n !== undefined && i < 1000; n = tree.parentOf(n, at), i++) out.push(n.pid);
  return out;
}

const keyOf = (pid: number, start: bigint): string => `${pid}@${start / TICK}`;

// ---- tests ----

t.test('fork, exec, exit with point-in-time answers', async (t) => {
  const tree = baseTree({ bootToEpochNs: 1_700_000_000n * S });
  const child = task({ tid: 200, start: 10n * S + 7n, ppid: 100, parentStart: BASH.startNs, comm: 'bash' });
  tree.apply(fork(10n * S + 9n, child));
  const lsTask = { ...child, comm: 'ls' };
  tree.apply(exec(11n * S, lsTask, '/usr/bin/ls', ['ls', '-l']));
  tree.apply(exit(12n * S, lsTask, 3 << 8));

  const p = tree.getProcess(keyOf(200, child.startNs));
  t.ok(p, 'found by key');
  if (p === undefined) return;
  t.equal(p.key, '200@1000');
  t.equal(p.startTicks, 1000n);
  t.equal(p.entityId, hashTaskId(200, child.startNs + 1_700_000_000n * S));
  t.equal(tree.parentOf(p, 10n * S + 10n)?.pid, 100);
  t.same(lineage(tree, p, 11n * S), [200, 100, 1]);
  // before exec: the forked image is bash's; after: ls
  t.equal(p.executable.get(10n * S + 10n)?.path, '/bin/bash');
  t.same(p.argv.get(10n * S + 10n), ['bash']);
  t.equal(p.attrs.get(10n * S + 10n)?.comm, 'bash');
  t.equal(p.executable.get(11n * S)?.path, '/usr/bin/ls');
  t.equal(p.executable.get(11n * S)?.inode, 1000n + 11n);
  t.equal(p.attrs.get(11n * S + 1n)?.comm, 'ls');
  t.same(p.execHistory.map((e) => [e.time, e.file.path, e.argv]), [[11n * S, '/usr/bin/ls', ['ls', '-l']]]);
  t.same([p.execCountAt(11n * S - 1n), p.execCountAt(11n * S), p.execAt(0)?.file.path, p.execAt(1)], [0, 1, '/usr/bin/ls', undefined], 'a lone exec record');
  // after exit: still queryable, with exit time and status
  t.equal(p.exitNs, 12n * S);
  t.equal(p.exitStatus, 768);
  t.equal(tree.findProcessByPid(200, 20n * S)?.key, p.key, 'most recent before `at` when none alive');
  t.equal(tree.findProcessByPid(200, 10n * S), undefined, 'not before it started');
  const bash = tree.findProcessByPid(100, 20n * S)!;
  t.same(tree.childrenOf(bash, 11n * S).map((c) => c.pid), [200]);
  t.same(tree.childrenOf(bash, 13n * S), [], 'exited child is not a child at a later time');
  t.same(tree.threadsOf(p, 11n * S).map((th) => th.tid), [200]);
  t.same(tree.threadsOf(p, 13n * S), []);
  const st = tree.stats();
  t.same(st.applied, { fork: 2, exec: 3, exit: 1, snapshot: 0 });
  t.equal(st.processes.size, 3);
  t.equal(st.unknownTasks.exec, 1, 'init was never forked: unknown');
  t.same(tree.takeFillRequests(10), [1]);
  t.same(tree.takeFillRequests(10), [], 'drained');
});

t.test('threads: create, exit, process exits only when the group is dead', async (t) => {
  const tree = baseTree();
  const leader = task({ tid: 300, start: 20n * S, ppid: 100, parentStart: BASH.startNs });
  const thr = task({ tid: 301, pid: 300, start: 21n * S, leaderStart: 20n * S, ppid: 100, parentStart: BASH.startNs });
  tree.apply(fork(20n * S, leader));
  tree.apply(fork(21n * S, thr, true));
  const p = tree.findProcessByPid(300, 22n * S)!;
  t.same(tree.threadsOf(p, 22n * S).map((x) => x.tid).sort(), [300, 301]);
  t.same(tree.threadsOf(p, 20n * S + 1n).map((x) => x.tid), [300]);
  const th = tree.findThreadByTid(301, 22n * S)!;
  t.equal(th.processKey, p.key);
  t.equal(th.key, keyOf(301, 21n * S));
  // leader thread pthread_exit()s first: the process goes on
  tree.apply(exit(23n * S, leader, 0, false));
  t.equal(p.exitNs, undefined, 'alive after the leader thread exit');
  t.equal(tree.getThread(keyOf(300, 20n * S))?.exitNs, 23n * S);
  t.same(tree.threadsOf(p, 24n * S).map((x) => x.tid), [301]);
  tree.apply(exit(25n * S, thr, 9, true));
  t.equal(p.exitNs, 25n * S, 'group dead: process exited');
  t.equal(p.exitStatus, 9);
  t.equal(tree.stats().threads.size, 4);
});

t.test('re-parenting: orphans go to the pid namespace init at the exit time', async (t) => {
  const tree = baseTree();
  const a = task({ tid: 400, start: 30n * S, ppid: 100, parentStart: BASH.startNs });
  const b = task({ tid: 401, start: 31n * S, ppid: 400, parentStart: 30n * S });
  const gone = task({ tid: 402, start: 31n * S + 1n, ppid: 400, parentStart: 30n * S });
  tree.apply(fork(30n * S, a));
  tree.apply(fork(31n * S, b));
  tree.apply(fork(31n * S + 1n, gone));
  tree.apply(exit(32n * S, gone, 0));
  tree.apply(exit(33n * S, a, 0));
  const pb = tree.findProcessByPid(401, 40n * S)!;
  t.same(lineage(tree, pb, 32n * S), [401, 400, 100, 1], 'before the exit: the original chain');
  t.same(lineage(tree, pb, 33n * S), [401, 1], 'from the exit on: init');
  t.same(pb.parentKey.entries().map((e) => [e.time, e.value]), [
    [31n * S, keyOf(400, 30n * S)],
    [33n * S, keyOf(1, S / 2n)],
  ]);
  const pg = tree.findProcessByPid(402, 40n * S)!;
  t.same(lineage(tree, pg, 40n * S), [402, 400, 100, 1], 'a child that exited first keeps its parent');
  const init = tree.findProcessByPid(1, 40n * S)!;
  t.ok(tree.childrenOf(init, 34n * S).some((c) => c.pid === 401));
  t.notOk(tree.childrenOf(init, 32n * S).some((c) => c.pid === 401));
  // a later fork-time truth can name a subreaper: a snapshot corrects the parent
  tree.apply(snapshot(50n * S, task({ tid: 401, start: 31n * TICK * 100n, ppid: 100 }), '', []));
  t.same(lineage(tree, pb, 50n * S), [401, 100, 1]);
  t.same(lineage(tree, pb, 40n * S), [401, 1], 'the snapshot does not rewrite earlier history');
});

t.test('PID reuse: same pid, different start, two keys', async (t) => {
  const tree = baseTree();
  const first = task({ tid: 500, start: 40n * S, ppid: 100, parentStart: BASH.startNs });
  const second = task({ tid: 500, start: 50n * S, ppid: 100, parentStart: BASH.startNs });
  tree.apply(fork(40n * S, first));
  tree.apply(exec(41n * S, first, '/bin/one', ['one']));
  tree.apply(exit(42n * S, first, 0));
  tree.apply(fork(50n * S, second));
  tree.apply(exec(51n * S, second, '/bin/two', ['two']));
  const a = tree.findProcessByPid(500, 41n * S + 1n)!;
  const b = tree.findProcessByPid(500, 52n * S)!;
  t.not(a.key, b.key);
  t.equal(a.key, '500@4000');
  t.equal(b.key, '500@5000');
  t.equal(a.executable.current()?.path, '/bin/one');
  t.equal(b.executable.current()?.path, '/bin/two');
  t.equal(tree.findProcessByPid(500, 45n * S)?.key, a.key, 'between lives: the most recent that started');
  t.equal(tree.getProcess('500@4000'), a);
  t.equal(tree.getProcess('500@4001'), undefined);
  t.equal(tree.getProcess('garbage'), undefined);
  const bash = tree.findProcessByPid(100, 52n * S)!;
  t.same(tree.childrenOf(bash, 52n * S).map((c) => c.key), [b.key]);
});

t.test('out-of-order events give the same history', async (t) => {
  const c = task({ tid: 600, start: 60n * S, ppid: 100, parentStart: BASH.startNs, comm: 'x' });
  const events = [
    fork(60n * S, c),
    exec(61n * S, { ...c, comm: 'first' }, '/bin/first', ['first']),
    exec(62n * S, { ...c, comm: 'second' }, '/bin/second', ['second']),
    exit(63n * S, c, 256),
  ];
  const inOrder = baseTree();
  inOrder.applyBatch(events);
  const shuffled = baseTree();
  shuffled.applyBatch([events[3]!, events[2]!, events[0]!, events[1]!]);
  for (const tree of [inOrder, shuffled]) {
    const p = tree.findProcessByPid(600, 61n * S)!;
    t.equal(p.executable.get(60n * S + 1n)?.path, '/bin/bash');
    t.equal(p.executable.get(61n * S + 1n)?.path, '/bin/first');
    t.equal(p.executable.get(62n * S + 1n)?.path, '/bin/second');
    t.equal(p.attrs.get(61n * S + 1n)?.comm, 'first');
    t.same(p.execHistory.map((e) => e.file.path), ['/bin/first', '/bin/second']);
    // The allocation-free readers agree with the array, at every moment.
    for (const at of [60n * S, 61n * S, 61n * S + 1n, 62n * S, 63n * S]) {
      const upTo = p.execHistory.filter((e) => e.time <= at);
      t.equal(p.execCountAt(at), upTo.length, `execCountAt ${at}`);
      t.equal(p.execAt(upTo.length - 1), upTo.at(-1));
    }
    t.equal(p.execAt(0), p.execHistory[0]);
    t.equal(p.execAt(2), undefined);
    t.equal(p.exitNs, 63n * S);
    t.equal(tree.parentOf(p, 61n * S)?.pid, 100);
  }
  // replaying the same events again changes nothing
  const before = JSON.stringify(inOrder.findProcessByPid(600, 61n * S)!.execHistory, (_k, v) =>
    typeof v === 'bigint' ? String(v) : v,
  );
  inOrder.applyBatch(events);
  const after = JSON.stringify(inOrder.findProcessByPid(600, 61n * S)!.execHistory, (_k, v) =>
    typeof v === 'bigint' ? String(v) : v,
  );
  t.equal(after, before);
});

t.test('unknown tasks are created and queued for a procfs fill (bounded, de-duplicated)', async (t) => {
  const tree = new ProcessTree({ fillQueueSize: 2 });
  const x = task({ tid: 700, start: 70n * S, ppid: 1 });
  tree.apply(exec(71n * S, x, '/bin/x', ['x']));
  tree.apply(exec(72n * S, x, '/bin/y', ['y']));
  tree.apply(exit(73n * S, task({ tid: 701, start: 70n * S }), 0, false));
  tree.apply(exit(73n * S, task({ tid: 702, start: 70n * S }), 0, false));
  tree.apply(exit(74n * S, task({ tid: 703, start: 70n * S }), 0, true));
  const st = tree.stats();
  t.equal(st.unknownTasks.exec, 1);
  t.equal(st.unknownTasks.exit, 3);
  t.same(st.fill, { pending: 2, requested: 2, dropped: 2 }, '700 then its parent 1 queued; 701 and 702 dropped');
  t.same(tree.takeFillRequests(1), [700], 'oldest first');
  t.same(tree.takeFillRequests(5), [1]);
  t.equal(tree.findProcessByPid(703, 75n * S)?.exitNs, 74n * S, 'dead on arrival, not requested');
  // malformed events are counted, never thrown
  tree.apply({ type: 'exec', time: 1n, task: undefined } as unknown as ExecEvent);
  tree.apply({ type: 'bogus' } as unknown as ExecEvent);
  t.equal(tree.stats().rejected, 2);
});

t.test('exec by a non-leader thread: the old tid is gone, the leader key lives on', async (t) => {
  const tree = baseTree();
  const leader = task({ tid: 800, start: 80n * S, ppid: 100, parentStart: BASH.startNs });
  const thr = task({ tid: 805, pid: 800, start: 81n * S, leaderStart: 80n * S, ppid: 100, parentStart: BASH.startNs });
  tree.apply(fork(80n * S, leader));
  tree.apply(fork(81n * S, thr, true));
  const p = tree.findProcessByPid(800, 82n * S)!;
  // de_thread(): the old leader's exit is reported, then the exec with old_pid = 805
  tree.apply(exit(83n * S, leader, 9, false));
  tree.apply(exec(83n * S + 5n, { ...leader, comm: 'newimg' }, '/bin/newimg', ['newimg'], 805));
  t.equal(tree.findProcessByPid(800, 84n * S), p, 'same process, same key');
  t.equal(p.exitNs, undefined);
  t.equal(p.executable.current()?.path, '/bin/newimg');
  t.equal(tree.findThreadByTid(805, 84n * S)?.exitNs, 83n * S + 5n, 'old thread ended at the exec');
  t.same(tree.threadsOf(p, 84n * S).map((x) => x.tid), [800]);
  t.equal(tree.getThread(keyOf(800, 80n * S))?.exitNs, undefined, 'leader thread key alive again');
});

t.test('snapshots fill without overwriting precise event data', async (t) => {
  const tree = baseTree();
  // procfs start ticks of bash, read at 100 s: same path as the exec event
  const fromProc = task({ tid: 100, start: (BASH.startNs / TICK) * TICK, ppid: 1, comm: 'bash' });
  tree.apply(snapshot(100n * S, { ...fromProc, cgroupId: 0n }, '/bin/bash', ['bash']));
  const bash = tree.findProcessByPid(100, 100n * S)!;
  t.equal(bash.startNs, BASH.startNs, 'exact start kept');
  t.equal(bash.executable.current()?.inode, 1000n + 9n, "the exec's FileInfo is kept when the path agrees");
  t.equal(bash.executable.entries().length, 2, 'inherited /sbin/init at fork, /bin/bash at exec');
  t.equal(bash.attrs.current()?.cgroupId, 77n, 'unknown procfs fields do not erase known ones');
  t.equal(bash.attrs.entries().length, 1);
  // a process first seen in procfs, then by events with exact ns
  const old = task({ tid: 900, start: 5n * S, ppid: 100, comm: 'daemon' });
  tree.apply(snapshot(100n * S, old, '/usr/sbin/daemon', ['daemon', '-d']));
  const d = tree.findProcessByPid(900, 100n * S)!;
  t.equal(d.origin, 'procfs');
  t.equal(d.executable.get(5n * S)?.path, '/usr/sbin/daemon', 'a snapshot creating a task holds from its start');
  t.equal(d.executable.get(5n * S - 1n), undefined, 'nothing before the task started');
  t.equal(d.executable.get(100n * S)?.path, '/usr/sbin/daemon');
  t.equal(tree.parentOf(d, 100n * S)?.pid, 100);
  tree.apply(exec(101n * S, { ...old, startNs: 5n * S + 4321n, leaderStartNs: 5n * S + 4321n }, '/usr/bin/other', ['other']));
  t.equal(d.startNs, 5n * S + 4321n, 'event precision refines the procfs start');
  t.equal(d.key, keyOf(900, 5n * S));
  t.equal(tree.stats().processes.size, 3, 'no duplicate for the refined start');
  // snapshot child before its parent: resolved when the parent shows up
  const kid = task({ tid: 950, start: 6n * S, ppid: 940 });
  tree.apply(snapshot(100n * S, kid, '/bin/kid', ['kid']));
  tree.apply(snapshot(100n * S, task({ tid: 940, start: 5n * S + TICK, ppid: 1 }), '/bin/par', ['par']));
  t.same(lineage(tree, tree.findProcessByPid(950, 100n * S), 100n * S), [950, 940, 1]);
});

t.test('LRU eviction removes exited leaves and cleans every index', async (t) => {
  const tree = baseTree({ processCacheSize: 5, threadCacheSize: 50 });
  const kids = [1, 2, 3, 4, 5].map((i) =>
    task({ tid: 1000 + i, start: BigInt(100 + i) * S, ppid: 100, parentStart: BASH.startNs }),
  );
  for (const k of kids.slice(0, 3)) {
    tree.apply(fork(k.startNs, k));
    tree.apply(exit(k.startNs + S / 2n, k, 0));
  }
  t.equal(tree.stats().processes.size, 5);
  // touch the oldest exited leaf so the next one is least recently used
  t.ok(tree.getProcess(keyOf(1001, kids[0]!.startNs)));
  tree.apply(fork(kids[3]!.startNs, kids[3]!));
  const st = tree.stats();
  t.equal(st.processes.size, 5);
  t.equal(st.processes.evictions.exitedLeaf, 1);
  t.equal(tree.getProcess(keyOf(1002, kids[1]!.startNs)), undefined, 'LRU exited leaf evicted');
  t.equal(tree.findProcessByPid(1002, 200n * S), undefined, 'pid index cleaned');
  t.equal(tree.findThreadByTid(1002, 200n * S), undefined, 'thread index cleaned');
  t.equal(st.threads.evictions.processEvicted, 1);
  const bash = tree.findProcessByPid(100, 200n * S)!;
  t.notOk(
    tree.childrenOf(bash, kids[1]!.startNs + 1n).some((c) => c.pid === 1002),
    'children index cleaned',
  );
  t.ok(tree.getProcess(keyOf(1001, kids[0]!.startNs)), 'recently used leaf kept');
  // only live processes: the cache grows past capacity rather than drop one
  tree.apply(fork(kids[4]!.startNs, kids[4]!));
  for (let i = 0; i < 4; i++) {
    tree.apply(fork(300n * S, task({ tid: 1100 + i, start: 300n * S, ppid: 100, parentStart: BASH.startNs })));
  }
  const st2 = tree.stats();
  t.equal(st2.processes.size, 8, 'eight live processes, capacity five');
  t.equal(st2.processes.evictions.exitedLeaf, 3, 'every exited leaf went first');
  t.ok(st2.processes.evictions.overCapacity! >= 1);
  for (const pid of [1, 100, 1004, 1005, 1100, 1101, 1102, 1103]) {
    t.ok(tree.findProcessByPid(pid, 400n * S), `live ${pid} kept`);
  }
});

t.test('exited ancestors outlive exited leaves', async (t) => {
  const tree = baseTree({ processCacheSize: 6 });
  const mid = task({ tid: 1200, start: 120n * S, ppid: 100, parentStart: BASH.startNs });
  const live = task({ tid: 1201, start: 121n * S, ppid: 1200, parentStart: 120n * S });
  tree.apply(fork(mid.startNs, mid));
  tree.apply(fork(live.startNs, live));
  tree.apply(exit(122n * S, mid, 0)); // exited first: the oldest exited entry
  for (let i = 0; i < 20; i++) {
    const leaf = task({ tid: 1300 + i, start: BigInt(130 + i) * S, ppid: 100, parentStart: BASH.startNs });
    tree.apply(fork(leaf.startNs, leaf));
    tree.apply(exit(leaf.startNs + 1n, leaf, 0));
  }
  const st = tree.stats();
  t.ok(st.processes.evictions.exitedLeaf! >= 15);
  t.equal(st.processes.evictions.exitedAncestor, 0);
  const p = tree.findProcessByPid(1201, 200n * S)!;
  t.same(lineage(tree, p, 121n * S + 1n), [1201, 1200, 100, 1], 'past lineage through the exited parent');
  t.same(lineage(tree, p, 200n * S), [1201, 1], 'present lineage through the reaper');
});

for (const [procCap, threadCap] of [
  [200, 300],
  [100, 60], // fewer slots than live tasks: the cache overflows instead of dropping the living
]) {
  t.test(`eviction under pressure (${procCap}/${threadCap}): every live lineage resolves to pid 1`, async (t) => {
    pressure(t, procCap!, threadCap!);
  });
}

// the few assertions the replay uses (tap's Test type is plugin-generated)
interface Asserts {
  ok(v: unknown, msg: string): boolean;
  equal(a: unknown, b: unknown, msg: string): boolean;
  fail(msg: string): boolean;
}

function pressure(t: Asserts, procCap: number, threadCap: number): void {
  const rnd = rng(42);
  const tree = new ProcessTree({ processCacheSize: procCap, threadCacheSize: threadCap });
  const init = task({ tid: 1, start: S, comm: 'init', nsPid: 1 });
  tree.apply(snapshot(S, init, '/sbin/init', ['init']));
  interface Live {
    info: TaskInfo;
    parent: number;
    threads: TaskInfo[];
  }
  const live = new Map<number, Live>([[1, { info: init, parent: 0, threads: [] }]]);
  let now = 2n * S;
  let nextPid = 2;
  const PID_MAX = 600; // small pid space: plenty of PID reuse
  let checks = 0;
  let failures = 0;
  for (let step = 0; step < 6000; step++) {
    now += 1000n + BigInt(Math.floor(rnd() * 1_000_000));
    // forks outweigh exits while the live set is small; it hovers around 150 (< PID_MAX)
    const r = live.size < 150 ? rnd() * 0.8 : 0.3 + rnd() * 0.7;
    const pool = [...live.values()];
    if (r < 0.4 || live.size < 5) {
      const parent = pool[Math.floor(rnd() * pool.length)]!;
      let pid = nextPid;
      while (live.has(pid)) pid = (pid % PID_MAX) + 2;
      nextPid = (pid % PID_MAX) + 2;
      const info = task({ tid: pid, start: now, ppid: parent.info.pid, parentStart: parent.info.startNs });
      tree.apply(fork(now, info));
      live.set(pid, { info, parent: parent.info.pid, threads: [] });
      if (rnd() < 0.5) tree.apply(exec(now + 10n, info, `/bin/p${pid % 7}`, ['p']));
    } else if (r < 0.5) {
      const owner = pool[Math.floor(rnd() * pool.length)]!;
      let tid = nextPid;
      while (live.has(tid) || pool.some((l) => l.threads.some((x) => x.tid === tid))) tid = (tid % PID_MAX) + 2;
      nextPid = (tid % PID_MAX) + 2;
      const th = task({ tid, pid: owner.info.pid, start: now, leaderStart: owner.info.startNs, ppid: owner.parent });
      tree.apply(fork(now, th, true));
      owner.threads.push(th);
    } else if (r < 0.58) {
      const owner = pool[Math.floor(rnd() * pool.length)]!;
      const th = owner.threads.pop();
      if (th !== undefined) tree.apply(exit(now, th, 0, false));
    } else {
      const victim = pool[Math.floor(rnd() * pool.length)]!;
      if (victim.info.pid === 1) continue;
      for (const th of victim.threads) tree.apply(exit(now, th, 0, false));
      tree.apply(exit(now + 1n, victim.info, 0, true));
      live.delete(victim.info.pid);
      for (const l of live.values()) if (l.parent === victim.info.pid) l.parent = 1;
    }
    if (step % 500 === 499 || step === 5999) {
      for (const l of live.values()) {
        checks++;
        const p = tree.findProcessByPid(l.info.pid, now + 5n);
        const chain = lineage(tree, p, now + 5n);
        if (p === undefined || p.exitNs !== undefined || chain[chain.length - 1] !== 1 || chain[1] !== (l.parent || undefined)) {
          failures++;
          if (failures < 5) t.fail(`pid ${l.info.pid}: lineage ${chain.join('>')}, expected parent ${l.parent}`);
        }
      }
    }
  }
  const st = tree.stats();
  t.equal(failures, 0, `${checks} lineage checks`);
  t.ok(st.processes.evictions.exitedLeaf! > 1000, `evicted ${st.processes.evictions.exitedLeaf} exited leaves`);
  t.ok(st.processes.size <= procCap || st.processes.evictions.overCapacity! > 0, 'within capacity or counted');
  t.ok(st.threads.size <= threadCap || st.threads.evictions.overCapacity! > 0, 'threads within capacity or counted');
  // index consistency: every cached child is reachable by key, every listed thread too
  let seen = 0;
  for (const p of tree.processes()) {
    seen++;
    t.equal(tree.getProcess(p.key), p, `${p.key} by key`);
    for (const c of tree.childrenOf(p, now)) if (tree.getProcess(c.key) !== c) t.fail(`stale child ${c.key}`);
    for (const th of tree.threadsOf(p, now)) if (tree.getThread(th.key) !== th) t.fail(`stale thread ${th.key}`);
  }
  t.equal(seen, st.processes.size, 'processes() matches the size');
}

t.test('a task first seen in a snapshot has its values from its start time; later snapshots from their read time', async (t) => {
  const tree = baseTree();
  // start-up scan at 100 s of a daemon started at 5 s (tick precision), and one of its threads
  const d0 = task({ tid: 900, start: 5n * S, ppid: 100, parentStart: (BASH.startNs / TICK) * TICK, comm: 'daemon' });
  tree.apply(snapshot(100n * S, d0, '/usr/sbin/daemon', ['daemon', '-d']));
  const th0 = task({ tid: 901, pid: 900, start: 7n * S, leaderStart: 5n * S, ppid: 100, comm: 'worker' });
  tree.apply(snapshot(100n * S, th0, '', []));
  const d = tree.findProcessByPid(900, 50n * S)!;
  t.ok(d, 'found by pid at a time before the scan');
  t.equal(d.attrs.get(5n * S)?.comm, 'daemon', 'attrs from the start');
  t.equal(d.attrs.get(5n * S - 1n), undefined, 'not before the start');
  t.equal(d.executable.get(6n * S)?.path, '/usr/sbin/daemon');
  t.same(d.argv.get(6n * S), ['daemon', '-d']);
  t.equal(tree.parentOf(d, 6n * S)?.pid, 100, 'parent from the start');
  t.same(d.parentKey.entries().map((e) => e.time), [5n * S]);
  const th = tree.findThreadByTid(901, 50n * S)!;
  t.equal(th.attrs.get(7n * S)?.comm, 'worker', "thread attrs from the thread's start");
  t.equal(th.attrs.get(7n * S - 1n), undefined);
  // a later snapshot that sees a change: it holds from its read time only
  tree.apply(snapshot(200n * S, { ...d0, comm: 'daemon2', uid: 33 }, '/usr/sbin/daemon2', ['daemon2']));
  t.equal(d.attrs.get(150n * S)?.comm, 'daemon', 'earlier value kept before the second read');
  t.equal(d.attrs.get(200n * S)?.comm, 'daemon2');
  t.equal(d.attrs.get(200n * S)?.uid, 33);
  t.same(d.executable.entries().map((e) => [e.time, e.value.path]), [
    [5n * S, '/usr/sbin/daemon'],
    [200n * S, '/usr/sbin/daemon2'],
  ]);
  t.same(d.argv.get(199n * S), ['daemon', '-d']);
  t.same(d.argv.get(200n * S), ['daemon2']);
  // a snapshot of a task the events already described sets at its read time
  tree.apply(snapshot(300n * S, task({ tid: 100, start: (BASH.startNs / TICK) * TICK, ppid: 1, comm: 'bash' }), '/bin/zsh', ['zsh']));
  const bash = tree.findProcessByPid(100, 300n * S)!;
  t.equal(bash.executable.get(299n * S)?.path, '/bin/bash');
  t.equal(bash.executable.get(300n * S)?.path, '/bin/zsh');
});

t.test("a leader's thread node matches its process (start, attrs, group exit) and counts in thread stats", async (t) => {
  const tree = baseTree({ processCacheSize: 4, threadCacheSize: 8 });
  const a = task({ tid: 700, start: 70n * S + 7n, ppid: 100, parentStart: BASH.startNs, comm: 'a' });
  tree.apply(fork(70n * S + 7n, a));
  t.equal(tree.stats().threads.size, 3, 'init, bash and a: one leader thread each');
  tree.apply(exec(71n * S, { ...a, comm: 'a2' }, '/bin/a2', ['a2']));
  tree.apply(exit(72n * S, { ...a, comm: 'a2' }, 3 << 8));
  const th = tree.getThread(keyOf(700, a.startNs))!;
  t.ok(th, 'the leader thread is found by key after its group exit');
  t.equal(th.tid, 700);
  t.equal(th.startNs, a.startNs);
  t.equal(th.exitNs, 72n * S, "the group's exit");
  t.equal(th.exitStatus, 3 << 8);
  t.equal(th.attrs.get(71n * S)?.comm, 'a2', "the process's attrs");
  t.equal(tree.findThreadByTid(700, 71n * S), th, 'same node by tid');
  t.same(tree.threadsOf(tree.findProcessByPid(700, 71n * S)!, 71n * S).map((x) => x.tid), [700]);
  // a leader that exits before its group keeps its own exit
  const b = task({ tid: 710, start: 73n * S, ppid: 100, parentStart: BASH.startNs, comm: 'b' });
  const bt = task({ tid: 711, pid: 710, start: 73n * S + 5n, leaderStart: 73n * S, ppid: 100, parentStart: BASH.startNs, comm: 'b' });
  tree.apply(fork(73n * S, b));
  tree.apply(fork(73n * S + 5n, bt, true));
  tree.apply(exit(74n * S, b, 0, false));
  tree.apply(exit(75n * S, bt, 9, true));
  t.equal(tree.getThread(keyOf(710, b.startNs))?.exitNs, 74n * S, 'leader thread exit before the group');
  t.equal(tree.findProcessByPid(710, 75n * S)?.exitNs, 75n * S);
  // evicting processes takes their leader threads along, counted
  for (let i = 0; i < 6; i++) {
    const c = task({ tid: 720 + i, start: (80n + BigInt(i)) * S, ppid: 100, parentStart: BASH.startNs });
    tree.apply(fork(c.startNs, c));
    tree.apply(exit(c.startNs + S / 2n, c, 0));
  }
  const st = tree.stats();
  t.ok(st.processes.evictions.exitedLeaf! > 0, 'processes evicted');
  const bGone = tree.findProcessByPid(710, 75n * S) === undefined;
  t.equal(
    st.threads.evictions.processEvicted,
    st.processes.evictions.exitedLeaf! + (bGone ? 1 : 0),
    'one leader thread per evicted process (plus b\'s second thread)',
  );
  t.equal(st.threads.size, st.processes.size + (tree.getThread(keyOf(711, bt.startNs)) ? 1 : 0));
});

t.test('threads of a process: oldest first, exited ones evicted from the list, all removed with the process', async (t) => {
  const tree = baseTree({ processCacheSize: 3, threadCacheSize: 5 });
  const m = task({ tid: 800, start: 90n * S, ppid: 100, parentStart: BASH.startNs, comm: 'm' });
  tree.apply(fork(90n * S, m));
  const ths = [801, 802, 803].map((tid, i) => task({ tid, pid: 800, start: 90n * S + BigInt(i + 1), leaderStart: 90n * S, ppid: 100, comm: 'w' }));
  for (const th of ths) tree.apply(fork(th.startNs, th, true));
  const p = tree.findProcessByPid(800, 91n * S)!;
  t.same(tree.threadsOf(p, 91n * S).map((x) => x.tid), [800, 801, 802, 803]);
  tree.apply(exit(92n * S, ths[1]!, 0, false));
  t.same(tree.threadsOf(p, 93n * S).map((x) => x.tid), [800, 801, 803], 'exited thread not alive at 93 s');
  // thread pressure (capacity 5: init, bash, 800, 801, 803 and the exited 802) evicts the exited thread
  t.equal(tree.stats().threads.size, 5);
  t.equal(tree.getThread(keyOf(802, ths[1]!.startNs)), undefined, 'exited thread evicted under pressure');
  t.same(tree.threadsOf(p, 91n * S).map((x) => x.tid), [800, 801, 803]);
  tree.apply(exit(94n * S, ths[2]!, 0, true));
  for (let i = 0; i < 4; i++) {
    const c = task({ tid: 820 + i, start: (95n + BigInt(i)) * S, ppid: 100, parentStart: BASH.startNs });
    tree.apply(fork(c.startNs, c));
    tree.apply(exit(c.startNs + 1n, c, 0));
  }
  t.equal(tree.findProcessByPid(800, 94n * S), undefined, 'process evicted');
  for (const th of ths) t.equal(tree.findThreadByTid(th.tid, 93n * S), undefined, `thread ${th.tid} gone with it`);
});

t.test('getProcessOf finds what getProcess(key) finds, without a key', async (t) => {
  const tree = baseTree();
  const child = task({ tid: 300, start: 5n * S + 777n, ppid: 100, parentStart: BASH.startNs, comm: 'child' });
  tree.apply(fork(5n * S + 777n, child));
  const bySnapshot = task({ tid: 301, start: 6n * S, ppid: 100, parentStart: BASH.startNs, comm: 'old' });
  tree.apply(snapshot(7n * S, bySnapshot, '/bin/old', ['old'])); // procfs: tick precision
  for (const [pid, start] of [[1, INIT.startNs], [100, BASH.startNs], [300, child.startNs], [301, bySnapshot.startNs], [301, bySnapshot.startNs + 5n], [300, child.startNs + TICK], [999, S]] as const) {
    t.equal(tree.getProcessOf(pid, start), tree.getProcess(keyOf(pid, start)), `${pid} started ${start}`);
  }
  t.equal(tree.getProcessOf(300, child.startNs)?.key, keyOf(300, child.startNs));
  t.equal(tree.getProcessOf(300, child.startNs + TICK), undefined, 'another start is another process');
});
