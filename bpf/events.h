/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ONE definition of every record that crosses the kernel -> user boundary.
 *
 * Rules: plain fixed-width types only, explicit padding, every struct a multiple of 8
 * bytes and 8-byte aligned, names prefixed `pt_` (`proc_event` collides with vmlinux.h).
 * The addon exports sizeof/offsetof of every field (`layout()`), and the TypeScript
 * decoder (src/events/layout.ts) asserts them at start-up, so drift fails loudly.
 *
 * Included by the BPF programs (after vmlinux.h, which provides the __u* types) and by the
 * C++ addon (after <linux/types.h>).
 */
#ifndef PROCTRAIL_EVENTS_H
#define PROCTRAIL_EVENTS_H

#define PT_COMM_LEN 16
#define PT_FILENAME_MAX 256
#define PT_ARGV_MAX 512
#define PT_CGROUP_PATH_MAX 256
#define PT_DNS_PAYLOAD_MAX 4096

enum pt_event_type {
	PT_EVENT_FORK = 1,
	PT_EVENT_EXEC = 2,
	PT_EVENT_EXIT = 3,
	PT_EVENT_CGROUP_MKDIR = 4,
	PT_EVENT_CGROUP_RMDIR = 5,
	PT_EVENT_CGROUP_ATTACH = 6,
	PT_EVENT_DNS = 7,
};

/* Common header of every record. `size` is the record's length in bytes (the decoder
 * advances by it, rounded up to 8); `ts_ns` is CLOCK_BOOTTIME ns. */
struct pt_header {
	__u16 type;
	__u16 size;
	__u32 cpu;
	__u64 ts_ns;
};

/* One task as seen at the event (maps to TaskInfo in src/events/types.ts). */
struct pt_task {
	__u64 start_ns;        /* task->start_boottime */
	__u64 leader_start_ns; /* group_leader->start_boottime */
	__u64 parent_start_ns; /* real_parent->group_leader->start_boottime */
	__u64 cgroup_id;       /* unified hierarchy id, or the v1 hierarchy chosen by the loader */
	__u32 tid;             /* task->pid */
	__u32 pid;             /* task->tgid */
	__u32 ppid;            /* real_parent->tgid */
	__u32 uid;
	__u32 gid;
	__u32 pidns_id;        /* inode number of the task's pid namespace */
	__u32 ns_pid;
	__u32 ns_tid;
	char comm[PT_COMM_LEN];
};

#define PT_FORK_IS_THREAD 1u

struct pt_fork {
	struct pt_header hdr;
	struct pt_task child;
	__u64 creator_start_ns;
	__u32 creator_tid;
	__u32 flags; /* PT_FORK_IS_THREAD */
};

#define PT_EXEC_ARGV_TRUNCATED 1u
#define PT_EXEC_FILENAME_TRUNCATED 2u

struct pt_exec {
	struct pt_header hdr;
	struct pt_task task;
	__u64 inode;
	__u64 ctime_ns;
	__u32 dev;
	__u32 mode;
	__u32 old_tid;
	__u32 flags;        /* PT_EXEC_* */
	__u16 filename_len; /* bytes in filename, without the NUL */
	__u16 argv_len;     /* bytes in argv: NUL-separated strings */
	__u32 _pad0;
	char filename[PT_FILENAME_MAX];
	char argv[PT_ARGV_MAX];
};

#define PT_EXIT_GROUP_DEAD 1u

struct pt_exit {
	struct pt_header hdr;
	struct pt_task task;
	__u32 exit_status; /* wait(2) form: (code << 8) | signal */
	__u32 flags;       /* PT_EXIT_GROUP_DEAD */
};

/* cgroup_mkdir / cgroup_rmdir / cgroup_attach_task (fire once per hierarchy). */
struct pt_cgroup {
	struct pt_header hdr;
	__u64 cgroup_id;     /* cgrp->kn->id: unique within its hierarchy */
	__u64 task_start_ns; /* attach: the moved task's start_boottime */
	__u32 hierarchy_id;  /* cgrp->root->hierarchy_id; 0 is cgroup2 */
	__u32 level;
	__u32 tid;           /* attach only */
	__u32 pid;           /* attach only */
	__u16 path_len;
	__u16 _pad0;
	__u32 _pad1;
	char path[PT_CGROUP_PATH_MAX];
};

#define PT_DNS_EGRESS 0
#define PT_DNS_INGRESS 1
#define PT_PROTO_UDP 17
#define PT_PROTO_TCP 6

/* A DNS packet. Variable length: hdr.size = offsetof(payload) + payload_len. Addresses are
 * network order; IPv4 uses the first 4 bytes. `payload` is the DNS message (for TCP it
 * still starts with the 2-byte length prefix, as on the wire). */
struct pt_dns {
	struct pt_header hdr;
	__u64 socket_cookie;
	__u64 netns_cookie;
	__u64 cgroup_id;
	__u32 pid; /* egress only */
	__u32 tid; /* egress only */
	__u8 direction;  /* PT_DNS_* */
	__u8 protocol;   /* PT_PROTO_* */
	__u8 ip_version; /* 4 or 6 */
	__u8 _pad0;
	__u16 src_port;  /* host order */
	__u16 dst_port;  /* host order */
	__u8 src_addr[16];
	__u8 dst_addr[16];
	__u32 wire_len;    /* DNS payload length in the packet */
	__u32 payload_len; /* bytes copied into payload */
	__u8 payload[PT_DNS_PAYLOAD_MAX];
};

/* Indexes of the per-CPU drop counter array. */
enum pt_drop_reason {
	PT_DROP_RESERVE = 0, /* ring buffer full: reserve/output failed */
	PT_DROP_MAX = 1,
};

#endif /* PROCTRAIL_EVENTS_H */
