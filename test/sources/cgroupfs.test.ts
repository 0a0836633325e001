/** Hierarchy choice from mountinfo + /proc/cgroups, and the scan of a real directory tree. */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickHierarchy, scanCgroupfs } from '../../src/sources/cgroupfs.js';

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const V1_ONLY = HYBRID.split('\n').filter((l) => !l.includes('cgroup2')).join('\n');
const PROC_CGROUPS = `#subsys_name	hierarchy	num_cgroups	enabled
cpu	1	1	1
cpuacct	1	1	1
memory	4	53	1
pids	8	1	1
net_cls	0	1	1`;

t.test('hybrid host: the unified hierarchy, id 0', async (t) => {
  t.same(pickHierarchy(HYBRID, PROC_CGROUPS), { kind: 'unified', name: 'unified', hierarchyId: 0, mount: '/sys/fs/cgroup/unified' });
});

t.test('v1-only host: the memory controller with its hierarchy id', async (t) => {
  t.same(pickHierarchy(V1_ONLY, PROC_CGROUPS), { kind: 'v1', name: 'memory', hierarchyId: 4, mount: '/sys/fs/cgroup/memory' });
  t.same(pickHierarchy(HYBRID, PROC_CGROUPS, 'cpuacct'), { kind: 'v1', name: 'cpuacct', hierarchyId: 1, mount: '/sys/fs/cgroup/cpu,cpuacct' });
  t.equal(pickHierarchy(V1_ONLY, PROC_CGROUPS, 'unified'), undefined);
  t.equal(pickHierarchy('', ''), undefined, 'no cgroup mounts');
  t.equal(pickHierarchy('garbage\n - \n', 'x y'), undefined, 'garbage is not a crash');
});

t.test('scan: every directory with its inode as id and path relative to the mount', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'pt-cgfs-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const id = 'e'.repeat(64);
  mkdirSync(join(root, 'libpod_parent', `libpod-${id}`, 'sub'), { recursive: true });
  mkdirSync(join(root, 'docker'));
  const s = await scanCgroupfs(root, 0n);
  t.equal(s.errors, 0);
  t.same(s.cgroups.map((g) => g.path).sort(), ['/', '/docker', '/libpod_parent', `/libpod_parent/libpod-${id}`, `/libpod_parent/libpod-${id}/sub`]);
  const pod = s.cgroups.find((g) => g.path.endsWith(id))!;
  t.equal(pod.cgroupId, BigInt(statSync(join(root, 'libpod_parent', `libpod-${id}`)).ino));
  t.ok(pod.ctimeBootNs > 0n);
  const capped = await scanCgroupfs(root, 0n, 2);
  t.ok(capped.truncated);
  t.equal(capped.cgroups.length, 2);
  const missing = await scanCgroupfs(join(root, 'nope'), 0n);
  t.equal(missing.cgroups.length, 0);
  t.equal(missing.errors, 1);
});
