/**
 * `proctrail stats [--watch]`: the cache monitor for terminal users. Polls the server's
 * `/v1/stats` (its `monitor` part) and prints one compact line per poll: hit rates and
 * fill of each cache, event and loss rates since the previous poll.
 */
import { CliError, intOption, parse, strOption } from './args.js';
import type { CacheMonitor, MonitorSnapshot } from '../server/monitor.js';

const HELP = `Usage: proctrail stats [options]

Print the cache monitor of a running proctrail server as one line: per cache the hit rate
and size/capacity, events per second by type and losses since the previous line.

Options:
  --watch             print a line every second until interrupted
  --once              print one line and exit (the default; for scripts)
  --interval <ms>     polling interval with --watch (default 1000)
  --count <n>         stop after n lines with --watch
  --json              print the monitor JSON instead of the line
  --url <url>         proctrail server (default http://127.0.0.1:7421, env PROCTRAIL_URL)
  -h, --help          this help
`;

const SHORT: Readonly<Record<string, string>> = {
  processes: 'proc', threads: 'thr', containers: 'ctr', cgroups: 'cg', dnsRoots: 'dns', dnsNodes: 'dnsN',
};

function pct(r: number | null): string {
  return r === null ? '-' : `${(r * 100).toFixed(1)}%`;
}

function cacheCell(name: string, c: CacheMonitor): string {
  const fill = c.capacity === null ? `${c.size}` : `${c.size}/${c.capacity}`;
  return c.hitRate === null ? `${SHORT[name] ?? name} ${fill}` : `${SHORT[name] ?? name} ${pct(c.hitRate)} ${fill}`;
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

/**
 * One line: time, caches (hit rate, size/capacity), events/s and lost since `prev` (totals
 * on the first line, when there is no previous snapshot).
 */
export function statsLine(cur: MonitorSnapshot, prev: MonitorSnapshot | undefined, seconds: number, now = new Date()): string {
  const cells = Object.entries(cur.caches)
    .filter(([name]) => name in SHORT)
    .map(([name, c]) => cacheCell(name, c));
  const events = sum(cur.events);
  const lost = sum(cur.lost);
  let rate: string;
  let lostCell: string;
  if (prev === undefined || seconds <= 0) {
    rate = `events ${events}`;
    lostCell = `lost ${lost}`;
  } else {
    rate = `ev/s ${Math.round((events - sum(prev.events)) / seconds)}`;
    const d = lost - sum(prev.lost);
    const causes = Object.entries(cur.lost)
      .map(([k, v]) => [k, v - (prev.lost[k] ?? 0)] as const)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k}=${v}`);
    lostCell = `lost +${d}${causes.length ? ` (${causes.join(' ')})` : ''}`;
  }
  return `${now.toISOString().slice(11, 19)} ${cells.join(' | ')} | ${rate} | ${lostCell}`;
}

async function poll(url: string): Promise<MonitorSnapshot> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/$/, '')}/v1/stats`, { signal: AbortSignal.timeout(5000) });
  } catch (e) {
    throw new CliError(`no proctrail server at ${url} (${(e as Error).message})`, 1);
  }
  if (res.status !== 200) throw new CliError(`server answered ${res.status}`, 1);
  const body = (await res.json()) as { monitor?: MonitorSnapshot };
  if (body.monitor === undefined) throw new CliError('the server has no cache monitor (/v1/stats without "monitor")', 1);
  return body.monitor;
}

/** Runs the command. */
export async function run(argv: readonly string[]): Promise<number> {
  const p = parse(argv, { watch: { type: 'boolean' }, once: { type: 'boolean' }, interval: { type: 'string' }, count: { type: 'string' }, json: { type: 'boolean' }, url: { type: 'string' } }, HELP);
  if (!p) return 0;
  if (p.values.watch && p.values.once) throw new CliError('--watch and --once exclude each other');
  const url = strOption(p.values, 'url', process.env.PROCTRAIL_URL ?? 'http://127.0.0.1:7421');
  const interval = intOption(p.values, 'interval', 1000, 50, 3_600_000);
  const count = intOption(p.values, 'count', 0, 1);
  const show = (cur: MonitorSnapshot, prev: MonitorSnapshot | undefined, s: number) =>
    process.stdout.write((p.values.json ? JSON.stringify(cur) : statsLine(cur, prev, s)) + '\n');
  if (!p.values.watch) {
    show(await poll(url), undefined, 0);
    return 0;
  }
  let stop = false;
  const onSig = () => { stop = true; };
  process.once('SIGINT', onSig);
  try {
    let prev: MonitorSnapshot | undefined;
    let prevAt = 0;
    for (let n = 0; !stop && (count === 0 || n < count); n++) {
      if (n > 0) await new Promise((r) => setTimeout(r, interval));
      const cur = await poll(url);
      const at = performance.now();
      show(cur, prev, prev === undefined ? 0 : (at - prevAt) / 1000);
      prev = cur;
      prevAt = at;
    }
  } finally {
    process.removeListener('SIGINT', onSig);
  }
  return 0;
}
