import t from 'tap';
import { hashTaskId, murmur3, parseTaskKey, startTicksOf, taskKey, TASK_ID_SEED } from '../../src/caches/task-id.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

t.test('murmur3 x86_32 reference vectors', async (t) => {
  // SMHasher / widely published MurmurHash3_x86_32 vectors
  const cases: Array<[Uint8Array | string, number, number]> = [
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    [bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
    [bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
    [bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
    [bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
    [bytes(0x21, 0x43), 0, 0xa0f7b07a],
    [bytes(0x21), 0, 0x72661cf4],
    [bytes(0, 0, 0, 0), 0, 0x2362f9de],
    [bytes(0, 0, 0), 0, 0x85f0b427],
    [bytes(0, 0), 0, 0x30f4c306],
    [bytes(0), 0, 0x514e28b7],
    ['hello', 0, 0x248bfa47],
    ['abc', 0, 0xb3dd93fa],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ];
  for (const [input, seed, want] of cases) {
    t.equal(murmur3(input, seed), want, `${JSON.stringify(typeof input === 'string' ? input : [...input])} seed ${seed.toString(16)}`);
  }
});

t.test('hashTaskId = murmur3(seed 0x18273645, BE32 pid ‖ BE64 start rounded to 100ms)', async (t) => {
  t.equal(TASK_ID_SEED, 0x18273645);
  // golden values from an independent implementation (Python mmh3 + struct.pack('>IQ'))
  t.equal(hashTaskId(1, 0n), 0x8598019a);
  t.equal(hashTaskId(1, 1_700_000_000_123_456_789n), 0xf4447726);
  t.equal(hashTaskId(4242, 1_764_239_467_123_456_789n), 0xb2a352af);
  t.equal(hashTaskId(0xffffffff, 2n ** 63n), 0xdc5bc7ee);
  // same 100 ms window → same id; next window → different id
  t.equal(hashTaskId(4242, 1_764_239_467_199_999_999n), 0xb2a352af);
  t.equal(hashTaskId(4242, 1_764_239_467_200_000_000n), 0x40796313);
  // the byte layout, spelled out
  const buf = new Uint8Array(12);
  const v = new DataView(buf.buffer);
  v.setUint32(0, 4242);
  v.setBigUint64(4, 1_764_239_467_100_000_000n);
  t.equal(hashTaskId(4242, 1_764_239_467_123_456_789n), murmur3(buf, 0x18273645));
});

t.test('task keys', async (t) => {
  t.equal(taskKey(4242, 123_456_789_012n), '4242@12345');
  t.equal(taskKey(1, 9_999_999n), '1@0');
  t.equal(startTicksOf(20_000_000n), 2n);
  // exact ns and the procfs tick value give the same key
  t.equal(taskKey(7, 1_234_567_891_234n), taskKey(7, 123_456n * 10_000_000n));
  t.same(parseTaskKey('4242@12345'), { id: 4242, startTicks: 12345n });
  // epoch-scale ticks exceed 2^53 only as ns; ticks stay exact as bigint
  t.same(parseTaskKey('1@18446744073709551615'), { id: 1, startTicks: 18446744073709551615n });
  for (const bad of ['', '4242', '@1', '1@', 'a@1', '1@x', '-1@3', '1@2@3', '99999999999@1', ' 1@2']) {
    t.equal(parseTaskKey(bad), undefined, `rejects ${JSON.stringify(bad)}`);
  }
});
