import t from 'tap';
import type { CgroupEvent } from '../../src/events/types.js';
import { ContainerCache } from '../../src/caches/containers.js';
import { loadSnapshot, reconcile, serializeContainers } from '../../src/caches/container-snapshot.js';

const ID1 = '1111111111111111111111111111111111111111111111111111111111111111';
const ID2 = '2222222222222222222222222222222222222222222222222222222222222222';
const ID3 = '1133333333333333333333333333333333333333333333333333333333333333';
const S = 1_000_000_000n; // one second in ns
// Above 2^53 and above 2^32: ids must survive as exact 64-bit values.
const CG1 = (7n << 32n) | 4242n;
const CG1_LOW_TWIN = (9n << 32n) | 4242n; // same low 32 bits: the seed's uint32 key would collide
const CG2 = 0x1234_5678_9abc_def0n;
const HOST_CG = 1n;

const ev = Object.freeze({
  mkdir: (time: bigint, cgroupId: bigint, path: string, hierarchyId = 0): CgroupEvent => ({
    type: 'cgroup_mkdir', time, hierarchyId, cgroupId, level: path.split('/').length - 1, path, tid: 0, pid: 0, taskStartNs: 0n,
  }),
  rmdir: (time: bigint, cgroupId: bigint, path: string, hierarchyId = 0): CgroupEvent => ({
    type: 'cgroup_rmdir', time, hierarchyId, cgroupId, level: path.split('/').length - 1, path, tid: 0, pid: 0, taskStartNs: 0n,
  }),
  attach: (time: bigint, cgroupId: bigint, path: string, pid: number, startNs: bigint): CgroupEvent => ({
    type: 'cgroup_attach', time, hierarchyId: 0, cgroupId, level: path.split('/').length - 1, path, tid: pid, pid, taskStartNs: startNs,
  }),
});

t.test('mkdir → attribution, full 64-bit ids', async (t) => {
  const c = new ContainerCache();
  c.applyCgroupEvent(ev.mkdir(10n * S, CG1, `/libpod_parent/libpod-${ID1}`));
  c.applyCgroupEvent(ev.mkdir(11n * S, CG1_LOW_TWIN, `/docker/${ID2}`));
  c.addScannedCgroup(0, HOST_CG, '/', 1n);
  t.equal(c.containerForCgroup(CG1)?.id, ID1);
  t.equal(c.containerForCgroup(CG1)?.runtime, 'podman');
  t.equal(c.containerForCgroup(CG1_LOW_TWIN)?.id, ID2, 'ids equal in the low 32 bits stay apart');
  t.equal(c.containerForCgroup(HOST_CG), undefined, 'host cgroup: no container');
  t.equal(c.cgroup(0, HOST_CG)?.path, '/');
  t.equal(c.containerForCgroup(999n), undefined, 'unknown cgroup');
  t.equal(c.containerForCgroup(CG1, undefined, 3), undefined, 'other hierarchy');
  const s = c.stats();
  t.equal(s.lookups.hits, 4);
  t.equal(s.lookups.misses, 2);
  t.equal(s.cgroups.size, 3);
  t.equal(s.containers.size, 2);
  t.same(c.containers().map((x) => x.id), [ID1, ID2], 'oldest first');
  t.equal(c.containers(10n * S).length, 1, 'at: only ID1 existed at 10 s');
  t.equal(c.cgroup(0, CG1)?.containerRoot, true);
});

t.test('rmdir → resolvable for the grace period, then history', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 30n * S });
  const path = `/docker/${ID1}`;
  c.applyCgroupEvent(ev.mkdir(100n * S, CG1, path));
  c.applyCgroupEvent(ev.rmdir(200n * S, CG1, path));
  t.equal(c.cgroup(0, CG1)?.dead, true);
  t.equal(c.stats().cgroups.pendingDeletions, 1);
  t.equal(c.containerForCgroup(CG1)?.id, ID1, 'dead but resolvable');
  t.equal(c.containerForCgroup(CG1)?.removedAt, 200n * S);
  t.same(c.containers(), [], 'not listed as current');
  t.equal(c.expire(229n * S), 0, 'grace not over');
  t.equal(c.stats().containers.size, 1);
  t.equal(c.expire(230n * S), 1, 'deleted at rmdir + grace');
  const s = c.stats();
  t.equal(s.cgroups.size, 0);
  t.equal(s.cgroups.pendingDeletions, 0);
  t.equal(s.containers.size, 0);
  t.equal(s.containers.historySize, 1);
  t.equal(s.expired.containers, 1);
  // History answers inside the lifetime, not outside.
  t.equal(c.containerAt(ID1, 150n * S)?.id, ID1);
  t.equal(c.containerAt(ID1, 99n * S), undefined, 'before creation');
  t.equal(c.containerAt(ID1, 200n * S), undefined, 'removedAt is exclusive');
  t.equal(c.containerAt(ID1)?.removedAt, 200n * S, 'without at: any known');
  t.same(c.containers(150n * S).map((x) => x.id), [ID1]);
  t.equal(c.containerForCgroup(CG1)?.id, ID1, 'old cgroup id still resolves from history');
});

