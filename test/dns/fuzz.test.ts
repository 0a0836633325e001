import t from 'tap';
import { rng } from '../helpers/rng.js';
import { parseDnsMessage } from '../../src/dns/parse.js';
import { DnsPipeline } from '../../src/dns/pipeline.js';
import { a, aaaa, cname, framed, mx, packet, ptr, queryBytes, responseBytes, sec, srv } from './fixtures.js';

const seeds = [
  responseBytes('www.fuzz.test', 'A', [cname('www.fuzz.test', 'cdn.fuzz.test'), a('cdn.fuzz.test', '10.0.0.1'), a('cdn.fuzz.test', '10.0.0.2')], 1),
  responseBytes('v6.fuzz.test', 'AAAA', [aaaa('v6.fuzz.test', '2001:db8::1')], 2),
  responseBytes('fuzz.test', 'MX', [mx('fuzz.test', 'mx.fuzz.test', 10)], 3),
  responseBytes('_x._tcp.fuzz.test', 'SRV', [srv('_x._tcp.fuzz.test', 'x.fuzz.test', 443)], 4),
  responseBytes('1.0.0.10.in-addr.arpa', 'PTR', [ptr('1.0.0.10.in-addr.arpa', 'cdn.fuzz.test')], 5),
  queryBytes('q.fuzz.test', 'A', 6),
];

function mutate(r: () => number, src: Buffer): Buffer {
  const buf = Buffer.from(src);
  switch (Math.floor(r() * 4)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) buf[Math.floor(r() * buf.length)] = Math.floor(r() * 256);
      return buf;
    case 1: // truncate
      return buf.subarray(0, Math.floor(r() * buf.length));
    case 2: // random garbage
      return Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
    default: // extend with junk
      return Buffer.concat([buf, Buffer.from([Math.floor(r() * 256), 0xc0, 0xff])]);
  }
}

t.test('parseDnsMessage never throws on mutated, truncated or random bytes', async (t) => {
  const r = rng(1);
  let bad = 0;
  for (let i = 0; i < 20000; i++) {
    const res = parseDnsMessage(mutate(r, seeds[i % seeds.length]!));
    if (!res.ok) bad++;
  }
  t.ok(bad > 1000, `rejected ${bad} of 20000`);
  t.same(parseDnsMessage(new Uint8Array(0)), { ok: false, reason: 'empty' });
  t.same(parseDnsMessage(new Uint8Array(5)), { ok: false, reason: 'malformed' });
  // A compression pointer to itself (a loop) is rejected, not followed forever.
  const loop = Buffer.from(seeds[0]!);
  loop.writeUInt16BE(0xc00c, 12);
  t.equal(parseDnsMessage(loop).ok, false);
});

t.test('fuzzed UDP and TCP packets are counted and never stop the pipeline', async (t) => {
  const r = rng(2);
  const p = new DnsPipeline({ cache: { maxRoots: 50 } });
  const N = 10000;
  for (let i = 0; i < N; i++) {
    const bytes = mutate(r, seeds[i % seeds.length]!);
    const tcp = i % 3 === 0;
    const payload = tcp ? (r() < 0.5 ? framed(bytes) : bytes) : bytes;
    p.handle(
      packet({
        direction: r() < 0.5 ? 'ingress' : 'egress',
        payload,
        protocol: tcp ? 'tcp' : 'udp',
        cookie: BigInt(1 + Math.floor(r() * 20)),
        time: sec(i / 1000),
        wireLength: r() < 0.02 ? payload.length + 10 : payload.length,
      }),
    );
  }
  const s = p.stats();
  t.equal(s.packets, N);
  t.ok(s.malformed > 500, `malformed ${s.malformed}`);
  t.ok(s.tooBig > 50, `tooBig ${s.tooBig}`);
  t.ok(s.parsed > 500, `parsed ${s.parsed}`);
  t.ok(s.roots <= 50);
  // Capture goes on: a clean query/answer pair after the storm is attributed and cached.
  p.handle(packet({ direction: 'egress', payload: queryBytes('after.fuzz.test', 'A', 77), cookie: 999n, pid: 31337, time: sec(20) }));
  p.handle(packet({ direction: 'ingress', payload: responseBytes('after.fuzz.test', 'A', [a('after.fuzz.test', '10.9.0.1')], 77), cookie: 999n, time: sec(20.001) }));
  const res = p.cache.lookup('after.fuzz.test', sec(21))!;
  t.same(res.addresses.map((x) => x.value), ['10.9.0.1']);
  t.equal(res.askers[0]!.pid, 31337);
});
