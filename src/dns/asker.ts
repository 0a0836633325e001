/**
 * Turn a DNS query's origin (pid, cgroup from the egress packet) into an asker: the
 * process-tree key and comm at the query's time, and the container when known. The
 * origin's pid is the host pid of the task that sent the query (egress only), so it is
 * looked up as it was at the query's time, not now (the pid may be reused since).
 */
import type { BootNs } from '../events/types.js';
import type { ProcessTreeReader } from '../caches/process-model.js';
import type { DnsAsker } from '../caches/dns-views.js';
import type { DnsQueryOrigin } from './attribution.js';

/** What the asker resolver reads. */
export interface AskerSources {
  /** The process tree (findProcessByPid at the query's time). */
  readonly tree: Pick<ProcessTreeReader, 'findProcessByPid'>;
  /**
   * Container id of a task, from the process's cgroup id (the tree's hierarchy) and the
   * socket's cgroup2 id; undefined on the host or when unknown. Optional: without it
   * answers carry no container id.
   */
  readonly containerOf?: (processCgroupId: bigint | undefined, socketCgroupId: bigint, at: BootNs) => string | undefined;
}

/** Build `resolveAsker` for {@link DnsPipeline} from the process tree (and containers). */
export function askerResolver(src: AskerSources): (origin: DnsQueryOrigin) => DnsAsker {
  return (o) => {
    const base = { pid: o.pid, tid: o.tid, cgroupId: o.cgroupId, netnsCookie: o.netnsCookie };
    // pid 0: the packet was not sent from a task context (e.g. a kernel retransmit).
    const found = o.pid > 0 ? src.tree.findProcessByPid(o.pid, o.time) : undefined;
    // A process that had exited by then only shared the pid: the asker is not known yet.
    const node = found !== undefined && (found.exitNs === undefined || found.exitNs >= o.time) ? found : undefined;
    const attrs = node?.attrs.get(o.time) ?? node?.attrs.current();
    const containerId = src.containerOf?.(attrs?.cgroupId, o.cgroupId, o.time);
    return {
      ...base,
      ...(node !== undefined && { processKey: node.key }),
      ...(attrs !== undefined && { comm: attrs.comm }),
      ...(containerId !== undefined && { containerId }),
    };
  };
}