t.test('history is a bounded LRU and counts evictions', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 0n, historyCapacity: 2 });
  const ids = [ID1, ID2, ID3];
  ids.forEach((id, i) => {
    c.applyCgroupEvent(ev.mkdir(BigInt(i) * S, BigInt(100 + i), `/docker/${id}`));
    c.applyCgroupEvent(ev.rmdir(BigInt(i) * S + 1n, BigInt(100 + i), `/docker/${id}`));
  });
  t.equal(c.expire(10n * S), 3);
  const s = c.stats();
  t.equal(s.containers.historySize, 2);
  t.equal(s.evictions.containerHistory, 1);
  t.equal(c.containerAt(ID1), undefined, 'oldest evicted');
  t.equal(c.containerAt(ID3)?.id, ID3);
});

t.test('out of order: rmdir before the last process exit keeps the attribution', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 30n * S });
  const path = `/libpod_parent/libpod-${ID1}`;
  c.applyCgroupEvent(ev.mkdir(1n * S, CG1, path));
  t.equal(c.noteTask(CG1, '500@100', 2n * S), ID1);
  t.equal(c.noteTask(CG1, '501@101', 2n * S), ID1);
  c.noteTask(CG1, '501@101', 3n * S, true);
  // rmdir reported before the exit of 500 (per-CPU buffers, reordered batches)
  c.applyCgroupEvent(ev.rmdir(4n * S, CG1, path));
  t.equal(c.noteTask(CG1, '500@100', 4n * S + 5n, true), ID1, 'late exit still attributed');
  t.equal(c.containerForCgroup(CG1)?.id, ID1);
  c.expire(100n * S);
  t.equal(c.stats().containers.historySize, 1);
  // Even later (after deletion), the old cgroup id resolves from history.
  t.equal(c.noteTask(CG1, '502@102', 5n * S, true), ID1);
  const at = c.processesOf(ID1, 2n * S).map((p) => p.processKey).sort();
  t.same(at, ['500@100', '501@101']);
  t.same(c.processesOf(ID1, 4n * S).map((p) => p.processKey).sort(), ['500@100'], '501 exited at 3 s');
  const e500 = c.processesOf(ID1, 3n * S).find((p) => p.processKey === '500@100');
  t.equal(e500?.endedAt, 4n * S + 5n);
  t.same(c.processesOf(ID1), [], 'nothing running any more');
});

t.test('task events before the mkdir are held and replayed', async (t) => {
  const c = new ContainerCache();
  t.equal(c.noteTask(CG2, '700@1', 5n * S), undefined);
  t.equal(c.stats().pendingNotes, 1);
  c.applyCgroupEvent(ev.mkdir(5n * S - 1n, CG2, `/docker/${ID2}`));
  t.equal(c.stats().pendingNotes, 0);
  t.same(c.processesOf(ID2).map((p) => p.processKey), ['700@1']);
});

t.test('lost mkdir: rmdir with held notes creates the cgroup from its path', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 1n * S });
  c.noteTask(CG2, '700@1', 5n * S);
  c.applyCgroupEvent(ev.rmdir(6n * S, CG2, `/docker/${ID2}`));
  const v = c.containerAt(ID2);
  t.equal(v?.createdAt, 5n * S, 'created at the first note');
  t.equal(v?.removedAt, 6n * S);
  t.equal(c.stats().unknownCgroupEvents, 1);
  // without notes an unknown rmdir is just counted
  c.applyCgroupEvent(ev.rmdir(7n * S, 12345n, `/docker/${ID3}`));
  t.equal(c.containerAt(ID3), undefined);
  t.equal(c.stats().unknownCgroupEvents, 2);
});

