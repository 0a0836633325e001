/**
 * cgroupfs I/O for the container cache: which hierarchy task cgroup ids come from (the
 * unified cgroup2 one when mounted, else a v1 controller's, as Tracee does), and the
 * start-up scan of that hierarchy's directory tree. A cgroup's id is its directory's inode
 * number (kernfs node id), so `stat().ino` gives the same 64-bit id the kernel reports.
 */
import { opendir, readFile, stat } from 'node:fs/promises';
import type { BootNs } from '../events/types.js';

/** The hierarchy the service tracks containers in. */
export interface CgroupHierarchy {
  /** `unified` (cgroup2) or the v1 controller name (e.g. `memory`). */
  readonly kind: 'unified' | 'v1';
  /** Name given to the eBPF source's `cgroupHierarchy` option: `unified` or the controller. */
  readonly name: string;
  /** Kernel hierarchy id: 0 for cgroup2, the /proc/cgroups column for v1. */
  readonly hierarchyId: number;
  /** Where it is mounted (e.g. `/sys/fs/cgroup/unified`). */
  readonly mount: string;
}

/** One directory found by the scan. */
export interface ScannedCgroup {
  readonly cgroupId: bigint;
  /** Path inside the hierarchy (`/` for the root). */
  readonly path: string;
  /** Directory ctime on the boot clock (the best creation time available after the fact). */
  readonly ctimeBootNs: BootNs;
}

/** Result of a scan: directories, plus what went wrong (unreadable dirs are skipped, not fatal). */
export interface CgroupScan {
  readonly cgroups: readonly ScannedCgroup[];
  readonly errors: number;
  readonly truncated: boolean;
}

/** Controllers preferred for v1 (memory first: Tracee's choice, and present on every host). */
const V1_PREFERENCE = ['memory', 'pids', 'cpu', 'cpuacct', 'devices', 'freezer', 'blkio', 'cpuset'];

/**
 * Pick the hierarchy from a mountinfo and a /proc/cgroups text: cgroup2 when mounted
 * (hybrid hosts too: runtimes place containers there as well), else the first v1
 * controller of {@link V1_PREFERENCE} that is mounted. Undefined when none is.
 */
export function pickHierarchy(mountinfo: string, procCgroups: string, want = 'auto'): CgroupHierarchy | undefined {
  const v1Mounts = new Map<string, string>();
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const mountPoint = line.split(' ')[4];
    if (mountPoint === undefined) continue;
    if (fstype === 'cgroup2') unified ??= mountPoint;
    else if (fstype === 'cgroup') for (const opt of superOpts.split(',')) if (!v1Mounts.has(opt)) v1Mounts.set(opt, mountPoint);
  }
  if ((want === 'auto' || want === 'unified') && unified !== undefined) {
    return { kind: 'unified', name: 'unified', hierarchyId: 0, mount: unified };
  }
  if (want === 'unified') return undefined;
  const ids = new Map<string, number>();
  for (const line of procCgroups.split('\n')) {
    const [name, id] = line.split(/\s+/);
    if (name === undefined || name.startsWith('#') || id === undefined) continue;
    const n = Number(id);
    if (Number.isInteger(n) && n > 0) ids.set(name, n);
  }
  const order = want === 'auto' ? V1_PREFERENCE : [want];
  for (const c of order) {
    const mount = v1Mounts.get(c);
    const id = ids.get(c);
    if (mount !== undefined && id !== undefined) return { kind: 'v1', name: c, hierarchyId: id, mount };
  }
  return undefined;
}

/** This host's hierarchy (see {@link pickHierarchy}); undefined without any cgroup mount. */
export async function detectHierarchy(want = 'auto'): Promise<CgroupHierarchy | undefined> {
  const [mi, pc] = await Promise.all([
    readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
    readFile('/proc/cgroups', 'utf8').catch(() => ''),
  ]);
  return pickHierarchy(mi, pc, want);
}

/**
 * Walk the hierarchy's directory tree (breadth first, at most `maxDirs` directories).
 * `bootToEpochNs` turns directory ctimes (wall clock) into boot ns.
 */
export async function scanCgroupfs(mount: string, bootToEpochNs: bigint, maxDirs = 100_000): Promise<CgroupScan> {
  const out: ScannedCgroup[] = [];
  let errors = 0;
  const queue: string[] = ['/'];
  while (queue.length > 0) {
    if (out.length >= maxDirs) return { cgroups: out, errors, truncated: true };
    const rel = queue.shift() as string;
    const abs = rel === '/' ? mount : mount + rel;
    try {
      const st = await stat(abs, { bigint: true });
      out.push({ cgroupId: st.ino, path: rel, ctimeBootNs: st.ctimeNs - bootToEpochNs });
      const dir = await opendir(abs);
      for await (const e of dir) if (e.isDirectory()) queue.push(rel === '/' ? `/${e.name}` : `${rel}/${e.name}`);
    } catch {
      // Removed while scanning, or unreadable: the events will tell the rest.
      errors++;
    }
  }
  return { cgroups: out, errors, truncated: false };
}
