/**
 * JSON schemas of the REST API: request validation (ajv) and response serialization
 * (fast-json-stringify). openapi.yaml documents the same shapes.
 */

/** Largest pid/tid the kernel can hand out (PID_MAX_LIMIT). */
export const PID_MAX = 4_194_304;

const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

/** `at`: RFC 3339 (checked precisely by the handler) or epoch ns digits. */
export const atParam = {
  type: 'string',
  minLength: 1,
  maxLength: 40,
  description: 'RFC 3339 time with up to 9 fractional digits, or epoch nanoseconds; default now',
} as const;

export const pidParams = {
  type: 'object',
  required: ['pid'],
  properties: { pid: { type: 'integer', minimum: 1, maximum: PID_MAX } },
} as const;

export const tidParams = {
  type: 'object',
  required: ['tid'],
  properties: { tid: { type: 'integer', minimum: 1, maximum: PID_MAX } },
} as const;

export const keyParams = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string', pattern: '^[0-9]{1,10}@[0-9]{1,20}$' } },
} as const;

export const atQuery = {
  type: 'object',
  properties: { at: atParam },
} as const;

export const errorResponse = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const fileInfo = {
  type: ['object', 'null'],
  properties: {
    path: { type: 'string' },
    inode: { type: 'string' },
    dev: { type: 'integer' },
    ctime: { type: 'string' },
    ctimeNs: { type: 'string' },
    mode: { type: 'integer' },
  },
} as const;

export const processRef = {
  type: ['object', 'null'],
  properties: { key: { type: 'string' }, pid: { type: 'integer' }, name: { type: 'string' } },
} as const;

/** A process's container (null on the host); see container-schemas.ts for the full shape. */
export const containerRef = {
  type: ['object', 'null'],
  properties: {
    id: { type: 'string' },
    name: nullableString,
    image: nullableString,
    runtime: { type: 'string' },
  },
} as const;

/** Start and exit of a process or thread (LifespanDto). */
const lifespanProperties = {
  startTime: { type: 'string' },
  startTimeNs: { type: 'string' },
  exitTime: nullableString,
  exitTimeNs: nullableString,
  exitCode: nullableInt,
  exitSignal: nullableInt,
} as const;

const summaryProperties = {
  key: { type: 'string' },
  pid: { type: 'integer' },
  name: { type: 'string' },
  entityId: { type: 'integer' },
  executable: fileInfo,
  argv: { type: 'array', items: { type: 'string' } },
  ...lifespanProperties,
  alive: { type: 'boolean' },
  container: containerRef,
} as const;

export const processSummary = { type: 'object', properties: summaryProperties } as const;

export const execRecord = {
  type: 'object',
  properties: {
    time: { type: 'string' },
    timeNs: { type: 'string' },
    path: { type: 'string' },
    executable: fileInfo,
    argv: { type: 'array', items: { type: 'string' } },
    argvTruncated: { type: 'boolean' },
  },
} as const;

/** Properties every response carries: the effective query time. */
const atProperties = { at: { type: 'string' }, atNs: { type: 'string' } } as const;

export const processDetail = {
  type: 'object',
  properties: {
    ...atProperties,
    ...summaryProperties,
    parent: processRef,
    uid: nullableInt,
    gid: nullableInt,
    cgroupId: nullableString,
    pidNsId: nullableInt,
    nsPid: nullableInt,
    origin: { type: 'string' },
    execHistory: { type: 'array', items: execRecord },
  },
} as const;

const threadProperties = {
  key: { type: 'string' },
  tid: { type: 'integer' },
  pid: nullableInt,
  processKey: { type: 'string' },
  entityId: { type: 'integer' },
  name: { type: 'string' },
  ...lifespanProperties,
  alive: { type: 'boolean' },
  uid: nullableInt,
  gid: nullableInt,
} as const;

export const thread = { type: 'object', properties: threadProperties } as const;
export const threadDetail = { type: 'object', properties: { ...atProperties, ...threadProperties } } as const;

export const processList = {
  type: 'object',
  properties: {
    ...atProperties,
    items: { type: 'array', items: processSummary },
    nextCursor: nullableString,
  },
} as const;

export const lineageResponse = {
  type: 'object',
  properties: {
    ...atProperties,
    truncated: { type: 'boolean' },
    lineage: { type: 'array', items: processSummary },
  },
} as const;

export const childrenResponse = {
  type: 'object',
  properties: { ...atProperties, process: processRef, children: { type: 'array', items: processSummary } },
} as const;

export const descendantsResponse = {
  type: 'object',
  properties: {
    ...atProperties,
    process: processRef,
    truncated: { type: 'boolean' },
    descendants: {
      type: 'array',
      items: {
        type: 'object',
        properties: { ...summaryProperties, depth: { type: 'integer' }, parentKey: { type: 'string' } },
      },
    },
  },
} as const;

export const threadsResponse = {
  type: 'object',
  properties: { ...atProperties, process: processRef, threads: { type: 'array', items: thread } },
} as const;

/** Error responses every route may give. */
export const errorResponses = { 400: errorResponse, 404: errorResponse } as const;