t.test('attach: runc moves the first process into the container', async (t) => {
  const c = new ContainerCache();
  c.addScannedCgroup(0, HOST_CG, '/', 0n);
  c.applyCgroupEvent(ev.mkdir(1n * S, CG1, `/docker/${ID1}`));
  // the process started in the root cgroup...
  t.equal(c.noteTask(HOST_CG, '900@150', 1n * S + 1n), undefined);
  // ...and is moved by writing cgroup.procs
  c.applyCgroupEvent(ev.attach(1n * S + 2n, CG1, `/docker/${ID1}`, 900, 150n * 10_000_000n + 3n));
  t.same(c.processesOf(ID1).map((p) => p.processKey), ['900@150']);
  // moved out again into another container: the first stay ends there
  c.applyCgroupEvent(ev.mkdir(2n * S, CG2, `/docker/${ID2}`));
  c.applyCgroupEvent(ev.attach(3n * S, CG2, `/docker/${ID2}`, 900, 150n * 10_000_000n));
  t.same(c.processesOf(ID1), []);
  t.equal(c.processesOf(ID1, 2n * S)[0]?.endedAt, 3n * S);
  t.same(c.processesOf(ID2).map((p) => p.processKey), ['900@150']);
  // attach into a cgroup never seen: learned from the event's path
  c.applyCgroupEvent(ev.attach(4n * S, 777n, `/libpod_parent/libpod-${ID3}`, 901, 0n));
  t.equal(c.containerForCgroup(777n)?.runtime, 'podman');
});

t.test('lookup by id, prefix and name; ambiguity reported', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 0n });
  c.applyCgroupEvent(ev.mkdir(1n * S, CG1, `/docker/${ID1}`));
  c.applyCgroupEvent(ev.mkdir(2n * S, CG2, `/docker/${ID3}`));
  c.applyCgroupEvent(ev.mkdir(2n * S, 5n, `/docker/${ID2}`));
  t.ok(c.enrich(ID1, { name: '/web', image: 'busybox:latest', labels: { a: 'b' } }));
  t.notOk(c.enrich('nope', { name: 'x' }));
  t.equal(c.containerAt(ID1)?.name, '/web');
  t.equal(c.containerAt('web')?.id, ID1, 'docker name without its slash');
  t.equal(c.containerAt('/web')?.id, ID1);
  t.equal(c.containerAt('22')?.id, ID2, 'unique prefix');
  t.same(c.resolveContainer('11'), { status: 'ambiguous', ids: [ID1, ID3] });
  t.same(c.resolveContainer('33'), { status: 'not_found' });
  t.same(c.resolveContainer(''), { status: 'not_found' });
  // a name reused after removal: with at, the one alive then; without, the live one
  c.applyCgroupEvent(ev.rmdir(3n * S, CG1, `/docker/${ID1}`));
  c.expire(3n * S);
  c.enrich(ID2, { name: 'web' });
  t.equal(c.containerAt('web')?.id, ID2);
  t.equal(c.containerAt('web', 1n * S + 1n)?.id, ID1);
  t.equal(c.containerAt('web', 1n * S + 1n)?.image, 'busybox:latest', 'enrichment kept in history');
});

t.test('enrichment merge', async (t) => {
  const c = new ContainerCache();
  c.applyCgroupEvent(ev.mkdir(1n * S, CG1, `/kubepods/besteffort/pod1234/crio-${ID1}`));
  t.same(c.unenriched(), [ID1]);
  c.enrich(ID1, { name: 'app', image: 'img', imageDigest: 'sha256:ab', pod: { name: 'p', namespace: 'ns', uid: 'u', sandbox: false }, state: 'running' });
  c.enrich(ID1, { state: 'exited' });
  const v = c.containerAt(ID1);
  t.match(v, { name: 'app', image: 'img', imageDigest: 'sha256:ab', state: 'exited', enriched: true, runtime: 'crio' });
  t.same(v?.pod, { name: 'p', namespace: 'ns', uid: 'u', sandbox: false });
  t.same(c.unenriched(), []);
  t.equal(c.stats().enrichments, 2);
});

