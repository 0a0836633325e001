/**
 * Capability gates for end-to-end tests. A test that needs something the host lacks is
 * skipped with the reason printed; under CI (PROCTRAIL_REQUIRE_E2E=1) a missing capability
 * is a failure instead, because CI machines have them all.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** The tap `skip` option for a missing capability, or false when the test can run. */
export function skipUnless(ok: boolean, reason: string): string | false {
  if (ok) return false;
  if (process.env.PROCTRAIL_REQUIRE_E2E === '1') {
    throw new Error(`end-to-end capability missing under PROCTRAIL_REQUIRE_E2E=1: ${reason}`);
  }
  return `skipped: ${reason}`;
}

/** Why eBPF tracing cannot run here, or undefined when it can. */
export function ebpfMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (CAP_BPF + CAP_PERFMON) to load BPF programs';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'kernel has no BTF (/sys/kernel/btf/vmlinux)';
  if (!existsSync(new URL('../../native/build/Release/proctrail.node', import.meta.url))) return 'addon not built (run scripts/setup)';
  return undefined;
}

/** Whether a command is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Poll `check` until it returns a value or `ms` elapse. */
export async function waitFor<T>(check: () => T | undefined | false, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
