/**
 * Process live events from an ingested batch: run after the batch is applied, and only when
 * someone subscribed (`live.active`), so the ingestion path pays one branch per batch when
 * nobody listens. Nodes are described at the event's time, so applying the whole batch
 * first changes nothing in what subscribers see.
 */
import type { ProctrailEvent } from '../events/types.js';
import type { ProcessTreeReader } from '../caches/process-model.js';
import type { LiveEvents } from './live-events.js';

/** Publish processStarted / processExec / processExited for the task events of a batch. */
export function publishProcessEvents(live: LiveEvents, tree: ProcessTreeReader, events: readonly ProctrailEvent[]): void {
  const started = live.wants('processStarted');
  const exec = live.wants('processExec');
  const exited = live.wants('processExited');
  if (!started && !exec && !exited) return;
  for (const ev of events) {
    if (ev.type === 'fork') {
      if (!started || ev.isThread) continue;
      const p = tree.getProcessOf(ev.child.pid, ev.child.leaderStartNs);
      if (p !== undefined) live.publish('processStarted', { time: ev.time, process: p });
    } else if (ev.type === 'exec') {
      if (!exec) continue;
      const p = tree.getProcessOf(ev.task.pid, ev.task.leaderStartNs);
      if (p !== undefined) live.publish('processExec', { time: ev.time, process: p });
    } else if (ev.type === 'exit') {
      if (!exited || !ev.groupDead) continue;
      const p = tree.getProcessOf(ev.task.pid, ev.task.leaderStartNs);
      if (p !== undefined) live.publish('processExited', { time: ev.time, process: p });
    }
  }
}
