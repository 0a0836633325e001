import t from 'tap';
import { DnsAttributor, type AttributedResponse } from '../../src/dns/attribution.js';
import { DnsPipeline } from '../../src/dns/pipeline.js';
import { a, aaaa, framed, packet, queryBytes, responseBytes, sec } from './fixtures.js';

const collect = (at: DnsAttributor, evs: Parameters<DnsAttributor['handle']>[0][]): AttributedResponse[] => {
  const out: AttributedResponse[] = [];
  for (const ev of evs) at.handle(ev, (r) => out.push(r));
  return out;
};

t.test('answers match their query by (socket cookie, DNS id); parallel A/AAAA on one socket', async (t) => {
  const at = new DnsAttributor();
  const out = collect(at, [
    packet({ direction: 'egress', payload: queryBytes('dual.test', 'A', 0x1111), pid: 500, time: sec(0) }),
    packet({ direction: 'egress', payload: queryBytes('dual.test', 'AAAA', 0x2222), pid: 500, time: sec(0.001) }),
    // Another process on another socket reuses id 0x1111.
    packet({ direction: 'egress', payload: queryBytes('other.test', 'A', 0x1111), pid: 600, cookie: 2002n, time: sec(0.002) }),
    // Answers arrive out of order; ingress carries pid 0 (the kernel task is not the receiver).
    packet({ direction: 'ingress', payload: responseBytes('dual.test', 'AAAA', [aaaa('dual.test', '2001:db8::5')], 0x2222), time: sec(0.01) }),
    packet({ direction: 'ingress', payload: responseBytes('other.test', 'A', [a('other.test', '10.0.0.6')], 0x1111), cookie: 2002n, time: sec(0.011) }),
    packet({ direction: 'ingress', payload: responseBytes('dual.test', 'A', [a('dual.test', '10.0.0.5')], 0x1111), time: sec(0.012) }),
  ]);
  t.same(
    out.map((r) => [r.message.questions[0]!.type, r.origin?.pid, r.origin?.id, r.time]),
    [
      ['AAAA', 500, 0x2222, sec(0.01)],
      ['A', 600, 0x1111, sec(0.011)],
      ['A', 500, 0x1111, sec(0.012)],
    ],
  );
  const s = at.stats();
  t.same([s.queries, s.responses, s.matched, s.unmatched, s.pending], [3, 3, 3, 0, 0]);
});

t.test('unmatched, mismatched question, server side and expiry are counted', async (t) => {
  const at = new DnsAttributor({ queryTimeoutNs: 5_000_000_000n, maxPending: 2 });
  const out = collect(at, [
    packet({ direction: 'ingress', payload: responseBytes('late.test', 'A', [a('late.test', '10.0.0.1')], 9), time: sec(0) }),
    packet({ direction: 'egress', payload: queryBytes('one.test', 'A', 1), time: sec(0) }),
    packet({ direction: 'ingress', payload: responseBytes('two.test', 'A', [a('two.test', '10.0.0.2')], 1), time: sec(0.1) }),
    // A local server socket: receives a query (ingress), sends an answer (egress).
    packet({ direction: 'ingress', payload: queryBytes('srv.test', 'A', 3), cookie: 7n, time: sec(0.2) }),
    packet({ direction: 'egress', payload: responseBytes('srv.test', 'A', [a('srv.test', '10.0.0.3')], 3), cookie: 7n, time: sec(0.2) }),
    packet({ direction: 'egress', payload: queryBytes('b.test', 'A', 2), time: sec(1) }),
    packet({ direction: 'egress', payload: queryBytes('c.test', 'A', 4), time: sec(1) }),
    packet({ direction: 'egress', payload: queryBytes('d.test', 'A', 5), time: sec(20) }),
  ]);
  t.same(out.map((r) => r.origin), [undefined, undefined], 'answers kept, but never attributed to a wrong asker');
  const s = at.stats();
  t.equal(s.unmatched, 2);
  t.equal(s.serverQueries, 1);
  t.equal(s.serverResponses, 1);
  t.equal(s.evictedQueries, 1, 'bound of 2 pending');
  t.equal(s.expiredQueries, 2, 'older than 5 s at t=20');
  t.equal(s.pending, 1);
});

