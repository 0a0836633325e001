import t from 'tap';
import { rng } from '../helpers/rng.js';
import { RecencyRing } from '../../src/caches/recency-ring.js';

interface Item {
  readonly id: number;
  ringSlot: number;
}

t.test('property: same order as a reference list through touches, re-touches, shifts and packing', async (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const r = rng(seed);
    const ring = new RecencyRing<Item>();
    const items: Item[] = Array.from({ length: 40 + seed * 100 }, (_, id) => ({ id, ringSlot: -1 }));
    let ref: Item[] = []; // oldest first
    for (let step = 0; step < 20_000; step++) {
      // Phases: growing (mostly touches of any item), then shrinking (mostly shifts, the
      // touches on a few hot items), so the ring both grows and packs in place, wrapped.
      const growing = Math.floor(step / 1500) % 2 === 0;
      const x = r();
      if (x < (growing ? 0.9 : 0.45)) {
        // Mostly a few hot items (re-touches), sometimes any (new entries).
        const it = items[r() < (growing ? 0.3 : 0.95) ? Math.floor(r() * 8) : Math.floor(r() * items.length)]!;
        ring.touch(it);
        ref = ref.filter((i) => i !== it);
        ref.push(it);
      } else {
        const got = ring.shift();
        const want = ref.shift();
        if (got !== want || (got !== undefined && got.ringSlot !== -1)) {
          t.fail(`seed ${seed} step ${step}: shift gave ${got?.id}, the least recently touched is ${want?.id}`);
          return;
        }
      }
      const order = [...ring.newestFirst()].map((i) => i.id).join();
      if (ring.size !== ref.length || order !== [...ref].reverse().map((i) => i.id).join()) {
        t.fail(`seed ${seed} step ${step}: size ${ring.size} (want ${ref.length}), order ${order}`);
        return;
      }
    }
    while (ref.length > 0) if (ring.shift() !== ref.shift()) return t.fail('drain order');
    t.equal(ring.shift(), undefined, `seed ${seed}: same order over 20000 steps, then empty`);
  }
});

t.test('a touch of the newest item changes nothing; an emptied ring refills', async (t) => {
  const ring = new RecencyRing<Item>();
  const a: Item = { id: 1, ringSlot: -1 };
  const b: Item = { id: 2, ringSlot: -1 };
  ring.touch(a);
  ring.touch(b);
  ring.touch(b);
  t.same([...ring.newestFirst()].map((i) => i.id), [2, 1]);
  t.equal(ring.shift(), a);
  t.equal(ring.shift(), b);
  t.equal(ring.size, 0);
  ring.touch(a);
  t.same([...ring.newestFirst()].map((i) => i.id), [1]);
});

t.test('packing in place keeps cold items and wrapped recent ones, wherever the ring wraps', async (t) => {
  for (let retouches = 0; retouches < 200; retouches++) {
    const ring = new RecencyRing<Item>();
    const items: Item[] = Array.from({ length: 16 }, (_, id) => ({ id, ringSlot: -1 }));
    for (const it of items) ring.touch(it);
    for (let k = 0; k < 10; k++) ring.shift(); // the head moves past the start
    // Items 10 and 11 stay cold; 12..15 are touched over and over (holes, wrap, packing).
    for (let k = 0; k < retouches; k++) ring.touch(items[12 + (k % 4)]!);
    const want = [10, 11, 12, 13, 14, 15];
    const hot = want.slice(2);
    for (let k = Math.max(0, retouches - 4); k < retouches; k++) {
      hot.splice(hot.indexOf(12 + (k % 4)), 1);
      hot.push(12 + (k % 4));
    }
    const expected = [10, 11, ...hot].reverse().join();
    const got = [...ring.newestFirst()].map((i) => i.id).join();
    if (got !== expected) return t.fail(`after ${retouches} re-touches: ${got}, want ${expected}`);
  }
  t.pass('200 wrap positions');
});
