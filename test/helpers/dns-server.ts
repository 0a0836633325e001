/**
 * Real DNS servers and network namespaces for end-to-end tests: a dnsmasq (Debian
 * `dnsmasq-base`) serving a local zone on one address, and a throwaway network namespace
 * joined to the host by a veth /30. Traffic only ever goes to loopback or to the
 * namespace made here. Everything started is stopped by the returned `stop`/`destroy`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';

/** A running dnsmasq. */
export interface Dnsmasq {
  readonly address: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Ask `server` for `name` over UDP from this process; resolves with the answers or undefined on timeout. */
export function udpQuery(server: string, name: string, type: dnsPacket.RecordType = 'A', timeoutMs = 300): Promise<dnsPacket.Answer[] | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(server.includes(':') ? 'udp6' : 'udp4');
    const done = (v: dnsPacket.Answer[] | undefined) => {
      clearTimeout(timer);
      sock.close();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('error', () => done(undefined));
    sock.on('message', (msg) => {
      try {
        done(dnsPacket.decode(msg).answers ?? []);
      } catch {
        done(undefined);
      }
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), 53, server);
  });
}

/**
 * Start dnsmasq on `address`:53 with `records` (dnsmasq config lines: `host-record=`,
 * `cname=`, ...) for zone `zone`, answering with `ttl` seconds; never forwards. Resolves
 * once it answers `probe` (a name of the zone).
 */
export async function startDnsmasq(opts: { address: string; zone: string; records: readonly string[]; ttl: number; probe: string }): Promise<Dnsmasq> {
  const dir = mkdtempSync(join(tmpdir(), 'proctrail-dnsmasq-'));
  const conf = join(dir, 'dnsmasq.conf');
  const pidFile = join(dir, 'dnsmasq.pid');
  writeFileSync(
    conf,
    [
      'no-resolv', // never forward anywhere
      'no-hosts',
      'no-poll',
      'bind-interfaces',
      `listen-address=${opts.address}`,
      'port=53',
      `local=/${opts.zone}/`,
      `local-ttl=${opts.ttl}`,
      ...opts.records,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('dnsmasq', ['--keep-in-foreground', `--conf-file=${conf}`, `--pid-file=${pidFile}`, '--user=root'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`dnsmasq on ${opts.address} exited: ${stderr.trim()}`);
    }
    const answers = await udpQuery(opts.address, opts.probe, 'A', 100);
    if (answers !== undefined && answers.length > 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dnsmasq on ${opts.address} did not answer within 5 s: ${stderr.trim()}`);
    }
  }
  let pid = child.pid ?? 0;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim()) || pid;
  } catch {
    // the pid file is written after the socket is bound; the child pid is the same process
  }
  return { address: opts.address, pid, stop };
}

/** A network namespace with a veth /30 to the host. */
export interface TestNetns {
  readonly name: string;
  /** Address of the host side of the veth (a server there is reachable from the namespace). */
  readonly hostAddress: string;
  readonly nsAddress: string;
  /** Argument list that runs `cmd args...` inside the namespace (`ip netns exec`). */
  command(cmd: string, args: readonly string[]): [string, string[]];
  destroy(): void;
}

function ip(args: readonly string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr ?? '').trim() };
}

/** Create namespace + veth named after `tag` (<= 8 chars); throws with ip's message on failure. */
export function createNetns(tag: string, subnet: number): TestNetns {
  const name = `pt-${tag}`;
  const hostIf = `pth${tag}`.slice(0, 15);
  const nsIf = `ptn${tag}`.slice(0, 15);
  const hostAddress = `10.250.${subnet}.1`;
  const nsAddress = `10.250.${subnet}.2`;
  const destroy = (): void => {
    ip(['link', 'del', hostIf]); // removes the peer too
    ip(['netns', 'del', name]);
  };
  destroy(); // leftovers of an interrupted run
  const steps: string[][] = [
    ['netns', 'add', name],
    ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf],
    ['link', 'set', nsIf, 'netns', name],
    ['addr', 'add', `${hostAddress}/30`, 'dev', hostIf],
    ['link', 'set', hostIf, 'up'],
    ['-n', name, 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf],
    ['-n', name, 'link', 'set', nsIf, 'up'],
    ['-n', name, 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = ip(s);
    if (!r.ok) {
      destroy();
      throw new Error(`ip ${s.join(' ')}: ${r.err}`);
    }
  }
  return { name, hostAddress, nsAddress, command: (cmd, args) => ['ip', ['netns', 'exec', name, cmd, ...args]], destroy };
}

/** Run a command to completion; resolves with its pid, exit code and stdout. */
export function run(cmd: string, args: readonly string[]): Promise<{ pid: number; code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ pid: child.pid ?? 0, code: code ?? -1, stdout }));
  });
}
