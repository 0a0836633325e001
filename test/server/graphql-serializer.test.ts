/**
 * GraphQL results written by a serializer compiled from the query (response-serializer.ts)
 * must be byte for byte what JSON.stringify writes. Random queries over the real schema
 * (aliases, repeated fields whose selections merge, inline and named fragments, __typename,
 * literal and variable @skip/@include — which get no serializer —, nested lists) are sent several times each through
 * the app; every body is compared with JSON.stringify of the result the server held, and
 * every compiled serializer is also run on that result directly.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { rng } from '../helpers/rng.js';
import { replayedApp } from './fixture.js';
import { SCHEMA_PATH } from '../../src/server/graphql/plugin.js';
import { compileResultSerializer, MAX_QUERY_CHARS, ResultSerializers } from '../../src/server/graphql/response-serializer.js';

const schema: GraphQLSchema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));

/** A random valid query: a selection of `type`'s fields, `depth` levels of objects deep. */
function selection(r: () => number, type: GraphQLObjectType, depth: number, frags: Map<string, string>): string {
  const usable = Object.values(type.getFields()).filter(
    (f: GraphQLField<unknown, unknown>) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined) && (isLeafType(getNamedType(f.type)) || depth > 0),
  );
  if (usable.length === 0) return '__typename';
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const f = usable[Math.floor(r() * usable.length)]!;
    const named = getNamedType(f.type);
    const sub = isObjectType(named) ? ` { ${selection(r, named, depth - 1, frags)} }` : '';
    const alias = r() < 0.2 ? `a${Math.floor(r() * 1e6)}: ` : '';
    const roll = r();
    let directive = '';
    if (roll < 0.01) directive = ' @include(if: false)';
    else if (roll < 0.02) directive = ' @skip(if: false)';
    else if (roll < 0.03) directive = ' @include(if: $flag)';
    parts.push(`${alias}${f.name}${directive}${sub}`);
    if (r() < 0.15) parts.push(`${f.name}${sub}`); // the same field again: selections merge
  }
  if (r() < 0.2) parts.push('__typename');
  if (r() < 0.15) parts.splice(Math.floor(r() * parts.length), 0, `... on ${type.name} { ${selection(r, type, Math.max(0, depth - 1), frags)} }`);
  if (r() < 0.1) {
    const name = `F${frags.size}`;
    frags.set(name, ''); // claimed before its body, which may define fragments of its own
    frags.set(name, `fragment ${name} on ${type.name} { ${selection(r, type, Math.max(0, depth - 1), frags)} }`);
    parts.push(`...${name}`);
  }
  return parts.join(' ');
}

function randomQuery(r: () => number): string {
  const frags = new Map<string, string>();
  const roots = [
    () => `process(pid: ${[1, 100, 200, 300, 400, 9][Math.floor(r() * 6)]}) { ${selection(r, schema.getType('Process') as GraphQLObjectType, 2, frags)} }`,
    () => `processes(first: 3) { ${selection(r, schema.getType('ProcessConnection') as GraphQLObjectType, 2, frags)} }`,
    () => `thread(tid: ${[200, 201, 1][Math.floor(r() * 3)]}) { ${selection(r, schema.getType('Thread') as GraphQLObjectType, 1, frags)} }`,
  ];
  const body = Array.from({ length: 1 + Math.floor(r() * 2) }, (_, i) => `q${i}: ${roots[Math.floor(r() * roots.length)]!()}`).join(' ');
  const rest = `{ ${body} } ${[...frags.values()].join(' ')}`;
  return `query Q${rest.includes('$flag') ? '($flag: Boolean = true)' : ''} ${rest}`;
}

const QUERIES = 300;

