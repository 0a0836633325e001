/** `proctrail replay`: load an NDJSON recording into the caches; summarize or serve it. */
import { existsSync } from 'node:fs';
import { CliError, intOption, parse, strOption } from './args.js';
import { ReplaySource, readRecordingMeta } from '../sources/replay.js';
import { Pipeline } from '../service/pipeline.js';
import { buildApp } from '../server/app.js';
import { systemClock } from '../sources/clock.js';

const HELP = `Usage: proctrail replay <file.ndjson> [options]

Feed a recording (docs/events.md) through the same caches as live events. Prints a summary,
or with --serve answers REST/GraphQL queries about the recorded history.

Options:
  --serve             serve the replayed history (until SIGINT/SIGTERM)
  --host <addr>       listen address with --serve (default 127.0.0.1)
  --port <n>          listen port with --serve (default 7421)
  --strict            stop at the first malformed line (default: count and skip)
  -h, --help          this help
`;

/** Runs the command. */
export async function run(argv: readonly string[]): Promise<number> {
  const p = parse(argv, { serve: { type: 'boolean' }, host: { type: 'string' }, port: { type: 'string' }, strict: { type: 'boolean' } }, HELP, true);
  if (!p) return 0;
  const [file, ...extra] = p.positionals;
  if (!file || extra.length) throw new CliError(`expected one recording file\n\n${HELP}`);
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`, 1);
  const meta = await readRecordingMeta(file);
  const live = systemClock();
  const bootToEpochNs = meta?.bootToEpochNs ?? live.bootToEpochNs;
  if (!meta) process.stderr.write('proctrail replay: no meta line; assuming the recording was made on this boot of this host\n');
  const pipeline = new Pipeline({ bootToEpochNs });
  let shown = 0;
  const src = new ReplaySource({
    input: file, strict: p.values.strict === true,
    onError: (e) => { if (shown++ < 10) process.stderr.write(`proctrail replay: skipped ${e.message}\n`); },
  });
  await src.start(pipeline.ingest);
  try {
    await src.done;
  } catch (e) {
    throw new CliError((e as Error).message, 1);
  }
  const st = src.stats();
  process.stderr.write(`proctrail replay: ${String(st.events)} events, ${String(st.malformed)} malformed lines skipped\n`);
  if (!p.values.serve) {
    process.stdout.write(JSON.stringify({ replay: st, meta: meta && { ...meta, bootToEpochNs: meta.bootToEpochNs.toString() }, caches: pipeline.stats() }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
    return 0;
  }
  // "Now" for a replay is the end of the recording: the latest time any event carried.
  let last = 0n;
  for (const proc of pipeline.tree.processes()) {
    for (const t of [proc.startNs, proc.exitNs ?? 0n]) if (t > last) last = t;
  }
  const clock = { bootToEpochNs, nowBootNs: () => last };
  const app = await buildApp({ tree: pipeline.tree, clock, stats: () => ({ replay: st, pipeline: pipeline.stats() }) });
  const host = strOption(p.values, 'host', '127.0.0.1');
  const port = intOption(p.values, 'port', 7421, 0, 65535);
  await app.listen({ host, port });
  process.stderr.write(`proctrail replay: serving the recording on http://${host}:${port}\n`);
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await app.close();
  return 0;
}
