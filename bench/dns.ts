/**
 * bench dns: replay recorded DNS responses through parse (dns-packet) + DnsCache.
 *
 * The recording: 20 000 distinct questions (4x the default LRU, so roots are evicted all
 * the time) in realistic shapes — CNAME chains to shared CDN addresses, round-robin A
 * sets, AAAA, MX, PTR — encoded once with dns-packet. Baseline in the same run: a bare
 * `dnsPacket.decode` loop over the same bytes. Prints one result line.
 *
 * Run: npx tsx bench/dns.ts [responses=1000000]
 */
import dnsPacket from 'dns-packet';
import { parseDnsMessage } from '../src/dns/parse.js';
import { DnsCache } from '../src/caches/dns-cache.js';
import type { DnsAsker } from '../src/caches/dns-views.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const DISTINCT = 20_000;
const TARGET = 200_000;

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

function baseline(): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < TOTAL; i++) sink += dnsPacket.decode(recording[i % DISTINCT]!).answers!.length;
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === 0) throw new Error('unreachable');
  return TOTAL / s;
}

function replay(): { rate: number; cache: DnsCache; nodesMid: number; rssMid: number } {
  const cache = new DnsCache();
  const t0 = 10_000_000_000_000n;
  let nodesMid = 0;
  let rssMid = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < TOTAL; i++) {
    const res = parseDnsMessage(recording[i % DISTINCT]!);
    if (!res.ok) {
      failed++;
      continue;
    }
    // 100 µs apart: 1M responses span 100 s, so TTLs expire and windows reopen.
    cache.addResponse(res.message, t0 + BigInt(i) * 100_000n, askers[i & 63]);
    if (i === TOTAL >> 1) {
      nodesMid = cache.stats().nodes;
      rssMid = process.memoryUsage.rss();
    }
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (failed > 0) throw new Error(`${failed} recorded responses did not parse`);
  return { rate: TOTAL / s, cache, nodesMid, rssMid };
}

const base = baseline();
const run = replay();
const st = run.cache.stats();
const rss = process.memoryUsage.rss();
const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
const k = (n: number): string => `${(n / 1000).toFixed(0)}k`;
const pass = run.rate >= TARGET && st.roots <= st.maxRoots;
console.log(
  `bench dns: ${k(run.rate)} responses/s parse+cache over ${TOTAL} responses, ratio ${(run.rate / base).toFixed(2)} vs bare dns-packet decode ${k(base)}/s, ` +
    `rss ${mb(rss)} (mid-run ${mb(run.rssMid)}), roots ${st.roots}/${st.maxRoots}, nodes ${st.nodes} (mid-run ${run.nodesMid}), root evictions ${st.evictions.roots} ` +
    `(target >= ${k(TARGET)}/s) ${pass ? 'PASS' : 'FAIL'}`,
);
