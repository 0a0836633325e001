import t from 'tap';
import { rng } from '../helpers/rng.js';
import { DnsParseMemo } from '../../src/dns/parse-memo.js';
import { parseDnsMessage, type DnsParseResult } from '../../src/dns/parse.js';
import { a, aaaa, cname, mx, ptr, queryBytes, responseBytes, srv } from './fixtures.js';

const chain = (id = 1, ttl = 60) =>
  responseBytes('www.memo.test', 'A', [cname('www.memo.test', 'cdn.memo.test', ttl), a('cdn.memo.test', '10.0.0.1', ttl), a('cdn.memo.test', '10.0.0.2', ttl)], id);

/** A parse result without the memo's repeat slot (the only field a fresh decode lacks). */
function decoded(res: DnsParseResult): unknown {
  return res.ok ? { ok: true, message: { ...res.message, repeat: undefined } } : res;
}

/** A memo that has seen `bytes` twice (a question is remembered on its second miss). */
function primed(bytes: Buffer, options?: ConstructorParameters<typeof DnsParseMemo>[0]): DnsParseMemo {
  const memo = new DnsParseMemo(options);
  memo.parse(bytes);
  memo.parse(bytes);
  return memo;
}

t.test('a one-off message is not remembered; a repeated one is, on its second miss', async (t) => {
  const memo = new DnsParseMemo();
  memo.parse(chain(1));
  t.match(memo.stats(), { hits: 0, misses: 1, entries: 0 });
  memo.parse(chain(1));
  t.match(memo.stats(), { hits: 0, misses: 2, entries: 1 });
  memo.parse(chain(1));
  t.match(memo.stats(), { hits: 1, misses: 2, entries: 1 });
});

t.test('a repeated message is decoded once and answers exactly like the library', async (t) => {
  const memo = new DnsParseMemo();
  memo.parse(chain(1));
  const first = memo.parse(chain(1));
  const again = memo.parse(chain(2));
  t.same(decoded(first), decoded(parseDnsMessage(chain(1))));
  t.same(decoded(again), decoded(parseDnsMessage(chain(2))), 'the id comes from the new message');
  t.match(memo.stats(), { hits: 1, misses: 2, entries: 1 });
  t.ok(again.ok && first.ok && again.message.answers === first.message.answers, 'same TTLs: the remembered records are reused');
  t.ok(again.ok && Object.isFrozen(again.message.answers[0]), 'shared records are frozen');
});

t.test('every decode of one remembered message carries the same repeat slot; fresh decodes none', async (t) => {
  const memo = new DnsParseMemo();
  const miss = memo.parse(chain(1));
  const made = memo.parse(chain(1));
  const hit = memo.parse(chain(2, 30));
  const other = memo.parse(responseBytes('other.memo.test', 'A', [a('other.memo.test', '10.0.0.9')], 3));
  t.ok(miss.ok && miss.message.repeat === undefined, 'not remembered yet: no slot');
  t.ok(made.ok && hit.ok && made.message.repeat !== undefined && made.message.repeat === hit.message.repeat, 'one slot per entry, also when TTLs change');
  t.ok(other.ok && other.message.repeat === undefined);
  const plain = parseDnsMessage(chain(1));
  t.ok(plain.ok && plain.message.repeat === undefined);
});

t.test('new TTLs, flags and rcode are read from each message', async (t) => {
  const memo = primed(chain(1, 60));
  const later = chain(7, 42);
  const res = memo.parse(later);
  t.same(decoded(res), decoded(parseDnsMessage(later)));
  t.ok(res.ok && res.message.answers.every((x) => x.ttl === 42));
  t.equal(memo.stats().hits, 1);
  const truncated = chain(8, 42);
  truncated.writeUInt16BE(truncated.readUInt16BE(2) | 0x0200 | 3, 2); // TC + NXDOMAIN
  t.same(decoded(memo.parse(truncated)), decoded(parseDnsMessage(truncated)));
  t.equal(memo.stats().hits, 2);
});

t.test('any other byte difference is a miss', async (t) => {
  const memo = primed(chain(1));
  const other = responseBytes('www.memo.test', 'A', [cname('www.memo.test', 'cdn.memo.test'), a('cdn.memo.test', '10.0.0.1'), a('cdn.memo.test', '10.0.0.3')], 1);
  t.same(decoded(memo.parse(other)), decoded(parseDnsMessage(other)));
  t.equal(memo.stats().hits, 0);
});

t.test('a changed answer replaces an entry that paid off; rotating answers cost no rebuilds', async (t) => {
  const v1 = chain(1);
  const v2 = responseBytes('www.memo.test', 'A', [cname('www.memo.test', 'cdn.memo.test'), a('cdn.memo.test', '10.0.0.2'), a('cdn.memo.test', '10.0.0.1')], 1);
  const memo = primed(v1);
  memo.parse(v1); // a hit: the entry paid off
  t.same(decoded(memo.parse(v2)), decoded(parseDnsMessage(v2))); // replaced by v2
  t.same(decoded(memo.parse(v2)), decoded(parseDnsMessage(v2)));
  t.equal(memo.stats().hits, 2, 'the new answer is remembered');
  // v1 and v2 alternate (round robin): an entry is rebuilt only after it paid off, so
  // rebuilding never costs more than the hits saved.
  const before = memo.stats();
  for (let i = 0; i < 10; i++) {
    const m = i % 2 === 0 ? v1 : v2;
    t.same(decoded(memo.parse(m)), decoded(parseDnsMessage(m)));
  }
  const after = memo.stats();
  t.ok(after.remembered - before.remembered <= after.hits - before.hits + 1, `${after.remembered - before.remembered} rebuilt, ${after.hits - before.hits} hits`);
});

