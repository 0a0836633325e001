/**
 * bench dns: replay recorded DNS responses through parse (dns-packet) + DnsCache.
 *
 * The recording: 50 000 distinct questions (10x the default LRU, so roots are evicted all
 * the time) in realistic shapes — CNAME chains to shared CDN addresses, round-robin A
 * sets, AAAA, MX, PTR — encoded once with dns-packet, replayed in a Zipf(1) popularity
 * order (a few names are asked constantly, a long tail rarely: real resolver traffic).
 * Baseline in the same run: a bare `dnsPacket.decode` loop over the same sequence,
 * interleaved with the replay in ROUNDS slices so both see the same machine load (the
 * machine is shared: the ratio is the stable number). Also reported: the worst case,
 * every response a new question that evicts a root; RSS, and the live heap after a full
 * GC (what the cache really holds: RSS is mostly collector slack).
 * Prints one result line.
 *
 * Run: scripts/bench dns (the service's V8 flags), or npx tsx bench/dns.ts [responses=1000000]
 */
import dnsPacket from 'dns-packet';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DnsParseMemo } from '../src/dns/parse-memo.js';
import { DnsCache } from '../src/caches/dns-cache.js';
import type { DnsAsker } from '../src/caches/dns-views.js';
import { semiSpaceMiB } from './service-flags.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const DISTINCT = 50_000;
const WORST = 200_000;
const TARGET = 200_000;
const ROUNDS = 10;

function record(i: number): Buffer {
  const name = `host${i}.svc${i % 97}.example.test`;
  const ip = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
  const shape = i % 20;
  let questions: dnsPacket.Question[];
  let answers: dnsPacket.Answer[];
  if (shape < 8) {
    // CNAME chain to a CDN edge shared by 50 names, two round-robin addresses.
    const edge = `edge${i % 400}.cdn.example.test`;
    questions = [{ type: 'A', name }];
    answers = [
      { type: 'CNAME', name, ttl: 300, data: edge },
      { type: 'A', name: edge, ttl: 30, data: ip(i % 400) },
      { type: 'A', name: edge, ttl: 30, data: ip((i % 400) + 1000) },
    ];
  } else if (shape < 14) {
    questions = [{ type: 'A', name }];
    answers = [{ type: 'A', name, ttl: 60, data: ip(i) }];
  } else if (shape < 18) {
    questions = [{ type: 'AAAA', name }];
    answers = [{ type: 'AAAA', name, ttl: 60, data: `2001:db8::${(i & 0xffff).toString(16)}` }];
  } else if (shape < 19) {
    const rev = `${i & 255}.${(i >> 8) & 255}.0.10.in-addr.arpa`;
    questions = [{ type: 'PTR', name: rev }];
    answers = [{ type: 'PTR', name: rev, ttl: 600, data: name }];
  } else {
    questions = [{ type: 'MX', name }];
    answers = [{ type: 'MX', name, ttl: 3600, data: { exchange: `mx${i % 10}.example.test`, preference: 10 } }];
  }
  return dnsPacket.encode({ type: 'response', id: i & 0xffff, flags, questions, answers });
}

const recording = Array.from({ length: DISTINCT }, (_, i) => record(i));
const askers: DnsAsker[] = Array.from({ length: 64 }, (_, i) => ({ processKey: `${1000 + i}@${i}`, pid: 1000 + i, comm: `proc${i}`, cgroupId: BigInt(i) }));

/** Zipf(1) sequence over the recording, from a fixed-seed PRNG (reproducible). */
function zipfOrder(n: number, distinct: number): Uint32Array {
  const cdf = new Float64Array(distinct);
  let sum = 0;
  for (let k = 0; k < distinct; k++) cdf[k] = sum += 1 / (k + 1);
  let seed = 0x2545f491;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const u = ((seed >>> 0) / 4294967296) * sum;
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    // Popularity rank → record index, scattered so shapes mix at every rank.
    out[i] = (lo * 7919) % distinct;
  }
  return out;
}

