/**
 * Runtime enrichment: Docker/CRI-O inspect documents → enrichment (names, images, pods),
 * a real HTTP server on a unix socket answering the Docker API (200, 404, slow), and the
 * enricher's retry with backoff while the container is served without enrichment.
 */
import t from 'tap';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerInspectToEnrichment, DockerApiClient } from '../../src/runtimes/docker-api.js';
import { crioInspectToEnrichment } from '../../src/runtimes/crio-api.js';
import { podFromLabels } from '../../src/runtimes/labels.js';
import { Enricher } from '../../src/runtimes/enricher.js';
import type { InspectResult, RuntimeClient } from '../../src/runtimes/runtime-client.js';
import { ContainerCache } from '../../src/caches/containers.js';

const ID = 'a'.repeat(64);

t.test('docker inspect → enrichment, k8s pod from labels', async (t) => {
  const e = dockerInspectToEnrichment({
    Id: ID,
    Name: '/web',
    Image: 'sha256:' + 'b'.repeat(64),
    Config: {
      Image: 'nginx:1.25',
      Labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': 'u-1', n: 3 },
    },
    State: { Status: 'running' },
  });
  t.equal(e.name, 'web', 'leading slash dropped');
  t.equal(e.image, 'nginx:1.25');
  t.equal(e.imageDigest, 'sha256:' + 'b'.repeat(64));
  t.equal(e.state, 'running');
  t.same(e.pod, { name: 'web-0', namespace: 'prod', uid: 'u-1', sandbox: false });
  t.notOk('n' in (e.labels ?? {}), 'non-string label values dropped');
  t.same(dockerInspectToEnrichment('garbage'), {}, 'bad documents give nothing, never a throw');
  t.same(dockerInspectToEnrichment({ Config: null, State: 7 }), {});
});

