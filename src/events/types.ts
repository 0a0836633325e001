/**
 * Typed events: what every source (ebpf, procfs, replay) yields and every cache consumes.
 *
 * Times are boot-time nanoseconds (`CLOCK_BOOTTIME`) as `bigint`: epoch and boot ns both
 * exceed 2^53 over the lifetime of a host, so no `number` ever carries a timestamp.
 * The kernel-side layout of these records is `bpf/events.h`; the NDJSON form is
 * documented in `docs/events.md`.
 */

/** Boot-time nanoseconds (CLOCK_BOOTTIME). */
export type BootNs = bigint;

/** Identity and attributes of one task (thread) as seen by the kernel at the event. */
export interface TaskInfo {
  /** Kernel pid of this task (the thread id). */
  readonly tid: number;
  /** Thread-group id (the process id). */
  readonly pid: number;
  /** `task->start_boottime` of this task, ns since boot. */
  readonly startNs: BootNs;
  /** `group_leader->start_boottime`, ns since boot. */
  readonly leaderStartNs: BootNs;
  /** `real_parent->tgid` (0 when unknown). */
  readonly ppid: number;
  /** `real_parent->group_leader->start_boottime` (0n when unknown). */
  readonly parentStartNs: BootNs;
  readonly uid: number;
  readonly gid: number;
  /** cgroup id of this task (unified hierarchy when mounted, see /v1/stats); 0n unknown. */
  readonly cgroupId: bigint;
  /** Inode number of the task's pid namespace (0 unknown). */
  readonly pidNsId: number;
  /** pid / tid as seen inside the task's own pid namespace. */
  readonly nsPid: number;
  readonly nsTid: number;
  /** `task->comm`, at most 15 bytes. */
  readonly comm: string;
}

/** Tracee's FileInfo: the executable's identity at exec time. */
export interface FileInfo {
  readonly path: string;
  readonly inode: bigint;
  readonly dev: number;
  readonly ctimeNs: bigint;
  readonly mode: number;
}

/** `sched_process_fork`: `child` was created by the thread `creatorTid`. */
export interface ForkEvent {
  readonly type: 'fork';
  readonly time: BootNs;
  readonly child: TaskInfo;
  /** Thread that called fork/clone (the tracepoint's parent argument). */
  readonly creatorTid: number;
  readonly creatorStartNs: BootNs;
  /** True when the child is a new thread in an existing group (CLONE_THREAD). */
  readonly isThread: boolean;
}

/** `sched_process_exec`: `task` replaced its image. */
export interface ExecEvent {
  readonly type: 'exec';
  readonly time: BootNs;
  readonly task: TaskInfo;
  /** The tid that called execve; differs from task.tid when a non-leader thread exec'd. */
  readonly oldTid: number;
  readonly file: FileInfo;
  readonly argv: readonly string[];
  /** True when argv was cut to the kernel record's bound. */
  readonly argvTruncated: boolean;
}

/** `sched_process_exit`: one task ended; `groupDead` when it was the last of its group. */
export interface ExitEvent {
  readonly type: 'exit';
  readonly time: BootNs;
  readonly task: TaskInfo;
  /** Exit status in wait(2) form: `(code << 8) | signal`. */
  readonly exitStatus: number;
  readonly groupDead: boolean;
}

/**
 * A task as read from procfs (start-up scan, polling fallback, or filling a task the
 * kernel events never introduced). `time` is when it was read.
 */
export interface SnapshotEvent {
  readonly type: 'snapshot';
  readonly time: BootNs;
  readonly task: TaskInfo;
  /**
   * The executable (`/proc/PID/exe`): its path and, from stat(2), inode, device (kernel
   * encoding, as the eBPF records carry it), ctime and mode. Path '' and zeros when
   * unreadable (kernel threads).
   */
  readonly file: FileInfo;
  readonly argv: readonly string[];
}

/** Kernel cgroup lifecycle (`cgroup_mkdir`, `cgroup_rmdir`) and task moves (`cgroup_attach_task`). */
export interface CgroupEvent {
  readonly type: 'cgroup_mkdir' | 'cgroup_rmdir' | 'cgroup_attach';
  readonly time: BootNs;
  /** 0 is the unified (cgroup2) hierarchy; v1 controllers have their own ids. */
  readonly hierarchyId: number;
  readonly cgroupId: bigint;
  readonly level: number;
  /** Path inside the hierarchy, e.g. `/libpod_parent/libpod-<id>`. */
  readonly path: string;
  /** For `cgroup_attach`: the moved task (0 otherwise). */
  readonly tid: number;
  readonly pid: number;
  readonly taskStartNs: BootNs;
}

/** A DNS packet seen on any socket of the host (payload is the DNS message). */
export interface DnsPacketEvent {
  readonly type: 'dns';
  readonly time: BootNs;
  readonly direction: 'egress' | 'ingress';
  readonly socketCookie: bigint;
  readonly netnsCookie: bigint;
  /** cgroup2 id of the socket's owner. */
  readonly cgroupId: bigint;
  /** Sending task on egress only (0 on ingress: the current task there is not the receiver). */
  readonly pid: number;
  readonly tid: number;
  readonly protocol: 'udp' | 'tcp';
  readonly ipVersion: 4 | 6;
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Packet payload length on the wire (may exceed payload.length when truncated). */
  readonly wireLength: number;
  readonly payload: Uint8Array;
}

/** Events that feed the process tree. */
export type TaskEvent = ForkEvent | ExecEvent | ExitEvent | SnapshotEvent;

/** Every event a source can yield. */
export type ProctrailEvent = TaskEvent | CgroupEvent | DnsPacketEvent;

export type EventType = ProctrailEvent['type'];
