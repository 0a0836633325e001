/**
 * Leaving the host as it was after a test daemon (dockerd, containerd): their shims
 * outlive a killed daemon, they bind-mount and overlay-mount under their root directory,
 * and they create fixed directories under /run. These helpers undo exactly what a test's
 * own temp directory holds, never anything else.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';

/** Result of a command. */
export interface CmdResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command with a deadline; never rejects. */
export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CmdResult> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Mount points at or under `dir` (deepest first). */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // mountinfo escapes spaces etc. as \040; temp dirs never hold them.
    const mp = line.split(' ')[4];
    if (mp !== undefined && (mp === dir || mp.startsWith(`${dir}/`))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Unmount everything at or under `dir`; returns what was still mounted. */
export function unmountUnder(dir: string): string[] {
  const found = mountsUnder(dir);
  for (const mp of found) spawnSync('umount', ['-l', mp]);
  return found;
}

/** Pids of processes whose command line mentions `needle` (e.g. a test's temp dir), other than this one. */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** SIGKILL each of `pids` (the test's own daemons/shims, found by their temp dir). */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Of `paths`, the ones that do not exist now (to remove later if they were created meanwhile). */
export function absent(paths: readonly string[]): string[] {
  return paths.filter((p) => !existsSync(p));
}

/** rmdir each path if empty (deepest first as given); non-empty or missing ones are left. */
export function rmdirIfEmpty(paths: readonly string[]): void {
  for (const p of paths) {
    try {
      rmdirSync(p);
    } catch {
      // not empty (someone else's) or gone
    }
  }
}

/** Remove the empty directories of the tree at `root` (post-order); files and their parents stay. */
export function rmdirEmptyTree(root: string): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) rmdirEmptyTree(`${root}/${e.name}`);
  rmdirIfEmpty([root]);
}

/** SIGKILL `pids` and wait (briefly) until they are gone. */
export async function killAndWait(pids: readonly number[], ms = 3000): Promise<void> {
  killPids(pids);
  for (const pid of pids) await waitGone(pid, ms);
}

/** Wait until `pid` is gone (or the deadline passes); true when gone. */
export async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    // A zombie child counts as gone once reaped by its 'exit' handler; poll /proc state.
    try {
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
