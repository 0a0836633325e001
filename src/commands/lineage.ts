/**
 * `proctrail lineage PID`: the ancestor chain as an indented tree (seed exercise 1), asked
 * from a running proctrail server; without one, read live from /proc (current state only).
 */
import { CliError, intOption, parse, strOption } from './args.js';
import { parseStat } from '../sources/procfs-reader.js';
import { readFile, readlink } from 'node:fs/promises';

const HELP = `Usage: proctrail lineage <pid> [options]

Print the ancestors of <pid>, from the process up to pid 1, as an indented tree.

Options:
  --url <url>        proctrail server (default http://127.0.0.1:7421, env PROCTRAIL_URL)
  --at <time>        point in time (RFC 3339, e.g. 2026-11-27T10:31:07.123456789Z)
  --max-depth <n>    stop after n ancestors (default 64)
  --json             print the server's JSON answer instead of the tree
  -h, --help         this help
`;

/** One line of the tree. */
export interface LineageEntry {
  readonly pid: number;
  readonly key?: string;
  readonly name?: string | null;
  readonly executable?: { readonly path?: string | null } | string | null;
  readonly argv?: readonly string[] | null;
  readonly startTime?: string | null;
  readonly exitTime?: string | null;
}

/** Render the chain process-first as an indented tree with the root (pid 1) at the top. */
export function renderLineageTree(chain: readonly LineageEntry[]): string {
  const lines: string[] = [];
  const top = [...chain].reverse();
  top.forEach((p, depth) => {
    const exe = typeof p.executable === 'string' ? p.executable : p.executable?.path;
    const args = p.argv && p.argv.length ? ` ${p.argv.join(' ')}` : '';
    const exited = p.exitTime ? ` (exited ${p.exitTime})` : '';
    const prefix = depth === 0 ? '' : `${'  '.repeat(depth - 1)}└─ `;
    lines.push(`${prefix}[${p.pid}] ${p.name ?? '?'}${exe ? ` ${exe}` : ''}${args}${p.key ? `  key=${p.key}` : ''}${exited}`);
  });
  return lines.join('\n') + '\n';
}

async function fromServer(url: string, pid: number, maxDepth: number, at: string | undefined): Promise<{ status: number; body: unknown } | undefined> {
  const q = new URLSearchParams({ maxDepth: String(maxDepth) });
  if (at) q.set('at', at);
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/v1/processes/${pid}/lineage?${q}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.json() };
  } catch {
    return undefined;
  }
}

async function fromProcfs(pid: number, maxDepth: number): Promise<LineageEntry[]> {
  const chain: LineageEntry[] = [];
  let cur = pid;
  while (cur > 0 && chain.length <= maxDepth) {
    const stat = parseStat(await readFile(`/proc/${cur}/stat`, 'utf8').catch(() => ''));
    if (!stat) break;
    const argv = (await readFile(`/proc/${cur}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    const exe = await readlink(`/proc/${cur}/exe`).catch(() => '');
    chain.push({ pid: cur, key: `${cur}@${stat.startTicks}`, name: stat.comm, executable: exe, argv });
    cur = stat.ppid;
  }
  return chain;
}

/** Runs the command. */
export async function run(argv: readonly string[]): Promise<number> {
  const p = parse(argv, { url: { type: 'string' }, at: { type: 'string' }, 'max-depth': { type: 'string' }, json: { type: 'boolean' } }, HELP, true);
  if (!p) return 0;
  const [pidArg, ...extra] = p.positionals;
  if (pidArg === undefined || extra.length || !/^[0-9]+$/.test(pidArg) || Number(pidArg) < 1 || Number(pidArg) > 0x3fffffff) {
    throw new CliError(`expected one pid (a positive integer)\n\n${HELP}`);
  }
  const pid = Number(pidArg);
  const maxDepth = intOption(p.values, 'max-depth', 64, 0, 4096);
  const url = strOption(p.values, 'url', process.env.PROCTRAIL_URL ?? 'http://127.0.0.1:7421');
  const at = typeof p.values.at === 'string' ? p.values.at : undefined;
  const res = await fromServer(url, pid, maxDepth, at);
  if (res) {
    if (p.values.json) {
      process.stdout.write(JSON.stringify(res.body, null, 2) + '\n');
      return res.status === 200 ? 0 : 1;
    }
    if (res.status !== 200) {
      const err = (res.body as { error?: { message?: string } }).error;
      throw new CliError(`server answered ${res.status}: ${err?.message ?? JSON.stringify(res.body)}`, 1);
    }
    process.stdout.write(renderLineageTree((res.body as { lineage: LineageEntry[] }).lineage));
    return 0;
  }
  if (at) throw new CliError(`no proctrail server at ${url}: history (--at) needs one (start it with 'npm start')`, 1);
  process.stderr.write(`proctrail lineage: no server at ${url}; reading the live state from /proc (no history)\n`);
  const chain = await fromProcfs(pid, maxDepth);
  if (chain.length === 0) throw new CliError(`no process with pid ${pid}`, 1);
  process.stdout.write(p.values.json ? JSON.stringify({ lineage: chain }, null, 2) + '\n' : renderLineageTree(chain));
  return 0;
}
