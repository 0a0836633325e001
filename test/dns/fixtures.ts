/**
 * Recorded DNS messages for the DNS tests: encoded with dns-packet (as a resolver would
 * send them) and decoded again through parse.ts, so tests run on real wire bytes.
 */
import dnsPacket from 'dns-packet';
import { parseDnsMessage } from '../../src/dns/parse.js';
import type { ParsedDnsMessage } from '../../src/dns/message.js';
import type { DnsPacketEvent } from '../../src/events/types.js';

/** Seconds → boot ns, offset from a fixed boot time so values are not tiny. */
export const T0 = 5_000_000_000_000n;
export const sec = (s: number): bigint => T0 + BigInt(Math.round(s * 1e9));

/** Wire bytes of a response to `name`/`qtype` with `answers`. */
export function responseBytes(name: string, qtype: dnsPacket.RecordType, answers: dnsPacket.Answer[], id = 1, rcode?: number): Buffer {
  const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (rcode ?? 0);
  return dnsPacket.encode({ type: 'response', id, flags, questions: [{ type: qtype, name }], answers });
}

/** Wire bytes of a query. */
export function queryBytes(name: string, qtype: dnsPacket.RecordType, id = 1): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: qtype, name }] });
}

/** A response decoded through parse.ts. */
export function response(name: string, qtype: dnsPacket.RecordType, answers: dnsPacket.Answer[], id = 1, rcode?: number): ParsedDnsMessage {
  const r = parseDnsMessage(responseBytes(name, qtype, answers, id, rcode));
  if (!r.ok) throw new Error(`fixture did not parse: ${r.reason}`);
  return r.message;
}

export const a = (name: string, data: string, ttl = 60): dnsPacket.Answer => ({ type: 'A', name, ttl, data });
export const aaaa = (name: string, data: string, ttl = 60): dnsPacket.Answer => ({ type: 'AAAA', name, ttl, data });
export const cname = (name: string, data: string, ttl = 60): dnsPacket.Answer => ({ type: 'CNAME', name, ttl, data });
export const ptr = (name: string, data: string, ttl = 60): dnsPacket.Answer => ({ type: 'PTR', name, ttl, data });
export const mx = (name: string, exchange: string, preference: number, ttl = 60): dnsPacket.Answer => ({ type: 'MX', name, ttl, data: { exchange, preference } });
export const srv = (name: string, target: string, port: number, priority = 0, weight = 0, ttl = 60): dnsPacket.Answer => ({
  type: 'SRV',
  name,
  ttl,
  data: { target, port, priority, weight },
});
export const txt = (name: string, data: string, ttl = 60): dnsPacket.Answer => ({ type: 'TXT', name, ttl, data });

/** A captured DNS packet event (client side unless `direction` says otherwise). */
export function packet(p: {
  direction: 'egress' | 'ingress';
  payload: Uint8Array;
  time?: bigint;
  cookie?: bigint;
  pid?: number;
  protocol?: 'udp' | 'tcp';
  wireLength?: number;
}): DnsPacketEvent {
  const egress = p.direction === 'egress';
  return {
    type: 'dns',
    time: p.time ?? T0,
    direction: p.direction,
    socketCookie: p.cookie ?? 1001n,
    netnsCookie: 4026531840n,
    cgroupId: 77n,
    pid: egress ? (p.pid ?? 4242) : 0,
    tid: egress ? (p.pid ?? 4242) : 0,
    protocol: p.protocol ?? 'udp',
    ipVersion: 4,
    srcAddr: egress ? '127.0.0.1' : '127.0.0.53',
    dstAddr: egress ? '127.0.0.53' : '127.0.0.1',
    srcPort: egress ? 40000 : 53,
    dstPort: egress ? 53 : 40000,
    wireLength: p.wireLength ?? p.payload.length,
    payload: p.payload,
  };
}

/** TCP framing: 2-byte big-endian length prefix. */
export function framed(msg: Uint8Array): Buffer {
  const out = Buffer.alloc(msg.length + 2);
  out.writeUInt16BE(msg.length, 0);
  out.set(msg, 2);
  return out;
}
