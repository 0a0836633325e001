/**
 * REST and GraphQL over a DNS graph fed with recorded responses: the graph of a name with
 * its CNAME chain, reverse lookups (IPv4, IPv6, PTR), `at` inside/after the TTL, the
 * asking process (nested `at`), Process.dnsQueries, errors (400/404) and /v1/stats.
 */
import t from 'tap';
import { DnsCache } from '../../src/caches/dns-cache.js';
import { replayedApp, S, iso } from './fixture.js';
import { a, aaaa, cname, mx, ptr, response, srv } from '../dns/fixtures.js';
import type { DnsCounters } from '../../src/query/dns-query.js';

const cache = new DnsCache();
const counters: DnsCounters = { packets: 11, parsed: 10, malformed: 1, tooBig: 0, matched: 2, unmatched: 3, responses: 5, roots: 0, nodes: 9, evictions: 0, parseMemoHits: 4, parseMemoMisses: 6 };
// Answered at 30 s (boot), TTLs 5 s for addresses, 60 s for the CNAMEs; asked by pid 200 (sleep, key from the fixture).
const T = 30n * S;
const { tree, app } = replayedApp({ dns: { cache, stats: () => ({ ...counters, roots: cache.stats().roots }) } });
t.teardown(() => app.close());
const p200 = tree.findProcessByPid(200, T)!;
const asker = { processKey: p200.key, pid: 200, comm: 'sleep', cgroupId: 77n };
cache.addResponse(
  response('www.Example.test.', 'A', [cname('www.example.test', 'edge.cdn.test', 60), a('edge.cdn.test', '10.1.2.3', 5), a('edge.cdn.test', '10.1.2.4', 5)]),
  T,
  asker,
);
cache.addResponse(response('www.example.test', 'AAAA', [cname('www.example.test', 'edge.cdn.test', 60), aaaa('edge.cdn.test', '2001:DB8:0:0::1', 5)]), T + 1n, asker);
cache.addResponse(response('example.test', 'MX', [mx('example.test', 'mail.example.test', 10)]), T + 2n);
cache.addResponse(response('_http._tcp.example.test', 'SRV', [srv('_http._tcp.example.test', 'web.example.test', 8080, 1, 5)]), T + 3n);
cache.addResponse(response('3.2.1.10.in-addr.arpa', 'PTR', [ptr('3.2.1.10.in-addr.arpa', 'host3.example.test')]), T + 4n);

const get = async (url: string) => {
  const r = await app.inject(url);
  return { status: r.statusCode, body: r.json() as Record<string, any> };
};

t.test('REST graph of a name: chain, addresses, TTL windows, asker; expired now but answered at a past at', async (t) => {
  const { status, body } = await get('/v1/dns/WWW.example.test.');
  t.equal(status, 200);
  t.equal(body.question, 'www.example.test');
  t.same(body.cnames.map((c: any) => [c.owner, c.value, c.ttl]), [['www.example.test', 'edge.cdn.test', 60]]);
  t.same(body.addresses.map((x: any) => [x.type, x.owner, x.value]).sort(), [
    ['A', 'edge.cdn.test', '10.1.2.3'],
    ['A', 'edge.cdn.test', '10.1.2.4'],
    ['AAAA', 'edge.cdn.test', '2001:db8::1'],
  ]);
  const a3 = body.addresses.find((x: any) => x.value === '10.1.2.3');
  t.equal(a3.validFrom, iso(T));
  t.equal(a3.validUntil, iso(T + 5n * S));
  t.equal(a3.lastSeen, iso(T));
  t.equal(a3.expired, true, 'now (100 s) is past the TTL');
  t.equal(a3.expiredAt, true);
  t.equal(body.askers.length, 1);
  t.match(body.askers[0], { pid: 200, name: 'sleep', key: p200.key, cgroupId: '77', containerId: null, count: 2, qtypes: ['A', 'AAAA'] });
  t.equal(body.responses.length, 2);

  const past = await get(`/v1/dns/www.example.test?at=${encodeURIComponent(iso(T + 2n * S))}`);
  const p3 = past.body.addresses.find((x: any) => x.value === '10.1.2.3');
  t.equal(p3.expiredAt, false, 'valid at the asked moment');
  t.equal(p3.expired, true, 'and marked expired now');
  const before = await get(`/v1/dns/www.example.test?at=${encodeURIComponent(iso(T - S))}`);
  t.equal(before.status, 404, 'nothing known before the first answer');
});

t.test('REST MX, SRV', async (t) => {
  const m = await get('/v1/dns/example.test');
  t.match(m.body.mx, [{ value: 'mail.example.test', preference: 10 }]);
  const s = await get('/v1/dns/_http._tcp.example.test');
  t.match(s.body.srv, [{ value: 'web.example.test', port: 8080, priority: 1, weight: 5 }]);
});

