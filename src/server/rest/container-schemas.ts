/** JSON schemas of the container and cgroup routes (openapi.yaml documents the same shapes). */
import { containerRef, processSummary } from './schemas.js';

const nullableString = { type: ['string', 'null'] } as const;
const atProperties = { at: { type: 'string' }, atNs: { type: 'string' } } as const;

export const containerRefParams = {
  type: 'object',
  required: ['ref'],
  properties: { ref: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export const cgroupParams = {
  type: 'object',
  required: ['cgroupId'],
  properties: { cgroupId: { type: 'string', pattern: '^[0-9]{1,20}$' } },
} as const;

const containerProperties = {
  id: { type: 'string' },
  runtime: { type: 'string' },
  name: nullableString,
  image: nullableString,
  imageDigest: nullableString,
  state: nullableString,
  createdAt: { type: 'string' },
  createdAtNs: { type: 'string' },
  removedAt: nullableString,
  removedAtNs: nullableString,
  removedBy: nullableString,
  alive: { type: 'boolean' },
  enriched: { type: 'boolean' },
  cgroups: {
    type: 'array',
    items: { type: 'object', properties: { hierarchyId: { type: 'integer' }, cgroupId: { type: 'string' }, path: { type: 'string' } } },
  },
  pod: {
    type: ['object', 'null'],
    properties: { name: { type: 'string' }, namespace: { type: 'string' }, uid: { type: 'string' }, sandbox: { type: 'boolean' } },
  },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  processCount: { type: 'integer' },
  runningProcessCount: { type: 'integer' },
} as const;

export const container = { type: 'object', properties: containerProperties } as const;

export const containerList = {
  type: 'object',
  properties: { ...atProperties, items: { type: 'array', items: container } },
} as const;

export const containerDetail = { type: 'object', properties: { ...atProperties, ...containerProperties } } as const;

export const containerProcesses = {
  type: 'object',
  properties: {
    ...atProperties,
    container: containerRef,
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          pid: { type: ['integer', 'null'] },
          firstSeen: { type: 'string' },
          firstSeenNs: { type: 'string' },
          lastSeen: { type: 'string' },
          lastSeenNs: { type: 'string' },
          endedAt: nullableString,
          endedAtNs: nullableString,
          process: { ...processSummary, type: ['object', 'null'] },
        },
      },
    },
  },
} as const;

export const cgroupDetail = {
  type: 'object',
  properties: {
    ...atProperties,
    hierarchyId: { type: 'integer' },
    cgroupId: { type: 'string' },
    path: { type: 'string' },
    level: { type: 'integer' },
    alive: { type: 'boolean' },
    createdAt: { type: 'string' },
    createdAtNs: { type: 'string' },
    removedAt: nullableString,
    removedAtNs: nullableString,
    origin: { type: 'string' },
    containerRoot: { type: 'boolean' },
    container: containerRef,
  },
} as const;
