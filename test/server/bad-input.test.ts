/** Bad input is a 400 with a JSON error body (never a 500); unknown things are 404 JSON. */
import t, { type Test } from 'tap';
import { replayedApp } from './fixture.js';

const { app } = replayedApp();
t.teardown(() => app.close());

async function expectError(t: Test, url: string, status: number, code: string) {
  const r = await app.inject({ url });
  t.equal(r.statusCode, status, `${url} → ${status}`);
  t.match(String(r.headers['content-type']), /^application\/json/, `${url} is JSON`);
  const body = r.json();
  t.equal(body.error?.code, code, `${url} code`);
  t.type(body.error?.message, 'string');
  return body;
}

t.test('malformed pid', async (t) => {
  for (const pid of ['abc', '-1', '0', '1.5', '4194305', '99999999999999999999', '%00'])
    await expectError(t, `/v1/processes/${pid}`, 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/processes/abc/lineage', 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/threads/x', 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/processes/by-key/12', 400, 'PT_INVALID_INPUT');
});

t.test('malformed at', async (t) => {
  for (const at of ['yesterday', '2026-11-27', '2026-11-27T10:31:07', '2026-11-27T10:31:07.1234567890Z', '2026-02-30T00:00:00Z', '-1', 'x'.repeat(41)])
    await expectError(t, `/v1/processes/1?at=${encodeURIComponent(at)}`, 400, at.length > 40 ? 'PT_INVALID_INPUT' : 'PT_INVALID_TIME');
  await expectError(t, '/v1/processes?at=soon', 400, 'PT_INVALID_TIME');
  await expectError(t, '/v1/processes/1/lineage?at=soon', 400, 'PT_INVALID_TIME');
  await expectError(t, '/v1/threads/1?at=soon', 400, 'PT_INVALID_TIME');
});

t.test('malformed maxDepth, format, limit, cursor, glob', async (t) => {
  for (const q of ['maxDepth=-1', 'maxDepth=x', 'maxDepth=1025', 'maxDepth=1.5', 'format=svg'])
    await expectError(t, `/v1/processes/1/lineage?${q}`, 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/processes/1/descendants?maxDepth=0', 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/processes?limit=0', 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/processes?limit=1001', 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/processes?state=zombie', 400, 'PT_INVALID_INPUT');
  await expectError(t, '/v1/processes?cursor=bogus', 400, 'PT_INVALID_CURSOR');
  await expectError(t, '/v1/processes?name=%5Bab', 400, 'PT_INVALID_GLOB');
});

t.test('unknown pid, key, tid, route → 404 JSON', async (t) => {
  await expectError(t, '/v1/processes/4242', 404, 'PT_PROCESS_NOT_FOUND');
  await expectError(t, '/v1/processes/4242/lineage', 404, 'PT_PROCESS_NOT_FOUND');
  await expectError(t, '/v1/processes/4242/children', 404, 'PT_PROCESS_NOT_FOUND');
  await expectError(t, '/v1/processes/4242/descendants', 404, 'PT_PROCESS_NOT_FOUND');
  await expectError(t, '/v1/processes/4242/threads', 404, 'PT_PROCESS_NOT_FOUND');
  await expectError(t, '/v1/processes/by-key/4242@1', 404, 'PT_PROCESS_NOT_FOUND');
  await expectError(t, '/v1/threads/4242', 404, 'PT_THREAD_NOT_FOUND');
  await expectError(t, '/v2/nothing', 404, 'PT_ROUTE_NOT_FOUND');
});

t.test('GraphQL: syntax, unknown field, bad argument types, bad Time, depth, complexity → 400 JSON', async (t) => {
  const post = (payload: unknown) => ({ method: 'POST' as const, payload: payload as Record<string, unknown> });
  const cases: Array<[string, unknown, string]> = [
    ['syntax', { query: '{ process(pid: 1 { key } }' }, 'PT_GRAPHQL_SYNTAX'],
    ['unknown field', { query: '{ process(pid: 1) { nope } }' }, 'PT_GRAPHQL_INVALID'],
    ['pid not Int', { query: '{ process(pid: "x") { key } }' }, 'PT_GRAPHQL_INVALID'],
    ['bad Time literal', { query: '{ process(pid: 1, at: "yesterday") { key } }' }, 'PT_INVALID_TIME'],
    ['bad Time variable', { query: 'query($at: Time) { process(pid: 1, at: $at) { key } }', variables: { at: 'soon' } }, 'PT_INVALID_TIME'],
    ['bad Time variable again (jit path)', { query: 'query($at: Time) { process(pid: 1, at: $at) { key } }', variables: { at: 'soon' } }, 'PT_INVALID_TIME'],
    ['bad Time variable, third time', { query: 'query($at: Time) { process(pid: 1, at: $at) { key } }', variables: { at: 'soon' } }, 'PT_INVALID_TIME'],
    ['too deep', { query: '{ process(pid: 1) { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { pid } } } } } } } } } } } } }' }, 'PT_GRAPHQL_TOO_DEEP'],
    ['too complex', { query: '{ process(pid: 1) { descendants(first: 10000) { descendants(first: 10000) { pid } } } }' }, 'PT_GRAPHQL_TOO_COMPLEX'],
    ['empty body', {}, 'PT_GRAPHQL_INVALID'],
  ];
  for (const [name, payload, code] of cases) {
    const r = await app.inject({ url: '/graphql', ...post(payload) });
    t.equal(r.statusCode, 400, `${name}: 400`);
    const body = r.json();
    t.equal(body.error?.code, code, `${name}: uniform error code`);
    t.equal(body.errors?.[0]?.extensions?.code, code, `${name}: GraphQL error code`);
  }
  const notJson = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{"query": ' });
  t.equal(notJson.statusCode, 400, 'malformed JSON body: 400');
  t.type(notJson.json(), 'object', 'and a JSON body');
  const get = await app.inject({ url: '/graphql?query=' + encodeURIComponent('{ process(pid: 1 { key } }') });
  t.equal(get.statusCode, 400);
  t.equal(get.json().error.code, 'PT_GRAPHQL_SYNTAX');
});

t.test('GraphQL: fragments spread many times are costed once, and cycles end (no event-loop hang)', { timeout: 30_000 }, async (t) => {
  // A fragment that spreads itself twice: walking every spread is 2^64 steps.
  const cycle = 'query { processes(first: 3) { ...F } } fragment F on ProcessConnection { pageInfo { endCursor ...F } pageInfo { hasNextPage ...F } }';
  const r1 = await app.inject({ method: 'POST', url: '/graphql', payload: { query: cycle } });
  t.equal(r1.statusCode, 400);
  t.equal(r1.json().error.code, 'PT_GRAPHQL_TOO_COMPLEX');
  t.match(r1.body, /within itself|via/, 'the spec rule names the cycle too');
  // A valid document whose fragments double 40 times: 2^40 fields if walked per spread.
  const levels = 40;
  const frags = Array.from({ length: levels }, (_, i) => `fragment L${i} on Process { pid ${i + 1 < levels ? `...L${i + 1} ...L${i + 1}` : ''} }`).join(' ');
  const r2 = await app.inject({ method: 'POST', url: '/graphql', payload: { query: `{ process(pid: 1) { ...L0 } } ${frags}` } });
  t.equal(r2.statusCode, 400, `${r2.body.slice(0, 200)}`);
  t.equal(r2.json().error.code, 'PT_GRAPHQL_TOO_COMPLEX');
  const small = Array.from({ length: 8 }, (_, i) => `fragment S${i} on Process { pid ${i + 1 < 8 ? `...S${i + 1} ...S${i + 1}` : ''} }`).join(' ');
  const r3 = await app.inject({ method: 'POST', url: '/graphql', payload: { query: `{ process(pid: 1) { ...S0 } } ${small}` } });
  t.equal(r3.statusCode, 200, 'the same shape at 2^8 is within the limit');
  t.same(r3.json(), { data: { process: { pid: 1 } } });
});

t.test('GraphQL: both or neither of pid and key is an error in the result, not a crash', async (t) => {
  const r = await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ process { key } }' } });
  t.equal(r.statusCode, 200);
  t.equal(r.json().errors[0].extensions.code, 'PT_INVALID_INPUT');
  t.same(r.json().data, { process: null });
});
