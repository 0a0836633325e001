/** `proctrail record`: write the live event stream to NDJSON (docs/events.md). */
import { createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { CliError, intOption, parse, strOption } from './args.js';
import { EbpfSource } from '../sources/ebpf.js';
import { ProcfsSource } from '../sources/procfs.js';
import { systemClock } from '../sources/clock.js';
import { NdjsonRecorder } from '../sources/recorder.js';
import { metaToLine } from '../events/ndjson.js';
import type { EventSource } from '../sources/source.js';

const HELP = `Usage: proctrail record --out <file> [options]

Record live events (eBPF) as NDJSON, one event per line, preceded by a meta line with the
host's boot-to-epoch clock offset. Stop with Ctrl-C or --duration.

Options:
  --out <file>        output file ('-' for stdout)
  --duration <s>      stop after this many seconds (default: until SIGINT/SIGTERM)
  --source <auto|ebpf|procfs>  live source (default auto)
  --no-scan           do not start with a procfs snapshot of existing tasks
  -h, --help          this help
`;

/** Runs the command. */
export async function run(argv: readonly string[]): Promise<number> {
  const p = parse(argv, { out: { type: 'string', short: 'o' }, duration: { type: 'string' }, source: { type: 'string' }, 'no-scan': { type: 'boolean' } }, HELP);
  if (!p) return 0;
  const out = p.values.out;
  if (typeof out !== 'string') throw new CliError(`--out is required\n\n${HELP}`);
  const duration = intOption(p.values, 'duration', 0, 0, 86_400 * 365);
  const source = strOption(p.values, 'source', 'auto');
  if (!['auto', 'ebpf', 'procfs'].includes(source)) throw new CliError('--source must be auto, ebpf or procfs');
  const clock = systemClock();
  const stream = out === '-' ? process.stdout : createWriteStream(out);
  stream.write(metaToLine({ bootToEpochNs: clock.bootToEpochNs, hostname: hostname(), recordedAt: new Date().toISOString() }) + '\n');
  const rec = new NdjsonRecorder(stream);
  const sources: EventSource[] = [];
  const probe = EbpfSource.probe();
  if (source !== 'procfs' && probe.ok) {
    const ebpf = new EbpfSource();
    await ebpf.start(rec.write);
    sources.push(ebpf);
  } else if (source === 'ebpf') {
    throw new CliError(`eBPF unavailable: ${probe.reason ?? 'unknown reason'}`, 1);
  }
  const polling = sources.length === 0;
  if (polling) process.stderr.write(`proctrail record: eBPF unavailable (${probe.reason ?? 'procfs requested'}); polling /proc every second\n`);
  if (!p.values['no-scan'] || polling) {
    const procfs = new ProcfsSource({ now: clock.nowBootNs, pollIntervalMs: polling ? 1000 : 0 });
    await procfs.start(rec.write);
    sources.push(procfs);
  }
  const progress = setInterval(() => process.stderr.write(`\rproctrail record: ${rec.count} events`), 1000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (duration > 0) setTimeout(resolve, duration * 1000).unref();
  });
  clearInterval(progress);
  for (const s of sources) await s.stop();
  if (out !== '-') await rec.close();
  process.stderr.write(`\nproctrail record: wrote ${rec.count} events${out === '-' ? '' : ` to ${out}`}\n`);
  return 0;
}
