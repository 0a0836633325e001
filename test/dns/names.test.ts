import t from 'tap';
import { addressToReverseName, canonicalAddress, nodeKeyOfName, normalizeName, reverseNameToAddress } from '../../src/caches/dns-names.js';

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
