import t from 'tap';
import { DnsCache } from '../../src/caches/dns-cache.js';
import { DnsParseMemo } from '../../src/dns/parse-memo.js';
import { rng } from '../helpers/rng.js';
import { a, aaaa, cname, mx, ptr, response, responseBytes, sec, srv, txt } from '../dns/fixtures.js';

const values = (xs: ReadonlyArray<{ value: string }>): string[] => xs.map((x) => x.value);

t.test('CNAME chain with multiple A answers, reverse through the chain', async (t) => {
  const c = new DnsCache();
  c.addResponse(
    response('www.example.test', 'A', [
      cname('www.example.test', 'edge.cdn.test', 300),
      cname('edge.cdn.test', 'e1.cdn.test', 120),
      a('e1.cdn.test', '10.0.0.1', 30),
      a('e1.cdn.test', '10.0.0.2', 30),
    ]),
    sec(0),
  );
  const r = c.lookup('www.example.test', sec(1))!;
  t.same(r.cnames.map((v) => [v.owner, v.value, v.ttl]), [
    ['www.example.test', 'edge.cdn.test', 300],
    ['edge.cdn.test', 'e1.cdn.test', 120],
  ]);
  t.same(r.addresses.map((v) => [v.type, v.owner, v.value]), [
    ['A', 'e1.cdn.test', '10.0.0.1'],
    ['A', 'e1.cdn.test', '10.0.0.2'],
  ]);
  t.equal(r.addresses[0]!.validFrom, sec(0));
  t.equal(r.addresses[0]!.validUntil, sec(30));
  t.equal(r.addresses[0]!.expiredAtQuery, false);
  t.same(r.responses[0]!.answers.map((x) => x.value), ['edge.cdn.test', 'e1.cdn.test', '10.0.0.1', '10.0.0.2']);

  // A name in the chain: its children and the names aliasing it (parents).
  const mid = c.lookup('edge.cdn.test', sec(1))!;
  t.same(values(mid.addresses), ['10.0.0.1', '10.0.0.2']);
  t.same(mid.aliases.map((v) => v.owner), ['www.example.test']);

  const rev = c.reverse('10.0.0.2', sec(1))!;
  t.same(
    rev.names.map((n) => [n.name, n.source, n.path.length]),
    [
      ['e1.cdn.test', 'forward', 1],
      ['edge.cdn.test', 'forward', 2],
      ['www.example.test', 'forward', 3],
    ],
  );
  // The chain is valid as long as its shortest edge.
  t.equal(rev.names[2]!.validUntil, sec(30));
  t.same(c.stats().roots, 1);
});

