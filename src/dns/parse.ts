/**
 * DNS message decoding with the maintained `dns-packet` library (never by hand).
 * Bad input never throws: the result says why it was rejected, callers count it.
 *
 * Only what the graph uses is decoded: the question and answer sections go through
 * dns-packet's own record codecs (`question.decode`, `answer.decode`: names, compression
 * pointers and record data are the library's work); the authority and additional sections
 * (NS/SOA/OPT, often half the message) are skipped, which `dnsPacket.decode` cannot do.
 * The header is four fixed 16-bit words (id, flags, question and answer counts) read at
 * their offsets; the rcode mnemonic comes from a table that dns-packet itself decoded.
 * When the library no longer exports its codecs, the whole-message `dnsPacket.decode`
 * is used instead (same result, slower).
 */
import dnsPacket from 'dns-packet';
import type { DnsQuestion, DnsRecord, DnsRepeatSlot, ParsedDnsMessage } from './message.js';

/** Outcome of decoding one DNS message. */
export type DnsParseResult =
  | { readonly ok: true; readonly message: ParsedDnsMessage }
  | { readonly ok: false; readonly reason: 'empty' | 'malformed' };

/** DNS header size: anything shorter cannot be a message. */
const HEADER_BYTES = 12;

/** A dns-packet section codec (exported by the library, absent from its typings). */
interface SectionCodec<T> {
  /** Decodes one entry at `offset`; `decode.bytes` is then its length on the wire. */
  readonly decode: ((buf: Buffer, offset: number) => T) & { readonly bytes: number };
}

const lib = dnsPacket as unknown as { question?: SectionCodec<dnsPacket.Question>; answer?: SectionCodec<dnsPacket.Answer> };
const questionCodec = typeof lib.question?.decode === 'function' ? lib.question : undefined;
const answerCodec = typeof lib.answer?.decode === 'function' ? lib.answer : undefined;

/** QR bit of the flags word (RFC 1035 4.1.1). */
const QR_FLAG = 0x8000;

/** Rcode (4 bits) → mnemonic, as dns-packet decodes it (one header-only message per code). */
const RCODES: readonly string[] = Array.from({ length: 16 }, (_, code) => {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(QR_FLAG | code, 2);
  const rcode = (dnsPacket.decode(header) as { rcode?: unknown }).rcode;
  return typeof rcode === 'string' ? rcode : 'UNKNOWN';
});

const EMPTY: DnsParseResult = Object.freeze({ ok: false, reason: 'empty' });
const MALFORMED: DnsParseResult = Object.freeze({ ok: false, reason: 'malformed' });

/** Decode one DNS message (UDP payload, or one TCP message without its length prefix). */
export function parseDnsMessage(bytes: Uint8Array): DnsParseResult {
  if (bytes.length === 0) return EMPTY;
  if (bytes.length < HEADER_BYTES) return MALFORMED;
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const message = questionCodec !== undefined && answerCodec !== undefined ? decodeSections(buf, questionCodec, answerCodec) : decodeWhole(buf);
    return { ok: true, message };
  } catch {
    // The library rejected the bytes, or produced a record shape we cannot read.
    return MALFORMED;
  }
}

function decodeSections(buf: Buffer, qc: SectionCodec<dnsPacket.Question>, ac: SectionCodec<dnsPacket.Answer>): ParsedDnsMessage {
  const qdcount = buf.readUInt16BE(4);
  const ancount = buf.readUInt16BE(6);
  let offset = HEADER_BYTES;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdcount; i++) {
    const q = qc.decode(buf, offset);
    offset += qc.decode.bytes;
    // The library's object already has our shape (plus `class`): no copy.
    questions.push(typeof q.type === 'string' ? (q as DnsQuestion) : { name: q.name, type: String(q.type) });
  }
  const answers: DnsRecord[] = [];
  for (let i = 0; i < ancount; i++) {
    const a = ac.decode(buf, offset);
    offset += ac.decode.bytes;
    answers.push(toRecord(a));
  }
  return withHeader(buf, questions, answers);
}

/**
 * The message of decoded sections with the header fields of `bytes` (id, QR and TC flags,
 * rcode). Also used by parse-memo.ts, whose remembered sections get each message's header.
 */
export function withHeader(bytes: Uint8Array, questions: readonly DnsQuestion[], answers: readonly DnsRecord[], repeat?: DnsRepeatSlot): ParsedDnsMessage {
  const flags = (bytes[2]! << 8) | bytes[3]!;
  return {
    id: (bytes[0]! << 8) | bytes[1]!,
    isResponse: (flags & QR_FLAG) !== 0,
    truncated: (flags & dnsPacket.TRUNCATED_RESPONSE) !== 0,
    rcode: RCODES[flags & 0xf]!,
    questions,
    answers,
    // Always the same shape (one hidden class for every message).
    repeat,
  };
}

function decodeWhole(buf: Buffer): ParsedDnsMessage {
  const p = dnsPacket.decode(buf);
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

/**
 * Our record of a decoded answer: a fresh object of four or five fields rather than the
 * library's own, which grows property by property past its in-object slots (every record
 * the memo and graph keep would carry a second, out-of-object property array, and each
 * read of its data or TTL one more pointer to follow).
 */
function toRecord(a: dnsPacket.Answer): DnsRecord {
  const name = a.name;
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
  return { type: 'OTHER', rrtype: String(a.type), name: String(name), ttl };
}
