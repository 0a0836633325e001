import t from 'tap';
import dnsPacket from 'dns-packet';
import { parseDnsMessage } from '../../src/dns/parse.js';
import { a, aaaa, cname, mx, ptr, queryBytes, responseBytes, srv, txt } from './fixtures.js';

/** What the whole-message decoder says, in parse.ts's shape (the reference). */
function reference(buf: Buffer): unknown {
  const p = dnsPacket.decode(buf);
  return {
    id: p.id,
    isResponse: p.flag_qr,
    truncated: p.flag_tc,
    rcode: (p as { rcode?: string }).rcode,
    questions: (p.questions ?? []).map((q) => ({ name: q.name, type: q.type })),
    answers: (p.answers ?? []).map((x) => [x.type, x.name, 'ttl' in x ? x.ttl : 0]),
  };
}

function shape(buf: Buffer): unknown {
  const r = parseDnsMessage(buf);
  if (!r.ok) return r;
  const m = r.message;
  return {
    id: m.id,
    isResponse: m.isResponse,
    truncated: m.truncated,
    rcode: m.rcode,
    questions: m.questions.map((q) => ({ name: q.name, type: q.type })),
    answers: m.answers.map((x) => [x.type === 'OTHER' ? x.rrtype : x.type, x.name, x.ttl]),
  };
}

t.test('section decoding agrees with dnsPacket.decode', async (t) => {
  const msgs = [
    responseBytes('www.p.test', 'A', [cname('www.p.test', 'cdn.p.test', 300), a('cdn.p.test', '10.0.0.1', 30), a('cdn.p.test', '10.0.0.2', 30)], 7),
    responseBytes('v6.p.test', 'AAAA', [aaaa('v6.p.test', '2001:db8::1')], 8),
    responseBytes('p.test', 'MX', [mx('p.test', 'mx.p.test', 10)], 9),
    responseBytes('_x._tcp.p.test', 'SRV', [srv('_x._tcp.p.test', 'x.p.test', 443, 1, 2)], 10),
    responseBytes('1.0.0.10.in-addr.arpa', 'PTR', [ptr('1.0.0.10.in-addr.arpa', 'host.p.test')], 11),
    responseBytes('t.p.test', 'TXT', [txt('t.p.test', 'hello')], 12),
    responseBytes('nx.p.test', 'A', [], 13, 3),
    queryBytes('q.p.test', 'A', 14),
    dnsPacket.encode({ type: 'response', id: 15, flags: dnsPacket.TRUNCATED_RESPONSE, questions: [{ type: 'A', name: 'tc.p.test' }], answers: [] }),
  ];
  for (const m of msgs) t.same(shape(m), reference(m), `id ${m.readUInt16BE(0)}`);
  const mxRec = parseDnsMessage(msgs[2]!);
  t.ok(mxRec.ok && mxRec.message.answers[0]!.type === 'MX' && mxRec.message.answers[0]!.exchange === 'mx.p.test');
  const srvRec = parseDnsMessage(msgs[3]!);
  t.ok(srvRec.ok && srvRec.message.answers[0]!.type === 'SRV' && srvRec.message.answers[0]!.port === 443);
});

t.test('authority and additional sections are not decoded (nor needed)', async (t) => {
  const full = dnsPacket.encode({
    type: 'response',
    id: 21,
    flags: dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type: 'A', name: 'au.p.test' }],
    answers: [a('au.p.test', '10.0.5.1')],
    authorities: [{ type: 'NS', name: 'p.test', ttl: 60, data: 'ns1.p.test' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
  t.same(shape(full), reference(full));
  // A message announcing one authority record that is garbage: the answers are intact.
  const answersOnly = responseBytes('au.p.test', 'A', [a('au.p.test', '10.0.5.1')], 22);
  const cut = Buffer.concat([answersOnly, Buffer.from([0xc0, 0xff, 0xff])]);
  cut.writeUInt16BE(1, 8); // NSCOUNT
  t.throws(() => dnsPacket.decode(cut), 'the whole-message decoder rejects it');
  const r = parseDnsMessage(cut);
  t.ok(r.ok, 'parse.ts keeps the message');
  t.same(r.ok && r.message.answers.map((x) => (x.type === 'A' ? x.data : '')), ['10.0.5.1']);
});
