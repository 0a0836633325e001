/**
 * A private standalone containerd for end-to-end tests: its own config (root, state, gRPC
 * and ttrpc sockets, opt dir all in a temp dir; the CRI plugin disabled so no CNI, no
 * streaming server, nothing under /var/lib), the busybox image imported offline from an
 * OCI archive the helper builds, and `ctr` for containers. `ctr run` gives containers no
 * network unless `--net-host`, which is never passed. close() deletes every container,
 * stops the daemon, kills leftover shims, unmounts and removes the temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './capability.js';
import { absent, killAndWait, pidsMentioning, rmdirEmptyTree, run, unmountUnder, waitGone, type CmdResult } from './daemon-cleanup.js';
import { buildOciArchive, buildRootfsTar } from './mini-image.js';

/** Image every test container runs (as containerd names it). */
export const CTRD_IMAGE = 'localhost/proctrail-mini:latest';

/** The namespace test containers live in; proctrail's cgroup rules know `/default/<id>`. */
export const CTRD_NAMESPACE = 'default';

/** containerd's shims and runc keep state under this fixed path (removed again if it was absent). */
const FIXED_DIR = '/run/containerd';

/** Why containerd e2e tests cannot run here, or undefined. */
export function containerdMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (containerd)';
  for (const c of ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc']) if (!hasCommand(c)) return `${c} not installed (run scripts/setup --test)`;
  if (!existsSync('/usr/bin/busybox')) return 'busybox-static not installed (run scripts/setup --test)';
  return undefined;
}

/** A running private containerd. */
export interface ContainerdEnv {
  readonly dir: string;
  /** The gRPC socket. */
  readonly socket: string;
  /** Manifest digest of the imported image. */
  readonly imageDigest: string;
  /** Milliseconds from spawn to the first successful `ctr version`. */
  readonly startMs: number;
  /** Run `ctr -a <socket> -n default args...`. */
  ctr(args: readonly string[], timeoutMs?: number): Promise<CmdResult>;
  /** `ctr run -d --null-io [--label k=v]... CTRD_IMAGE <id> cmd...`. */
  runDetached(id: string, cmd: readonly string[], labels?: Readonly<Record<string, string>>): Promise<void>;
  /** Wait until the container's task has stopped (polls `ctr task ls`). */
  waitStopped(id: string, timeoutMs?: number): Promise<boolean>;
  /** Delete the task and the container (and its snapshot). */
  remove(id: string): Promise<void>;
  /** Host pid of a running container's init (from `ctr task ls`), or undefined. */
  taskPid(id: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Start containerd in a temp dir and import the test image. */
export async function startContainerd(): Promise<ContainerdEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'proctrail-ctrd-'));
  const fixedWasAbsent = absent([FIXED_DIR]).length === 1;
  const socket = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      // CRI would set up CNI, a streaming server and k8s.io state: not wanted in a test.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${dir}/opt"`,
      '',
    ].join('\n'),
  );
  const ctr = (args: readonly string[], timeoutMs = 30_000): Promise<CmdResult> =>
    run('ctr', ['-a', socket, '-n', CTRD_NAMESPACE, ...args], { timeoutMs });
  const started = new Set<string>();

  const t0 = performance.now();
  const daemon: ChildProcess = spawn('containerd', ['--config', config], { stdio: 'ignore' });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const id of started) {
      await ctr(['task', 'kill', '-s', 'SIGKILL', id], 5000);
      await ctr(['task', 'rm', '-f', id], 10_000);
      await ctr(['container', 'rm', id], 10_000);
    }
    if (daemon.exitCode === null && daemon.pid !== undefined) {
      daemon.kill('SIGTERM');
      if (!(await waitGone(daemon.pid, 5000))) daemon.kill('SIGKILL');
    }
    // Shims (and their containers) outlive a stopped daemon; they name our socket.
    await killAndWait(pidsMentioning(dir));
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    if (fixedWasAbsent) rmdirEmptyTree(FIXED_DIR);
  };

  try {
    const deadline = Date.now() + 10_000;
    while ((await run('ctr', ['--connect-timeout', '1s', '-a', socket, 'version'], { timeoutMs: 3000 })).code !== 0) {
      if (Date.now() > deadline || daemon.exitCode !== null) throw new Error('containerd did not come up');
      await new Promise((r) => setTimeout(r, 20));
    }
    const startMs = Math.round(performance.now() - t0);
    const { archive, manifestDigest } = buildOciArchive(dir, buildRootfsTar(dir), CTRD_IMAGE);
    const imp = await ctr(['images', 'import', archive]);
    if (imp.code !== 0) throw new Error(`ctr images import failed: ${imp.stderr}`);

    const taskLine = async (id: string): Promise<string[] | undefined> => {
      const r = await ctr(['task', 'ls'], 5000);
      // TASK PID STATUS
      return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === id);
    };
    return {
      dir,
      socket,
      imageDigest: manifestDigest,
      startMs,
      ctr,
      async runDetached(id, cmd, labels = {}) {
        started.add(id);
        const l = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
        const r = await ctr(['run', '-d', '--null-io', ...l, CTRD_IMAGE, id, ...cmd]);
        if (r.code !== 0) throw new Error(`ctr run failed: ${r.stderr}`);
      },
      async waitStopped(id, timeoutMs = 20_000) {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          const f = await taskLine(id);
          if (f === undefined || f[2] === 'STOPPED') return true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      },
      async remove(id) {
        await ctr(['task', 'rm', '-f', id], 10_000);
        const r = await ctr(['container', 'rm', id], 10_000);
        if (r.code !== 0) throw new Error(`ctr container rm failed: ${r.stderr}`);
        started.delete(id);
      },
      async taskPid(id) {
        const f = await taskLine(id);
        const pid = Number(f?.[1]);
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
