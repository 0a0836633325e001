/** GraphiQL is served offline and its example queries are valid against the schema. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { EXAMPLE_QUERIES } from '../../src/server/graphiql.js';
import { SCHEMA_PATH } from '../../src/server/graphql/plugin.js';
import { replayedApp } from './fixture.js';

t.test('every example query validates against src/schema.graphql', async (t) => {
  const schema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));
  t.ok(EXAMPLE_QUERIES.length >= 4);
  for (const q of EXAMPLE_QUERIES) t.same(validate(schema, parse(q.query)).map((e) => e.message), [], q.title);
  t.ok(EXAMPLE_QUERIES.some((q) => /containers\(/.test(q.query)), 'a container example');
  t.ok(EXAMPLE_QUERIES.some((q) => /reverseDns\(/.test(q.query)), 'a reverse DNS example');
});

t.test('page and assets come from this server, never a CDN', async (t) => {
  const { app } = replayedApp();
  t.teardown(() => app.close());
  const page = await app.inject({ method: 'GET', url: '/graphiql' });
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, /https?:\/\//, 'no absolute URLs in the page');
  for (const src of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) {
    const res = await app.inject({ method: 'GET', url: src[1]! });
    t.equal(res.statusCode, 200, `${src[1]} served`);
    t.ok(res.body.length > 1000, `${src[1]} has content`);
  }
  const missing = await app.inject({ method: 'GET', url: '/graphiql/assets/evil.js' });
  t.equal(missing.statusCode, 404);
  t.equal((missing.json() as { error: { code: string } }).error.code, 'PT_NOT_FOUND');
});