t.test('AAAA is canonical, MX, SRV, PTR (v4 and v6 reverse names reversed)', async (t) => {
  const c = new DnsCache();
  c.addResponse(response('v6.example.test', 'AAAA', [aaaa('v6.example.test', '2001:0db8:0000:0000:0000:0000:0000:0042')]), sec(0));
  t.same(values(c.lookup('v6.example.test', sec(0))!.addresses), ['2001:db8::42']);
  t.equal(c.lookup('v6.example.test', sec(0))!.addresses[0]!.type, 'AAAA');

  c.addResponse(response('example.test', 'MX', [mx('example.test', 'mx2.example.test', 20), mx('example.test', 'mx1.example.test', 10)]), sec(0));
  t.same(
    c.lookup('example.test', sec(0))!.mx.map((v) => [v.value, v.preference]),
    [
      ['mx2.example.test', 20],
      ['mx1.example.test', 10],
    ],
  );

  c.addResponse(response('_sip._tcp.example.test', 'SRV', [srv('_sip._tcp.example.test', 'sip.example.test', 5060, 10, 5)]), sec(0));
  const s = c.lookup('_sip._tcp.example.test', sec(0))!.srv;
  t.same(s.map((v) => [v.value, v.port, v.priority, v.weight]), [['sip.example.test', 5060, 10, 5]]);

  c.addResponse(response('4.3.2.1.in-addr.arpa', 'PTR', [ptr('4.3.2.1.in-addr.arpa', 'host.example.test')]), sec(0));
  const byAddr = c.lookup('1.2.3.4', sec(0))!;
  t.equal(byAddr.kind, 'address');
  t.equal(byAddr.question, '1.2.3.4', 'reverse name reversed, not just cut');
  t.same(values(byAddr.ptr), ['host.example.test']);
  t.same(values(c.lookup('4.3.2.1.in-addr.arpa.', sec(0))!.ptr), ['host.example.test']);
  t.equal(c.lookup('4.3.2.1', sec(0)), undefined, 'the seed’s un-reversed key does not exist');
  t.same(c.reverse('1.2.3.4', sec(0))!.names.map((n) => [n.name, n.source]), [['host.example.test', 'ptr']]);

  const v6rev = '2.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
  c.addResponse(response(v6rev, 'PTR', [ptr(v6rev, 'v6.example.test')]), sec(0));
  const rev6 = c.reverse('2001:DB8::0:42', sec(0))!;
  t.equal(rev6.address, '2001:db8::42');
  t.same(rev6.names.map((n) => [n.name, n.source]), [
    ['v6.example.test', 'forward'],
    ['v6.example.test', 'ptr'],
  ]);
});

t.test('re-resolution keeps history; at inside/outside validity windows', async (t) => {
  const c = new DnsCache();
  c.addResponse(response('rr.test', 'A', [a('rr.test', '10.1.1.1', 60), a('rr.test', '10.1.1.2', 60)]), sec(0));
  c.addResponse(response('rr.test', 'A', [a('rr.test', '10.2.2.2', 60)]), sec(100));

  t.equal(c.lookup('rr.test', sec(-1)), undefined, 'nothing known before the first answer');
  const early = c.lookup('rr.test', sec(10), sec(500))!;
  t.same(values(early.addresses), ['10.1.1.1', '10.1.1.2'], 'later answers are not known yet');
  t.equal(early.addresses[0]!.expiredAtQuery, false, 'valid at the asked moment');
  t.equal(early.addresses[0]!.expiredNow, true, '...and marked expired now');
  t.equal(early.responses.length, 1);

  const late = c.lookup('rr.test', sec(110))!;
  t.same(
    late.addresses.map((v) => [v.value, v.expiredAtQuery]),
    [
      ['10.1.1.1', true],
      ['10.1.1.2', true],
      ['10.2.2.2', false],
    ],
  );
  t.same(
    late.responses.map((r) => r.answers.map((x) => x.value)),
    [['10.1.1.1', '10.1.1.2'], ['10.2.2.2']],
    'round-robin answer sets kept per response',
  );
  // The window is half-open: [0, 60).
  t.equal(c.lookup('rr.test', sec(59.999))!.addresses[0]!.expiredAtQuery, false);
  t.equal(c.lookup('rr.test', sec(60))!.addresses[0]!.expiredAtQuery, true);
});

t.test('windows extend while valid and reopen after a gap; bounded', async (t) => {
  const c = new DnsCache({ maxWindowsPerEdge: 2 });
  const add = (s: number): unknown => c.addResponse(response('w.test', 'A', [a('w.test', '10.0.0.9', 60)]), sec(s));
  add(0);
  add(30);
  let v = c.lookup('w.test', sec(31))!.addresses[0]!;
  t.same([v.validFrom, v.lastSeen, v.validUntil, v.history.length], [sec(0), sec(30), sec(90), 1]);
  add(200);
  v = c.lookup('w.test', sec(100))!.addresses[0]!;
  t.equal(v.expiredAtQuery, true, 'gap between windows');
  t.equal(v.history.length, 1, 'history only up to at');
  v = c.lookup('w.test', sec(210))!.addresses[0]!;
  t.same([v.validFrom, v.validUntil, v.history.length], [sec(200), sec(260), 2]);
  add(400);
  v = c.lookup('w.test', sec(400))!.addresses[0]!;
  t.same(v.history.map((h) => h.validFrom), [sec(200), sec(400)], 'oldest window dropped');
  // An out-of-order sighting that bridges two windows merges them.
  const c2 = new DnsCache();
  c2.addResponse(response('o.test', 'A', [a('o.test', '10.0.0.8', 10)]), sec(0));
  c2.addResponse(response('o.test', 'A', [a('o.test', '10.0.0.8', 10)]), sec(30));
  c2.addResponse(response('o.test', 'A', [a('o.test', '10.0.0.8', 25)]), sec(8));
  const w = c2.lookup('o.test', sec(31))!.addresses[0]!;
  t.same([w.validFrom, w.validUntil, w.history.length], [sec(0), sec(40), 1]);
});

