import t from 'tap';
import { decodeBatch, encodeBatch, encodeEvent, formatIp, newDecoderStats, BatchDecoder } from '../../src/events/decoder.js';
import type { ProctrailEvent, TaskInfo } from '../../src/events/types.js';

const task = (tid: number, pid: number, comm: string): TaskInfo =>
  Object.freeze({
    tid, pid, startNs: 12_345_678_901_234_567n, leaderStartNs: 12_345_678_901_000_000n, ppid: 1,
    parentStartNs: 5n, uid: 1000, gid: 1001, cgroupId: 0xffff_ffff_ffffn, pidNsId: 4026531836,
    nsPid: pid, nsTid: tid, comm,
  });

const EVENTS: readonly ProctrailEvent[] = Object.freeze([
  { type: 'fork', time: 2n ** 63n + 7n, child: task(101, 100, 'bash'), creatorTid: 100, creatorStartNs: 99n, isThread: true },
  {
    type: 'exec', time: 10n, task: task(100, 100, 'sleep'), oldTid: 101,
    file: { path: '/usr/bin/sleep', inode: 123456789n, dev: 2049, ctimeNs: 1_700_000_000_123_456_789n, mode: 0o100755 },
    argv: ['sleep', '1', 'héllo'], argvTruncated: false,
  },
  { type: 'exit', time: 11n, task: task(100, 100, 'sleep'), exitStatus: 768, groupDead: true },
  { type: 'cgroup_mkdir', time: 12n, hierarchyId: 0, cgroupId: 77n, level: 2, path: '/libpod_parent/libpod-abc', tid: 0, pid: 0, taskStartNs: 0n },
  { type: 'cgroup_attach', time: 13n, hierarchyId: 3, cgroupId: 78n, level: 1, path: '/docker', tid: 5, pid: 5, taskStartNs: 9n },
  {
    type: 'dns', time: 14n, direction: 'egress', socketCookie: 1n, netnsCookie: 2n, cgroupId: 3n, pid: 4, tid: 5,
    protocol: 'udp', ipVersion: 4, srcAddr: '127.0.0.1', dstAddr: '127.0.0.53', srcPort: 40000, dstPort: 53,
    wireLength: 5, payload: new Uint8Array([1, 2, 3, 4, 5]),
  },
  {
    type: 'dns', time: 15n, direction: 'ingress', socketCookie: 1n, netnsCookie: 2n, cgroupId: 3n, pid: 0, tid: 0,
    protocol: 'tcp', ipVersion: 6, srcAddr: 'fd00::1', dstAddr: '2001:db8::8:800:200c:417a', srcPort: 53, dstPort: 40001,
    wireLength: 9000, payload: new Uint8Array(4096).fill(7),
  },
]);

t.test('round trip through encodeBatch/decodeBatch', async (t) => {
  const stats = newDecoderStats();
  const out = decodeBatch(encodeBatch(EVENTS), stats);
  t.same(out, EVENTS);
  t.equal(stats.decoded, EVENTS.length);
  t.equal(stats.garbage + stats.shortRecords + stats.unknownType, 0);
});

t.test('argv truncation and long strings', async (t) => {
  const longArgs = Array.from({ length: 100 }, (_, i) => `argument-${i}`);
  const ev: ProctrailEvent = {
    type: 'exec', time: 1n, task: task(1, 1, 'a-very-long-command-name'), oldTid: 1,
    file: { path: '/x'.repeat(200), inode: 1n, dev: 1, ctimeNs: 1n, mode: 1 }, argv: longArgs, argvTruncated: false,
  };
  const [d] = decodeBatch(encodeEvent(ev));
  t.equal(d?.type, 'exec');
  if (d?.type !== 'exec') return;
  t.equal(d.argvTruncated, true);
  t.equal(d.task.comm, 'a-very-long-com');
  t.equal(d.file.path.length, 255);
  t.same(d.argv.slice(0, 10), longArgs.slice(0, 10));
  t.ok(d.argv.length < longArgs.length);
});

