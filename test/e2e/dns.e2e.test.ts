/**
 * End to end with a real resolver: dnsmasq serves a local zone (CNAME chain, A, AAAA, MX,
 * SRV, PTR; TTL 2 s) on a loopback address, and a second dnsmasq on the host side of a veth
 * into a network namespace made here. Real clients (`dig` over UDP and TCP, Node's
 * dns.Resolver, `dig` inside the namespace) ask; the kernel capture (cgroup_skb) feeds the
 * DNS graph, and REST and GraphQL must give the exact graph, the reverse lookups, the asking
 * process, and the `at` history once the TTL has passed. Fuzzed payloads sent to the
 * server are counted as malformed and capture goes on.
 */
import t from 'tap';
import { Resolver } from 'node:dns/promises';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { startService, type RunningService } from '../../src/service/service.js';
import { ebpfMissing, hasCommand, skipUnless, waitFor } from '../helpers/capability.js';
import { createNetns, run, startDnsmasq, type Dnsmasq, type TestNetns } from '../helpers/dns-server.js';

type Json = Record<string, any>;

const missing =
  ebpfMissing() ??
  (!hasCommand('dnsmasq') ? 'dnsmasq not installed (scripts/setup --test installs dnsmasq-base)' : undefined) ??
  (!hasCommand('dig') ? 'dig not installed (bind9-dnsutils)' : undefined) ??
  (!hasCommand('ip') ? 'ip not installed (iproute2)' : undefined);
const skip = skipUnless(missing === undefined, missing ?? '');

const ZONE = 'e2e.test';
const TTL = 2;
const RECORDS = [
  'host-record=c.e2e.test,10.99.0.3,fd99::3',
  'host-record=web.e2e.test,10.99.0.10',
  'host-record=mail.e2e.test,10.99.0.25',
  'cname=a.e2e.test,b.e2e.test',
  'cname=b.e2e.test,c.e2e.test',
  'mx-host=e2e.test,mail.e2e.test,10',
  'srv-host=_http._tcp.e2e.test,web.e2e.test,8080,0,5',
  'ptr-record=10.0.99.10.in-addr.arpa,web.e2e.test',
];