t.test('an address shared by two names appears under both', async (t) => {
  const c = new DnsCache();
  c.addResponse(response('a.test', 'A', [a('a.test', '10.9.9.9')]), sec(0));
  c.addResponse(response('b.test', 'A', [a('b.test', '10.9.9.9')]), sec(1));
  t.same(values(c.lookup('a.test', sec(2))!.addresses), ['10.9.9.9']);
  t.same(values(c.lookup('b.test', sec(2))!.addresses), ['10.9.9.9']);
  t.same(c.reverse('10.9.9.9', sec(2))!.names.map((n) => n.name), ['a.test', 'b.test']);
  t.equal(c.stats().addresses, 1, 'one node, two parents');
});

t.test('LRU eviction cleans the index; shared nodes survive while a root reaches them', async (t) => {
  const c = new DnsCache({ maxRoots: 2 });
  c.addResponse(response('a.test', 'A', [cname('a.test', 'x.test'), a('x.test', '10.9.9.9'), a('x.test', '10.0.0.1')]), sec(0));
  c.addResponse(response('b.test', 'A', [a('b.test', '10.9.9.9')]), sec(1));
  t.same(c.stats().nodes, 5);
  c.addResponse(response('c.test', 'A', [a('c.test', '10.3.3.3')]), sec(2));
  const s = c.stats();
  t.equal(s.roots, 2);
  t.equal(s.evictions.roots, 1);
  t.equal(c.lookup('a.test', sec(3)), undefined, 'evicted root gone');
  t.equal(c.lookup('x.test', sec(3)), undefined, 'its private descendants gone from the index');
  t.equal(c.reverse('10.0.0.1', sec(3)), undefined);
  t.same(c.reverse('10.9.9.9', sec(3))!.names.map((n) => n.name), ['b.test'], 'shared address survives, unlinked from x');
  t.equal(s.nodes, 4, 'b.test, 10.9.9.9, c.test, 10.3.3.3');
  t.equal(s.edges, 2);
  c.addResponse(response('d.test', 'A', [a('d.test', '10.4.4.4')]), sec(3));
  t.equal(c.reverse('10.9.9.9', sec(4)), undefined, 'gone with its last root');
  t.same(c.questions(), ['d.test', 'c.test']);
  t.equal(c.stats().nodes, 4);
});

t.test('a name that is both a root and a CNAME target survives the other root', async (t) => {
  const c = new DnsCache({ maxRoots: 2 });
  c.addResponse(response('alias.test', 'A', [cname('alias.test', 'real.test'), a('real.test', '10.5.5.5')]), sec(0));
  c.addResponse(response('real.test', 'A', [a('real.test', '10.5.5.5')]), sec(1));
  t.equal(c.stats().roots, 2);
  c.addResponse(response('other.test', 'A', [a('other.test', '10.6.6.6')]), sec(2));
  t.equal(c.lookup('alias.test', sec(3)), undefined);
  t.same(values(c.lookup('real.test', sec(3))!.addresses), ['10.5.5.5']);
  t.same(c.lookup('real.test', sec(3))!.aliases, [], 'edge from the evicted root is gone');
});

