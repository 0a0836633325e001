/**
 * bench containers (synthetic part): 200 containers' worth of cgroup events (mkdir of the
 * container cgroup and a sub-cgroup, among host cgroups), then 1M task events attributed
 * through ContainerCache.noteTask (fork/exec/exit-shaped: 3 events per process, 20 % on the
 * host), then rmdir + expire of every container. Baseline in the same run: the same event
 * stream resolved with a bare Map<bigint, string> (what attribution costs at the least).
 * Memory: heap growth across the attribution phase (with --expose-gc when available).
 *
 * Run: npx tsx bench/containers.ts   (or node --expose-gc --import tsx bench/containers.ts)
 */
import { ContainerCache } from '../src/caches/containers.js';
import type { CgroupEvent } from '../src/events/types.js';
import { startService } from '../src/service/service.js';
import { ebpfMissing } from '../test/helpers/capability.js';
import { podmanMissing, startPodman } from '../test/helpers/podman.js';

const CONTAINERS = 200;
const TASK_EVENTS = 1_000_000;
const TARGET_PER_S = 1_000_000;
const S = 1_000_000_000n;

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

function hex64(i: number): string {
  return (i.toString(16).padStart(8, '0') + 'c0ffee').repeat(5).slice(0, 64);
}

const event = (type: CgroupEvent['type'], time: bigint, cgroupId: bigint, path: string): CgroupEvent => ({
  type, time, hierarchyId: 0, cgroupId, level: path.split('/').length - 1, path, tid: 0, pid: 0, taskStartNs: 0n,
});

// ---- build the synthetic stream (not timed)
const layouts = [
  (id: string) => `/libpod_parent/libpod-${id}`,
  (id: string) => `/docker/${id}`,
  (id: string) => `/system.slice/docker-${id}.scope`,
  (id: string) => `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-${id}.scope`,
  (id: string) => `/kubepods/besteffort/pod1234/crio-${id}`,
];
const cgroupEvents: CgroupEvent[] = [];
const hostCgroups: bigint[] = [];
for (let h = 0; h < 50; h++) {
  const id = (1n << 32n) + BigInt(h);
  hostCgroups.push(id);
  cgroupEvents.push(event('cgroup_mkdir', BigInt(h), id, `/system.slice/svc-${h}.service`));
}
const containerCgroups: bigint[] = [];
const containerPaths: string[] = [];
for (let i = 0; i < CONTAINERS; i++) {
  const root = (5n << 32n) + BigInt(i * 2); // above 2^32: full 64-bit ids
  const path = layouts[i % layouts.length]!(hex64(i));
  cgroupEvents.push(event('cgroup_mkdir', S + BigInt(i), root, path));
  cgroupEvents.push(event('cgroup_mkdir', S + BigInt(i) + 1n, root + 1n, `${path}/sub`));
  containerCgroups.push(root, root + 1n);
  containerPaths.push(path, `${path}/sub`);
}

const cg = new Array<bigint>(TASK_EVENTS);
const keys = new Array<string>(TASK_EVENTS);
const times = new Array<bigint>(TASK_EVENTS);
const ends = new Array<boolean>(TASK_EVENTS);
let seed = 42;
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const flatten = new Set<string>(); // hashing flattens the template strings now, not inside the timed/measured phase
for (let i = 0, pid = 1000; i < TASK_EVENTS; pid++) {
  const onHost = rand(5) === 0;
  const cgroupId = onHost ? hostCgroups[rand(hostCgroups.length)]! : containerCgroups[rand(containerCgroups.length)]!;
  const key = `${pid}@${100_000 + pid}`;
  flatten.add(key);
  for (let k = 0; k < 3 && i < TASK_EVENTS; k++, i++) {
    cg[i] = cgroupId;
    keys[i] = key;
    times[i] = 2n * S + BigInt(i) * 1000n;
    ends[i] = k === 2;
  }
}

// ---- baseline: bare Map lookup of the same stream (measured inside each round)
const bare = new Map<bigint, string>();
containerCgroups.forEach((id, i) => bare.set(id, containerPaths[i]!));
function bareRound(): { ns: number; hits: number } {
  let hits = 0;
  const t = process.hrtime.bigint();
  for (let i = 0; i < TASK_EVENTS; i++) if (bare.get(cg[i]!) !== undefined) hits++;
  return { ns: Number(process.hrtime.bigint() - t), hits };
}

