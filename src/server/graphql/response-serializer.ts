/**
 * JSON text of GraphQL results, from a serializer compiled for each query's shape.
 *
 * A query fixes the keys, their order and the type of every value in its result, so a
 * serializer generated from it (fast-json-stringify) writes `{"pid":` + number + ... with
 * no key walk; mercurius otherwise hands `data` to JSON.stringify through a catch-all
 * response schema. For the bench/http lineage (547 bytes) that is 0.9 µs instead of 2.3 µs.
 *
 * Exact or not at all: the text must be byte for byte what JSON.stringify writes. Key
 * order in an executed result is the order of first appearance in the document (graphql-js
 * and graphql-jit alike) when no field can be skipped, so a query that uses `@skip` or
 * `@include`, a fragment on another type, a meta field other than `__typename` or a
 * scalar not listed here gets no serializer, and neither does a result with anything
 * beside `data`. A query is compiled on its second request (like mercurius's
 * own jit), and at most {@link MAX_QUERIES} of at most {@link MAX_QUERY_CHARS} characters are kept.
 */
import fastJson from 'fast-json-stringify';
import {
  Kind,
  parse,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type DirectiveNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';

/** Queries whose serializer (or the finding that there is none) is kept. */
export const MAX_QUERIES = 1024;
/** Longer query texts are not compiled: their keys alone would hold memory (mercurius keeps its own copy). */
export const MAX_QUERY_CHARS = 16 * 1024;

/** JSON type of each scalar the schema's results can hold (Time prints as a string). */
const SCALAR_JSON: Readonly<Record<string, string>> = { Int: 'integer', Float: 'number', String: 'string', Boolean: 'boolean', ID: 'string', Time: 'string' };

type JsonSchema = Record<string, unknown>;
/** The type of `__typename`, which no schema type lists among its fields. */
const TYPENAME = Symbol('__typename');
/** A result → its JSON text. */
export type ResultSerializer = (result: unknown) => string;

/** Thrown inside the compiler for a query whose result shape is not fixed by its text. */
class NotFixed extends Error {}

/**
 * The serializer of `query`'s results (operation `operationName`), or null when the
 * query's result shape is not fixed by its text or the query does not parse.
 */
export function compileResultSerializer(schema: GraphQLSchema, query: string, operationName?: string | null): ResultSerializer | null {
  try {
    const doc = parse(query, { noLocation: true });
    const fragments = new Map<string, FragmentDefinitionNode>();
    const operations: OperationDefinitionNode[] = [];
    for (const d of doc.definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
      else if (d.kind === Kind.OPERATION_DEFINITION) operations.push(d);
      else return null;
    }
    const op = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    if (op === undefined) return null;
    const root = op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : null;
    if (root === null || root === undefined) return null;
    const data = objectSchema(root, [op.selectionSet], fragments);
    const serialize = fastJson({ type: 'object', properties: { data } });
    return serialize as ResultSerializer;
  } catch {
    // NotFixed, or a query that does not parse (mercurius answers that one with errors).
    return null;
  }
}

/** JSON schema of an object type selected by `sets` (fields in order of first appearance). */
function objectSchema(type: GraphQLObjectType, sets: readonly SelectionSetNode[], fragments: ReadonlyMap<string, FragmentDefinitionNode>): JsonSchema {
  const byName = new Map<string, { type: GraphQLOutputType | typeof TYPENAME; sets: SelectionSetNode[] }>();
  const fields = type.getFields();
  const visit = (set: SelectionSetNode, seen: ReadonlySet<string>): void => {
    for (const sel of set.selections) {
      refuseSkipInclude(sel.directives);
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        const key = sel.alias?.value ?? name;
        let entry = byName.get(key);
        if (entry === undefined) {
          const def = name === '__typename' ? undefined : fields[name];
          if (def === undefined && name !== '__typename') throw new NotFixed();
          entry = { type: def?.type ?? TYPENAME, sets: [] };
          byName.set(key, entry);
        }
        if (sel.selectionSet !== undefined) entry.sets.push(sel.selectionSet);
      } else {
        const fragment = sel.kind === Kind.INLINE_FRAGMENT ? sel : fragments.get(sel.name.value);
        if (fragment === undefined) throw new NotFixed();
        if (fragment.typeCondition !== undefined && fragment.typeCondition.name.value !== type.name) throw new NotFixed();
        if (sel.kind === Kind.FRAGMENT_SPREAD) {
          // A fragment that spreads itself is invalid; the executor would reject it.
          if (seen.has(sel.name.value)) throw new NotFixed();
          visit(fragment.selectionSet, new Set([...seen, sel.name.value]));
        } else {
          visit(fragment.selectionSet, seen);
        }
      }
    }
  };
  for (const s of sets) visit(s, new Set());
  const properties: JsonSchema = {};
  for (const [key, f] of byName) properties[key] = valueSchema(f.type, f.sets, fragments);
  return { type: 'object', nullable: true, properties };
}

/** JSON schema of one field's value. Every value may be null (errors null out fields). */
function valueSchema(type: GraphQLOutputType | typeof TYPENAME, sets: readonly SelectionSetNode[], fragments: ReadonlyMap<string, FragmentDefinitionNode>): JsonSchema {
  if (type === TYPENAME) return { type: 'string', nullable: true };
  if (isNonNullType(type)) return valueSchema(type.ofType, sets, fragments);
  if (isListType(type)) return { type: 'array', nullable: true, items: valueSchema(type.ofType, sets, fragments) };
  if (isObjectType(type)) return objectSchema(type, sets, fragments);
  if (isEnumType(type)) return { type: 'string', nullable: true };
  if (isScalarType(type)) {
    const json = SCALAR_JSON[type.name];
    if (json === undefined) throw new NotFixed();
    return { type: json, nullable: true };
  }
  throw new NotFixed(); // interfaces and unions: the shape depends on the runtime type
}

/**
 * Throws NotFixed at any @skip/@include: with a variable the shape is open, and even a
 * literal one is not applied alike by the executors (graphql-jit merges the selection of
 * an excluded occurrence of a field into its other occurrences; the fuzz test found it).
 */
function refuseSkipInclude(directives: readonly DirectiveNode[] | undefined): void {
  if (directives !== undefined && directives.some((d) => d.name.value === 'skip' || d.name.value === 'include')) throw new NotFixed();
}

/** Per-query serializers, compiled on a query's second request. */
export class ResultSerializers {
  readonly #schema: GraphQLSchema;
  /** undefined: seen once; null: no serializer for this query. */
  readonly #cache = new LRUCache<string, { fn: ResultSerializer | null | undefined }>({ max: MAX_QUERIES });
  #compiled = 0;

  constructor(schema: GraphQLSchema) {
    this.#schema = schema;
  }

  /** The serializer for `query`, or undefined (first request, or its shape is not fixed). */
  get(query: string, operationName: string | undefined): ResultSerializer | undefined {
    if (query.length > MAX_QUERY_CHARS) return undefined;
    const key = operationName === undefined ? query : `${operationName}\n${query}`;
    const entry = this.#cache.get(key);
    if (entry === undefined) {
      this.#cache.set(key, { fn: undefined });
      return undefined;
    }
    if (entry.fn === undefined) {
      entry.fn = compileResultSerializer(this.#schema, query, operationName);
      this.#compiled++;
    }
    return entry.fn ?? undefined;
  }

  /** Queries compiled so far (with or without a serializer as the outcome). */
  get compiled(): number {
    return this.#compiled;
  }
}
