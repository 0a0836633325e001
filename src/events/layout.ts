/**
 * TypeScript view of `bpf/events.h`: record sizes, field offsets and constants.
 * `assertLayout()` compares it with the addon's compiled `layout()` at start-up, so a
 * change to events.h that is not mirrored here fails loudly instead of decoding garbage.
 */

/** Size and field offsets of one C struct. */
export interface StructLayout {
  readonly sizeof: number;
  readonly offsets: Readonly<Record<string, number>>;
}

/** What the addon's `layout()` returns (and what LAYOUT holds). */
export interface RecordLayout {
  readonly pt_header: StructLayout;
  readonly pt_task: StructLayout;
  readonly pt_fork: StructLayout;
  readonly pt_exec: StructLayout;
  readonly pt_exit: StructLayout;
  readonly pt_cgroup: StructLayout;
  readonly pt_dns: StructLayout;
  readonly constants: Readonly<Record<string, number>>;
}

export const PT_EVENT_FORK = 1;
export const PT_EVENT_EXEC = 2;
export const PT_EVENT_EXIT = 3;
export const PT_EVENT_CGROUP_MKDIR = 4;
export const PT_EVENT_CGROUP_RMDIR = 5;
export const PT_EVENT_CGROUP_ATTACH = 6;
export const PT_EVENT_DNS = 7;

export const PT_COMM_LEN = 16;
export const PT_FILENAME_MAX = 256;
export const PT_ARGV_MAX = 512;
export const PT_CGROUP_PATH_MAX = 256;
export const PT_DNS_PAYLOAD_MAX = 4096;

export const PT_FORK_IS_THREAD = 1;
export const PT_EXEC_ARGV_TRUNCATED = 1;
export const PT_EXEC_FILENAME_TRUNCATED = 2;
export const PT_EXIT_GROUP_DEAD = 1;
export const PT_DNS_EGRESS = 0;
export const PT_DNS_INGRESS = 1;
export const PT_PROTO_UDP = 17;
export const PT_PROTO_TCP = 6;

/** Every record starts with this header; records are padded to 8 bytes in a batch. */
export const HDR = { type: 0, size: 2, cpu: 4, tsNs: 8, sizeof: 16 } as const;

/** struct pt_task, relative to where it is embedded. */
export const TASK = {
  startNs: 0, leaderStartNs: 8, parentStartNs: 16, cgroupId: 24,
  tid: 32, pid: 36, ppid: 40, uid: 44, gid: 48, pidnsId: 52, nsPid: 56, nsTid: 60,
  comm: 64, sizeof: 80,
} as const;

export const FORK = { child: 16, creatorStartNs: 96, creatorTid: 104, flags: 108, sizeof: 112 } as const;

export const EXEC = {
  task: 16, inode: 96, ctimeNs: 104, dev: 112, mode: 116, oldTid: 120, flags: 124,
  filenameLen: 128, argvLen: 130, filename: 136, argv: 392, sizeof: 904,
} as const;

export const EXIT = { task: 16, exitStatus: 96, flags: 100, sizeof: 104 } as const;

export const CGROUP = {
  cgroupId: 16, taskStartNs: 24, hierarchyId: 32, level: 36, tid: 40, pid: 44,
  pathLen: 48, path: 56, sizeof: 312,
} as const;

export const DNS = {
  socketCookie: 16, netnsCookie: 24, cgroupId: 32, pid: 40, tid: 44, direction: 48,
  protocol: 49, ipVersion: 50, srcPort: 52, dstPort: 54, srcAddr: 56, dstAddr: 72,
  wireLen: 88, payloadLen: 92, payload: 96, sizeof: 96 + PT_DNS_PAYLOAD_MAX,
} as const;