t.test('unknown types and short records are skipped and counted', async (t) => {
  const good = encodeEvent(EVENTS[2]!);
  const unknown = Buffer.alloc(24);
  unknown.writeUInt16LE(99, 0);
  unknown.writeUInt16LE(24, 2);
  const short = Buffer.alloc(24);
  short.writeUInt16LE(1, 0); // a fork record needs 112 bytes
  short.writeUInt16LE(24, 2);
  const stats = newDecoderStats();
  const out = decodeBatch(Buffer.concat([unknown, short, good]), stats);
  t.equal(out.length, 1);
  t.equal(out[0]?.type, 'exit');
  t.equal(stats.unknownType, 1);
  t.equal(stats.shortRecords, 1);
  t.equal(stats.records, 3);
});

t.test('framing garbage ends the batch without throwing', async (t) => {
  const stats = newDecoderStats();
  const bad = Buffer.alloc(32);
  bad.writeUInt16LE(3, 0);
  bad.writeUInt16LE(4, 2); // size smaller than the header
  t.same(decodeBatch(Buffer.concat([encodeEvent(EVENTS[2]!), bad]), stats).length, 1);
  t.equal(stats.garbage, 1);
  const past = encodeEvent(EVENTS[2]!);
  past.writeUInt16LE(60000, 2);
  t.same(decodeBatch(past, stats), []);
  t.equal(stats.garbage, 2);
});

t.test('fuzz: random and truncated buffers never throw', async (t) => {
  const d = new BatchDecoder();
  const valid = encodeBatch(EVENTS);
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 0; i < 3000; i++) {
    let b: Buffer;
    if (i % 3 === 0) {
      b = Buffer.alloc(Math.floor(rnd() * 2000));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      if (b.length >= 4 && i % 2 === 0) b.writeUInt16LE(1 + Math.floor(rnd() * 7), 0);
    } else if (i % 3 === 1) {
      b = valid.subarray(0, Math.floor(rnd() * valid.length));
    } else {
      b = Buffer.from(valid);
      for (let k = 0; k < 8; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    }
    d.decode(b);
  }
  const s = d.stats();
  t.equal(s.batches, 3000);
  t.ok(s.garbage > 0, 'garbage counted');
  t.ok(s.decoded > 0, 'valid prefixes still decoded');
});

t.test('formatIp follows RFC 5952', async (t) => {
  const b = Buffer.alloc(16);
  t.equal(formatIp(b, 0, 6), '::');
  b[15] = 1;
  t.equal(formatIp(b, 0, 6), '::1');
  Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]).copy(b);
  t.equal(formatIp(b, 0, 6), '2001:db8::1:0:0:1');
  Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]).copy(b);
  t.equal(formatIp(b, 0, 6), '::ffff:10.1.2.3');
  t.equal(formatIp(Buffer.from([192, 168, 0, 1]), 0, 4), '192.168.0.1');
});

t.test('u64 fields: exact across 2^53 and 2^64, memoized values stay exact and shared, strings interned', async (t) => {
  const values = [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n, 0xffff_ffff_0000_0000n, 1_700_000_000_123_456_789n];
  const evs: ProctrailEvent[] = [];
  // each value twice (memo hit on the second) and in colliding neighbours
  for (const v of [...values, ...values, ...values.map((x) => x ^ 0x1000n)]) {
    evs.push({
      type: 'exec', time: v, task: { ...task(100, 100, 'x'), startNs: v, cgroupId: v }, oldTid: 100,
      file: { path: '/bin/x', inode: v, dev: 1, ctimeNs: v, mode: 1 }, argv: ['x', 'y'], argvTruncated: false,
    });
  }
  const out = decodeBatch(encodeBatch(evs));
  t.same(out.map((e) => e.time), evs.map((e) => e.time));
  const ex = out as Extract<ProctrailEvent, { type: 'exec' }>[];
  t.same(ex.map((e) => [e.task.startNs, e.task.cgroupId, e.file.inode, e.file.ctimeNs]), ex.map((e) => [e.time, e.time, e.time, e.time]));
  t.equal(ex[1]!.file.ctimeNs, ex[1 + values.length]!.file.ctimeNs, 'a memo hit decodes the same value');
  t.equal(ex[0]!.file.path, ex[1]!.file.path);
  t.ok(Object.isFrozen(ex[0]!.argv), 'argv comes frozen (kept by the caches as is)');
  t.equal(ex[0]!.argv[1], ex[1]!.argv[1]);
});