t.test('CNAME loops neither hang lookups nor leak on eviction', async (t) => {
  const c = new DnsCache({ maxRoots: 1 });
  c.addResponse(response('l1.test', 'A', [cname('l1.test', 'l2.test'), cname('l2.test', 'l1.test')]), sec(0));
  const r = c.lookup('l1.test', sec(0))!;
  t.equal(r.cnames.length, 2);
  t.equal(r.aliases.length, 2, 'both loop edges lead to l1');
  c.addResponse(response('z.test', 'A', [a('z.test', '10.7.7.7')]), sec(1));
  t.equal(c.stats().nodes, 2, 'loop removed');
});

t.test('names: case-insensitive, trailing dots ignored', async (t) => {
  const c = new DnsCache();
  c.addResponse(response('WWW.Example.TEST.', 'A', [cname('www.example.test', 'CDN.Example.Test.'), a('cdn.example.test', '10.8.8.8')]), sec(0));
  c.addResponse(response('www.example.test', 'A', [cname('www.example.test.', 'cdn.example.test'), a('CDN.EXAMPLE.TEST', '10.8.8.8')]), sec(1));
  const s = c.stats();
  t.equal(s.roots, 1);
  t.equal(s.nodes, 3);
  t.equal(s.edges, 2);
  for (const q of ['www.example.test', 'WWW.EXAMPLE.TEST.', 'www.example.test.']) {
    const r = c.lookup(q, sec(2))!;
    t.equal(r.question, 'www.example.test');
    t.same(values(r.addresses), ['10.8.8.8']);
    t.equal(r.addresses[0]!.history[0]!.count, 2);
    t.same(
      r.responses.map((x) => [x.time, x.lastSeen, x.count]),
      [[sec(0), sec(1), 2]],
      'identical consecutive answer sets are one entry',
    );
  }
});

t.test('unknown types are skipped and counted, unrelated owners too, order does not matter', async (t) => {
  const c = new DnsCache();
  c.addResponse(
    response('mixed.test', 'A', [
      a('target.test', '10.1.0.1'), // before the CNAME that connects it
      txt('mixed.test', 'hello'),
      cname('mixed.test', 'target.test'),
      a('elsewhere.test', '10.1.0.2'),
      { type: 'NS', name: 'mixed.test', ttl: 60, data: 'ns.test' },
    ]),
    sec(0),
  );
  const s = c.stats();
  t.equal(s.skippedRecords, 2);
  t.equal(s.unrelatedRecords, 1);
  t.same(values(c.lookup('mixed.test', sec(0))!.addresses), ['10.1.0.1']);
  t.equal(c.lookup('', sec(0)), undefined, 'no node with an empty name');
  t.equal(c.reverse('10.1.0.2', sec(0)), undefined);
  t.equal(s.nodes, 3);
});

t.test('queries, empty questions and empty targets are ignored', async (t) => {
  const c = new DnsCache();
  t.equal(c.addResponse({ id: 1, isResponse: false, truncated: false, rcode: 'NOERROR', questions: [{ name: 'q.test', type: 'A' }], answers: [] }, sec(0)), false);
  t.equal(c.addResponse({ id: 1, isResponse: true, truncated: false, rcode: 'NOERROR', questions: [], answers: [] }, sec(0)), false);
  t.equal(
    c.addResponse(
      {
        id: 1,
        isResponse: true,
        truncated: false,
        rcode: 'NOERROR',
        questions: [{ name: 'm.test', type: 'MX' }],
        answers: [
          { type: 'MX', name: 'm.test', ttl: 60, exchange: '.', preference: 0 },
          { type: 'A', name: 'm.test', ttl: 60, data: '2001:db8::1' },
        ],
      },
      sec(0),
    ),
    true,
  );
  t.equal(c.stats().ignoredMessages, 2);
  t.equal(c.stats().invalidRecords, 2, 'null MX and an IPv6 address in an A record');
  t.equal(c.stats().nodes, 1);
});

