import t from 'tap';
import { TaskIndex } from '../../src/caches/task-index.js';

interface E {
  readonly id: number;
  readonly n: number;
}

t.test('matches a Map of lists under random insert/remove churn (growth, wrap-around deletes)', async (t) => {
  const ix = new TaskIndex<E>();
  const ref = new Map<number, E[]>();
  let seed = 1;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let mismatches = 0;
  for (let step = 0; step < 100_000; step++) {
    const id = 1 + Math.floor(rnd() * 3000);
    if (rnd() < 0.55) {
      const e = { id, n: step };
      ix.add(id, e);
      const l = ref.get(id);
      if (l === undefined) ref.set(id, [e]);
      else l.push(e);
    } else {
      const l = ref.get(id);
      if (l === undefined) continue;
      const e = l[Math.floor(rnd() * l.length)]!;
      ix.remove(id, e);
      l.splice(l.indexOf(e), 1);
      if (l.length === 0) ref.delete(id);
    }
    if (step % 4999 === 0) {
      for (let q = 1; q <= 3000; q++) {
        const a = ix.list(q);
        const b = ref.get(q) ?? [];
        if (a.length !== b.length || a.some((x, i) => x !== b[i])) mismatches++;
      }
    }
  }
  t.equal(mismatches, 0);
  t.equal(ix.size, ref.size);
  let total = 0;
  for (const l of ref.values()) total += l.length;
  t.equal([...ix.values()].length, total);
});

t.test('bare entry, reuse list, and bad ids', async (t) => {
  const ix = new TaskIndex<E>();
  const a = { id: 7, n: 1 };
  const b = { id: 7, n: 2 };
  ix.add(7, a);
  t.equal(ix.get(7), a, 'one entry is stored bare');
  ix.add(7, b);
  t.same(ix.list(7), [a, b], 'oldest first');
  ix.remove(7, a);
  t.equal(ix.get(7), b);
  ix.remove(7, b);
  t.equal(ix.get(7), undefined);
  t.equal(ix.size, 0);
  t.equal(ix.get(0), undefined);
  t.equal(ix.get(-3), undefined);
  t.equal(ix.get(2 ** 40), undefined);
  t.throws(() => ix.add(0, a), RangeError);
  t.throws(() => ix.add(1.5, a), RangeError);
});