t.test('real resolver → kernel capture → DNS graph → REST and GraphQL', { skip, timeout: 60_000 }, async (t) => {
  // A loopback address of our own (127/8 is all loopback), so parallel runs do not collide.
  const tag = (process.pid % 100000).toString(36);
  const lo = `127.53.${(process.pid >> 8) & 255}.${(process.pid & 255) | 1}`;
  const servers: Dnsmasq[] = [];
  t.teardown(async () => {
    for (const s of servers) await s.stop();
  });
  servers.push(await startDnsmasq({ address: lo, zone: ZONE, records: RECORDS, ttl: TTL, probe: 'web.e2e.test' }));

  let netns: TestNetns | undefined;
  let netnsError = '';
  try {
    netns = createNetns(tag, 200 + (process.pid % 50));
    t.teardown(() => netns?.destroy());
    servers.push(
      await startDnsmasq({ address: netns.hostAddress, zone: ZONE, records: ['host-record=ns.e2e.test,10.99.1.1'], ttl: TTL, probe: 'ns.e2e.test' }),
    );
  } catch (e) {
    netnsError = (e as Error).message;
  }

  const svc: RunningService = await startService({ source: 'ebpf', log: () => undefined });
  t.teardown(() => svc.close());
  const ebpf = svc.sources.find((s) => s.name === 'ebpf')!.stats();
  t.equal(ebpf.dnsAttached, true, `DNS programs attached (${String(ebpf.dnsError)})`);
  const dnsStats = () => svc.pipeline.dns.stats();
  const get = async (url: string): Promise<{ status: number; body: Json }> => {
    const r = await svc.app.inject(url);
    return { status: r.statusCode, body: r.json() as Json };
  };
  const gql = async (query: string): Promise<Json> => {
    const r = await svc.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
    const body = r.json() as { data: Json; errors?: unknown };
    t.notOk(body.errors, `no GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  };

  // ---- the host's clients ----
  const digA = await run('dig', ['+tries=1', '+time=2', `@${lo}`, 'a.e2e.test', 'A']);
  t.equal(digA.code, 0, 'dig A answered');
  const digAAAA = await run('dig', ['+tries=1', '+time=2', `@${lo}`, 'a.e2e.test', 'AAAA']);
  const digTcp = await run('dig', ['+tcp', '+tries=1', '+time=2', `@${lo}`, 'b.e2e.test', 'A']);
  const digMx = await run('dig', ['+tries=1', '+time=2', `@${lo}`, 'e2e.test', 'MX']);
  const digPtr = await run('dig', ['+tries=1', '+time=2', `@${lo}`, '-x', '10.99.0.10']);
  t.match(digTcp.stdout, /10\.99\.0\.3/, 'dig over TCP got the chain');
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([lo]);
  t.same(await resolver.resolve4('web.e2e.test'), ['10.99.0.10'], 'Node resolver: A');
  t.match(await resolver.resolveSrv('_http._tcp.e2e.test'), [{ name: 'web.e2e.test', port: 8080, priority: 0, weight: 5 }]);

  let nsDig: { pid: number; code: number; stdout: string } | undefined;
  if (netns !== undefined) {
    const [cmd, args] = netns.command('dig', ['+tries=1', '+time=2', `@${netns.hostAddress}`, 'ns.e2e.test', 'A']);
    nsDig = await run(cmd, args);
    t.match(nsDig.stdout, /10\.99\.1\.1/, 'dig inside the namespace got its answer');
  }

  // 7 host responses (+1 in the namespace) reach the graph once attributed.
  await waitFor(() => svc.app.proctrail.dns.lookup('_http._tcp.e2e.test', svc.clock.nowBootNs()) !== undefined &&
    (netns === undefined || svc.app.proctrail.dns.lookup('ns.e2e.test', svc.clock.nowBootNs()) !== undefined), 5000, 'answers in the DNS graph');
  const afterAsk = svc.clock.nowBootNs();

  let chainValidFrom = '';
  t.test('REST: the graph of a CNAME chain, exact, with TTL windows and the asking dig', async (t) => {
    const { status, body } = await get('/v1/dns/A.e2e.test.');
    t.equal(status, 200);
    t.equal(body.question, 'a.e2e.test');
    t.same(body.cnames.map((c: Json) => [c.owner, c.value, c.ttl]), [
      ['a.e2e.test', 'b.e2e.test', TTL],
      ['b.e2e.test', 'c.e2e.test', TTL],
    ]);
    t.same(body.addresses.map((c: Json) => [c.type, c.owner, c.value, c.ttl]).sort(), [
      ['A', 'c.e2e.test', '10.99.0.3', TTL],
      ['AAAA', 'c.e2e.test', 'fd99::3', TTL],
    ]);
    for (const e of [...body.cnames, ...body.addresses]) {
      t.equal(BigInt(e.validUntilNs) - BigInt(e.lastSeenNs), BigInt(TTL) * 1_000_000_000n, `${e.owner} ${e.type}: valid for the TTL after last seen`);
      t.ok(BigInt(e.validFromNs) <= BigInt(e.lastSeenNs));
    }
    t.same(body.mx, []);
    chainValidFrom = body.cnames[0].validFrom;
    const askers = body.askers as Json[];
    t.same(askers.map((a) => a.pid).sort(), [digA.pid, digAAAA.pid].sort(), 'askers: the two dig processes');
    for (const a of askers) {
      t.equal(a.name, 'dig');
      t.match(a.key, new RegExp(`^${a.pid}@\\d+$`));
      t.equal(a.containerId, null, 'host process: no container');
    }
    t.same(askers.find((a) => a.pid === digAAAA.pid)?.qtypes, ['AAAA']);
    t.same(body.responses.map((r: Json) => r.qtype), ['A', 'AAAA']);
  });

  t.test('REST: TCP answer (length-prefixed, reassembled), MX, SRV, PTR', async (t) => {
    const b = await get('/v1/dns/b.e2e.test');
    t.same(b.body.cnames.map((c: Json) => c.value), ['c.e2e.test']);
    // c's AAAA came with a's AAAA answer: b's chain reaches it too.
    t.same(b.body.addresses.map((c: Json) => c.value).sort(), ['10.99.0.3', 'fd99::3']);
    t.same(b.body.responses.map((r: Json) => r.answers.map((a: Json) => `${a.type} ${a.owner} ${a.value}`)), [['CNAME b.e2e.test c.e2e.test', 'A c.e2e.test 10.99.0.3']]);
    t.same(b.body.askers.map((a: Json) => [a.pid, a.name]), [[digTcp.pid, 'dig']], 'the TCP dig asked b');
    t.same(b.body.aliases.map((c: Json) => c.owner), ['a.e2e.test'], 'a is an alias of b');
    const mx = await get('/v1/dns/e2e.test');
    t.match(mx.body.mx, [{ value: 'mail.e2e.test', preference: 10, ttl: TTL }]);
    t.equal(mx.body.mx.length, 1);
    t.same(mx.body.askers.map((a: Json) => a.pid), [digMx.pid]);
    const srv = await get('/v1/dns/_http._tcp.e2e.test');
    t.match(srv.body.srv, [{ value: 'web.e2e.test', port: 8080, priority: 0, weight: 5 }]);
    t.same(srv.body.askers.map((a: Json) => a.pid), [process.pid], 'Node resolver: this test process asked');
    const ptr = await get('/v1/dns/10.0.99.10.in-addr.arpa');
    t.equal(ptr.body.question, '10.99.0.10');
    t.same(ptr.body.ptr.map((p: Json) => p.value), ['web.e2e.test']);
    t.same(ptr.body.askers.map((a: Json) => [a.pid, a.name]), [[digPtr.pid, 'dig']]);
  });

  t.test('REST reverse: IPv4 through the chain, IPv6, PTR', async (t) => {
    const v4 = await get('/v1/dns/reverse/10.99.0.3');
    t.equal(v4.status, 200);
    t.same(v4.body.names.map((n: Json) => [n.name, n.source, n.path.length]), [
      ['c.e2e.test', 'forward', 1],
      ['b.e2e.test', 'forward', 2],
      ['a.e2e.test', 'forward', 3],
    ]);
    const v6 = await get('/v1/dns/reverse/FD99:0:0::3');
    t.equal(v6.body.address, 'fd99::3');
    t.same(v6.body.names.map((n: Json) => n.name), ['c.e2e.test', 'b.e2e.test', 'a.e2e.test']);
    const web = await get('/v1/dns/reverse/10.99.0.10');
    t.same(web.body.names.map((n: Json) => [n.name, n.source]), [
      ['web.e2e.test', 'forward'],
      ['web.e2e.test', 'ptr'],
    ]);
    t.equal((await get('/v1/dns/reverse/10.99.0.99')).status, 404);
    t.equal((await get('/v1/dns/reverse/10.99.0')).status, 400);
    t.equal((await get('/v1/dns/nothing.e2e.test')).status, 404);
    t.equal((await get('/v1/dns/bad..name')).status, 400);
  });

  t.test('a process in another network namespace', { skip: netns === undefined ? `skipped: no network namespace (${netnsError})` : false }, async (t) => {
    const r = await get('/v1/dns/ns.e2e.test');
    t.equal(r.status, 200);
    t.same(r.body.addresses.map((a: Json) => a.value), ['10.99.1.1']);
    t.same(r.body.askers.map((a: Json) => [a.pid, a.name]), [[nsDig!.pid, 'dig']], 'the dig inside the namespace, by host pid');
    const rev = await get('/v1/dns/reverse/10.99.1.1');
    t.same(rev.body.names.map((n: Json) => n.name), ['ns.e2e.test']);
  });

  t.test('GraphQL: dns, reverseDns, asker process with inherited at, Process.dnsQueries', async (t) => {
    const d = await gql(`{ dns(name: "a.e2e.test") { question at cnames { owner value ttl } addresses { type value }
        askers { pid name process { pid name at } } }
      reverseDns(ip: "fd99::3") { address names { name source } }
      me: process(pid: ${process.pid}) { dnsQueries { question qtypes lookup { srv { value port } } } } }`);
    t.same(d.dns.cnames, [
      { owner: 'a.e2e.test', value: 'b.e2e.test', ttl: TTL },
      { owner: 'b.e2e.test', value: 'c.e2e.test', ttl: TTL },
    ]);
    t.same(d.dns.addresses.map((a: Json) => a.value).sort(), ['10.99.0.3', 'fd99::3']);
    const digAsker = d.dns.askers.find((a: Json) => a.pid === digA.pid);
    t.match(digAsker, { name: 'dig', process: { pid: digA.pid, name: 'dig', at: d.dns.at } }, 'asker process at the lookup time');
    t.same(d.reverseDns.names.map((n: Json) => n.name), ['c.e2e.test', 'b.e2e.test', 'a.e2e.test']);
    const mine = d.me.dnsQueries as Json[];
    t.same(mine.map((q) => q.question).sort(), ['_http._tcp.e2e.test', 'web.e2e.test']);
    t.same(mine.find((q) => q.question === '_http._tcp.e2e.test')?.lookup.srv, [{ value: 'web.e2e.test', port: 8080 }]);
  });

  t.test('after the TTL: expired now, still answered for an at inside the window', async (t) => {
    // Past every window (TTL after the last answer), with a margin.
    const wait = Number(afterAsk + BigInt(TTL) * 1_000_000_000n - svc.clock.nowBootNs()) / 1e6 + 200;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = await get('/v1/dns/a.e2e.test');
    for (const e of [...now.body.cnames, ...now.body.addresses]) {
      t.equal(e.expired, true, `${e.owner} ${e.type} expired now`);
      t.equal(e.expiredAt, true);
    }
    const inside = (BigInt(now.body.cnames[0].validFromNs) + 500_000_000n).toString();
    const past = await get(`/v1/dns/a.e2e.test?at=${inside}`);
    t.equal(past.status, 200);
    t.equal(past.body.cnames[0].validFrom, chainValidFrom);
    t.same(past.body.cnames.map((c: Json) => c.value), ['b.e2e.test', 'c.e2e.test'], 'the chain as it was');
    for (const e of [...past.body.cnames, ...past.body.addresses.filter((a: Json) => BigInt(a.validFromNs) <= BigInt(inside))]) {
      t.equal(e.expiredAt, false, `${e.owner} ${e.type} valid at the asked moment`);
      t.equal(e.expired, true, 'and marked expired now');
    }
    const rev = await get(`/v1/dns/reverse/10.99.0.3?at=${inside}`);
    t.same(rev.body.names.map((n: Json) => [n.name, n.expiredAt]), [
      ['c.e2e.test', false],
      ['b.e2e.test', false],
      ['a.e2e.test', false],
    ]);
    const g = await gql(`{ dns(name: "a.e2e.test", at: "${inside}") { cnames { expired expiredAt } } }`);
    t.same(g.dns.cnames, [{ expired: true, expiredAt: false }, { expired: true, expiredAt: false }]);
    const before = await get(`/v1/dns/a.e2e.test?at=${(BigInt(now.body.cnames[0].validFromNs) - 1n).toString()}`);
    t.equal(before.status, 404, 'nothing known before the first answer');
  });

  t.test('fuzzed malformed and truncated payloads are counted and capture goes on', async (t) => {
    const before = dnsStats();
    const good = dnsPacket.encode({ type: 'response', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web.e2e.test' }], answers: [{ type: 'A', name: 'web.e2e.test', ttl: 9, data: '10.9.9.9' }] });
    const payloads: Buffer[] = [];
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 40; i++) payloads.push(randomBytes(1 + rnd(11))); // shorter than a header
    for (let i = 0; i < 40; i++) payloads.push(good.subarray(0, 12 + rnd(good.length - 13))); // cut inside the records
    for (let i = 0; i < 40; i++) {
      // A header promising many records, then garbage.
      const b = Buffer.concat([Buffer.from([rnd(256), rnd(256), 0x81, 0x80, 0, 9, 0, 9, 0, 0, 0, 0]), randomBytes(rnd(40))]);
      b[12] = 0xc0; // a compression pointer to itself: never a valid name
      b[13] = 12;
      payloads.push(b);
    }
    const sock = createSocket('udp4');
    for (const p of payloads) await new Promise<void>((r) => sock.send(p, 53, lo, () => r()));
    sock.close();
    // Each payload is seen twice (our egress, dnsmasq's ingress). The short ones and the
    // self-pointing names can never parse; a cut response may happen to end on a record
    // boundary and parse, so those only have to be accounted for.
    const surelyBad = 80;
    const after = await waitFor(() => {
      const s = dnsStats();
      return s.malformed - before.malformed + (s.parsed - before.parsed) >= payloads.length * 2 ? s : undefined;
    }, 5000, 'fuzzed payloads counted').catch((e: Error) => {
      const s = dnsStats();
      throw new Error(`${e.message}: packets +${s.packets - before.packets}, malformed +${s.malformed - before.malformed}, parsed +${s.parsed - before.parsed}, tooBig +${s.tooBig - before.tooBig} of ${payloads.length} payloads`);
    });
    t.ok(after.packets - before.packets >= payloads.length * 2, `captured +${after.packets - before.packets}`);
    t.ok(after.malformed - before.malformed >= surelyBad * 2, `malformed +${after.malformed - before.malformed}`);
    // Capture still works: a good query afterwards reaches the graph with its asker.
    const again = await run('dig', ['+tries=1', '+time=2', `@${lo}`, 'mail.e2e.test', 'A']);
    const r = await waitFor(() => svc.app.proctrail.dns.lookup('mail.e2e.test', svc.clock.nowBootNs()), 3000, 'mail.e2e.test answered');
    t.not(r, 'bad-name');
    const body = (await get('/v1/dns/mail.e2e.test')).body;
    t.same(body.addresses.map((a: Json) => a.value), ['10.99.0.25']);
    t.same(body.askers.map((a: Json) => [a.pid, a.name]), [[again.pid, 'dig']]);
    const stats = (await get('/v1/stats')).body.dns;
    t.match(stats, { enabled: true });
    for (const k of ['packets', 'parsed', 'malformed', 'roots', 'evictions']) t.type(stats[k], 'number', `stats.dns.${k}`);
    t.ok(stats.malformed >= surelyBad * 2);
  });

  t.test("repeated real answers reuse their decode (parse memo on the resolver's wire bytes)", async (t) => {
    const before = (await get('/v1/stats')).body.dns;
    const seen = (dnsStats().responses as number) + 4;
    for (let i = 0; i < 4; i++) t.same(await resolver.resolve4('web.e2e.test'), ['10.99.0.10']);
    await waitFor(() => (dnsStats().responses as number) >= seen, 5000, 'the four answers in the graph');
    const after = (await get('/v1/stats')).body.dns;
    // Query and answer each pass twice (egress and ingress); from the second sighting on
    // the same bytes but for the id are remembered and reused.
    t.ok(after.parseMemoHits - before.parseMemoHits >= 4, `memo hits ${before.parseMemoHits} → ${after.parseMemoHits}`);
    t.ok(after.parseMemoMisses >= before.parseMemoMisses);
    const body = (await get('/v1/dns/web.e2e.test')).body;
    t.same(body.addresses.map((a: Json) => a.value), ['10.99.0.10'], 'the graph is the same through the memo');
  });
});
