/** The pipeline publishes container start/removal and lets live filters match processes by container id. */
import t from 'tap';
import { Pipeline } from '../../src/service/pipeline.js';
import type { ContainerLiveEvent, LiveEventKind } from '../../src/service/live-events.js';
import type { CgroupEvent as CgroupEv } from '../../src/events/types.js';

const ID = 'a'.repeat(64);
const cg = (type: CgroupEv['type'], path: string, cgroupId: bigint, time: bigint): CgroupEv =>
  ({ type, time, hierarchyId: 0, cgroupId, level: path.split('/').length - 1, path, tid: 0, pid: 0, taskStartNs: 0n });

t.test('containerStarted on the root cgroup mkdir, containerRemoved on its rmdir', async (t) => {
  const p = new Pipeline({ bootToEpochNs: 0n });
  const kinds = new Set<LiveEventKind>(['containerStarted', 'containerRemoved']);
  const sub = p.live.subscribe({ kinds });
  const enriched: string[] = [];
  p.onContainerCgroup = (id) => enriched.push(id);
  p.ingest([
    cg('cgroup_mkdir', '/libpod_parent', 10n, 1_000n),
    cg('cgroup_mkdir', `/libpod_parent/libpod-${ID}`, 11n, 2_000n),
    cg('cgroup_mkdir', `/libpod_parent/libpod-${ID}/sub`, 12n, 3_000n),
    cg('cgroup_rmdir', `/libpod_parent/libpod-${ID}/sub`, 12n, 4_000n),
    cg('cgroup_rmdir', `/libpod_parent/libpod-${ID}`, 11n, 5_000n),
  ]);
  const got: Array<{ kind: string; time: bigint; id: string }> = [];
  for (let ev = sub.shift(); ev; ev = sub.shift()) {
    const c = ev as ContainerLiveEvent;
    got.push({ kind: c.kind, time: c.time, id: c.container.id });
  }
  t.same(got, [
    { kind: 'containerStarted', time: 2_000n, id: ID },
    { kind: 'containerRemoved', time: 5_000n, id: ID },
  ], 'one start and one removal, for the container root only');
  t.same(enriched, [ID, ID], 'the enricher is kicked for each new cgroup of the container');
  t.equal(p.live.containerIdOf?.(11n, 2_500n), ID, 'live filters resolve cgroup ids to container ids');
  t.equal(p.live.containerIdOf?.(10n, 2_500n), undefined, 'host cgroups have no container');
});
