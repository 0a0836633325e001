/** Writes events as NDJSON (docs/events.md) to a stream: what `proctrail record` does. */
import type { Writable } from 'node:stream';
import type { ProctrailEvent } from '../events/types.js';
import { eventToLine } from '../events/ndjson.js';

/** A sink that appends every event to `out`, one line each; `count` says how many. */
export class NdjsonRecorder {
  count = 0;
  constructor(private readonly out: Writable) {}

  /** Record one batch (in order). */
  readonly write = (events: readonly ProctrailEvent[]): void => {
    if (events.length === 0) return;
    let chunk = '';
    for (const ev of events) chunk += eventToLine(ev) + '\n';
    this.count += events.length;
    this.out.write(chunk);
  };

  /** Flush and close the stream. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
