/**
 * End to end with a real dockerd (Debian docker.io, no systemd): the eBPF source feeds the
 * container cache, proctrail's Docker API client (pointed at the test daemon's socket)
 * enriches it, and REST and GraphQL answer about a real container running a short process
 * tree — its processes carry the container, runtime docker, name, image and labels from the
 * Docker API, and the container stays answerable after removal for an `at` inside its
 * lifetime. Afterwards the host has no daemon, container, mount or temp dir left.
 */
import t from 'tap';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';
import {
  assertLiveAgain, assertNothingLeft, assertRemovedButFound, startScenarioService,
  type ContainerJson, type ContainerRef, type ProcessesJson, type ProcessJson,
} from '../helpers/container-scenario.js';
import { DOCKER_IMAGE, dockerMissing, startDocker, type DockerEnv } from '../helpers/docker.js';

const missing = ebpfMissing() ?? dockerMissing();
const skip = skipUnless(missing === undefined, missing ?? '');

t.test('dockerd container → attribution, Docker API enrichment, history after removal', { skip, timeout: 90_000 }, async (t) => {
  const t0 = performance.now();
  const dk: DockerEnv = await startDocker();
  t.comment(`dockerd up in ${dk.startMs} ms, image imported at ${Math.round(performance.now() - t0)} ms`);
  t.teardown(() => dk.close());

  const s = await startScenarioService(t, { docker: dk.socket, podman: '', crio: '', containerd: '' });
  const { get, gql } = s;

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
  const c = await s.waitEnrichedWithTwoSleeps(id, 20_000, 'the docker container attributed and enriched, with its two sleeps');
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
    await waitFor(() => s.svc.pipeline.containers.containers().every((x) => x.id !== id), 5000, 'the container deleted into history');
    await assertRemovedButFound(t, s, id);
    const then = await get<{ items: ContainerJson[] }>(`/v1/containers?at=${insideNs}`);
    t.ok(then.body.items.some((x) => x.id === id && x.alive && x.name === name && x.runtime === 'docker'), 'listed at a time inside its lifetime');
    const procs = await get<ProcessesJson>(`/v1/containers/${id}/processes?at=${insideNs}`);
    t.ok(procs.body.items.length >= 3, 'its processes at that time');
    const g = await gql<{ container: ContainerRef | null }>(`{ container(id: "${id}", at: "${insideNs}") { id name image runtime } }`);
    t.same(g.container, { id, name, image: DOCKER_IMAGE, runtime: 'docker' }, 'GraphQL container(id:, at:)');
  });

  await t.test('restart: containers come back from the snapshot', async (t) => {
    await s.stop();
    const snap = s.snapshot();
    t.ok(snap.containers.some((x) => x.id === id) && snap.containers.some((x) => x.id === keeper), 'both in the snapshot');
    // No enrichment this time: names and images must come from the snapshot alone.
    await s.startFromSnapshot();
    const removed = await get<ContainerJson>(`/v1/containers/${id}?at=${insideNs}`);
    t.equal(removed.status, 200);
    t.equal(removed.body.image, DOCKER_IMAGE);
    t.equal(removed.body.runtime, 'docker');
    t.ok(removed.body.alive, 'alive at that time');
    await assertLiveAgain(t, s, keeperName, keeper, DOCKER_IMAGE);
  });

  await t.test('cleanup: no daemon, shim, mount or temp dir left', async (t) => {
    await s.stop();
    await dk.close();
    assertNothingLeft(t, dk.dir, 'no dockerd, containerd or shim left');
  });
});
