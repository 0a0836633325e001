/**
 * What every event source (ebpf, procfs, replay) implements. The service layer starts one
 * or more sources and feeds whatever they yield into the caches; caches never know where an
 * event came from.
 */
import type { ProctrailEvent } from '../events/types.js';

/** Receives events in batches, in the order the source produced them. */
export type EventSink = (events: readonly ProctrailEvent[]) => void;

/** Counters a source reports in /v1/stats (names are stable, values are totals). */
export type SourceStats = Readonly<Record<string, number | string | boolean>>;

/** An event source. `start` resolves once events flow; `stop` releases every kernel/OS resource. */
export interface EventSource {
  readonly name: string;
  start(sink: EventSink): Promise<void>;
  stop(): Promise<void>;
  stats(): SourceStats;
}