t.test('TCP: length-prefixed answers split across segments and several per segment', async (t) => {
  const at = new DnsAttributor();
  const q1 = framed(queryBytes('tcp.test', 'A', 0x10));
  const q2 = framed(queryBytes('tcp.test', 'AAAA', 0x11));
  const r1 = framed(responseBytes('tcp.test', 'A', [a('tcp.test', '10.0.0.10'), a('tcp.test', '10.0.0.11')], 0x10));
  const r2 = framed(responseBytes('tcp.test', 'AAAA', [aaaa('tcp.test', '2001:db8::10')], 0x11));
  const both = Buffer.concat([r1, r2]);
  const cut1 = 1; // inside the length prefix
  const cut2 = r1.length + 5; // inside the second message
  const tcp = { protocol: 'tcp' as const, cookie: 3003n, pid: 700 };
  const out = collect(at, [
    packet({ ...tcp, direction: 'egress', payload: Buffer.concat([q1, q2]), time: sec(0) }),
    packet({ ...tcp, direction: 'ingress', payload: both.subarray(0, cut1), time: sec(0.01) }),
    packet({ ...tcp, direction: 'ingress', payload: both.subarray(cut1, cut2), time: sec(0.02) }),
    packet({ ...tcp, direction: 'ingress', payload: both.subarray(cut2), time: sec(0.03) }),
  ]);
  t.same(
    out.map((r) => [r.message.answers.length, r.origin?.pid, r.origin?.protocol, r.time]),
    [
      [2, 700, 'tcp', sec(0.02)],
      [1, 700, 'tcp', sec(0.03)],
    ],
  );
  t.equal(at.stats().tcp.streams, 0, 'nothing left buffered');
  t.equal(at.stats().tcp.messages, 4);
});

t.test('TCP: truncated capture and garbage reset the stream; the next message still parses', async (t) => {
  const at = new DnsAttributor();
  const tcp = { protocol: 'tcp' as const, cookie: 4004n };
  const good = framed(responseBytes('ok.test', 'A', [a('ok.test', '10.0.0.20')], 0x20));
  const garbage = Buffer.from([0x00, 0x0e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  const out = collect(at, [
    packet({ ...tcp, direction: 'ingress', payload: good.subarray(0, 10), wireLength: good.length + 100, time: sec(0) }),
    packet({ ...tcp, direction: 'ingress', payload: garbage, time: sec(0.1) }),
    packet({ ...tcp, direction: 'ingress', payload: Buffer.from([0, 0, 1]), time: sec(0.2) }),
    packet({ ...tcp, direction: 'ingress', payload: good, time: sec(0.3) }),
  ]);
  t.equal(out.length, 1);
  const s = at.stats();
  t.equal(s.tooBig, 1);
  t.equal(s.malformed, 1);
  t.equal(s.tcp.resets, 2, 'malformed message and zero length');
});

t.test('UDP payload cut by the capture bound is counted as too big', async (t) => {
  const at = new DnsAttributor();
  const bytes = responseBytes('big.test', 'A', [a('big.test', '10.0.0.30')], 5);
  const out = collect(at, [packet({ direction: 'ingress', payload: bytes.subarray(0, 20), wireLength: 4500 })]);
  t.equal(out.length, 0);
  t.equal(at.stats().tooBig, 1);
});

t.test('DnsPipeline: packets to graph with askers from the egress query', async (t) => {
  const p = new DnsPipeline({
    cache: { maxRoots: 10 },
    resolveAsker: (o) => ({ processKey: `${o.pid}@1`, pid: o.pid, comm: 'dig', containerId: o.cgroupId === 77n ? 'ctr-1' : undefined }),
  });
  p.handle(packet({ direction: 'egress', payload: queryBytes('pipe.test', 'A', 0x33), pid: 800, time: sec(0) }));
  p.handle(packet({ direction: 'ingress', payload: responseBytes('pipe.test', 'A', [a('pipe.test', '10.0.0.40')], 0x33), time: sec(0.01) }));
  p.handle(packet({ direction: 'ingress', payload: Buffer.from('not dns at all'), time: sec(0.02) }));
  const r = p.cache.lookup('pipe.test', sec(1))!;
  t.same(r.addresses.map((x) => x.value), ['10.0.0.40']);
  t.same(r.askers.map((x) => [x.processKey, x.pid, x.comm, x.containerId]), [['800@1', 800, 'dig', 'ctr-1']]);
  t.same(p.cache.queriesBy('800@1', sec(1)).map((q) => q.question), ['pipe.test']);
  const s = p.stats();
  t.same([s.packets, s.parsed, s.malformed, s.tooBig, s.matched, s.unmatched, s.responses, s.roots, s.evictions], [3, 2, 1, 0, 1, 0, 1, 1, 0]);
});