// ---- the cache: 3 rounds on fresh caches (the machine is shared), report the median
interface Round { entries: number; bareNs: number; sink: number; cache: ContainerCache; cgroupNs: number; taskNs: number; taskCpuNs: number; removeNs: number; heapDelta: number; attributed: number }
function round(): Round {
  const b = bareRound();
  const cache = new ContainerCache({ deleteGraceNs: 30n * S });
  let t = process.hrtime.bigint();
  for (const e of cgroupEvents) cache.applyCgroupEvent(e);
  const cgroupNs = Number(process.hrtime.bigint() - t);
  const heapBefore = heap();
  const cpu0 = process.cpuUsage();
  t = process.hrtime.bigint();
  let attributed = 0;
  for (let i = 0; i < TASK_EVENTS; i++) if (cache.noteTask(cg[i]!, keys[i]!, times[i]!, ends[i]!) !== undefined) attributed++;
  const taskNs = Number(process.hrtime.bigint() - t);
  const cpu = process.cpuUsage(cpu0);
  const taskCpuNs = (cpu.user + cpu.system) * 1000;
  const heapDelta = heap() - heapBefore;
  const entries = cache.stats().processIndex.entries;
  t = process.hrtime.bigint();
  const end = 10n * S;
  for (let i = 0; i < CONTAINERS * 2; i++) cache.applyCgroupEvent(event('cgroup_rmdir', end, containerCgroups[i]!, containerPaths[i]!));
  cache.expire(end + 30n * S);
  const removeNs = Number(process.hrtime.bigint() - t);
  return { entries, bareNs: b.ns, sink: b.hits, cache, cgroupNs, taskNs, taskCpuNs, removeNs, heapDelta, attributed };
}
const rounds: Round[] = [];
for (let r = 0; r < 3; r++) {
  rounds.push(round());
  if (r < 2) rounds[r]!.cache = undefined as unknown as ContainerCache; // let it go before the next round
}
const med = [...rounds].sort((a, b) => a.taskNs - b.taskNs)[1]!;
const last = rounds[2]!;
const { cache, attributed } = last;
const { cgroupNs, taskNs, taskCpuNs, removeNs, bareNs, sink } = med;
const heapBefore = 0;
const heapAfter = last.heapDelta;
const st = cache.stats();
const check = attributed === sink && st.containers.historySize === CONTAINERS && st.containers.size === 0;
const perS = TASK_EVENTS / (taskNs / 1e9);
const ratio = bareNs / taskNs;
const entries = last.entries;
const heapMb = (heapAfter - heapBefore) / 1048576;
const cpuPerS = TASK_EVENTS / (taskCpuNs / 1e9);
// Judged on CPU time: the machine is shared, wall time swings with the neighbours' load.
const pass = cpuPerS >= TARGET_PER_S && check;

// ---- the real part: podman container start → attributed and enriched (eBPF + podman API)
const REAL_RUNS = 3;
const TARGET_ENRICHED_MS = 1000;
async function realPart(): Promise<{ text: string; ok: boolean }> {
  const missing = ebpfMissing() ?? podmanMissing();
  if (missing !== undefined) return { text: `real podman part skipped (${missing})`, ok: true };
  const pm = await startPodman();
  const svc = await startService({ source: 'ebpf', scan: false, runtimeSockets: { podman: pm.socket, docker: '', crio: '' }, log: () => undefined });
  const runMs: number[] = [];
  const attributedMs: number[] = [];
  const enrichedMs: number[] = [];
  try {
    for (let i = 0; i < REAL_RUNS; i++) {
      const name = `pt-bench-${process.pid}-${i}`;
      const t0 = performance.now();
      let attributedAt = 0;
      let enrichedAt = 0;
      let id = '';
      // Poll the cache every ms while podman runs: the container id is unknown until it returns,
      // so watch for any new attributed / enriched container.
      const before = new Set(svc.pipeline.containers.containers().map((c) => c.id));
      const poll = setInterval(() => {
        for (const c of svc.pipeline.containers.containers()) {
          if (before.has(c.id)) continue;
          if (attributedAt === 0 && c.processCount > 0) attributedAt = performance.now();
          if (enrichedAt === 0 && c.enriched) enrichedAt = performance.now();
        }
      }, 1);
      id = await pm.runDetached(name, ['sleep', '5']);
      runMs.push(performance.now() - t0);
      const deadline = Date.now() + 5000;
      while ((attributedAt === 0 || enrichedAt === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      clearInterval(poll);
      if (attributedAt === 0 || enrichedAt === 0 || svc.pipeline.containers.containerAt(id)?.name !== name) throw new Error(`container ${name} not attributed/enriched`);
      attributedMs.push(attributedAt - t0);
      enrichedMs.push(enrichedAt - t0);
      await pm.podman(['rm', '-f', '-t', '0', name]);
    }
  } finally {
    await svc.close();
    await pm.close();
  }
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const e = median(enrichedMs);
  return {
    text:
      `real podman container (median of ${REAL_RUNS}, from 'podman run' start): attributed ${median(attributedMs).toFixed(0)} ms, ` +
      `enriched ${e.toFixed(0)} ms, vs 'podman run -d' itself returning at ${median(runMs).toFixed(0)} ms (target enriched <= ${TARGET_ENRICHED_MS} ms)`,
    ok: e <= TARGET_ENRICHED_MS,
  };
}
const real = await realPart().catch((err: Error) => ({ text: `real podman part FAILED: ${err.message}`, ok: false }));
console.log(
  `bench containers: ${(perS / 1e6).toFixed(2)}M task events/s attributed (${TASK_EVENTS / 1e6}M events, ${attributed} in containers), ` +
    `${(cpuPerS / 1e6).toFixed(2)}M/s per CPU-second, ` +
    `ratio ${ratio.toFixed(3)} vs bare Map lookup (${(TASK_EVENTS / (bareNs / 1e9) / 1e6).toFixed(1)}M/s); ` +
    `${CONTAINERS} containers: ${cgroupEvents.length} mkdir in ${(cgroupNs / 1e6).toFixed(1)} ms, rmdir+expire ${(removeNs / 1e6).toFixed(1)} ms; ` +
    `heap +${heapMb.toFixed(1)} MB for ${entries} process-index entries (${entries ? Math.round((heapAfter - heapBefore) / entries) : 0} B/entry${gc ? '' : ', no --expose-gc'}); ` +
    `${st.evictions.processEntries} trimmed on the way to history; consistency ${check ? 'ok' : 'MISMATCH'} ` +
    `(target >= ${TARGET_PER_S / 1e6}M/s per CPU-second; median of 3 rounds); ${real.text} ${pass && real.ok ? 'PASS' : 'FAIL'}`,
);