t.test('negative answers are kept as responses of the question', async (t) => {
  const c = new DnsCache();
  c.addResponse(response('nx.test', 'A', [], 7, 3), sec(0), { pid: 42, comm: 'curl' });
  const r = c.lookup('nx.test', sec(1))!;
  t.equal(r.responses[0]!.rcode, 'NXDOMAIN');
  t.same(r.addresses, []);
  t.equal(r.askers[0]!.pid, 42);
});

t.test('askers per question and questions per process', async (t) => {
  const c = new DnsCache({ maxAskersPerNode: 2 });
  const curl = { processKey: '100@5', pid: 100, comm: 'curl', containerId: 'c0ffee', cgroupId: 77n };
  c.addResponse(response('p.test', 'A', [a('p.test', '10.0.1.1')]), sec(0), curl);
  c.addResponse(response('p.test', 'AAAA', []), sec(0.001), curl);
  c.addResponse(response('q.test', 'A', [a('q.test', '10.0.1.2')]), sec(5), curl);
  c.addResponse(response('p.test', 'A', [a('p.test', '10.0.1.1')]), sec(6), { processKey: '200@9', pid: 200, comm: 'wget' });

  const r = c.lookup('p.test', sec(7))!;
  t.same(
    r.askers.map((x) => [x.processKey, x.comm, x.containerId, x.count, x.qtypes]),
    [
      ['100@5', 'curl', 'c0ffee', 2, ['A', 'AAAA']],
      ['200@9', 'wget', undefined, 1, ['A']],
    ],
  );
  t.equal(r.responses.length, 3, 'A, AAAA, A: not consecutive, not coalesced');
  t.equal(r.responses.at(-1)!.asker?.pid, 200);
  t.same(c.lookup('p.test', sec(1))!.askers.map((x) => x.pid), [100], 'askers as of at');
  t.same(c.queriesBy('100@5', sec(10)).map((q) => q.question), ['p.test', 'q.test']);
  t.same(c.queriesBy('100@5', sec(1)).map((q) => q.question), ['p.test']);

  // Bound: a third asker pushes out the least recently seen.
  c.addResponse(response('p.test', 'A', [a('p.test', '10.0.1.1')]), sec(8), { pid: 300 });
  t.same(c.lookup('p.test', sec(9))!.askers.map((x) => x.pid), [200, 300]);
  t.same(c.queriesBy('100@5', sec(10)).map((q) => q.question), ['q.test'], 'per-process index follows');
  t.same(c.queriesBy('pid:300', sec(10)).map((q) => q.question), ['p.test']);
});

t.test('per-name bounds: responses and edges (orphans removed)', async (t) => {
  const c = new DnsCache({ maxResponsesPerNode: 2, maxEdgesPerNode: 2 });
  c.addResponse(response('cdn.test', 'A', [a('cdn.test', '10.0.2.1')]), sec(0));
  c.addResponse(response('cdn.test', 'A', [a('cdn.test', '10.0.2.2')]), sec(1));
  c.addResponse(response('cdn.test', 'A', [a('cdn.test', '10.0.2.3')]), sec(2));
  const r = c.lookup('cdn.test', sec(3))!;
  t.same(values(r.addresses), ['10.0.2.2', '10.0.2.3']);
  t.equal(r.responses.length, 2);
  t.equal(c.reverse('10.0.2.1', sec(3)), undefined);
  t.equal(c.stats().evictions.edges, 1);
  t.equal(c.stats().nodes, 3);
});

