/**
 * DNS message decoding with the maintained `dns-packet` library (never by hand).
 * Bad input never throws: the result says why it was rejected, callers count it.
 */
import dnsPacket from 'dns-packet';
import type { DnsQuestion, DnsRecord, ParsedDnsMessage } from './message.js';

/** Outcome of decoding one DNS message. */
export type DnsParseResult =
  | { readonly ok: true; readonly message: ParsedDnsMessage }
  | { readonly ok: false; readonly reason: 'empty' | 'malformed' };

/** DNS header size: anything shorter cannot be a message. */
const HEADER_BYTES = 12;

/** Decode one DNS message (UDP payload, or one TCP message without its length prefix). */
export function parseDnsMessage(bytes: Uint8Array): DnsParseResult {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length < HEADER_BYTES) return { ok: false, reason: 'malformed' };
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let decoded: dnsPacket.DecodedPacket;
  try {
    decoded = dnsPacket.decode(buf);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  try {
    return { ok: true, message: toMessage(decoded) };
  } catch {
    // A record shape the library produced but we cannot read: treat like a bad packet.
    return { ok: false, reason: 'malformed' };
  }
}

function toMessage(p: dnsPacket.DecodedPacket): ParsedDnsMessage {
  const questions: DnsQuestion[] = [];
  for (const q of p.questions ?? []) questions.push({ name: String(q.name), type: String(q.type) });
  const answers: DnsRecord[] = [];
  for (const a of p.answers ?? []) answers.push(toRecord(a));
  const rcode = (p as { rcode?: unknown }).rcode;
  return {
    id: p.id ?? 0,
    isResponse: p.flag_qr,
    truncated: p.flag_tc,
    rcode: typeof rcode === 'string' ? rcode : 'UNKNOWN',
    questions,
    answers,
  };
}

function toRecord(a: dnsPacket.Answer): DnsRecord {
  const name = String(a.name);
  const ttl = 'ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0;
  switch (a.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'PTR':
      if (typeof a.data === 'string') return { type: a.type, name, ttl, data: a.data };
      break;
    case 'MX':
      if (typeof a.data?.exchange === 'string') {
        return { type: 'MX', name, ttl, exchange: a.data.exchange, preference: a.data.preference ?? 0 };
      }
      break;
    case 'SRV':
      if (typeof a.data?.target === 'string') {
        const d = a.data;
        return { type: 'SRV', name, ttl, target: d.target, port: d.port, priority: d.priority ?? 0, weight: d.weight ?? 0 };
      }
      break;
    default:
      break;
  }
  return { type: 'OTHER', rrtype: String(a.type), name, ttl };
}
