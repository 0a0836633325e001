import t from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EbpfSource } from '../../src/sources/ebpf.js';
import type { ExecEvent, ExitEvent, ForkEvent, ProctrailEvent } from '../../src/events/types.js';
import { bootNsToTicks } from '../../src/sources/clock.js';

const probe = EbpfSource.probe();
if (!probe.ok) {
  if (process.env.PROCTRAIL_REQUIRE_E2E === '1') throw new Error(`eBPF required under PROCTRAIL_REQUIRE_E2E=1: ${probe.reason}`);
  t.plan(0, `skipped: eBPF unavailable here: ${probe.reason}`);
} else {
  const events: ProctrailEvent[] = [];
  const source = new EbpfSource({ batchMaxAgeMs: 2, pollIntervalMs: 5 });

  const waitFor = async (pred: () => boolean, ms = 5000): Promise<boolean> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (pred()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return pred();
  };
  const forks = (): ForkEvent[] => events.filter((e): e is ForkEvent => e.type === 'fork');
  const execs = (): ExecEvent[] => events.filter((e): e is ExecEvent => e.type === 'exec');
  const exits = (): ExitEvent[] => events.filter((e): e is ExitEvent => e.type === 'exit');
  const progs = (): string => execFileSync('bpftool', ['prog', 'show'], { encoding: 'utf8' });

  t.before(async () => {
    await source.start((batch) => {
      for (const e of batch) events.push(e);
    });
  });
  t.teardown(() => source.stop());

  t.test('3-generation chain: fork/exec/exit with exact pids, parents, comm, argv', async (t) => {
    const child = spawn('bash', ['-c', 'bash -c "sleep 0.3 & wait" & wait'], { stdio: 'ignore' });
    const top = child.pid!;
    const done = new Promise<number>((r) => child.on('exit', (c) => r(c ?? -1)));
    // The grandchild is live for ~0.3 s: compare its start ticks with /proc/PID/stat field 22.
    let liveChecked = false;
    await waitFor(() => {
      const mid = forks().find((f) => f.child.ppid === top && !f.isThread);
      const sleeper = mid && forks().find((f) => f.child.ppid === mid.child.pid && !f.isThread);
      if (!sleeper) return false;
      try {
        const stat = readFileSync(`/proc/${sleeper.child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        t.equal(bootNsToTicks(sleeper.child.startNs), BigInt(fields[19]!), 'start ticks == /proc/PID/stat field 22');
        liveChecked = true;
      } catch {
        /* already gone */
      }
      return true;
    });
    t.ok(liveChecked, 'checked a live child against procfs');
    t.equal(await done, 0);
    await waitFor(() => exits().some((e) => e.task.pid === top && e.groupDead));

    const topExec = execs().find((e) => e.task.pid === top);
    t.ok(topExec, 'exec of top bash seen');
    t.equal(topExec?.file.path, '/usr/bin/bash');
    t.same(topExec?.argv, ['bash', '-c', 'bash -c "sleep 0.3 & wait" & wait']);
    t.equal(topExec?.task.ppid, process.pid);
    t.equal(topExec?.task.comm, 'bash');
    t.ok((topExec?.file.inode ?? 0n) > 0n && (topExec?.file.mode ?? 0) > 0, 'file info');

    const midFork = forks().find((f) => f.child.ppid === top && !f.isThread);
    t.ok(midFork, 'fork of middle bash');
    const mid = midFork!.child.pid;
    t.not(mid, top);
    t.equal(midFork!.creatorTid, top);
    const midExec = execs().find((e) => e.task.pid === mid);
    t.same(midExec?.argv, ['bash', '-c', 'sleep 0.3 & wait']);

    const sleepFork = forks().find((f) => f.child.ppid === mid && !f.isThread);
    t.ok(sleepFork, 'fork of sleep');
    const sleeper = sleepFork!.child.pid;
    t.not(sleeper, mid);
    const sleepExec = execs().find((e) => e.task.pid === sleeper);
    t.equal(sleepExec?.file.path, '/usr/bin/sleep');
    t.same(sleepExec?.argv, ['sleep', '0.3']);
    t.equal(sleepExec?.task.comm, 'sleep');
    t.equal(sleepExec?.task.ppid, mid);
    t.equal(sleepFork!.child.startNs, sleepExec?.task.startNs, 'start time stable across exec');
    t.equal(sleepExec?.task.parentStartNs, midFork!.child.startNs, 'parent start time');

    for (const pid of [top, mid, sleeper]) {
      const x = exits().find((e) => e.task.pid === pid);
      t.ok(x?.groupDead, `exit of ${pid} is a group exit`);
      t.equal(x?.exitStatus, 0);
    }
    t.ok(sleepFork!.child.cgroupId > 0n, 'child cgroup id at fork');
  });

  t.test("exit status of sh -c 'exit 3' is 768", async (t) => {
    const child = spawn('sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    t.ok(await waitFor(() => exits().some((e) => e.task.pid === pid)));
    t.equal(exits().find((e) => e.task.pid === pid)?.exitStatus, 768);
  });

  t.test('stats and stop() leaves no proctrail programs', async (t) => {
    const s = source.stats();
    t.ok((s.recordsRead as number) > 0);
    t.equal(s.bpfReserveDrops, 0);
    t.equal(s.addonDrops, 0);
    t.equal(s.decoderGarbage, 0);
    const ids = source.programIds();
    t.equal(ids.length, 6, 'six tp_btf programs loaded (dns off)');
    const listed = (): number[] => [...progs().matchAll(/^(\d+): .*name (pt_\w+)/gm)].map((m) => Number(m[1]));
    t.ok(ids.every((id) => listed().includes(id)), 'bpftool lists our programs');
    await source.stop();
    // Program release is deferred in the kernel: poll briefly.
    t.ok(await waitFor(() => !listed().some((id) => ids.includes(id)), 3000), 'none of our programs left in bpftool prog show');
    t.equal(source.stats().running, false);
  });
}