const order = zipfOrder(TOTAL, DISTINCT);

/** Bare decode of responses [from, to) of the sequence; returns the seconds spent. */
function baseline(from: number, to: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = from; i < to; i++) sink += dnsPacket.decode(recording[order[i]!]!).answers!.length;
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === 0) throw new Error('unreachable');
  return s;
}

interface Replay {
  readonly parser: DnsParseMemo;
  readonly cache: DnsCache;
  seconds: number;
  nodesMid: number;
  rssMid: number;
}

/** Parse + cache responses [from, to) of `pick`; adds the seconds spent to `r`. */
function replay(r: Replay, from: number, to: number, pick: (i: number) => number, mid: number): void {
  // 100 µs apart: 1M responses span 100 s, so TTLs expire and windows reopen. One bigint
  // addition per response, as a decoder makes one timestamp per record.
  let time = 10_000_000_000_000n + BigInt(from) * 100_000n;
  let failed = 0;
  const start = process.hrtime.bigint();
  for (let i = from; i < to; i++, time += 100_000n) {
    const res = r.parser.parse(recording[pick(i)]!);
    if (!res.ok) {
      failed++;
      continue;
    }
    r.cache.addResponse(res.message, time, askers[i & 63]);
    if (i === mid) {
      r.nodesMid = r.cache.stats().nodes;
      r.rssMid = process.memoryUsage.rss();
    }
  }
  r.seconds += Number(process.hrtime.bigint() - start) / 1e9;
  if (failed > 0) throw new Error(`${failed} recorded responses did not parse`);
}

/** Live heap after a full collection (gc exposed at runtime: `npx tsx` passes no node flags). */
function liveHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

const run: Replay = { parser: new DnsParseMemo(), cache: new DnsCache(), seconds: 0, nodesMid: 0, rssMid: 0 };
let baseSeconds = 0;
for (let k = 0; k < ROUNDS; k++) {
  const from = Math.floor((TOTAL * k) / ROUNDS);
  const to = Math.floor((TOTAL * (k + 1)) / ROUNDS);
  baseSeconds += baseline(from, to);
  replay(run, from, to, (i) => order[i]!, TOTAL >> 1);
}
/** The worst-case rate (its cache is garbage afterwards: not in the live heap below). */
function worstCase(): number {
  const r: Replay = { parser: new DnsParseMemo(), cache: new DnsCache(), seconds: 0, nodesMid: 0, rssMid: 0 };
  replay(r, 0, WORST, (i) => i % DISTINCT, -1);
  return WORST / r.seconds;
}
const worst = worstCase();
const rate = TOTAL / run.seconds;
const base = TOTAL / baseSeconds;
const st = run.cache.stats();
const rss = process.memoryUsage.rss();
const heap = liveHeap();
const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
const k = (n: number): string => `${(n / 1000).toFixed(0)}k`;
const pass = rate >= TARGET && st.roots <= st.maxRoots;
const ms = run.parser.stats();
const memoHits = Math.round((100 * ms.hits) / Math.max(1, ms.hits + ms.misses));
console.log(
  `bench dns: ${k(rate)} responses/s parse+cache over ${TOTAL} Zipf-ordered responses of ${DISTINCT} names, ratio ${(rate / base).toFixed(2)} vs bare dns-packet decode ${k(base)}/s (interleaved), ` +
    `worst case (every response evicts a root) ${k(worst)}/s, rss ${mb(rss)} (mid-run ${mb(run.rssMid)}, live heap after GC ${mb(heap)}), parse memo hits ${memoHits}%, roots ${st.roots}/${st.maxRoots}, nodes ${st.nodes} (mid-run ${run.nodesMid}), root evictions ${st.evictions.roots}, semi-space ${semiSpaceMiB()} MiB ` +
    `(target >= ${k(TARGET)}/s) ${pass ? 'PASS' : 'FAIL'}`,
);