t.test('compiled serializers write exactly what JSON.stringify writes', async (t) => {
  const { app } = replayedApp();
  let held: unknown;
  // Runs before the GraphQL plugin's own hook: sees the result the serializer will get.
  app.addHook('preSerialization', (_req, _reply, payload, done) => {
    held = payload;
    done(null, payload);
  });
  t.teardown(() => app.close());
  const r = rng(7);
  let compared = 0;
  let compiled = 0;
  let okResults = 0;
  for (let i = 0; i < QUERIES; i++) {
    const query = randomQuery(r);
    const fn = compileResultSerializer(schema, query, 'Q');
    if (fn !== null) compiled++;
    for (let k = 0; k < 3; k++) {
      held = undefined;
      const res = await app.inject({ method: 'POST', url: '/graphql', payload: { query, operationName: 'Q' } });
      if (res.body !== JSON.stringify(held)) {
        t.fail(`query ${query}\nbody ${res.body}\nheld ${JSON.stringify(held)}`);
        return;
      }
      compared++;
      if (res.statusCode === 200 && fn !== null) {
        okResults++;
        if (fn(held) !== res.body) {
          t.fail(`compiled serializer differs for ${query}:\n${fn(held)}\n${res.body}`);
          return;
        }
      }
    }
  }
  t.equal(compared, 3 * QUERIES, `${compared} bodies compared`);
  t.ok(compiled > QUERIES / 2, `${compiled} of ${QUERIES} queries have a compiled serializer`);
  t.ok(okResults > QUERIES, `${okResults} results written by one`);
});

t.test('the app writes a query result with the compiled serializer from its second request', async (t) => {
  const { app } = replayedApp();
  // Something outside the query's shape: JSON.stringify writes it, a serializer compiled
  // from the query cannot. So its absence shows which one wrote the body.
  app.addHook('preSerialization', (_req, _reply, payload, done) => {
    const data = (payload as { data?: { process?: Record<string, unknown> } }).data;
    if (data?.process) data.process.probe = 1;
    done(null, payload);
  });
  t.teardown(() => app.close());
  const query = '{ process(pid: 200) { pid name ancestors(maxDepth: 8) { pid name executable { path } } } }';
  const post = () => app.inject({ method: 'POST', url: '/graphql', payload: { query } });
  const first = await post();
  t.equal(first.statusCode, 200);
  t.match(first.body, /"probe":1/, 'first request: the catch-all serializer');
  for (let i = 0; i < 2; i++) {
    const again = await post();
    t.notMatch(again.body, /probe/, 'later requests: the compiled serializer');
    t.same(JSON.parse(again.body), { data: { process: { pid: 200, name: 'sleep', ancestors: [{ pid: 100, name: 'bash', executable: { path: '/usr/bin/bash' } }, { pid: 1, name: 'init', executable: { path: '/sbin/init' } }] } } });
  }
  const get = await app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent(query)}` });
  t.notMatch(get.body, /probe/, 'GET shares the compiled serializer');
  // Errors are not in the compiled shape: such results keep the catch-all serializer.
  const bad = await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ process(pid: 200, key: "x") { pid } }' } });
  t.match(bad.body, /"errors"/);
});

t.test('queries whose result shape their text does not fix get no serializer', async (t) => {
  const none = [
    'query ($v: Boolean!) { process(pid: 1) { pid name @include(if: $v) } }',
    '{ __schema { queryType { name } } }',
    '{ process(pid: 1) { nosuchfield } }',
    '{ process(pid: 1) { ...Missing } }',
    '{ process(pid: 1) { pid',
    'query A { process(pid: 1) { pid } } query B { process(pid: 2) { pid } }',
  ];
  for (const q of none) t.equal(compileResultSerializer(schema, q), null, q);
  t.not(compileResultSerializer(schema, 'query A { process(pid: 1) { pid } } query B { process(pid: 2) { name } }', 'B'), null, 'named operation');
  t.equal(compileResultSerializer(schema, '{ process(pid: 1) { pid name @skip(if: true) } }'), null, 'literal @skip too');
  const s = new ResultSerializers(schema);
  t.equal(s.get('{ process(pid: 1) { pid } }', undefined), undefined, 'first sight: not compiled');
  t.type(s.get('{ process(pid: 1) { pid } }', undefined), 'function', 'second sight: compiled');
  t.equal(s.compiled, 1);
  const long = `{ process(pid: 1) { pid ${'name '.repeat(MAX_QUERY_CHARS / 5)}} }`;
  s.get(long, undefined);
  t.equal(s.get(long, undefined), undefined, 'a query text over MAX_QUERY_CHARS is not compiled');
  t.equal(s.compiled, 1);
});
