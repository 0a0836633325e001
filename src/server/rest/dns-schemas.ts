/**
 * JSON schemas of the DNS REST routes (response serialization; openapi.yaml documents the
 * same shapes as DnsLookup and DnsReverse).
 */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const dnsWindow = {
  type: 'object',
  properties: { validFrom: str, validUntil: str, lastSeen: str, ttl: int, count: int },
} as const;

export const dnsAnswer = {
  type: 'object',
  properties: {
    type: str,
    owner: str,
    value: str,
    ttl: int,
    validFrom: str,
    validFromNs: str,
    validUntil: str,
    validUntilNs: str,
    lastSeen: str,
    lastSeenNs: str,
    expired: bool,
    expiredAt: bool,
    preference: nullableInt,
    port: nullableInt,
    priority: nullableInt,
    weight: nullableInt,
    history: { type: 'array', items: dnsWindow },
  },
} as const;

export const dnsAsker = {
  type: 'object',
  properties: {
    key: nullableString,
    pid: int,
    name: nullableString,
    containerId: nullableString,
    cgroupId: nullableString,
    firstSeen: str,
    lastSeen: str,
    count: int,
    qtypes: { type: 'array', items: str },
  },
} as const;

export const dnsResponse = {
  type: 'object',
  properties: {
    time: str,
    timeNs: str,
    lastSeen: str,
    count: int,
    qtype: str,
    rcode: str,
    answers: {
      type: 'array',
      items: { type: 'object', properties: { type: str, owner: str, value: str, ttl: int } },
    },
    askerPid: nullableInt,
    askerKey: nullableString,
  },
} as const;

const answers = { type: 'array', items: dnsAnswer } as const;

export const dnsLookup = {
  type: 'object',
  properties: {
    question: str,
    kind: str,
    at: str,
    atNs: str,
    cnames: answers,
    addresses: answers,
    mx: answers,
    srv: answers,
    ptr: answers,
    aliases: answers,
    askers: { type: 'array', items: dnsAsker },
    responses: { type: 'array', items: dnsResponse },
  },
} as const;

export const dnsReverse = {
  type: 'object',
  properties: {
    address: str,
    at: str,
    atNs: str,
    names: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: str, source: str, path: answers, validFrom: str, validUntil: str, expired: bool, expiredAt: bool },
      },
    },
  },
} as const;
