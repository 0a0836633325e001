import t from 'tap';
import { decodeCursor, encodeCursor } from '../../src/query/cursor.js';
import { globToRegExp } from '../../src/query/glob.js';
import { dotQuote } from '../../src/query/dot.js';
import { exitCodeOf, exitSignalOf } from '../../src/query/process-view.js';
import { ProcessQuery } from '../../src/query/process-query.js';
import { clock, NOW, replayedTree, START } from '../server/fixture.js';

t.test('globs', async (t) => {
  const m = (g: string, s: string) => globToRegExp(g)!.test(s);
  t.ok(m('ba*', 'bash'));
  t.notOk(m('ba*', 'xbash'));
  t.ok(m('s?eep', 'sleep'));
  t.ok(m('[bs]*', 'sleep'));
  t.notOk(m('[!bs]*', 'sleep'));
  t.ok(m('a.b', 'a.b'));
  t.notOk(m('a.b', 'axb'), 'dots are literal');
  t.ok(m('(x)+', '(x)+'), 'regex specials are literal');
  t.equal(globToRegExp('[abc'), undefined);
});

t.test('cursors round-trip and reject foreign strings', async (t) => {
  const c = encodeCursor({ pid: 4242, startNs: 18446744073709551615n });
  t.same(decodeCursor(c), { pid: 4242, startNs: 18446744073709551615n });
  for (const bad of ['', 'abc', 'cDE6eDox', '!!!!', Buffer.from('p1:1:x').toString('base64url')]) {
    t.equal(decodeCursor(bad), undefined, bad);
  }
});

t.test('wait status decoding', async (t) => {
  t.equal(exitCodeOf(3 << 8), 3);
  t.equal(exitSignalOf(3 << 8), null);
  t.equal(exitCodeOf(9), null);
  t.equal(exitSignalOf(9), 9);
  t.equal(exitCodeOf(undefined), null);
});

t.test('dot quoting', async (t) => {
  t.equal(dotQuote('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
});

t.test('lineage, descendants and paging on a replayed tree', async (t) => {
  const q = new ProcessQuery(replayedTree(), clock);
  const p300 = q.processByPid(300, NOW)!;
  t.same(q.lineage(p300, NOW, 64).chain.map((p) => p.pid), [300, 200, 100, 1]);
  const two = q.lineage(p300, NOW, 2);
  t.same(two.chain.map((p) => p.pid), [300, 200, 100]);
  t.equal(two.truncated, true);
  t.equal(q.lineage(p300, NOW, 3).truncated, false);
  const init = q.processByPid(1, NOW)!;
  const alive = q.descendants(init, NOW, 8, 100);
  t.same(alive.items.map((d) => [d.node.pid, d.depth]), [[100, 1], [200, 2]], 'exited 300 and 400 are gone now');
  const then = q.descendants(init, START.p300 + 10n, 8, 100);
  t.same(then.items.map((d) => d.node.pid), [100, 200, 400, 300]);
  t.equal(q.descendants(init, START.p300 + 10n, 8, 2).truncated, true);

  const seen: number[] = [];
  let after: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = q.list({ at: NOW, state: 'all', limit: 2, after });
    if (typeof page === 'string') throw new Error(page);
    seen.push(...page.items.map((p) => p.pid));
    after = page.nextCursor;
    if (after === undefined) break;
  }
  t.same(seen, [1, 100, 200, 300, 400]);
  t.equal(q.list({ at: NOW, limit: 2, after: 'zz' }), 'bad-cursor');
  t.equal(q.list({ at: NOW, limit: 2, name: '[x' }), 'bad-glob');
});