t.test('one container, several cgroups (sub-cgroup, v1 hierarchies)', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 0n });
  c.applyCgroupEvent(ev.mkdir(1n * S, 10n, `/machine.slice/libpod-${ID1}.scope`));
  c.applyCgroupEvent(ev.mkdir(1n * S + 5n, 11n, `/machine.slice/libpod-${ID1}.scope/container`));
  c.applyCgroupEvent(ev.mkdir(1n * S + 7n, 10n, `/machine.slice/libpod-${ID1}.scope`, 4));
  t.equal(c.stats().containers.size, 1);
  t.equal(c.containerAt(ID1)?.cgroups.length, 3);
  t.equal(c.cgroup(0, 11n)?.containerRoot, false);
  t.equal(c.containerForCgroup(10n, undefined, 4)?.id, ID1, 'v1 hierarchy lookup');
  c.applyCgroupEvent(ev.rmdir(2n * S, 11n, `/machine.slice/libpod-${ID1}.scope/container`));
  t.equal(c.containerAt(ID1)?.removedAt, undefined, 'still has live cgroups');
  c.applyCgroupEvent(ev.rmdir(3n * S, 10n, `/machine.slice/libpod-${ID1}.scope`));
  c.applyCgroupEvent(ev.rmdir(4n * S, 10n, `/machine.slice/libpod-${ID1}.scope`, 4));
  t.equal(c.containerAt(ID1)?.removedAt, 4n * S, 'removed with its last cgroup');
  c.expire(4n * S);
  t.equal(c.stats().containers.historySize, 1);
  // hierarchy filter
  const f = new ContainerCache({ hierarchies: [0] });
  f.applyCgroupEvent(ev.mkdir(1n, 10n, `/docker/${ID1}`, 4));
  t.equal(f.stats().applied.ignored, 1);
  t.equal(f.stats().cgroups.size, 0);
});

t.test('restart with the same id revives the container', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 0n });
  c.applyCgroupEvent(ev.mkdir(1n * S, 10n, `/docker/${ID1}`));
  c.enrich(ID1, { name: 'db' });
  c.applyCgroupEvent(ev.rmdir(2n * S, 10n, `/docker/${ID1}`));
  c.expire(2n * S);
  c.applyCgroupEvent(ev.mkdir(5n * S, 20n, `/docker/${ID1}`));
  const v = c.containerAt(ID1);
  t.equal(v?.removedAt, undefined);
  t.equal(v?.createdAt, 1n * S);
  t.equal(v?.name, 'db');
  t.equal(c.stats().containers.historySize, 0);
});

t.test('scan and events agree; events win on time', async (t) => {
  const c = new ContainerCache();
  c.addScannedCgroup(0, 10n, `/docker/${ID1}`, 50n * S);
  t.equal(c.containerAt(ID1)?.createdAt, 50n * S);
  c.applyCgroupEvent(ev.mkdir(40n * S, 10n, `/docker/${ID1}`));
  t.equal(c.containerAt(ID1)?.createdAt, 40n * S);
  t.equal(c.cgroup(0, 10n)?.origin, 'event');
  c.addScannedCgroup(0, 10n, `/docker/${ID1}`, 60n * S);
  t.equal(c.containerAt(ID1)?.createdAt, 40n * S, 'a later scan does not override the event');
  t.equal(c.cgroup(0, 10n)?.level, 2);
});

t.test('bad input is counted, never thrown', async (t) => {
  const c = new ContainerCache();
  const bad = [null, {}, { type: 'cgroup_mkdir' }, { ...ev.mkdir(1n, 1n, '/'), cgroupId: 5 }, { ...ev.mkdir(1n, 1n, '/'), path: 3 }, { ...ev.mkdir(1n, 1n, '/'), hierarchyId: -1 }];
  for (const b of bad) c.applyCgroupEvent(b as unknown as CgroupEvent);
  t.equal(c.addScannedCgroup(0, 5 as unknown as bigint, '/', 0n), undefined);
  t.equal(c.stats().invalidEvents, bad.length + 1);
  t.throws(() => new ContainerCache({ historyCapacity: 0 }), TypeError);
  t.throws(() => new ContainerCache({ deleteGraceNs: -1n }), TypeError);
});

