import t from 'tap';
import { eventToLine, lineToEvent, NdjsonError } from '../../src/events/ndjson.js';
import type { ProctrailEvent, TaskInfo } from '../../src/events/types.js';

const task: TaskInfo = Object.freeze({
  tid: 4243, pid: 4242, startNs: 18_446_744_073_709_551_615n, leaderStartNs: 9_007_199_254_740_993n, ppid: 1,
  parentStartNs: 0n, uid: 1000, gid: 1000, cgroupId: 1234567890123456789n, pidNsId: 4026531836, nsPid: 4242, nsTid: 4243,
  comm: 'bash "x" \\ ü',
});

const samples: ProctrailEvent[] = [
  { type: 'fork', time: 1n, child: task, creatorTid: 4242, creatorStartNs: 5n, isThread: true },
  { type: 'exec', time: 2n, task, oldTid: 4243, argv: ['/bin/sh', '-c', 'echo\nhi'], argvTruncated: false,
    file: { path: '/usr/bin/dash', inode: 99n, dev: 2049, ctimeNs: 1_700_000_000_123_456_789n, mode: 0o100755 } },
  { type: 'exit', time: 3n, task, exitStatus: 768, groupDead: true },
  { type: 'snapshot', time: 4n, task, file: { path: '/usr/bin/bash', inode: 7n, dev: 266338304, ctimeNs: 1n, mode: 0o100755 }, argv: [] },
  { type: 'cgroup_attach', time: 5n, hierarchyId: 0, cgroupId: 7n, level: 2, path: '/libpod_parent/libpod-abc', tid: 9, pid: 9, taskStartNs: 11n },
  { type: 'dns', time: 6n, direction: 'egress', socketCookie: 1n, netnsCookie: 2n, cgroupId: 3n, pid: 4, tid: 4, protocol: 'udp',
    ipVersion: 4, srcAddr: '127.0.0.1', dstAddr: '127.0.0.53', srcPort: 5353, dstPort: 53, wireLength: 3, payload: new Uint8Array([1, 2, 255]) },
];

t.test('every event type round-trips exactly, 64-bit values as strings', async (t) => {
  for (const ev of samples) {
    const line = eventToLine(ev);
    t.notOk(line.includes('\n'), `${ev.type}: one line`);
    t.same(lineToEvent(line), ev, `${ev.type} round-trips`);
  }
  const fork = JSON.parse(eventToLine(samples[0]!)) as Record<string, unknown>;
  t.equal(fork.v, 1);
  t.equal((fork.child as Record<string, unknown>).startNs, '18446744073709551615', 'u64 max survives as an exact string');
});

t.test('malformed lines are rejected with a reason, never a crash', async (t) => {
  const good = JSON.parse(eventToLine(samples[2]!)) as Record<string, unknown>;
  const bad: Array<[string, RegExp]> = [
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ ...good, v: 2 }), /unsupported version/],
    [JSON.stringify({ ...good, type: 'nope' }), /unknown event type/],
    [JSON.stringify({ ...good, time: 3 }), /time: expected a decimal integer string/],
    [JSON.stringify({ ...good, time: '18446744073709551616' }), /64-bit/],
    [JSON.stringify({ ...good, exitStatus: 'x' }), /exitStatus/],
    [JSON.stringify({ ...good, task: { ...(good.task as object), comm: 5 } }), /task.comm/],
    [JSON.stringify({ ...good, task: null }), /task: expected an object/],
    [JSON.stringify({ v: 1, type: 'exit' }), /missing/],
  ];
  for (const [line, re] of bad) {
    let err: unknown;
    try {
      lineToEvent(line, 7);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof NdjsonError && err.line === 7 && re.test(err.message), `${line.slice(0, 50)} → ${String(err)}`);
  }
});

t.test('fuzz: random mutations of valid lines either parse or throw NdjsonError', async (t) => {
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  let parsed = 0;
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const line = eventToLine(samples[rnd(samples.length)]!);
    const chars = [...line];
    for (let m = 0; m < 1 + rnd(4); m++) chars[rnd(chars.length)] = String.fromCharCode(rnd(128));
    try {
      lineToEvent(chars.join(''));
      parsed++;
    } catch (e) {
      if (!(e instanceof NdjsonError)) throw e;
      rejected++;
    }
  }
  t.ok(rejected > 0, `rejected ${rejected}`);
  t.equal(parsed + rejected, 3000);
});
