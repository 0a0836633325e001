/**
 * bench storm: N fork+exec of /bin/true while EbpfSource runs; prints seen/expected
 * execs of /bin/true by our children and the drop counters. Usage: npx tsx bench/storm.ts [N]
 */
import { spawn } from 'node:child_process';
import { EbpfSource } from '../src/sources/ebpf.js';

const N = Number(process.argv[2] ?? 20000);

/**
 * Runs N fork+exec of /bin/true from one bash loop (bash forks, the child execs). Returns
 * wall time and the CPU time (user+sys) of the shell and its children from bash `times`:
 * CPU time includes the BPF programs (they run in the traced tasks) and is far less
 * sensitive than wall time to other load on a shared machine.
 */
export async function runStorm(n: number): Promise<{ ms: number; cpuMs: number; shellPid: number }> {
  const t0 = performance.now();
  const child = spawn('bash', ['-c', `for ((i=0;i<${n};i++)); do /bin/true; done; times`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('exit', r));
  let cpuMs = 0;
  for (const m of out.matchAll(/(\d+)m([\d.]+)s/g)) cpuMs += (Number(m[1]) * 60 + Number(m[2])) * 1000;
  return { ms: performance.now() - t0, cpuMs, shellPid: child.pid! };
}

async function main(): Promise<void> {
  const probe = EbpfSource.probe();
  if (!probe.ok) {
    console.log(`bench storm: SKIP (${probe.reason})`);
    return;
  }
  let execs = 0;
  let forks = 0;
  let shellPid = -1;
  const pending: { type: string; ppid: number; path?: string }[] = [];
  const src = new EbpfSource();
  await src.start((batch) => {
    for (const e of batch) {
      if (e.type === 'exec' && e.file.path === '/bin/true') pending.push({ type: 'exec', ppid: e.task.ppid });
      else if (e.type === 'fork' && !e.isThread) pending.push({ type: 'fork', ppid: e.child.ppid });
    }
  });
  const { ms, shellPid: sp } = await runStorm(N);
  shellPid = sp;
  await new Promise((r) => setTimeout(r, 300));
  const stats = src.stats();
  await src.stop();
  for (const p of pending) {
    if (p.ppid !== shellPid) continue;
    if (p.type === 'exec') execs++;
    else forks++;
  }
  const ratio = execs / N;
  const drops = Number(stats.bpfReserveDrops) + Number(stats.addonDrops);
  console.log(
    `bench storm: seen/expected ${ratio.toFixed(3)} (execs ${execs}/${N}, forks ${forks}/${N}) in ${(ms / 1000).toFixed(1)} s ` +
      `(${Math.round((3 * N) / (ms / 1000))} events/s), records ${stats.recordsRead}, batches ${stats.batches}, ` +
      `max batch ${stats.maxBatchRecords}, bpf drops ${stats.bpfReserveDrops}, addon drops ${stats.addonDrops}, ` +
      `stalls ${stats.queueFullStalls} (target 1.000, drops agree) ${ratio === 1 && forks === N && drops === 0 ? 'PASS' : 'FAIL'}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
