/** openapi.yaml parses, lists exactly the served routes, and matches the response schemas. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import type { RouteOptions } from 'fastify';
import { replayedApp } from './fixture.js';
import { OPENAPI_PATH } from '../../src/server/rest/meta.js';
import { ERROR_CODES } from '../../src/server/errors.js';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
  info: { description: string };
}
const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as Doc;

const { app } = replayedApp();
const served: RouteOptions[] = [];
app.addHook('onRoute', (r) => {
  served.push(r);
});
t.teardown(() => app.close());

/** Fastify `/a/:b` → OpenAPI `/a/{b}`. */
const toOpenapi = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

t.test('document parses and every served route is documented, and nothing else', async (t) => {
  await app.ready();
  t.match(doc.openapi, /^3\.1\./);
  const servedOps = new Set<string>();
  for (const r of served) {
    for (const m of [r.method].flat()) {
      if (m === 'HEAD') continue; // every GET also answers HEAD (stated in the document)
      servedOps.add(`${m.toLowerCase()} ${toOpenapi(r.url)}`);
    }
  }
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) documented.add(`${m} ${path}`);
  t.same([...servedOps].sort(), [...documented].sort());
  t.ok(servedOps.has('get /v1/processes/{pid}/lineage'));
  t.ok(servedOps.has('post /graphql'));
  t.ok(servedOps.has('get /graphiql'));
});

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, unknown> };
function propertyNames(s: Schema): string[] {
  if (s.$ref !== undefined) return propertyNames(doc.components.schemas[s.$ref.split('/').pop() as string] as Schema);
  const own = Object.keys(s.properties ?? {});
  return [...own, ...(s.allOf ?? []).flatMap(propertyNames)].sort();
}

t.test('documented 200 responses have exactly the serialized properties', async (t) => {
  await app.ready();
  let checked = 0;
  for (const r of served) {
    const resp = (r.schema?.response as Record<string, Schema> | undefined)?.[200];
    if (resp?.properties === undefined || r.url === '/healthz') continue;
    const op = doc.paths[toOpenapi(r.url)]?.get as { responses: Record<string, { content: Record<string, { schema: Schema }> }> };
    const documented = op.responses['200']!.content['application/json']!.schema;
    t.same(propertyNames(documented), Object.keys(resp.properties).sort(), r.url);
    checked++;
  }
  t.ok(checked >= 8, `checked ${checked} routes`);
});

t.test('every error code of the catalogue is documented', async (t) => {
  for (const code of ERROR_CODES) t.match(doc.info.description, code);
});

t.test('the served document is the file', async (t) => {
  const r = await app.inject('/openapi.yaml');
  t.equal(r.body, readFileSync(OPENAPI_PATH, 'utf8'));
});
