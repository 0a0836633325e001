/**
 * End to end with a real standalone containerd (`ctr`, no systemd, no CRI): the eBPF source
 * feeds the container cache (`/default/<id>` cgroups), proctrail's containerd gRPC client
 * (pointed at the test daemon's socket) enriches it — name = container id, image = the
 * imported image ref and its digest, labels, Kubernetes pod from io.kubernetes.pod.* labels —
 * and REST and GraphQL answer about a container running a short process tree, also after
 * its removal for an `at` inside its lifetime. Afterwards nothing of the daemon is left.
 */
import t from 'tap';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';
import {
  assertLiveAgain, assertNothingLeft, assertRemovedButFound, startScenarioService,
  type ContainerJson, type ContainerRef, type ProcessesJson, type ProcessJson,
} from '../helpers/container-scenario.js';
import { CTRD_IMAGE, CTRD_NAMESPACE, containerdMissing, startContainerd, type ContainerdEnv } from '../helpers/containerd.js';

const missing = ebpfMissing() ?? containerdMissing();
const skip = skipUnless(missing === undefined, missing ?? '');

t.test('containerd (ctr) container → attribution, gRPC enrichment, history after removal', { skip, timeout: 90_000 }, async (t) => {
  const t0 = performance.now();
  const cd: ContainerdEnv = await startContainerd();
  t.comment(`containerd up in ${cd.startMs} ms, image imported at ${Math.round(performance.now() - t0)} ms`);
  t.teardown(() => cd.close());

  const s = await startScenarioService(t, { containerd: cd.socket, docker: '', podman: '', crio: '' });
  const { get, gql } = s;

  const id = `pt-ctrd-${process.pid}-${Date.now() % 100000}`;
  const labels = {
    'org.example.test': 'proctrail',
    'io.kubernetes.pod.name': 'batch-7',
    'io.kubernetes.pod.namespace': 'jobs',
    'io.kubernetes.pod.uid': '5f1e0c1a-aaaa-bbbb-cccc-ddddeeeeffff',
  };
  const runAt = performance.now();
  await cd.runDetached(id, ['sh', '-c', 'sh -c "sleep 1.2" & sleep 1.5; wait'], labels);

  // A long-lived one: still alive across the proctrail restart.
  const keeperName = `${id}-keep`;
  const keeper = keeperName; // ctr ids are chosen by the caller
  await cd.runDetached(keeper, ['sleep', '60']);
  const c = await s.waitEnrichedWithTwoSleeps(id, 20_000, 'the containerd container attributed and enriched, with its two sleeps');
  t.comment(`attributed and enriched ${Math.round(performance.now() - runAt)} ms after ctr run started`);
  t.equal(c.runtime, 'containerd');

  let insideNs = '';
  await t.test('REST: runtime containerd, name, image, digest, labels and pod from the gRPC API', async (t) => {
    const { status, body } = await get<ContainerJson>(`/v1/containers/${id}`);
    t.equal(status, 200);
    t.equal(body.id, id);
    t.equal(body.runtime, 'containerd');
    t.equal(body.name, id, 'ctr containers are named by their id');
    t.equal(body.image, CTRD_IMAGE, 'the imported image ref');
    t.equal(body.imageDigest, cd.imageDigest, 'the digest the image name points at');
    t.ok(body.alive);
    t.equal(body.cgroups[0]?.path, `/${CTRD_NAMESPACE}/${id}`);
    t.equal(body.labels['org.example.test'], 'proctrail', 'labels from the API');
    t.equal(body.labels['io.containerd.namespace'], CTRD_NAMESPACE, 'the namespace it was found in');
    t.same(body.pod, { name: 'batch-7', namespace: 'jobs', uid: labels['io.kubernetes.pod.uid'], sandbox: false }, 'pod from the k8s labels');
  });

  await t.test('REST and GraphQL: processes carry the container', async (t) => {
    const procs = await get<ProcessesJson>(`/v1/containers/${id}/processes`);
    t.equal(procs.status, 200);
    const argv0 = procs.body.items.map((i) => i.process?.argv[0]).filter((n) => n !== undefined);
    t.ok(argv0.filter((n) => n === 'sleep').length >= 2 && argv0.includes('sh'), `sh and two sleeps inside (${argv0.join(',')})`);
    const sleep = procs.body.items.find((i) => i.process?.argv[0] === 'sleep')!;
    const p = await get<ProcessJson>(`/v1/processes/${sleep.pid}`);
    t.same(p.body.container, { id, name: id, image: CTRD_IMAGE, runtime: 'containerd' });
    insideNs = (BigInt(p.body.startTimeNs) + 100_000_000n).toString();
    const d = await gql<{ process: { container: ContainerRef }; container: { pod: { name: string } | null } }>(
      `{ process(pid: ${sleep.pid}) { container { id name image runtime } } container(id: "${id}") { pod { name } } }`,
    );
    t.same(d.process.container, { id, name: id, image: CTRD_IMAGE, runtime: 'containerd' });
    t.equal(d.container.pod?.name, 'batch-7');
  });

  await t.test('after removal: answerable for an `at` inside its lifetime', async (t) => {
    t.ok(await cd.waitStopped(id), 'the task stopped');
    await cd.remove(id);
    await waitFor(() => s.svc.pipeline.containers.containers().every((x) => x.id !== id), 5000, 'the container deleted into history');
    await assertRemovedButFound(t, s, id);
    const then = await get<{ items: ContainerJson[] }>(`/v1/containers?at=${insideNs}`);
    t.ok(then.body.items.some((x) => x.id === id && x.alive && x.runtime === 'containerd' && x.image === CTRD_IMAGE), 'listed at a time inside its lifetime');
    const procs = await get<ProcessesJson>(`/v1/containers/${id}/processes?at=${insideNs}`);
    t.ok(procs.body.items.length >= 3, 'its processes at that time');
    const g = await gql<{ container: ContainerRef | null }>(`{ container(id: "${id}", at: "${insideNs}") { id name image runtime } }`);
    t.same(g.container, { id, name: id, image: CTRD_IMAGE, runtime: 'containerd' }, 'GraphQL container(id:, at:)');
  });

  await t.test('restart: containers come back from the snapshot', async (t) => {
    await s.stop();
    const snap = s.snapshot();
    t.ok(snap.containers.some((x) => x.id === id) && snap.containers.some((x) => x.id === keeper), 'both in the snapshot');
    // No enrichment this time: names and images must come from the snapshot alone.
    await s.startFromSnapshot();
    const removed = await get<ContainerJson>(`/v1/containers/${id}?at=${insideNs}`);
    t.equal(removed.status, 200);
    t.equal(removed.body.image, CTRD_IMAGE);
    t.equal(removed.body.runtime, 'containerd');
    t.ok(removed.body.alive, 'alive at that time');
    await assertLiveAgain(t, s, keeperName, keeper, CTRD_IMAGE);
  });

  await t.test('cleanup: no daemon, shim, mount or temp dir left', async (t) => {
    await s.stop();
    await cd.close();
    assertNothingLeft(t, cd.dir, 'no containerd or shim left');
  });
});
