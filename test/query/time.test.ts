import t from 'tap';
import { formatTime, parseTime, resolveAt } from '../../src/query/time.js';

const E = 1_795_775_467_123_456_789n; // 2026-11-27T10:31:07.123456789Z

t.test('parseTime accepts RFC 3339 with 0-9 fractional digits, Z or offset, and epoch ns', async (t) => {
  t.equal(parseTime('2026-11-27T10:31:07.123456789Z'), E);
  t.equal(parseTime('2026-11-27t10:31:07.123456789z'), E);
  t.equal(parseTime('2026-11-27T12:31:07.123456789+02:00'), E);
  t.equal(parseTime('2026-11-27T05:01:07.123456789-05:30'), E);
  t.equal(parseTime('2026-11-27T10:31:07Z'), E - 123_456_789n);
  t.equal(parseTime('2026-11-27T10:31:07.1Z'), E - 23_456_789n);
  t.equal(parseTime('1795775467123456789'), E);
  t.equal(parseTime('0'), 0n);
  t.equal(parseTime('2024-02-29T00:00:00Z'), 1_709_164_800_000_000_000n, 'leap day');
});

t.test('parseTime rejects everything else', async (t) => {
  for (const bad of [
    '',
    'now',
    '2026-11-27',
    '2026-11-27T10:31:07',
    '2026-11-27T10:31:07.1234567891Z',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-11-27T24:00:00Z',
    '2026-11-27T10:60:00Z',
    '2026-11-27T10:31:07+25:00',
    '-5',
    '1.5',
    '123456789012345678901',
    '300000000000000000000',
    ' 2026-11-27T10:31:07Z',
  ]) {
    t.equal(parseTime(bad), undefined, JSON.stringify(bad));
  }
});

t.test('formatTime prints nine digits and round-trips exactly beyond 2^53', async (t) => {
  t.equal(formatTime(E), '2026-11-27T10:31:07.123456789Z');
  t.equal(formatTime(0n), '1970-01-01T00:00:00.000000000Z');
  t.equal(formatTime(-1n), '1969-12-31T23:59:59.999999999Z');
  for (const v of [E, E + 1n, E - 1n, 1n, 253402300799999999999n]) t.equal(parseTime(formatTime(v)), v);
});

t.test('resolveAt converts to boot ns and defaults to now', async (t) => {
  const clock = { bootToEpochNs: E - 1000n, nowBootNs: () => 42n };
  t.equal(resolveAt(clock, undefined), 42n);
  t.equal(resolveAt(clock, '2026-11-27T10:31:07.123456789Z'), 1000n);
  t.equal(resolveAt(clock, 'garbage'), undefined);
});