t.test('a repeated response whose edge was trimmed meanwhile re-creates it (no stale fast path)', async (t) => {
  const c = new DnsCache({ maxEdgesPerNode: 1 });
  const q1 = () => response('q1.test', 'A', [cname('q1.test', 'e.cdn.test', 300), a('e.cdn.test', '10.0.3.1', 30)]);
  c.addResponse(q1(), sec(0));
  c.addResponse(q1(), sec(1)); // repeat: counted on the same edges
  t.equal(c.lookup('q1.test', sec(2))!.addresses[0]!.history[0]!.count, 2);
  t.equal(c.lookup('q1.test', sec(2))!.responses[0]!.count, 2);
  // Another question hangs a second address from e.cdn.test: the bound drops 10.0.3.1.
  c.addResponse(response('q2.test', 'A', [cname('q2.test', 'e.cdn.test', 300), a('e.cdn.test', '10.0.3.2', 30)]), sec(2));
  t.same(values(c.lookup('e.cdn.test', sec(3))!.addresses), ['10.0.3.2']);
  // The same bytes for q1 again: the answer must be back in the graph, as a new edge.
  c.addResponse(q1(), sec(4));
  const r = c.lookup('q1.test', sec(5))!;
  t.same(values(r.addresses), ['10.0.3.1']);
  t.equal(r.addresses[0]!.validFrom, sec(4));
  t.same(c.reverse('10.0.3.1', sec(5))!.names.map((n) => n.name).sort(), ['e.cdn.test', 'q1.test', 'q2.test']);
  t.equal(c.stats().edges, 3, 'q1→e, q2→e, e→10.0.3.1');
  t.equal(r.responses[0]!.count, 3, 'same answer set, TTLs aside');
});

t.test('a remembered message finds its question through the repeat slot, never a stale or foreign one', async (t) => {
  const memo = new DnsParseMemo();
  const bytes = responseBytes('slot.test', 'A', [a('slot.test', '10.0.5.1')]);
  const parse = () => {
    const r = memo.parse(bytes);
    if (!r.ok) throw new Error('did not parse');
    return r.message;
  };
  parse(); // first miss: not remembered yet
  const c = new DnsCache({ maxRoots: 1 });
  const other = new DnsCache();
  const m = parse();
  t.ok(m.repeat !== undefined, 'remembered from the second decode on');
  c.addResponse(m, sec(0));
  other.addResponse(parse(), sec(0));
  t.equal(other.lookup('slot.test', sec(1))!.responses[0]!.count, 1, 'a second cache fed the same slot keeps its own node');
  c.addResponse(parse(), sec(1));
  t.equal(c.lookup('slot.test', sec(2))!.responses[0]!.count, 2);
  // Evicted (and its node dropped from the graph): the slot's node must not be reused.
  c.addResponse(response('evict.test', 'A', [a('evict.test', '10.0.5.2')]), sec(2));
  t.equal(c.lookup('slot.test', sec(3)), undefined);
  // The memo keeps the evicted node as long as the message is remembered: not its history.
  const kept = m.repeat!.value as { detached: boolean; responses?: unknown; askers?: unknown; out: unknown[] };
  t.ok(kept.detached, 'the slot still points at the evicted node');
  t.same([kept.responses, kept.askers, kept.out.length], [undefined, undefined, 0], 'which holds no responses, askers or edges');
  c.addResponse(parse(), sec(3));
  const r = c.lookup('slot.test', sec(4))!;
  t.same(values(r.addresses), ['10.0.5.1']);
  t.equal(r.responses[0]!.count, 1, 'a new node, not the evicted one');
  t.same(c.questions(), ['slot.test']);
  t.equal(c.stats().nodes, 2);
});

t.test('asker bound follows lastSeen, also out of order', async (t) => {
  const c = new DnsCache({ maxAskersPerNode: 2 });
  const ask = (pid: number, s: number) => c.addResponse(response('o.test', 'A', [a('o.test', '10.0.4.1')]), sec(s), { pid });
  ask(1, 1);
  ask(2, 2);
  ask(1, 3); // 1 is now the most recent
  ask(3, 4); // drops 2
  t.same(c.lookup('o.test', sec(9))!.askers.map((x) => x.pid).sort(), [1, 3]);
  ask(4, 0.5); // older than every kept asker: not kept
  t.same(c.lookup('o.test', sec(9))!.askers.map((x) => x.pid).sort(), [1, 3]);
  ask(3, 0.7); // a late sighting does not make 3 recent
  ask(5, 5); // drops 1 (last seen 3) rather than 3 (last seen 4)
  t.same(c.lookup('o.test', sec(9))!.askers.map((x) => [x.pid, x.count]).sort(), [
    [3, 2],
    [5, 1],
  ]);
});

