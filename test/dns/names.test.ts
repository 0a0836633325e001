import t from 'tap';
import { addressToReverseName, canonicalAddress, isCanonicalIPv6, nodeKeyOfName, normalizeName, reverseNameToAddress } from '../../src/caches/dns-names.js';
import { rng } from '../helpers/rng.js';

t.test('normalizeName: lowercase, no trailing dot', async (t) => {
  t.equal(normalizeName('WWW.Example.COM.'), 'www.example.com');
  t.equal(normalizeName('a.b..'), 'a.b');
  t.equal(normalizeName('.'), '');
});

t.test('canonical addresses (RFC 5952)', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['2001:0DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    ['10.1.2.3', '10.1.2.3'],
    ['10.1.2', undefined],
    ['fe80::1%eth0', undefined],
    ['example.test', undefined],
  ];
  for (const [input, want] of cases) t.equal(canonicalAddress(input), want, input);
});

t.test('reverse names are reversed into addresses', async (t) => {
  t.equal(reverseNameToAddress('4.3.2.1.in-addr.arpa'), '1.2.3.4');
  t.equal(reverseNameToAddress('2.1.in-addr.arpa'), undefined, 'a zone, not an address');
  t.equal(reverseNameToAddress('4.0/26.3.2.1.in-addr.arpa'), undefined, 'RFC 2317 names stay names');
  t.equal(reverseNameToAddress('b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa'), '4321:0:1:2:3:4:567:89ab');
  t.equal(reverseNameToAddress('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa'), '::1');
  t.equal(reverseNameToAddress('x.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa'), undefined);
  for (const ip of ['10.20.30.40', '2001:db8::567:89ab', '::1', 'fe80::1:2']) {
    t.equal(reverseNameToAddress(addressToReverseName(ip)!), ip, `round trip ${ip}`);
  }
  t.same(nodeKeyOfName('4.3.2.1.IN-ADDR.ARPA.'), { kind: 'address', value: '1.2.3.4' });
  t.same(nodeKeyOfName('Mail.Example.TEST'), { kind: 'name', value: 'mail.example.test' });
});

t.test('canonical IPv6 is recognised in one pass exactly when RFC 5952 would write it so', async (t) => {
  // Oracle: the WHATWG URL serializer writes IPv6 as RFC 5952 does (longest zero run, first
  // of equal ones, lowercase, no leading zeros), except for IPv4-mapped addresses, which
  // RFC 5952 writes with a dotted tail: those are left to the fixed cases above.
  const oracle = (text: string): string => new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const r = rng(5952);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let canonical = 0;
  for (let i = 0; i < 20000; i++) {
    const groups = Array.from({ length: 8 }, () => (r() < 0.55 ? 0 : pick([1, 0xa, 0xff, 0x1234, 0xffff, Math.floor(r() * 0x10000)])));
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) continue;
    const hex = groups.map((g) => g.toString(16));
    const forms = [
      oracle(hex.join(':')),
      hex.join(':'),
      groups.map((g) => g.toString(16).padStart(pick([1, 2, 4]), '0')).join(':'),
      hex.join(':').toUpperCase(),
      hex.join(':').replace(/(^|:)0(:0)*:0(:|$)/, '$1::$3').replace(/:{3,4}/, '::'), // dns-packet's own form
    ];
    // `::` over some run of zero groups (not necessarily the longest one).
    const zs = groups.flatMap((g, k) => (g === 0 ? [k] : []));
    if (zs.length > 0) {
      const a = pick(zs);
      let b = a;
      while (b + 1 < 8 && groups[b + 1] === 0 && r() < 0.7) b++;
      forms.push(`${hex.slice(0, a).join(':')}::${hex.slice(b + 1).join(':')}`);
    }
    for (const text of forms) {
      const want = oracle(text);
      const fast = isCanonicalIPv6(text);
      if (fast !== (want === text) || canonicalAddress(text) !== want) {
        t.fail(`${text}: isCanonical ${fast}, canonicalAddress ${canonicalAddress(text)}, want ${want}`);
        return;
      }
      if (fast) canonical++;
    }
  }
  t.ok(canonical > 10000, `${canonical} canonical forms recognised`);
  for (const bad of ['1:2', ':1::', '1:::2', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7::', '::ffff:a00:1', '0::1', '::01']) {
    t.notOk(isCanonicalIPv6(bad), `${bad} is not canonical`);
  }
});
