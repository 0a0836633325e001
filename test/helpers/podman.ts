/**
 * A private podman for end-to-end tests: its own containers.conf (runc, cgroupfs manager,
 * ulimits inside this host's hard limits, file events logger; selected with
 * CONTAINERS_CONF so no system file is touched), a 2 MB image built offline from
 * busybox-static with `podman import`, and `podman system service` on a socket in a temp
 * dir. Containers always run with `--network none`. close() removes every container it
 * started and stops the service.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './capability.js';
import { run, type CmdResult } from './daemon-cleanup.js';
import { buildRootfsTar } from './mini-image.js';
import { pingSocket } from './socket-ping.js';

/** Image every test container runs. */
export const MINI_IMAGE = 'localhost/proctrail-mini:latest';

/** Why podman e2e tests cannot run here, or undefined. */
export function podmanMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (rootful podman with the cgroupfs manager)';
  for (const c of ['podman', 'runc']) if (!hasCommand(c)) return `${c} not installed (run scripts/setup --test)`;
  if (!existsSync('/usr/bin/busybox')) return 'busybox-static not installed (run scripts/setup --test)';
  return undefined;
}

/** A running private podman API service. */
export interface PodmanEnv {
  readonly dir: string;
  /** The Docker-compatible API socket. */
  readonly socket: string;
  /** Environment for podman commands (CONTAINERS_CONF). */
  readonly env: NodeJS.ProcessEnv;
  /** Run `podman args...`. */
  podman(args: readonly string[], timeoutMs?: number): Promise<CmdResult>;
  /** `podman run -d --network none --name <name> MINI_IMAGE cmd...`; returns the full id. */
  runDetached(name: string, cmd: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

function hardLimit(flag: '-Hn' | '-Hu', cap: number): number {
  const r = spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' });
  const v = r.stdout.trim();
  const n = v === 'unlimited' ? cap : Number(v);
  return Number.isInteger(n) && n > 0 ? Math.min(n, cap) : 1024;
}

/** Write the config, build the image (once per host), start the API service. */
export async function startPodman(): Promise<PodmanEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'proctrail-podman-'));
  const conf = join(dir, 'containers.conf');
  const nofile = hardLimit('-Hn', 1_048_576);
  const nproc = hardLimit('-Hu', 32_768);
  writeFileSync(
    conf,
    `[containers]\ndefault_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]\n` +
      // crun 1.8 refuses v1-hybrid hosts; no systemd here, so cgroupfs.
      `[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n`,
  );
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const started: string[] = [];
  const podman = (args: readonly string[], timeoutMs = 30_000): Promise<CmdResult> => run('podman', args, { env, timeoutMs });

  if ((await podman(['image', 'exists', MINI_IMAGE])).code !== 0) {
    const tar = buildRootfsTar(dir);
    const imp = await podman(['import', '-q', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', tar, MINI_IMAGE]);
    if (imp.code !== 0) throw new Error(`podman import failed: ${imp.stderr}`);
  }

  const socket = join(dir, 'podman.sock');
  const svc: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { env, stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await pingSocket(socket))) {
    if (Date.now() > deadline || svc.exitCode !== null) {
      svc.kill('SIGKILL');
      throw new Error('podman system service did not come up');
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  return {
    dir,
    socket,
    env,
    podman,
    async runDetached(name, cmd) {
      started.push(name);
      const r = await podman(['run', '-d', '--network', 'none', '--name', name, MINI_IMAGE, ...cmd]);
      if (r.code !== 0) throw new Error(`podman run failed: ${r.stderr}`);
      return r.stdout.trim();
    },
    async close() {
      if (started.length > 0) await podman(['rm', '-f', '-i', '-t', '0', ...started]);
      svc.kill('SIGTERM');
      await new Promise((r) => (svc.exitCode !== null ? r(undefined) : svc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
