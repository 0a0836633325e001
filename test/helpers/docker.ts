/**
 * A private dockerd for end-to-end tests (Debian `docker.io`, no systemd): data root, exec
 * root (with its managed containerd), pid file and API socket in a temp dir, an empty
 * config file, and no host networking changes at all — no docker0 bridge, no iptables
 * rules, no ip_forward (`--bridge=none --iptables=false --ip-forward=false ...`); test
 * containers run with `--network none`. The 2 MB busybox image is `docker import`ed
 * offline. close() removes the containers, stops dockerd, kills leftover shims, unmounts
 * and removes the temp dir, and the fixed /run directories it created.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './capability.js';
import { absent, killAndWait, pidsMentioning, rmdirEmptyTree, run, unmountUnder, waitGone, type CmdResult } from './daemon-cleanup.js';
import { buildRootfsTar } from './mini-image.js';
import { pingSocket } from './socket-ping.js';

/** Image every test container runs. */
export const DOCKER_IMAGE = 'localhost/proctrail-mini:latest';

/** Fixed paths dockerd and its shims create (removed again when they were absent and are empty). */
const FIXED_DIRS = ['/run/docker', '/run/containerd'];

/** Why dockerd e2e tests cannot run here, or undefined. */
export function dockerMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (dockerd)';
  for (const c of ['dockerd', 'docker', 'containerd', 'runc']) if (!hasCommand(c)) return `${c} not installed (run scripts/setup --test)`;
  if (!existsSync('/usr/bin/busybox')) return 'busybox-static not installed (run scripts/setup --test)';
  return undefined;
}

/** A running private dockerd. */
export interface DockerEnv {
  readonly dir: string;
  /** The Docker API socket. */
  readonly socket: string;
  /** Milliseconds from spawn to the first successful `/_ping`. */
  readonly startMs: number;
  /** Run `docker args...` against this daemon (DOCKER_HOST). */
  docker(args: readonly string[], timeoutMs?: number): Promise<CmdResult>;
  /** `docker run -d --network none --name <name> [--label k=v]... DOCKER_IMAGE cmd...`; returns the full id. */
  runDetached(name: string, cmd: readonly string[], labels?: Readonly<Record<string, string>>): Promise<string>;
  close(): Promise<void>;
}

/** Start dockerd in a temp dir and import the test image. */
export async function startDocker(): Promise<DockerEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'proctrail-docker-'));
  const fixedAbsent = absent(FIXED_DIRS);
  const socket = join(dir, 'docker.sock');
  for (const d of ['data', 'exec']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'daemon.json'), '{}\n');
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'cli') };
  const docker = (args: readonly string[], timeoutMs = 30_000): Promise<CmdResult> => run('docker', args, { env, timeoutMs });
  const started: string[] = [];

  const t0 = performance.now();
  const daemon: ChildProcess = spawn('dockerd', [
    '--config-file', join(dir, 'daemon.json'),
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${socket}`,
    // Leave the host's network alone: no bridge, no NAT, no iptables, no forwarding.
    '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false', '--userland-proxy=false',
  ], { stdio: 'ignore' });

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (started.length > 0 && daemon.exitCode === null) await docker(['rm', '-f', ...started], 20_000);
    if (daemon.exitCode === null && daemon.pid !== undefined) {
      daemon.kill('SIGTERM');
      if (!(await waitGone(daemon.pid, 10_000))) daemon.kill('SIGKILL');
    }
    // The managed containerd and shims name our exec root; gone after a clean stop.
    await killAndWait(pidsMentioning(dir));
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    for (const d of fixedAbsent) rmdirEmptyTree(d);
  };

  try {
    const deadline = Date.now() + 20_000;
    while (!(await pingSocket(socket))) {
      if (Date.now() > deadline || daemon.exitCode !== null) throw new Error('dockerd did not come up');
      await new Promise((r) => setTimeout(r, 20));
    }
    const startMs = Math.round(performance.now() - t0);
    const tar = buildRootfsTar(dir);
    const imp = await docker(['import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', tar, DOCKER_IMAGE]);
    if (imp.code !== 0) throw new Error(`docker import failed: ${imp.stderr}`);
    return {
      dir,
      socket,
      startMs,
      docker,
      async runDetached(name, cmd, labels = {}) {
        started.push(name);
        const l = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
        const r = await docker(['run', '-d', '--network', 'none', '--name', name, ...l, DOCKER_IMAGE, ...cmd]);
        if (r.code !== 0) throw new Error(`docker run failed: ${r.stderr}`);
        return r.stdout.trim();
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