t.test('askers seen at the same moment: the one seen first is the least recent', async (t) => {
  const c = new DnsCache({ maxAskersPerNode: 2 });
  const ask = (pid: number, s: number) => c.addResponse(response('tie.test', 'A', [a('tie.test', '10.0.4.2')]), sec(s), { pid });
  ask(1, 1);
  ask(2, 1);
  ask(3, 2); // drops 1
  t.same(c.lookup('tie.test', sec(9))!.askers.map((x) => x.pid).sort(), [2, 3]);
  ask(4, 2); // 2 (seen at 1) goes
  ask(5, 2); // 3 and 4 tie at 2: 3 came first
  t.same(c.lookup('tie.test', sec(9))!.askers.map((x) => x.pid).sort(), [4, 5]);
});

t.test('bad options throw TypeError', async (t) => {
  t.throws(() => new DnsCache({ maxRoots: 0 }), TypeError);
  t.throws(() => new DnsCache({ maxEdgesPerNode: 1.5 }), TypeError);
});

t.test('property: the graph holds exactly what its roots reach, through evictions and trims', async (t) => {
  const r = rng(5);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = ['a.p.test', 'b.p.test', 'c.p.test', 'd.p.test', 'e.p.test', 'f.p.test', 'cdn.p.test', 'B.P.TEST.', '1.0.0.10.in-addr.arpa'];
  const addrs = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '2001:db8::1'];
  const c = new DnsCache({ maxRoots: 4, maxEdgesPerNode: 3 });
  const far = sec(1e6);
  /** Nodes and edges reachable from the roots, read back through the public lookups. */
  const closure = (): { nodes: number; edges: number } => {
    const seen = new Set<string>();
    let edges = 0;
    const todo = c.questions();
    while (todo.length > 0) {
      const v = todo.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      const res = c.lookup(v, far);
      if (res === undefined) continue;
      for (const e of [...res.cnames, ...res.addresses, ...res.mx, ...res.srv, ...res.ptr]) {
        if (e.owner !== res.question) continue;
        edges++;
        todo.push(e.value);
      }
    }
    return { nodes: seen.size, edges };
  };
  for (let step = 0; step < 1500; step++) {
    const q = pick(names);
    const answers = [];
    let owner = q;
    for (let hop = Math.floor(r() * 3); hop > 0; hop--) {
      const next = pick(names);
      answers.push(cname(owner, next));
      owner = next;
    }
    const kind = r();
    if (kind < 0.6) for (let k = 1 + Math.floor(r() * 2); k > 0; k--) {
      const ip = pick(addrs);
      answers.push(ip.includes(':') ? aaaa(owner, ip) : a(owner, ip));
    }
    else if (kind < 0.75) answers.push(mx(owner, pick(names), 10));
    else if (kind < 0.85) answers.push(srv(owner, pick(names), 443));
    else answers.push(ptr(owner, pick(names)));
    c.addResponse(response(q, 'A', answers), sec(step));
    const want = closure();
    const st = c.stats();
    if (st.nodes !== want.nodes || st.edges !== want.edges) {
      t.fail(`step ${step}: cache holds ${st.nodes} nodes / ${st.edges} edges, roots reach ${want.nodes} / ${want.edges}`);
      return;
    }
  }
  t.ok(c.stats().evictions.roots > 100 && c.stats().evictions.edges > 10, `evictions happened: ${JSON.stringify(c.stats().evictions)}`);
});