t.test('process index is bounded per container, ended entries go first', async (t) => {
  const c = new ContainerCache({ processesPerContainer: 3 });
  c.applyCgroupEvent(ev.mkdir(1n, CG1, `/docker/${ID1}`));
  c.noteTask(CG1, 'a@1', 2n);
  c.noteTask(CG1, 'b@1', 3n);
  c.noteTask(CG1, 'b@1', 4n, true);
  c.noteTask(CG1, 'c@1', 5n);
  c.noteTask(CG1, 'd@1', 6n);
  const keys = c.processesOf(ID1, 6n).map((p) => p.processKey).sort();
  t.same(keys, ['a@1', 'c@1', 'd@1'], 'the ended b went first');
  t.equal(c.stats().evictions.processEntries, 1);
  t.equal(c.containerAt(ID1)?.processCount, 3);
  t.equal(c.containerAt(ID1)?.runningProcessCount, 3);
});

t.test('a container going to history keeps only its most recent process stays', async (t) => {
  const c = new ContainerCache({ deleteGraceNs: 0n, historyProcessesPerContainer: 2 });
  c.applyCgroupEvent(ev.mkdir(1n, CG1, `/docker/${ID1}`));
  for (let i = 0; i < 5; i++) {
    c.noteTask(CG1, `${i}@1`, BigInt(10 + i));
    c.noteTask(CG1, `${i}@1`, BigInt(20 + i), true);
  }
  c.applyCgroupEvent(ev.rmdir(30n, CG1, `/docker/${ID1}`));
  t.equal(c.containerAt(ID1)?.processCount, 5, 'all kept while live');
  c.expire(30n);
  t.same(c.processesOf(ID1, 14n).map((p) => p.processKey).sort(), ['3@1', '4@1']);
  t.equal(c.stats().evictions.processEntries, 3);
});

// ------------------------------------------------------------------ snapshot

function populated(): ContainerCache {
  const c = new ContainerCache({ deleteGraceNs: 0n });
  c.addScannedCgroup(0, HOST_CG, '/', 0n);
  c.applyCgroupEvent(ev.mkdir(1n * S, CG1, `/libpod_parent/libpod-${ID1}`));
  c.applyCgroupEvent(ev.mkdir(2n * S, CG2, `/docker/${ID2}`));
  c.applyCgroupEvent(ev.mkdir(3n * S, 30n, `/docker/${ID3}`));
  c.enrich(ID1, { name: 'web', image: 'localhost/bb:1', imageDigest: 'sha256:00', labels: { 'io.kubernetes.pod.name': 'p' }, pod: { name: 'p', namespace: 'n', uid: 'u', sandbox: true }, state: 'running' });
  c.applyCgroupEvent(ev.rmdir(4n * S, 30n, `/docker/${ID3}`));
  c.expire(4n * S); // ID3 → history
  return c;
}

t.test('snapshot save/load round trip with exact 64-bit values', async (t) => {
  const text = serializeContainers(populated(), { savedAtNs: 10n * S, bootId: 'boot-a', realtimeOffsetNs: 1_700_000_000n * S });
  const loaded = loadSnapshot(text);
  if (!loaded.ok) throw new Error(loaded.reason);
  t.equal(loaded.data.containers.length, 3);
  t.equal(loaded.data.savedAtNs, 10n * S);
  t.equal(loaded.data.realtimeOffsetNs, 1_700_000_000n * S);
  const c1 = loaded.data.containers.find((c) => c.id === ID1);
  t.equal(c1?.cgroups[0]?.cgroupId, CG1, 'bigint id exact');
  t.equal(c1?.name, 'web');
  t.same(c1?.pod, { name: 'p', namespace: 'n', uid: 'u', sandbox: true });
  t.equal(loaded.data.containers.find((c) => c.id === ID3)?.inHistory, true);

  // restart: the scan finds ID1's cgroup alive, ID2's gone
  const fresh = new ContainerCache();
  fresh.addScannedCgroup(0, HOST_CG, '/', 0n);
  fresh.addScannedCgroup(0, CG1, `/libpod_parent/libpod-${ID1}`, 1n * S + 500n);
  const r = reconcile(fresh, loaded.data, [{ hierarchyId: 0, cgroupId: HOST_CG }, { hierarchyId: 0, cgroupId: CG1, path: `/libpod_parent/libpod-${ID1}` }], { bootId: 'boot-a', nowNs: 20n * S });
  t.same(r, { live: 1, history: 1, removed: 1, skipped: 0, foreignBoot: false });
  const v1 = fresh.containerAt(ID1);
  t.match(v1, { name: 'web', image: 'localhost/bb:1', state: 'running', enriched: true, createdAt: 1n * S, removedAt: undefined });
  t.equal(fresh.containerForCgroup(CG1)?.name, 'web');
  const v2 = fresh.containerAt(ID2);
  t.equal(v2?.removedAt, 10n * S, 'gone at load: removed at the last moment known alive');
  t.equal(v2?.removedBy, 'reconcile');
  t.equal(fresh.containerAt(ID2, 5n * S)?.id, ID2, 'still answerable inside its lifetime');
  t.equal(fresh.containerAt(ID3, 3n * S)?.removedAt, 4n * S);
  t.equal(fresh.containerAt(ID3)?.removedBy, 'rmdir');
  t.same(fresh.containers().map((x) => x.id), [ID1]);
  // reloading the same snapshot again changes nothing
  const again = reconcile(fresh, loaded.data, [{ hierarchyId: 0, cgroupId: CG1 }], { bootId: 'boot-a' });
  t.equal(again.skipped, 2);
  t.equal(fresh.stats().containers.historySize, 2);
});

