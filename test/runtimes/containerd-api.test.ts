/**
 * containerd gRPC client: namespace from cgroup paths, Container → enrichment mapping, and
 * the client against a gRPC server on a unix socket that speaks the same protos (namespace
 * header honoured, NOT_FOUND falls through to the next namespace, errors and deadlines throw).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ContainerdClient, containerdNamespaceFromPath, containerdToEnrichment } from '../../src/runtimes/containerd-api.js';

const ID = 'a'.repeat(64);

t.test('namespace from the cgroup path', async (t) => {
  const cases: Array<[string, string, string | undefined]> = [
    ['/default/web', 'web', 'default'],
    ['/buildkit/x1/sub', 'x1', 'buildkit'],
    [`/kubepods/besteffort/pod1234/${ID}`, ID, 'k8s.io'],
    [`/kubepods.slice/kubepods-burstable.slice/cri-containerd-${ID}.scope`, ID, 'k8s.io'],
    [`/system.slice/kubepods-pod1.slice:cri-containerd:${ID}`, ID, 'k8s.io'],
    [`/docker/${ID}`, ID, 'docker'], // a `/<ns>/<id>` shape: tried first, then the fallbacks
    ['/user.slice/session-1.scope', 'x', undefined],
    ['/', 'x', undefined],
    ['', 'x', undefined],
  ];
  for (const [path, id, ns] of cases) t.equal(containerdNamespaceFromPath(path, id), ns, `${path} → ${ns}`);
  const c = new ContainerdClient('/nonexistent.sock');
  t.same(c.namespacesFor('web', { cgroupPaths: ['/tenant-a/web'] }), ['tenant-a', 'default', 'k8s.io']);
  t.same(c.namespacesFor('web'), ['default', 'k8s.io']);
  t.notOk(c.available());
});

t.test('Container → enrichment', async (t) => {
  t.same(containerdToEnrichment({ id: 'web', image: 'docker.io/library/nginx:1', labels: { a: 'b' } }, 'sha256:1'), {
    name: 'web', image: 'docker.io/library/nginx:1', imageDigest: 'sha256:1', labels: { a: 'b' },
  });
  const cri = containerdToEnrichment({
    id: ID,
    image: 'sha256:abc',
    labels: {
      'io.kubernetes.container.name': 'app',
      'io.kubernetes.pod.name': 'web-0',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': 'u-1',
      'io.cri-containerd.kind': 'container',
    },
  });
  t.equal(cri.name, 'app', 'CRI containers are named by their Kubernetes container name');
  t.same(cri.pod, { name: 'web-0', namespace: 'shop', uid: 'u-1', sandbox: false });
  const sandbox = containerdToEnrichment({ id: ID, labels: { 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'n', 'io.cri-containerd.kind': 'sandbox' } });
  t.equal(sandbox.pod?.sandbox, true, 'the sandbox container is marked');
  t.equal(containerdToEnrichment({ id: 'n1', labels: { 'nerdctl/name': 'pretty' } }).name, 'pretty', "nerdctl's name label");
  t.same(containerdToEnrichment(null), {}, 'garbage gives nothing, no throw');
  t.same(containerdToEnrichment({ id: 5, labels: 'x', image: [] }), {});
});

t.test('client against a gRPC server on a unix socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'proctrail-grpc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const protoDir = fileURLToPath(new URL('../../src/runtimes/proto/', import.meta.url));
  const defs = loadSync([join(protoDir, 'containerd.proto'), join(protoDir, 'containerd-images.proto')], { keepCase: false, longs: String, defaults: false });
  const seen: string[] = [];
  let stall = false;
  const server = new Server();
  server.addService(defs['containerd.services.containers.v1.Containers'] as ServiceDefinition, {
    Get: (call: ServerUnaryCall<{ id: string }, unknown>, cb: sendUnaryData<unknown>) => {
      const ns = String(call.metadata.get('containerd-namespace')[0] ?? '');
      seen.push(`${ns}/${call.request.id}`);
      if (stall) return; // never answers: the client's deadline must fire
      if (call.request.id === 'boom') return cb({ code: status.UNAVAILABLE, details: 'down' });
      if (ns !== 'k8s.io' || call.request.id !== ID) return cb({ code: status.NOT_FOUND, details: 'container not found' });
      cb(null, {
        container: {
          id: ID, image: 'registry.local/app:2', labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop' },
          runtime: { name: 'io.containerd.runc.v2' }, createdAt: { seconds: '1700000000', nanos: 5 },
        },
      });
    },
  });
  server.addService(defs['containerd.services.images.v1.Images'] as ServiceDefinition, {
    Get: (call: ServerUnaryCall<{ name: string }, unknown>, cb: sendUnaryData<unknown>) => {
      if (call.request.name !== 'registry.local/app:2') return cb({ code: status.NOT_FOUND, details: 'image not found' });
      cb(null, { image: { name: call.request.name, target: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: 'sha256:feed', size: '123' } } });
    },
  });
  const sock = join(dir, 'containerd.sock');
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${sock}`, ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  t.teardown(() => server.forceShutdown());

  const client = new ContainerdClient(sock, { timeoutMs: 300 });
  t.teardown(() => client.close());
  t.ok(client.available());
  const r = await client.inspect(ID, { cgroupPaths: [`/kubepods/besteffort/pod1/${ID}`] });
  t.equal(r.status, 'ok');
  if (r.status === 'ok') {
    t.equal(r.data.name, ID, 'no k8s container-name label: named by id');
    t.equal(r.data.image, 'registry.local/app:2');
    t.equal(r.data.imageDigest, 'sha256:feed', 'digest from Images/Get');
    t.equal(r.data.labels?.['io.containerd.namespace'], 'k8s.io');
    t.same(r.data.pod, { name: 'web-0', namespace: 'shop', uid: '', sandbox: false });
  }
  t.same(seen, [`k8s.io/${ID}`], 'the namespace from the path is tried first, in the header');

  seen.length = 0;
  t.equal((await client.inspect(ID)).status, 'ok', 'found through the fallback namespaces');
  t.same(seen, [`default/${ID}`, `k8s.io/${ID}`]);

  t.same(await client.inspect('nope'), { status: 'not_found' }, 'NOT_FOUND everywhere is a definite answer');
  await t.rejects(client.inspect('boom'), /UNAVAILABLE|down/, 'other gRPC errors throw (the enricher retries)');
  stall = true;
  const t0 = performance.now();
  await t.rejects(client.inspect(ID, { cgroupPaths: ['/default/x'] }), /deadline|DEADLINE/i, 'a silent server hits the deadline');
  t.ok(performance.now() - t0 < 2000, 'within the deadline');
});