t.test('pod sandbox markers of each runtime', async (t) => {
  const base = { 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.uid': 'u' };
  t.equal(podFromLabels({ ...base, 'io.kubernetes.docker.type': 'podsandbox' })?.sandbox, true);
  t.equal(podFromLabels({ ...base, 'io.cri-containerd.kind': 'sandbox' })?.sandbox, true);
  t.equal(podFromLabels({ ...base, 'io.kubernetes.cri-o.ContainerType': 'sandbox' })?.sandbox, true);
  t.equal(podFromLabels({ ...base, 'io.cri-containerd.kind': 'container' })?.sandbox, false);
  t.equal(podFromLabels({ 'io.kubernetes.pod.name': 'p' }), undefined, 'namespace needed');
  t.equal(podFromLabels(undefined), undefined);
});

t.test('crio inspect → enrichment', async (t) => {
  const e = crioInspectToEnrichment({
    name: 'k8s_app_web-0_prod_u-1_0',
    image: 'registry/app:2',
    image_ref: 'registry/app@sha256:' + 'c'.repeat(64),
    labels: { 'io.kubernetes.container.name': 'app', 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': 'u-1' },
    annotations: { 'io.kubernetes.cri-o.ContainerType': 'container' },
  });
  t.equal(e.name, 'app');
  t.equal(e.image, 'registry/app:2');
  t.match(e.imageDigest, /@sha256:/);
  t.same(e.pod, { name: 'web-0', namespace: 'prod', uid: 'u-1', sandbox: false });
});

async function fakeDocker(handler: (path: string) => { status: number; body?: unknown; delayMs?: number }): Promise<{ socket: string; server: Server; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pt-docker-'));
  const socket = join(dir, 'docker.sock');
  const server = createServer((req, res) => {
    const r = handler(req.url ?? '');
    setTimeout(() => {
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body === undefined ? '' : JSON.stringify(r.body));
    }, r.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, server, dir };
}

t.test('DockerApiClient over a real unix socket: 200, 404, timeout', async (t) => {
  const seen: string[] = [];
  const f = await fakeDocker((path) => {
    seen.push(path);
    if (path.includes(ID)) return { status: 200, body: { Id: ID, Name: '/x', Config: { Image: 'img' }, State: { Status: 'running' } } };
    if (path.includes('slow')) return { status: 200, body: {}, delayMs: 2000 };
    return { status: 404, body: { message: 'no such container' } };
  });
  t.teardown(() => {
    f.server.close();
    rmSync(f.dir, { recursive: true, force: true });
  });
  const c = new DockerApiClient('docker', f.socket, 300);
  t.teardown(() => c.close());
  t.ok(c.available());
  const ok = await c.inspect(ID);
  t.same(ok, { status: 'ok', data: { name: 'x', image: 'img', state: 'running' } });
  t.equal(seen[0], `/v1.41/containers/${ID}/json`);
  t.same(await c.inspect('b'.repeat(64)), { status: 'not_found' });
  const t0 = Date.now();
  await t.rejects(c.inspect('slow'), 'a slow API call fails at the deadline');
  t.ok(Date.now() - t0 < 1500, 'within the timeout');
  const gone = new DockerApiClient('docker', join(f.dir, 'missing.sock'), 300);
  t.notOk(gone.available());
  await t.rejects(gone.inspect(ID));
});

/** A scripted client: fails `failures` times, then answers. */
class ScriptedClient implements RuntimeClient {
  readonly kind = 'podman';
  readonly socketPath = '/fake';
  calls = 0;
  constructor(private failures: number) {}
  available(): boolean {
    return true;
  }
  async inspect(): Promise<InspectResult> {
    this.calls++;
    if (this.calls <= this.failures) throw new Error('connection refused');
    return { status: 'ok', data: { name: 'late', image: 'img:1' } };
  }
  async close(): Promise<void> {}
}

t.test('enricher: served unenriched meanwhile, retried with backoff, then enriched', async (t) => {
  const cache = new ContainerCache();
  cache.applyCgroupEvent({ type: 'cgroup_mkdir', time: 1n, hierarchyId: 0, cgroupId: 77n, level: 2, path: `/libpod_parent/libpod-${ID}`, tid: 0, pid: 0, taskStartNs: 0n });
  const client = new ScriptedClient(2);
  const done: string[] = [];
  const en = new Enricher(cache, { now: () => 2n, clients: [client], baseBackoffMs: 40, intervalMs: 10, onEnriched: (id) => done.push(id) });
  t.teardown(() => en.close());
  en.kick(ID);
  await new Promise((r) => setTimeout(r, 15));
  t.equal(cache.containerAt(ID)?.enriched, false, 'unenriched after the first failure');
  t.equal(cache.containerAt(ID)?.name, undefined);
  en.start();
  const t0 = Date.now();
  while (done.length === 0 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
  t.same(done, [ID]);
  t.equal(client.calls, 3, 'two failures, then success');
  t.ok(Date.now() - t0 >= 40 + 80 - 30, 'waited the backoff (40 ms, then 80 ms)');
  const s = en.stats();
  t.equal(s.failures, 2);
  t.equal(s.enriched, 1);
  t.match(s.lastError, /connection refused/);
  t.equal(cache.containerAt(ID)?.name, 'late');
  t.equal(cache.containerAt('late')?.id, ID, 'resolvable by the enriched name');
});

t.test('enricher: no API for a runtime is counted, not fatal', async (t) => {
  const cache = new ContainerCache();
  cache.applyCgroupEvent({ type: 'cgroup_mkdir', time: 1n, hierarchyId: 0, cgroupId: 78n, level: 2, path: `/default/${'d'.repeat(64)}`, tid: 0, pid: 0, taskStartNs: 0n });
  const en = new Enricher(cache, { now: () => 2n, clients: [], intervalMs: 10 });
  t.teardown(() => en.close());
  en.start();
  await new Promise((r) => setTimeout(r, 30));
  t.ok(en.stats().noApi >= 1);
  t.equal(cache.containers()[0]?.enriched, false);
});
