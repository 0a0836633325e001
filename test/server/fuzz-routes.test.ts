/**
 * Fuzz every documented GET route: random and hostile path parameters and query strings
 * must get a JSON answer below 500 (a 4xx with `error.code` when rejected), never a crash,
 * and must leave what is stored untouched.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { replayedApp } from './fixture.js';
import { OPENAPI_PATH } from '../../src/server/rest/meta.js';

const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
// Streaming and static routes are exercised by their own tests.
const SKIP = new Set(['/v1/events', '/ui', '/ui/', '/ui/{file}', '/graphiql', '/graphiql/assets/{file}', '/openapi.yaml']);
const routes = Object.entries(doc.paths).filter(([p, ops]) => 'get' in ops && !SKIP.has(p)).map(([p]) => p);

const HOSTILE = [
  '', '0', '-1', '1', '100', '200', '4294967296', '1e3', '0x10', ' 1', '1 ', 'NaN', 'null', '%00', '%2e%2e%2f', '..', '\u00e9',
  'a'.repeat(300), '9'.repeat(40), '200@2000', '200@', '@1', '1@-1', '*', '[', '(', '\\', "' OR 1=1", '{"a":1}', '::1', '10.0.0.1',
  '256.1.1.1', 'example.com.', '-bad-.x', 'fe80::1%eth0', '1.2.3.4.in-addr.arpa', 'ZZZ', '%ff%fe',
];
const QUERY_KEYS = ['at', 'maxDepth', 'format', 'limit', 'cursor', 'name', 'state', 'first', 'after', 'from', 'to', 'root', 'container'];

let seed = 7;
const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;

t.test('every GET route answers hostile input with JSON below 500', async (t) => {
  const { app, tree } = replayedApp();
  t.teardown(() => app.close());
  const before = [...tree.processes()].map((p) => p.key).sort();
  let requests = 0;
  for (const route of routes) {
    for (let i = 0; i < 60; i++) {
      const path = route.replace(/\{[^}]+\}/g, () => encodeURIComponent(pick(HOSTILE)).replace(/%25/g, pick(['%25', '%'])));
      const q = new URLSearchParams();
      for (let k = rnd(3); k > 0; k--) q.append(pick(QUERY_KEYS), pick(HOSTILE));
      const url = `${path}${q.size ? `?${q}` : ''}`;
      const res = await app.inject({ method: 'GET', url });
      requests++;
      if (res.statusCode >= 500) t.fail(`${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (res.statusCode >= 400) {
        const body = res.json() as { error?: { code?: unknown } };
        if (typeof body.error?.code !== 'string') t.fail(`${url} → ${res.statusCode} without error.code: ${res.body.slice(0, 200)}`);
      }
    }
  }
  t.ok(requests >= routes.length * 60, `${requests} requests over ${routes.length} routes`);
  t.same([...tree.processes()].map((p) => p.key).sort(), before, 'nothing stored was lost');
});

t.test('hostile GraphQL documents and variables get JSON errors below 500', async (t) => {
  const { app } = replayedApp();
  t.teardown(() => app.close());
  const docs = [
    '{', '{ process(pid: "x") { key } }', '{ process(pid: 200, at: "garbage") { key } }', '{ process(pid: 4294967296) { key } }',
    '{ processes(first: -1) { edges { node { key } } } }', '{ processes(after: "%%%") { edges { node { key } } } }',
    'query Q($p: Int) { process(pid: $p) { key } }', '{ nope }', '{ process(pid: 200) { ancestors(maxDepth: -5) { key } } }',
    '{ process(pid: 200) { ancestors(maxDepth: 100000) { key } } }', `{ ${'process(pid: 1) { parent { '.repeat(40)} key ${'} } '.repeat(40)} }`,
    '{ dns(name: "") { question } }', '{ reverseDns(ip: "x") { address } }', 'subscription { processStarted { kind } }',
  ];
  for (const query of docs) {
    for (const variables of [undefined, { p: 'x' }, { p: 2 ** 40 }]) {
      const res = await app.inject({ method: 'POST', url: '/graphql', payload: { query, variables } });
      t.ok(res.statusCode < 500, `${query.slice(0, 50)} → ${res.statusCode}`);
      t.doesNotThrow(() => res.json(), 'JSON body');
    }
  }
  for (const payload of ['not json', '{"query": 5}', '[]', '{"query": "{ process(pid: 1) { key } }", "variables": "x"}']) {
    const res = await app.inject({ method: 'POST', url: '/graphql', payload, headers: { 'content-type': 'application/json' } });
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${payload} → ${res.statusCode}`);
    t.doesNotThrow(() => res.json(), 'JSON body');
  }
});
