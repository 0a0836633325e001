/**
 * `proctrail report --from … [--to …] --format md`: the lineage report over a time range,
 * streamed from a running server (`GET /v1/reports/lineage`) to stdout, or rendered
 * locally from an NDJSON recording with `--replay` (same model and renderers).
 */
import { existsSync } from 'node:fs';
import { CliError, parse, strOption } from './args.js';
import { buildLineageReport, REPORT_FORMATS, type ReportFormat } from '../query/report.js';
import { chunked, renderReport } from '../query/report-render.js';
import { resolveReportRequest, type ReportParams } from '../query/report-request.js';
import { ProcessQuery } from '../query/process-query.js';
import { formatTime, type Clock } from '../query/time.js';

const HELP = `Usage: proctrail report --from <time> [options]

Every process alive at some moment of [from, to) — also those that exited — as a forest of
parent → child edges with start/exit times, exec history and container.

Options:
  --from <time>        range start (required)
  --to <time>          range end, exclusive (default now)
  --format <f>         md (default), json or dot (Graphviz: pipe into 'dot -Tsvg')
  --root <pid|key>     only this process and its descendants
  --container <id>     only processes in this container (id, id prefix or name)
  --name <glob>        only processes with a matching name
  --url <url>          proctrail server (default http://127.0.0.1:7421, env PROCTRAIL_URL)
  --replay <file>      render from an NDJSON recording instead of asking a server
  -h, --help           this help

Times: RFC 3339 (2026-11-27T10:31:07Z), epoch nanoseconds, 'now', or relative to now
('-90s', '-5m', '-2h', '-1d').
`;

const RELATIVE = /^-(\d{1,9})(s|m|h|d)$/;
const UNIT_NS: Readonly<Record<string, bigint>> = { s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n };

/** Expand 'now' and '-5m' style times to RFC 3339 against `nowEpochNs`; others pass unchanged. */
export function expandTime(v: string, nowEpochNs: bigint): string {
  if (v === 'now') return formatTime(nowEpochNs);
  const m = RELATIVE.exec(v);
  return m === null ? v : formatTime(nowEpochNs - BigInt(m[1] as string) * (UNIT_NS[m[2] as string] as bigint));
}

/** Write with back-pressure (a slow pager must not make us buffer the report). */
async function write(chunk: string | Uint8Array): Promise<void> {
  if (!process.stdout.write(chunk)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
}

async function fromServer(url: string, params: ReportParams, format: ReportFormat): Promise<number> {
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string') q.set(k, v);
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/$/, '')}/v1/reports/lineage?${q}`);
  } catch (e) {
    throw new CliError(`no proctrail server at ${url} (${(e as Error).message}); start one, or use --replay <file>`, 1);
  }
  if (res.status !== 200) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new CliError(`server answered ${res.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}`.trim(), res.status === 400 ? 2 : 1);
  }
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) await write(chunk);
  return 0;
}

async function fromReplay(file: string, params: ReportParams, format: ReportFormat): Promise<number> {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`, 1);
  const [{ ReplaySource, readRecordingMeta }, { Pipeline }, { systemClock }] = await Promise.all([
    import('../sources/replay.js'),
    import('../service/pipeline.js'),
    import('../sources/clock.js'),
  ]);
  const meta = await readRecordingMeta(file);
  const bootToEpochNs = meta?.bootToEpochNs ?? systemClock().bootToEpochNs;
  const pipeline = new Pipeline({ bootToEpochNs });
  const src = new ReplaySource({ input: file });
  await src.start(pipeline.ingest);
  await src.done;
  // "now" of a recording: its last event (so a missing --to covers everything).
  let last = 0n;
  for (const p of pipeline.tree.processes()) {
    const t = p.exitNs ?? p.startNs;
    if (t > last) last = t;
  }
  const clock: Clock = { bootToEpochNs, nowBootNs: () => last + 1n };
  const query = new ProcessQuery(pipeline.tree, clock, pipeline.containers);
  const r = resolveReportRequest(query, params);
  if ('kind' in r) {
    const what = r.kind === 'bad-range' ? r.message : `${r.kind.replace('bad-', 'invalid ').replace(/-/g, ' ')}: ${r.value}`;
    throw new CliError(what, r.kind.startsWith('bad') ? 2 : 1);
  }
  const report = buildLineageReport(pipeline.tree, r.selection, pipeline.containers);
  for (const chunk of chunked(renderReport(format, { report, clock, filters: r.filters, containers: pipeline.containers }))) await write(chunk);
  return 0;
}

/** Runs the command. */
export async function run(argv: readonly string[]): Promise<number> {
  const p = parse(
    argv,
    {
      from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, root: { type: 'string' },
      container: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, replay: { type: 'string' },
    },
    HELP,
  );
  if (!p) return 0;
  const format = strOption(p.values, 'format', 'md');
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got '${format}'`);
  const from = p.values.from;
  if (typeof from !== 'string') throw new CliError(`--from is required\n\n${HELP}`);
  const now = BigInt(Date.now()) * 1_000_000n;
  const params: ReportParams = {
    from: expandTime(from, now),
    ...(typeof p.values.to === 'string' && { to: expandTime(p.values.to, now) }),
    ...(typeof p.values.root === 'string' && { root: p.values.root }),
    ...(typeof p.values.container === 'string' && { container: p.values.container }),
    ...(typeof p.values.name === 'string' && { name: p.values.name }),
  };
  const replay = p.values.replay;
  if (typeof replay === 'string') return fromReplay(replay, params, format as ReportFormat);
  return fromServer(strOption(p.values, 'url', process.env.PROCTRAIL_URL ?? 'http://127.0.0.1:7421'), params, format as ReportFormat);
}
