/**
 * End to end with a real runtime: the eBPF source and the cgroupfs scan feed the container
 * cache, a private podman API service enriches it, and REST and GraphQL answer about a real
 * container running a short process tree — its processes carry the container, the container
 * has runtime podman, its name and image from podman's API, stays answerable after removal
 * for an `at` inside its lifetime, and survives a proctrail restart through the snapshot.
 */
import t from 'tap';
import { ebpfMissing, skipUnless, waitFor } from '../helpers/capability.js';
import {
  assertLiveAgain, assertRemovedButFound, startScenarioService,
  type ContainerJson, type ContainerRef, type ProcessesJson, type ProcessJson,
} from '../helpers/container-scenario.js';
import { MINI_IMAGE, podmanMissing, startPodman, type PodmanEnv } from '../helpers/podman.js';

const missing = ebpfMissing() ?? podmanMissing();
const skip = skipUnless(missing === undefined, missing ?? '');

t.test('podman container → cgroup events → attribution, enrichment, history, snapshot', { skip, timeout: 90_000 }, async (t) => {
  const pm: PodmanEnv = await startPodman();
  t.teardown(() => pm.close());
  const s = await startScenarioService(t, { podman: pm.socket, docker: '', crio: '' });
  const { get, gql } = s;

  const stats = (await get<{ containers: { hierarchy: { name: string; hierarchyId: number } } }>('/v1/stats')).body;
  t.equal(stats.containers.hierarchy.name, 'unified', '/v1/stats names the tracked hierarchy');

  const suffix = `${process.pid}-${Date.now() % 100000}`;
  const name = `pt-e2e-${suffix}`;
  // sh → (sh → sleep) + sleep: a short process tree inside the container.
  const id = await pm.runDetached(name, ['sh', '-c', 'sh -c "sleep 1.2" & sleep 1.5; wait']);
  // A long-lived one: still alive across the proctrail restart.
  const keeperName = `pt-keep-${suffix}`;
  const keeper = await pm.runDetached(keeperName, ['sleep', '60']);
  t.match(id, /^[0-9a-f]{64}$/);

  const c = await s.waitEnrichedWithTwoSleeps(id, 5000, 'the container attributed and enriched, with its two sleeps');
  t.equal(c.runtime, 'podman');

  let insideNs = '';
  t.test('REST: the container with runtime, name and image from the podman API', async (t) => {
    const { status, body } = await get<ContainerJson>(`/v1/containers/${id.slice(0, 12)}`);
    t.equal(status, 200);
    t.equal(body.id, id);
    t.equal(body.runtime, 'podman');
    t.equal(body.name, name);
    t.equal(body.image, MINI_IMAGE);
    t.match(body.imageDigest, /^sha256:[0-9a-f]{64}$/);
    t.ok(body.alive);
    t.match(body.cgroups[0]?.path, new RegExp(`/libpod-${id}$`));
    const byName = await get<ContainerJson>(`/v1/containers/${name}`);
    t.equal(byName.body.id, id, 'resolvable by name');
    const list = await get<{ items: ContainerJson[] }>('/v1/containers');
    t.ok(list.body.items.some((x) => x.id === id && x.name === name), 'listed');
    t.ok(list.body.items.some((x) => x.id === keeper), 'the other container is listed');
  });

  t.test('REST and GraphQL: processes carry the container', async (t) => {
    const procs = await get<ProcessesJson>(`/v1/containers/${id}/processes`);
    t.equal(procs.status, 200);
    // busybox runs applets by exec'ing /proc/self/exe (comm "exe"): match on argv[0].
    const named = procs.body.items.map((i) => i.process?.argv[0]).filter((n) => n !== undefined).sort();
    t.ok(named.filter((n) => n === 'sleep').length >= 2, `two sleeps inside (${named.join(',')})`);
    t.ok(named.includes('sh'), 'the shell inside');
    const sleep = procs.body.items.find((i) => i.process?.argv[0] === 'sleep')!;
    const p = await get<ProcessJson>(`/v1/processes/${sleep.pid}`);
    t.same(p.body.container, { id, name, image: MINI_IMAGE, runtime: 'podman' });
    insideNs = (BigInt(p.body.startTimeNs) + 100_000_000n).toString();
    const self = await get<ProcessJson>(`/v1/processes/${process.pid}`);
    t.equal(self.body.container, null, 'a host process has container null');

    const d = await gql<{ process: { container: ContainerRef }; container: { runtime: string; processes: Array<{ pid: number; container: { id: string } }> } }>(
      `{ process(pid: ${sleep.pid}) { container { id name image runtime } }
         container(id: "${name}") { runtime processes { pid container { id } } } }`,
    );
    t.same(d.process.container, { id, name, image: MINI_IMAGE, runtime: 'podman' });
    t.equal(d.container.runtime, 'podman');
    t.ok(d.container.processes.length >= 3 && d.container.processes.every((x) => x.container.id === id), 'nested processes inherit at and carry the container');
  });

  await t.test('after removal: answerable for an `at` inside its lifetime', async (t) => {
    t.equal((await pm.podman(['wait', name], 20_000)).code, 0);
    t.equal((await pm.podman(['rm', name])).code, 0);
    await waitFor(() => s.svc.pipeline.containers.stats().expired.containers > 0 && s.svc.pipeline.containers.containers().every((x) => x.id !== id), 5000, 'the container deleted into history');
    await assertRemovedButFound(t, s, id);
    const list = await get<{ items: ContainerJson[] }>('/v1/containers');
    t.notOk(list.body.items.some((x) => x.id === id), 'not listed as live');
    const then = await get<{ items: ContainerJson[] }>(`/v1/containers?at=${insideNs}`);
    t.ok(then.body.items.some((x) => x.id === id && x.alive && x.name === name), 'listed at a time inside its lifetime');
    const procs = await get<ProcessesJson>(`/v1/containers/${id}/processes?at=${insideNs}`);
    t.ok(procs.body.items.length >= 3, 'its processes at that time');
    const g = await gql<{ containers: ContainerRef[] }>(`{ containers(at: "${insideNs}") { id name image runtime } }`);
    t.ok(g.containers.some((x) => x.id === id && x.name === name), 'GraphQL containers(at:)');
    const cg = await get<{ alive: boolean; path: string; container: ContainerRef }>(`/v1/cgroups/${c.cgroups[0]!.cgroupId}`);
    t.equal(cg.status, 200);
    t.notOk(cg.body.alive, 'the cgroup is dead');
    t.equal(cg.body.container.id, id);
  });

  await t.test('restart: containers come back from the snapshot', async (t) => {
    await s.stop();
    const snap = s.snapshot();
    t.equal(snap.format, 'proctrail.containers');
    t.ok(snap.containers.some((x) => x.id === id));
    // No enrichment this time: names must come from the snapshot alone.
    await s.startFromSnapshot();
    const removed = await get<ContainerJson>(`/v1/containers/${id}?at=${insideNs}`);
    t.equal(removed.status, 200);
    t.equal(removed.body.name, name);
    t.equal(removed.body.image, MINI_IMAGE);
    t.ok(removed.body.alive, 'alive at that time');
    await assertLiveAgain(t, s, keeperName, keeper, MINI_IMAGE);
    await s.stop();
  });
});
