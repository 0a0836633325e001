import t from 'tap';
import { extendLatest, joinTime, observeWindow, splitTime, windowAt, type ValidityWindow } from '../../src/caches/dns-windows.js';
import { rng } from '../helpers/rng.js';

t.test('splitTime/joinTime are exact around second boundaries and beyond 2^53 ns', async (t) => {
  const cases = [
    0n,
    1n,
    999_999_999n,
    1_000_000_000n,
    9_007_199_254_740_991n, // 2^53 - 1
    9_007_199_254_740_992n,
    9_007_199_999_999_999n,
    18_446_744_073_709_551_615n, // u64 max
  ];
  // Last ns of many seconds near 2^53, where the float division rounds up.
  for (let k = 9_007_000n; k < 9_007_199n; k += 7n) cases.push(k * 1_000_000_000n - 1n, k * 1_000_000_000n);
  for (const c of cases) {
    const p = splitTime(c, { sec: 0, ns: 0 });
    t.ok(p.ns >= 0 && p.ns < 1e9 && Number.isInteger(p.sec), `${c} split into range`);
    t.equal(joinTime(p.sec, p.ns), c, `${c} round trip`);
  }
});

t.test('windows extend, reopen and merge out-of-order sightings exactly', async (t) => {
  const w: ValidityWindow[] = [];
  const at = (ns: bigint) => splitTime(ns, { sec: 0, ns: 0 });
  const s = 10_000_000_000_000n;
  observeWindow(w, at(s), 5, 8);
  observeWindow(w, at(s + 5_000_000_000n), 5, 8); // exactly at validUntil: extends
  t.equal(w.length, 1);
  t.equal(joinTime(w[0]!.untilSec, w[0]!.untilNs), s + 10_000_000_000n);
  observeWindow(w, at(s + 10_000_000_001n), 5, 8); // 1 ns after: a new window
  t.equal(w.length, 2);
  observeWindow(w, at(s + 7_000_000_000n), 4, 8); // late sighting (valid to s+11 s) bridges both
  t.equal(w.length, 1);
  t.equal(w[0]!.count, 4);
  t.equal(joinTime(w[0]!.lastSec, w[0]!.lastNs), s + 10_000_000_001n);
  t.equal(windowAt(w, at(s - 1n)), undefined);
});

t.test('extendLatest is observeWindow on the newest window: same windows for any sighting order', async (t) => {
  const r = rng(11);
  for (let run = 0; run < 200; run++) {
    const plain: ValidityWindow[] = [];
    const fast: ValidityWindow[] = [];
    let latest: ValidityWindow | undefined;
    for (let i = 0; i < 40; i++) {
      // Mostly in order, sometimes back in time; TTLs 0..4 s; times on a 0.5 s grid.
      const at = splitTime(BigInt(Math.floor((i + (r() < 0.2 ? -3 * r() : 0)) * 2 + r() * 3)) * 500_000_000n, { sec: 0, ns: 0 });
      const ttl = Math.floor(r() * 5);
      observeWindow(plain, at, ttl, 4);
      if (latest === undefined || !extendLatest(latest, at, ttl)) {
        observeWindow(fast, at, ttl, 4);
        latest = fast[fast.length - 1];
      }
    }
    t.same(fast, plain);
  }
});
