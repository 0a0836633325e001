/**
 * bench overhead: the same fork+exec storm without and with the eBPF tracer, same run.
 * Prints the slowdown ratio (target <= 1.10). Usage: npx tsx bench/overhead.ts [N] [rounds]
 */
import { EbpfSource } from '../src/sources/ebpf.js';
import { runStorm } from './storm.js';

const N = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 2);

async function main(): Promise<void> {
  const probe = EbpfSource.probe();
  if (!probe.ok) {
    console.log(`bench overhead: SKIP (${probe.reason})`);
    return;
  }
  // Alternate bare and traced rounds so background load on the shared machine hits both.
  const bare: number[] = [];
  const traced: number[] = [];
  const bareWall: number[] = [];
  const tracedWall: number[] = [];
  let events = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const b = await runStorm(N);
    bare.push(b.cpuMs);
    bareWall.push(b.ms);
    const src = new EbpfSource();
    await src.start((batch) => {
      events += batch.length;
    });
    const tr = await runStorm(N);
    traced.push(tr.cpuMs);
    tracedWall.push(tr.ms);
    await src.stop();
  }
  const best = (xs: number[]): number => Math.min(...xs);
  const ratio = best(traced) / best(bare);
  const wallRatio = best(tracedWall) / best(bareWall);
  console.log(
    `bench overhead: ${ratio.toFixed(3)}x CPU time (bare ${(best(bare) / 1000).toFixed(2)} s, traced ${(best(traced) / 1000).toFixed(2)} s ` +
      `user+sys for ${N} fork+exec, best of ${ROUNDS}; wall ${wallRatio.toFixed(3)}x; ${events} events delivered) ` +
      `(target <= 1.10) ${ratio <= 1.1 ? 'PASS' : 'FAIL'}`,
  );
}

await main();