t.test('REST reverse: through the CNAME chain, IPv6, PTR, reverse-name input', async (t) => {
  const r = await get('/v1/dns/reverse/10.1.2.3');
  t.equal(r.status, 200);
  t.same(r.body.names.map((n: any) => [n.name, n.source]), [
    ['edge.cdn.test', 'forward'],
    ['www.example.test', 'forward'],
    ['host3.example.test', 'ptr'],
  ]);
  t.same(r.body.names[1].path.map((p: any) => p.type), ['CNAME', 'A']);
  const v6 = await get('/v1/dns/reverse/2001:db8:0::1');
  t.equal(v6.body.address, '2001:db8::1');
  t.same(v6.body.names.map((n: any) => n.name), ['edge.cdn.test', 'www.example.test']);
  const byName = await get('/v1/dns/reverse/3.2.1.10.in-addr.arpa');
  t.equal(byName.body.address, '10.1.2.3');
});

t.test('errors: 400 for bad names/addresses, 404 for unknown, JSON bodies', async (t) => {
  for (const [url, status, code] of [
    ['/v1/dns/bad..name', 400, 'PT_INVALID_DNS_NAME'],
    ['/v1/dns/-x.test', 400, 'PT_INVALID_DNS_NAME'],
    [`/v1/dns/${'a'.repeat(64)}.test`, 400, 'PT_INVALID_DNS_NAME'],
    ['/v1/dns/reverse/10.1.2', 400, 'PT_INVALID_ADDRESS'],
    ['/v1/dns/reverse/not-an-ip', 400, 'PT_INVALID_ADDRESS'],
    ['/v1/dns/reverse/2001:db8::zz', 400, 'PT_INVALID_ADDRESS'],
    ['/v1/dns/www.example.test?at=yesterday', 400, 'PT_INVALID_TIME'],
    ['/v1/dns/unknown.test', 404, 'PT_DNS_NAME_NOT_FOUND'],
    ['/v1/dns/reverse/192.0.2.1', 404, 'PT_DNS_ADDRESS_NOT_FOUND'],
  ] as const) {
    const r = await get(url);
    t.equal(r.status, status, url);
    t.equal(r.body.error?.code, code, url);
  }
});

t.test('GraphQL: dns, reverseDns, nested at, Process.dnsQueries', async (t) => {
  const q = async (query: string) => (await app.inject({ method: 'POST', url: '/graphql', payload: { query } })).json() as any;
  const at = iso(T + 2n * S);
  const r = await q(`{ dns(name: "www.example.test", at: "${at}") { question at cnames { value } addresses { value expired expiredAt validUntil }
      askers { pid name key process { pid name at } } }
    reverseDns(ip: "10.1.2.4") { address names { name source } } }`);
  t.notOk(r.errors);
  t.equal(r.data.dns.at, at);
  t.same(r.data.dns.cnames, [{ value: 'edge.cdn.test' }]);
  t.match(r.data.dns.addresses.find((x: any) => x.value === '10.1.2.3'), { expired: true, expiredAt: false, validUntil: iso(T + 5n * S) });
  t.match(r.data.dns.askers, [{ pid: 200, name: 'sleep', key: p200.key, process: { pid: 200, at } }]);
  t.same(r.data.reverseDns.names.map((n: any) => n.name), ['edge.cdn.test', 'www.example.test']);

  const p = await q(`{ process(pid: 200, at: "${at}") { dnsQueries { question qtypes count lookup { at addresses { value } } }
      later: dnsQueries(at: "${iso(T - S)}") { question } } }`);
  t.notOk(p.errors, JSON.stringify(p.errors));
  t.match(p.data.process.dnsQueries, [{ question: 'www.example.test', qtypes: ['A', 'AAAA'], count: 2, lookup: { at } }]);
  t.equal(p.data.process.dnsQueries[0].lookup.addresses.length, 3);
  t.same(p.data.process.later, [], 'nothing asked before the first query');

  const none = await q('{ dns(name: "nothing.test") { question } reverseDns(ip: "192.0.2.9") { address } }');
  t.same(none.data, { dns: null, reverseDns: null });
  const bad = await q('{ dns(name: "bad..name") { question } }');
  t.equal(bad.errors[0].extensions.code, 'PT_INVALID_DNS_NAME');
  const badIp = await q('{ reverseDns(ip: "300.1.1.1") { address } }');
  t.equal(badIp.errors[0].extensions.code, 'PT_INVALID_ADDRESS');
});

t.test('/v1/stats has the DNS counters', async (t) => {
  const r = await get('/v1/stats');
  t.match(r.body.dns, { enabled: true, packets: 11, parsed: 10, malformed: 1, roots: 4, evictions: 0 });
});
