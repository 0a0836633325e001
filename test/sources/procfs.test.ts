import t from 'tap';
import { spawn } from 'node:child_process';
import { realpathSync, readFileSync, statSync } from 'node:fs';
import { ProcfsSource } from '../../src/sources/procfs.js';
import { parseStat, parseStatus, findCgroup2Mount, readProcessSnapshots, userDevToKernel } from '../../src/sources/procfs-reader.js';
import type { ProctrailEvent, SnapshotEvent } from '../../src/events/types.js';

t.test('parseStat handles comm with spaces and parentheses', async (t) => {
  const s = parseStat('123 (a) b (c)) S 7 1 1 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 35509 0 0');
  t.same(s, { comm: 'a) b (c)', ppid: 7, startTicks: 35509n });
  t.equal(parseStat('garbage'), undefined);
  t.equal(parseStat('1 (x) S'), undefined);
});

t.test('parseStatus reads innermost namespace ids', async (t) => {
  const s = parseStatus('Name:\tx\nTgid:\t500\nPid:\t501\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\nNStgid:\t500\t1\nNSpid:\t501\t2\n');
  t.same(s, { tgid: 500, uid: 1000, gid: 100, nsPid: 1, nsTid: 2 });
});

t.test('findCgroup2Mount reads mountinfo', async (t) => {
  const mi = '30 25 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n35 25 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n';
  t.equal(findCgroup2Mount(mi), '/sys/fs/cgroup/unified');
  t.equal(findCgroup2Mount('nothing here'), undefined);
});

t.test('a process started before the scan is found with its parent, exe, argv and start ticks', async (t) => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise((r) => child.once('spawn', r));
  await new Promise((r) => setTimeout(r, 50)); // let the exec complete
  const events: ProctrailEvent[] = [];
  const src = new ProcfsSource({ now: () => 1n });
  await src.start((b) => events.push(...b));
  await src.stop();
  const snap = events.find((e): e is SnapshotEvent => e.type === 'snapshot' && e.task.tid === child.pid);
  if (!snap) return t.fail('child not in scan');
  const stat = parseStat(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))!;
  t.equal(snap.task.pid, child.pid);
  t.equal(snap.task.ppid, process.pid, 'parent is this test process');
  t.equal(snap.task.startNs, stat.startTicks * 10_000_000n, 'start = stat field 22 in ns');
  t.equal(snap.file.path, realpathSync('/proc/' + child.pid + '/exe'));
  const st = statSync(snap.file.path, { bigint: true });
  t.equal(snap.file.inode, st.ino, 'inode of the executable');
  t.equal(snap.file.ctimeNs, st.ctimeNs, 'ctime of the executable');
  t.equal(snap.file.mode, Number(st.mode));
  t.equal(snap.file.dev, userDevToKernel(st.dev), 'device in the kernel encoding');
  t.same(snap.argv, ['sleep', '30']);
  t.equal(snap.task.comm, 'sleep');
  const parent = events.find((e) => e.type === 'snapshot' && e.task.tid === process.pid);
  t.ok(parent, 'the parent is in the scan too');
  t.ok(events.length > 5, `scan found ${events.length} tasks`);
});

t.test('threads are read with their leader', async (t) => {
  const snaps = await readProcessSnapshots(process.pid, 1n);
  t.equal(snaps[0]?.task.tid, process.pid, 'leader first');
  t.ok(snaps.length > 1, `node has ${snaps.length} threads`);
  for (const s of snaps) {
    t.equal(s.task.pid, process.pid);
    t.equal(s.task.leaderStartNs, snaps[0]!.task.startNs);
  }
});

t.test('polling sees a new process and its exit', async (t) => {
  const events: ProctrailEvent[] = [];
  const src = new ProcfsSource({ now: () => 1n, pollIntervalMs: 50 });
  await src.start((b) => events.push(...b));
  t.teardown(() => src.stop());
  events.length = 0;
  // Alive until a poll has seen it: under a loaded suite one scan of /proc can outlast a
  // short-lived child, which is then never seen at all.
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  const pid = child.pid!;
  const deadline = Date.now() + 10_000;
  const seen = () => events.some((e) => e.type === 'snapshot' && e.task.tid === pid);
  const gone = () => events.some((e) => e.type === 'exit' && e.task.tid === pid && e.groupDead);
  while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  t.ok(seen(), 'new process reported');
  child.kill('SIGTERM');
  while (!gone() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  t.ok(gone(), 'its exit inferred');
});
