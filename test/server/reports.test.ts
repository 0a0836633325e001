/** GET /v1/reports/lineage over the golden replay: formats, content types, streaming body, errors. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { buildApp } from '../../src/server/app.js';
import { formatTime } from '../../src/query/time.js';
import { clock, replayedPipeline } from '../fixtures/report/replayed.js';
import { BOOT_TO_EPOCH_NS, CONTAINER_ID, FROM_NS, TO_NS } from '../fixtures/report/sequence.js';

const pipeline = await replayedPipeline();
const app = buildApp({ tree: pipeline.tree, containers: pipeline.containers, clock });
t.teardown(() => app.close());
const FROM = formatTime(FROM_NS + BOOT_TO_EPOCH_NS);
const TO = formatTime(TO_NS + BOOT_TO_EPOCH_NS);
const golden = (f: string) => readFileSync(new URL(`../fixtures/report/${f}`, import.meta.url), 'utf8');

t.test('the three formats equal the golden files, with their content types', async (t) => {
  const cases = [['json', 'application/json; charset=utf-8', 'lineage.json'], ['dot', 'text/vnd.graphviz; charset=utf-8', 'lineage.dot'], ['md', 'text/markdown; charset=utf-8', 'lineage.md']];
  for (const [format, type, file] of cases) {
    const r = await app.inject(`/v1/reports/lineage?from=${FROM}&to=${TO}&format=${format}`);
    t.equal(r.statusCode, 200, format);
    t.equal(r.headers['content-type'], type);
    t.equal(r.headers['x-proctrail-processes'], '9');
    t.equal(r.body, golden(file as string), `${format} body`);
  }
  const dflt = await app.inject(`/v1/reports/lineage?from=${FROM}&to=${TO}`);
  t.equal(dflt.body, golden('lineage.json'), 'json is the default');
});

t.test('epoch-ns times and filters over HTTP', async (t) => {
  const r = await app.inject(`/v1/reports/lineage?from=${FROM_NS + BOOT_TO_EPOCH_NS}&to=${TO_NS + BOOT_TO_EPOCH_NS}&container=${CONTAINER_ID.slice(0, 6)}&name=sl*`);
  t.equal(r.statusCode, 200);
  const doc = r.json() as { filters: Record<string, string>; processes: Array<{ pid: number }> };
  t.same(doc.processes.map((p) => p.pid), [41]);
  t.same(doc.filters, { root: null, container: CONTAINER_ID.slice(0, 6), name: 'sl*' });
});

t.test('bad input is a 400 JSON error with a stable code', async (t) => {
  const cases: Array<[string, number, string]> = [
    ['', 400, 'PT_INVALID_INPUT'],
    [`from=${FROM}&format=svg`, 400, 'PT_INVALID_INPUT'],
    ['from=yesterday', 400, 'PT_INVALID_TIME'],
    [`from=${FROM}&to=noon`, 400, 'PT_INVALID_TIME'],
    [`from=${TO}&to=${FROM}`, 400, 'PT_INVALID_INPUT'],
    [`from=${FROM}&name=%5Bx`, 400, 'PT_INVALID_GLOB'],
    [`from=${FROM}&root=bash`, 400, 'PT_INVALID_INPUT'],
    [`from=${FROM}&to=${TO}&root=4242`, 404, 'PT_PROCESS_NOT_FOUND'],
    [`from=${FROM}&container=nope`, 404, 'PT_CONTAINER_NOT_FOUND'],
  ];
  for (const [q, status, code] of cases) {
    const r = await app.inject(`/v1/reports/lineage?${q}`);
    t.equal(r.statusCode, status, q);
    t.match(r.headers['content-type'], /^application\/json/);
    t.equal((r.json() as { error: { code: string } }).error.code, code, q);
  }
});

t.test('the JSON report has exactly the documented schema (openapi.yaml LineageReport)', async (t) => {
  const { parse } = await import('yaml');
  const { OPENAPI_PATH } = await import('../../src/server/rest/meta.js');
  const schemas = (parse(readFileSync(OPENAPI_PATH, 'utf8')) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
  const doc = (await app.inject(`/v1/reports/lineage?from=${FROM}&to=${TO}`)).json() as Record<string, unknown> & { processes: Array<Record<string, unknown> & { parents: object[] }>; summary: object; filters: object };
  const props = (n: string) => Object.keys(schemas[n]!.properties).sort();
  t.same(Object.keys(doc).sort(), props('LineageReport'));
  for (const p of doc.processes) t.same(Object.keys(p).sort(), props('ReportProcess'), String(p.key));
  const reparented = doc.processes.find((p) => p.parents.length > 1);
  t.same(Object.keys(reparented!.parents[0]!).sort(), props('ReportParent'));
  t.same(Object.keys(doc.summary).sort(), ['exited', 'processes', 'reparented', 'roots']);
});
