/**
 * End to end with a real dockerd (Debian docker.io, no systemd): the eBPF source feeds the
 * container cache, proctrail's Docker API client (pointed at the test daemon's socket)
 * enriches it, and REST and GraphQL answer about a real container running a short process
 * tree — its processes carry the container, runtime docker, name, image and labels from the
 * Docker API, and the container stays answerable after removal for an `at` inside its
 * lifetime. Afterwards the host has no daemon, container, mount or temp dir left.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/service/service.js';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';
import { pidsMentioning } from '../helpers/daemon-cleanup.js';
import { DOCKER_IMAGE, dockerMissing, leftoverDockerMounts, startDocker, type DockerEnv } from '../helpers/docker.js';

interface ContainerRef { id: string; name: string | null; image: string | null; runtime: string }
interface ContainerJson extends ContainerRef {
  imageDigest: string | null;
  alive: boolean;
  enriched: boolean;
  removedAtNs: string | null;
  labels: Record<string, string>;
  pod: { name: string; namespace: string; uid: string; sandbox: boolean } | null;
  cgroups: Array<{ hierarchyId: number; cgroupId: string; path: string }>;
}
interface ProcessJson { pid: number; startTimeNs: string; argv: string[]; container: ContainerRef | null }
interface ProcessesJson { items: Array<{ pid: number; process: ProcessJson | null }> }

const missing = ebpfMissing() ?? dockerMissing();
const skip = skipUnless(missing === undefined, missing ?? '');

t.test('dockerd container → attribution, Docker API enrichment, history after removal', { skip, timeout: 90_000 }, async (t) => {
  const t0 = performance.now();
  const dk: DockerEnv = await startDocker();
  t.comment(`dockerd up in ${dk.startMs} ms, image imported at ${Math.round(performance.now() - t0)} ms`);
  t.teardown(() => dk.close());

  const stateDir = mkdtempSync(join(tmpdir(), 'proctrail-state-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  let svc: RunningService = await startService({
    source: 'ebpf', scan: false, stateDir, runtimeSockets: { docker: dk.socket, podman: '', crio: '', containerd: '' },
    containerDeleteGraceMs: 300, log: () => undefined,
  });
  let svcClosed = false;
  t.teardown(() => (svcClosed ? undefined : svc.close()));
  const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const res = await svc.app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() as T };
  };
  const gql = async <T>(query: string): Promise<T> => {
    const res = await svc.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
    const body = res.json() as { data: T; errors?: unknown };
    t.notOk(body.errors, `no GraphQL errors in ${query.slice(0, 40)}`);
    return body.data;
  };

  const name = `pt-dk-${process.pid}-${Date.now() % 100000}`;
  const labels = {
    'org.example.test': 'proctrail',
    'io.kubernetes.pod.name': 'web-0',
    'io.kubernetes.pod.namespace': 'shop',
    'io.kubernetes.pod.uid': '0d7c2d4e-1111-2222-3333-444455556666',
  };
  const runAt = performance.now();
  const id = await dk.runDetached(name, ['sh', '-c', 'sh -c "sleep 1.2" & sleep 1.5; wait'], labels);
  t.match(id, /^[0-9a-f]{64}$/);

  // A long-lived one: still alive across the proctrail restart.
  const keeperName = `${name}-keep`;
  const keeper = await dk.runDetached(keeperName, ['sleep', '60']);
  // On a timeout, say what was there (enriched? which processes?) before failing.
  const describe = (): string => {
    const cv = svc.pipeline.containers.containerAt(id);
    const argv0 = svc.pipeline.containers.processesOf(id).map((e) => svc.pipeline.tree.getProcess(e.processKey)?.execHistory.at(-1)?.argv[0]);
    return `known=${cv !== undefined} enriched=${cv?.enriched} processes=[${argv0.join(',')}] enrichment=${JSON.stringify(svc.containers.stats().enrichment ?? null)}`;
  };
  const c = await waitFor(() => {
    const res = svc.pipeline.containers.containerAt(id);
    if (!res?.enriched) return undefined;
    const argv0 = svc.pipeline.containers.processesOf(id).map((e) => svc.pipeline.tree.getProcess(e.processKey)?.execHistory.at(-1)?.argv[0]);
    return argv0.filter((n) => n === 'sleep').length >= 2 ? res : undefined;
  }, 20_000, 'the docker container attributed and enriched, with its two sleeps').catch((e: Error) => {
    t.comment(describe());
    throw e;
  });
  t.comment(`attributed and enriched ${Math.round(performance.now() - runAt)} ms after docker run started`);
  t.equal(c.runtime, 'docker');

  let insideNs = '';
  await t.test('REST: runtime docker, name, image, labels and pod from the Docker API', async (t) => {
    const { status, body } = await get<ContainerJson>(`/v1/containers/${id.slice(0, 12)}`);
    t.equal(status, 200);
    t.equal(body.id, id);
    t.equal(body.runtime, 'docker');
    t.equal(body.name, name);
    t.equal(body.image, DOCKER_IMAGE);
    t.match(body.imageDigest, /^sha256:[0-9a-f]{64}$/);
    t.ok(body.alive);
    t.match(body.cgroups[0]?.path, new RegExp(`^/docker/${id}$`));
    t.equal(body.labels['org.example.test'], 'proctrail', 'labels from the API');
    t.same(body.pod, { name: 'web-0', namespace: 'shop', uid: labels['io.kubernetes.pod.uid'], sandbox: false }, 'pod from the k8s labels');
    t.equal((await get<ContainerJson>(`/v1/containers/${name}`)).body.id, id, 'resolvable by name');
  });

  await t.test('REST and GraphQL: processes carry the container', async (t) => {
    const procs = await get<ProcessesJson>(`/v1/containers/${id}/processes`);
    t.equal(procs.status, 200);
    const argv0 = procs.body.items.map((i) => i.process?.argv[0]).filter((n) => n !== undefined);
    t.ok(argv0.filter((n) => n === 'sleep').length >= 2 && argv0.includes('sh'), `sh and two sleeps inside (${argv0.join(',')})`);
    const sleep = procs.body.items.find((i) => i.process?.argv[0] === 'sleep')!;
    const p = await get<ProcessJson>(`/v1/processes/${sleep.pid}`);
    t.same(p.body.container, { id, name, image: DOCKER_IMAGE, runtime: 'docker' });
    insideNs = (BigInt(p.body.startTimeNs) + 100_000_000n).toString();
    const d = await gql<{ process: { container: ContainerRef } }>(`{ process(pid: ${sleep.pid}) { container { id name image runtime } } }`);
    t.same(d.process.container, { id, name, image: DOCKER_IMAGE, runtime: 'docker' });
  });

  await t.test('after removal: answerable for an `at` inside its lifetime', async (t) => {
    t.equal((await dk.docker(['wait', name], 20_000)).code, 0);
    t.equal((await dk.docker(['rm', name])).code, 0);
    await waitFor(() => svc.pipeline.containers.containers().every((x) => x.id !== id), 5000, 'the container deleted into history');
    const now = await get<ContainerJson>(`/v1/containers/${id}`);
    t.equal(now.status, 200, 'still found by id');
    t.notOk(now.body.alive);
    t.ok(now.body.removedAtNs !== null);
    const then = await get<{ items: ContainerJson[] }>(`/v1/containers?at=${insideNs}`);
    t.ok(then.body.items.some((x) => x.id === id && x.alive && x.name === name && x.runtime === 'docker'), 'listed at a time inside its lifetime');
    const procs = await get<ProcessesJson>(`/v1/containers/${id}/processes?at=${insideNs}`);
    t.ok(procs.body.items.length >= 3, 'its processes at that time');
    const g = await gql<{ container: ContainerRef | null }>(`{ container(id: "${id}", at: "${insideNs}") { id name image runtime } }`);
    t.same(g.container, { id, name, image: DOCKER_IMAGE, runtime: 'docker' }, 'GraphQL container(id:, at:)');
  });

  await t.test('restart: containers come back from the snapshot', async (t) => {
    await svc.close();
    const snap = JSON.parse(readFileSync(join(stateDir, 'containers.json'), 'utf8')) as { containers: Array<{ id: string }> };
    t.ok(snap.containers.some((x) => x.id === id) && snap.containers.some((x) => x.id === keeper), 'both in the snapshot');
    // No enrichment this time: names and images must come from the snapshot alone.
    svc = await startService({ source: 'ebpf', scan: false, stateDir, enrich: false, log: () => undefined });
    const removed = await get<ContainerJson>(`/v1/containers/${id}?at=${insideNs}`);
    t.equal(removed.status, 200);
    t.equal(removed.body.image, DOCKER_IMAGE);
    t.equal(removed.body.runtime, 'docker');
    t.ok(removed.body.alive, 'alive at that time');
    const live = await get<ContainerJson>(`/v1/containers/${keeperName}`);
    t.equal(live.status, 200, 'the running container is live again, by name');
    t.equal(live.body.id, keeper);
    t.ok(live.body.alive && live.body.enriched);
    t.equal(live.body.image, DOCKER_IMAGE);
  });

  await t.test('cleanup: no daemon, shim, mount or temp dir left', async (t) => {
    await svc.close();
    svcClosed = true;
    await dk.close();
    t.same(leftoverDockerMounts(dk.dir), [], 'no mount left under the test dir');
    t.notOk(existsSync(dk.dir), 'temp dir removed');
    t.same(pidsMentioning(dk.dir), [], 'no dockerd, containerd or shim left');
  });
});