t.test('a name that points into a TTL field is never remembered', async (t) => {
  // Answer 1: A record whose TTL bytes spell the name "a" (01 61 00); answer 2's owner is a
  // compression pointer to those bytes. Changing the TTL changes answer 2's name.
  const base = responseBytes('p.memo.test', 'A', [a('p.memo.test', '10.0.0.1'), a('x', '10.0.0.2')], 1);
  const q = parseDnsMessage(base);
  t.ok(q.ok);
  const ttl1 = 12 + 'p.memo.test'.length + 2 + 4 + ('p.memo.test'.length + 2) + 4;
  const craft = (label: number): Buffer => {
    const head = Buffer.from(base.subarray(0, ttl1 + 10));
    head[ttl1] = 1;
    head[ttl1 + 1] = label;
    head[ttl1 + 2] = 0;
    head[ttl1 + 3] = 0;
    const pointer = Buffer.from([0xc0 | (ttl1 >> 8), ttl1 & 0xff]);
    return Buffer.concat([head, pointer, base.subarray(ttl1 + 10 + 3)]);
  };
  const memo = new DnsParseMemo();
  const x = craft(0x61);
  const y = craft(0x62);
  t.same(decoded(memo.parse(x)), decoded(parseDnsMessage(x)));
  t.same(decoded(memo.parse(x)), decoded(parseDnsMessage(x)));
  const ry = memo.parse(y);
  t.same(decoded(ry), decoded(parseDnsMessage(y)));
  t.ok(ry.ok && ry.message.answers[1]?.name === 'b', 'decoded from the new bytes');
  t.equal(memo.stats().hits, 0);
  t.ok(memo.stats().notMemoizable >= 1);
});

t.test('size 0 disables the memo; bad sizes throw', async (t) => {
  const memo = new DnsParseMemo({ size: 0 });
  memo.parse(chain(1));
  memo.parse(chain(1));
  t.match(memo.stats(), { hits: 0, entries: 0 });
  t.throws(() => new DnsParseMemo({ size: -1 }), TypeError);
  t.throws(() => new DnsParseMemo({ size: 1.5 }), TypeError);
});

t.test('fuzz: memo results always equal a fresh decode', async (t) => {
  const seeds = [
    chain(1),
    responseBytes('v6.memo.test', 'AAAA', [aaaa('v6.memo.test', '2001:db8::1')], 2),
    responseBytes('memo.test', 'MX', [mx('memo.test', 'mx.memo.test', 10)], 3),
    responseBytes('_x._tcp.memo.test', 'SRV', [srv('_x._tcp.memo.test', 'x.memo.test', 443)], 4),
    responseBytes('1.0.0.10.in-addr.arpa', 'PTR', [ptr('1.0.0.10.in-addr.arpa', 'cdn.memo.test')], 5),
    queryBytes('q.memo.test', 'A', 6),
  ];
  const r = rng(7);
  const memo = new DnsParseMemo({ size: 8 });
  let hits = 0;
  for (let i = 0; i < 20000; i++) {
    const buf = Buffer.from(seeds[Math.floor(r() * seeds.length)]!);
    // Mostly pristine (hits), else a few random bytes changed (TTL, id, names, data...).
    if (r() < 0.5) for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) buf[Math.floor(r() * buf.length)] = Math.floor(r() * 256);
    const got = memo.parse(buf);
    const want = parseDnsMessage(buf);
    if (JSON.stringify(decoded(got)) !== JSON.stringify(decoded(want))) {
      t.fail(`differs for ${buf.toString('hex')}`);
      return;
    }
    hits = memo.stats().hits;
  }
  t.ok(hits > 2000, `${hits} hits`);
  t.ok(memo.stats().entries <= 8);
});

t.test('remembered bytes overwritten in the ring are a miss, never a wrong decode', async (t) => {
  // 300 questions (ring: 300 x 256 B = 75 KiB) whose answers are ~1.3 KB each: the ring
  // holds about 55 of them, so the bytes of the earlier ones are overwritten by later ones.
  const big = (q: number, id: number): Buffer => {
    const name = `q${q}.ring.memo.test`;
    return responseBytes(name, 'A', Array.from({ length: 60 }, (_, k) => a(name, `10.1.${q & 255}.${k}`)), id);
  };
  const memo = new DnsParseMemo({ size: 300 });
  for (let q = 0; q < 60; q++) {
    memo.parse(big(q, 1));
    memo.parse(big(q, 2)); // remembered on the second miss
  }
  const before = memo.stats();
  for (let q = 0; q < 60; q++) {
    const got = memo.parse(big(q, 3));
    t.same(decoded(got), decoded(parseDnsMessage(big(q, 3))), `question ${q}`);
  }
  const after = memo.stats();
  t.ok(after.hits - before.hits > 0 && after.hits - before.hits < 60, `${after.hits - before.hits} of 60 still in the ring`);
  t.ok(after.misses - before.misses > 0, 'the overwritten ones missed');
});