/** The layout this decoder was written for, in the addon's `layout()` shape. */
export const LAYOUT: RecordLayout = {
  pt_header: { sizeof: HDR.sizeof, offsets: { type: HDR.type, size: HDR.size, cpu: HDR.cpu, ts_ns: HDR.tsNs } },
  pt_task: {
    sizeof: TASK.sizeof,
    offsets: {
      start_ns: TASK.startNs, leader_start_ns: TASK.leaderStartNs, parent_start_ns: TASK.parentStartNs,
      cgroup_id: TASK.cgroupId, tid: TASK.tid, pid: TASK.pid, ppid: TASK.ppid, uid: TASK.uid, gid: TASK.gid,
      pidns_id: TASK.pidnsId, ns_pid: TASK.nsPid, ns_tid: TASK.nsTid, comm: TASK.comm,
    },
  },
  pt_fork: {
    sizeof: FORK.sizeof,
    offsets: { hdr: 0, child: FORK.child, creator_start_ns: FORK.creatorStartNs, creator_tid: FORK.creatorTid, flags: FORK.flags },
  },
  pt_exec: {
    sizeof: EXEC.sizeof,
    offsets: {
      hdr: 0, task: EXEC.task, inode: EXEC.inode, ctime_ns: EXEC.ctimeNs, dev: EXEC.dev, mode: EXEC.mode,
      old_tid: EXEC.oldTid, flags: EXEC.flags, filename_len: EXEC.filenameLen, argv_len: EXEC.argvLen,
      filename: EXEC.filename, argv: EXEC.argv,
    },
  },
  pt_exit: { sizeof: EXIT.sizeof, offsets: { hdr: 0, task: EXIT.task, exit_status: EXIT.exitStatus, flags: EXIT.flags } },
  pt_cgroup: {
    sizeof: CGROUP.sizeof,
    offsets: {
      hdr: 0, cgroup_id: CGROUP.cgroupId, task_start_ns: CGROUP.taskStartNs, hierarchy_id: CGROUP.hierarchyId,
      level: CGROUP.level, tid: CGROUP.tid, pid: CGROUP.pid, path_len: CGROUP.pathLen, path: CGROUP.path,
    },
  },
  pt_dns: {
    sizeof: DNS.sizeof,
    offsets: {
      hdr: 0, socket_cookie: DNS.socketCookie, netns_cookie: DNS.netnsCookie, cgroup_id: DNS.cgroupId,
      pid: DNS.pid, tid: DNS.tid, direction: DNS.direction, protocol: DNS.protocol, ip_version: DNS.ipVersion,
      src_port: DNS.srcPort, dst_port: DNS.dstPort, src_addr: DNS.srcAddr, dst_addr: DNS.dstAddr,
      wire_len: DNS.wireLen, payload_len: DNS.payloadLen, payload: DNS.payload,
    },
  },
  constants: {
    PT_COMM_LEN, PT_FILENAME_MAX, PT_ARGV_MAX, PT_CGROUP_PATH_MAX, PT_DNS_PAYLOAD_MAX,
    PT_EVENT_FORK, PT_EVENT_EXEC, PT_EVENT_EXIT, PT_EVENT_CGROUP_MKDIR, PT_EVENT_CGROUP_RMDIR,
    PT_EVENT_CGROUP_ATTACH, PT_EVENT_DNS,
  },
};

/** Every difference between `actual` (the addon's layout()) and LAYOUT, as readable lines. */
export function layoutDifferences(actual: unknown): string[] {
  const diffs: string[] = [];
  const a = (actual ?? {}) as Record<string, unknown>;
  for (const [name, want] of Object.entries(LAYOUT) as [string, StructLayout | Readonly<Record<string, number>>][]) {
    const got = a[name] as Record<string, unknown> | undefined;
    if (got === undefined || got === null || typeof got !== 'object') {
      diffs.push(`${name}: missing in addon layout`);
      continue;
    }
    if (name === 'constants') {
      for (const [k, v] of Object.entries(want as Record<string, number>)) {
        if (got[k] !== v) diffs.push(`constants.${k}: addon ${String(got[k])}, TypeScript ${v}`);
      }
      continue;
    }
    const s = want as StructLayout;
    if (got.sizeof !== s.sizeof) diffs.push(`${name}: sizeof addon ${String(got.sizeof)}, TypeScript ${s.sizeof}`);
    const offs = (got.offsets ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(s.offsets), ...Object.keys(offs)]);
    for (const k of keys) {
      if (offs[k] !== s.offsets[k]) {
        diffs.push(`${name}.${k}: offset addon ${String(offs[k])}, TypeScript ${String(s.offsets[k])}`);
      }
    }
  }
  return diffs;
}

/** Throws when the addon's compiled layout differs from this file (events.h drifted). */
export function assertLayout(actual: unknown): void {
  const diffs = layoutDifferences(actual);
  if (diffs.length > 0) {
    throw new Error(
      `bpf/events.h and src/events/layout.ts disagree (rebuild with scripts/build-native, then update layout.ts):\n  ${diffs.join('\n  ')}`,
    );
  }
}
