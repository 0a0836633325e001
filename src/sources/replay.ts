/**
 * The replay source: recorded NDJSON events (docs/events.md) fed to the caches as if they
 * were live. Tests and bug reports use it to reproduce exact sequences.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ProctrailEvent } from '../events/types.js';
import { lineToEvent, lineToMeta, NdjsonError, type RecordingMeta } from '../events/ndjson.js';
import type { EventSink, EventSource, SourceStats } from './source.js';

export interface ReplaySourceOptions {
  /** A file path, or a readable stream of NDJSON. */
  readonly input: string | Readable;
  /** Events per delivered batch. */
  readonly batchSize?: number;
  /** Stop at the first malformed line instead of counting and skipping it. */
  readonly strict?: boolean;
  /** Called for each malformed line (skipped unless strict). */
  readonly onError?: (err: NdjsonError) => void;
}

/** Streams an NDJSON recording into the sink; `done` resolves when the input is exhausted. */
export class ReplaySource implements EventSource {
  readonly name = 'replay';
  #counters = { lines: 0, events: 0, malformed: 0 };
  #done: Promise<void> | undefined;
  #stopped = false;
  /** The recording's meta line, once read (recordings from `proctrail record` have one). */
  meta: RecordingMeta | undefined;

  constructor(readonly opts: ReplaySourceOptions) {}

  /** Begins streaming; resolves immediately (events flow asynchronously, see `done`). */
  async start(sink: EventSink): Promise<void> {
    this.#done = this.#run(sink);
    this.#done.catch(() => undefined);
  }

  /** Resolves when every line was read (rejects in strict mode on a malformed line). */
  get done(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
  }

  stats(): SourceStats {
    return { ...this.#counters };
  }

  async #run(sink: EventSink): Promise<void> {
    const input = typeof this.opts.input === 'string' ? createReadStream(this.opts.input) : this.opts.input;
    const rl = createInterface({ input, crlfDelay: Infinity });
    const size = this.opts.batchSize ?? 1024;
    let batch: ProctrailEvent[] = [];
    try {
      for await (const line of rl) {
        if (this.#stopped) break;
        this.#counters.lines++;
        if (line.trim() === '') continue;
        try {
          if (this.#counters.lines === 1) {
            this.meta = lineToMeta(line, 1);
            if (this.meta) continue;
          }
          batch.push(lineToEvent(line, this.#counters.lines));
          this.#counters.events++;
        } catch (e) {
          if (!(e instanceof NdjsonError)) throw e;
          this.#counters.malformed++;
          this.opts.onError?.(e);
          if (this.opts.strict) throw e;
        }
        if (batch.length >= size) {
          sink(batch);
          batch = [];
        }
      }
      if (batch.length) sink(batch);
    } finally {
      rl.close();
    }
  }
}

/** The meta line of a recording file, read without streaming the whole file. */
export async function readRecordingMeta(path: string): Promise<RecordingMeta | undefined> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
    return lineToMeta(first, 1);
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}
