import t from 'tap';
import { Changelog, arrayEquals, shallowEquals } from '../../src/caches/changelog.js';

const times = <T>(c: Changelog<T>): bigint[] => c.entries().map((e) => e.time);
const values = <T>(c: Changelog<T>): T[] => c.entries().map((e) => e.value);

t.test('get answers the value in force at t', async (t) => {
  const c = new Changelog<string>();
  t.equal(c.get(5n), undefined);
  t.equal(c.current(), undefined);
  c.set('a', 10n);
  c.set('b', 20n);
  t.equal(c.get(9n), undefined, 'before the first entry');
  t.equal(c.get(10n), 'a');
  t.equal(c.get(19n), 'a');
  t.equal(c.get(20n), 'b');
  t.equal(c.get(1000n), 'b');
  t.equal(c.current(), 'b');
});

t.test('out-of-order set lands in its sorted place', async (t) => {
  const c = new Changelog<string>({ capacity: 5 });
  c.set('c', 30n);
  c.set('a', 10n);
  c.set('b', 20n);
  t.same(times(c), [10n, 20n, 30n]);
  t.same(values(c), ['a', 'b', 'c']);
  t.equal(c.get(25n), 'b');
  t.equal(c.current(), 'c', 'current is the latest in time, not in arrival');
});

t.test('the value already in force adds nothing and keeps the earlier start', async (t) => {
  const c = new Changelog<string>();
  t.equal(c.set('a', 10n), true);
  t.equal(c.set('a', 20n), false);
  t.same(times(c), [10n]);
  // an earlier report of a later-known value moves its start earlier
  c.set('b', 30n);
  t.equal(c.set('b', 25n), true);
  t.same(times(c), [10n, 25n]);
  t.same(values(c), ['a', 'b']);
  // same instant: the later report wins
  c.set('x', 25n);
  t.same(values(c), ['a', 'x']);
  // same instant reverting to the previous value merges entries
  c.set('a', 25n);
  t.same(times(c), [10n]);
});

t.test('bounded: the oldest entry goes', async (t) => {
  const c = new Changelog<number>({ capacity: 3 });
  for (let i = 1; i <= 5; i++) c.set(i, BigInt(i * 10));
  t.same(values(c), [3, 4, 5]);
  t.equal(c.get(15n), undefined, 'history before the kept window is forgotten');
  // an out-of-order value older than everything kept is itself the oldest: dropped
  t.equal(c.set(99, 5n), false);
  t.same(values(c), [3, 4, 5]);
  // an out-of-order value inside the window evicts the oldest
  c.set(45, 45n);
  t.same(values(c), [4, 45, 5]);
  t.throws(() => new Changelog({ capacity: 0 }), TypeError);
});

t.test('structural equality through the equals option', async (t) => {
  const byRef = new Changelog<{ a: number }>();
  byRef.set({ a: 1 }, 1n);
  byRef.set({ a: 1 }, 2n);
  t.equal(byRef.size, 2, 'default equality is by reference');
  const byValue = new Changelog<{ a: number }>({ equals: shallowEquals });
  byValue.set({ a: 1 }, 1n);
  t.equal(byValue.set({ a: 1 }, 2n), false);
  t.equal(byValue.size, 1);
  const argv = new Changelog<readonly string[]>({ equals: arrayEquals });
  argv.set(['ls', '-l'], 1n);
  t.equal(argv.set(['ls', '-l'], 2n), false);
  t.equal(argv.set(['ls'], 3n), true);
});

t.test('values are immutable snapshots', async (t) => {
  const c = new Changelog<{ path: string; argv: string[] }>({ equals: (a, b) => a.path === b.path });
  const v = { path: '/bin/sh', argv: ['sh'] };
  c.set(v, 1n);
  t.ok(Object.isFrozen(c.current()));
  t.ok(Object.isFrozen(c.current()!.argv), 'nested arrays frozen too');
  t.throws(() => {
    'use strict';
    (c.current() as { path: string }).path = '/evil';
  });
  t.equal(c.get(1n)!.path, '/bin/sh');
  const e = c.entries();
  t.ok(Object.isFrozen(e[0]), 'entries are frozen');
  (e as unknown as unknown[]).length = 0;
  t.equal(c.size, 1, 'entries() hands out a copy');
});