t.test('reconcile before the scan restores live cgroups itself', async (t) => {
  const loaded = loadSnapshot(serializeContainers(populated(), { savedAtNs: 10n * S }));
  if (!loaded.ok) throw new Error(loaded.reason);
  const fresh = new ContainerCache();
  reconcile(fresh, loaded.data, [{ hierarchyId: 0, cgroupId: CG1 }, { hierarchyId: 0, cgroupId: CG2, path: '/moved' }]);
  t.equal(fresh.containerForCgroup(CG1)?.id, ID1);
  t.equal(fresh.cgroup(0, CG1)?.origin, 'snapshot');
  t.equal(fresh.containerAt(ID2)?.removedAt, 10n * S, 'path changed: not the same cgroup');
});

t.test('snapshot from another boot: times shifted, stale cgroup ids never indexed', async (t) => {
  const text = serializeContainers(populated(), { savedAtNs: 10n * S, bootId: 'boot-a', realtimeOffsetNs: 1000n * S });
  const loaded = loadSnapshot(text);
  if (!loaded.ok) throw new Error(loaded.reason);
  const fresh = new ContainerCache();
  // this boot started 990 s of wall time later than the previous one
  const r = reconcile(fresh, loaded.data, [{ hierarchyId: 0, cgroupId: CG1 }], { bootId: 'boot-b', realtimeOffsetNs: 1990n * S });
  t.equal(r.foreignBoot, true);
  t.equal(r.live, 0);
  t.equal(fresh.containerAt(ID1)?.createdAt, 1n * S - 990n * S);
  t.equal(fresh.containerAt(ID1)?.removedAt, 10n * S - 990n * S);
  t.equal(fresh.containerForCgroup(CG1), undefined, 'old boot cgroup id means nothing now');
  const noOffset = reconcile(new ContainerCache(), loaded.data, [], { bootId: 'boot-b' });
  t.equal(noOffset.skipped, 3, 'unplaceable times are skipped');
});

t.test('corrupt and foreign snapshots give a reason, never a throw', async (t) => {
  const good = serializeContainers(populated());
  const cases: Record<string, string> = {
    empty: '',
    truncated: good.slice(0, good.length / 2),
    garbage: '\u0000\u0001binary',
    array: '[]',
    foreignFormat: JSON.stringify({ format: 'tracee', version: 1, containers: [] }),
    futureVersion: JSON.stringify({ format: 'proctrail.containers', version: 2, containers: [] }),
    noContainers: JSON.stringify({ format: 'proctrail.containers', version: 1 }),
    badSavedAt: JSON.stringify({ format: 'proctrail.containers', version: 1, savedAtNs: 1.5, containers: [] }),
  };
  for (const [name, text] of Object.entries(cases)) {
    const r = loadSnapshot(text);
    t.equal(r.ok, false, name);
    if (!r.ok) t.type(r.reason, 'string');
  }
  // malformed entries are skipped and counted, the rest loads
  const parsed = JSON.parse(good) as { containers: unknown[] };
  parsed.containers.push({ id: 5 }, { id: 'x', runtime: 'lxc', createdAt: '1', inHistory: false, enriched: false, cgroups: [] }, null);
  const partial = loadSnapshot(JSON.stringify(parsed));
  t.equal(partial.ok, true);
  if (partial.ok) {
    t.equal(partial.data.skipped, 3);
    t.equal(partial.data.containers.length, 3);
  }
});
