// SPDX-License-Identifier: GPL-2.0
/*
 * proctrail kernel side: process lifecycle (tp_btf sched_process_fork/exec/exit), cgroup
 * lifecycle (tp_btf cgroup_mkdir/rmdir/attach_task) and DNS packets (cgroup_skb).
 * Every handler is a short recipe: reserve -> fill -> submit; a failed reserve is counted
 * in the per-CPU `drops` array, never silent.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs set by the loader between open and load (rodata). */
/* Force a consumer wake-up once this many bytes are pending; 0 = wake on every record. */
const volatile __u64 wakeup_threshold = 0;
/* -1: cgroup id from the unified hierarchy (dfl_cgrp); >= 0: that v1 cgroup_subsys_id. */
const volatile int cgroup_v1_subsys = -1;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Scratch for the variable-length DNS record (too big for the 512-byte stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pt_dns);
} dns_scratch SEC(".maps");

/* Kernels before 5.5 named start_boottime real_start_time. */
struct task_struct___pre55 {
	u64 real_start_time;
} __attribute__((preserve_access_index));

/* Kernels before 6.6 kept ctime as a timespec64 (named __i_ctime in 6.6..6.10). */
struct inode___ts {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));
struct inode___ts2 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

#define SIGNAL_GROUP_EXIT_FLAG 0x00000004

static __always_inline void count_drop(void)
{
	__u32 key = PT_DROP_RESERVE;
	__u64 *v = bpf_map_lookup_elem(&drops, &key);
	if (v)
		*v += 1;
}

/* Submit without waking the reader unless enough data is pending: per-record wake-ups
 * are the dominant tracing cost (see docs/kernel.md). */
static __always_inline __u64 submit_flags(void)
{
	if (wakeup_threshold == 0)
		return 0;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_threshold)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline __u64 task_start_ns(struct task_struct *t)
{
	if (!t)
		return 0;
	if (bpf_core_field_exists(t->start_boottime))
		return BPF_CORE_READ(t, start_boottime);
	struct task_struct___pre55 *old = (void *)t;
	return BPF_CORE_READ(old, real_start_time);
}

static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	int subsys = cgroup_v1_subsys;
	struct css_set *cset = BPF_CORE_READ(t, cgroups);
	if (!cset)
		return 0;
	if (subsys < 0)
		return BPF_CORE_READ(cset, dfl_cgrp, kn, id);
	if (subsys >= 12)
		return 0;
	struct cgroup_subsys_state *css = NULL;
	bpf_core_read(&css, sizeof(css), &cset->subsys[subsys & 15]);
	if (!css)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

static __always_inline void fill_header(struct pt_header *h, __u16 type, __u16 size)
{
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_boot_ns();
}

static __always_inline void fill_task(struct pt_task *out, struct task_struct *t)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	struct task_struct *parent_leader = parent ? BPF_CORE_READ(parent, group_leader) : NULL;

	out->start_ns = task_start_ns(t);
	out->leader_start_ns = task_start_ns(leader);
	out->parent_start_ns = task_start_ns(parent_leader);
	out->cgroup_id = task_cgroup_id(t);
	out->tid = BPF_CORE_READ(t, pid);
	out->pid = BPF_CORE_READ(t, tgid);
	out->ppid = parent ? BPF_CORE_READ(parent, tgid) : 0;
	out->uid = BPF_CORE_READ(t, real_cred, uid.val);
	out->gid = BPF_CORE_READ(t, real_cred, gid.val);

	/* pid namespace: the task's own struct pid at its deepest level. */
	struct pid *tp = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	struct upid up = {};
	bpf_core_read(&up, sizeof(up), &tp->numbers[level & 31]);
	out->ns_tid = up.nr;
	out->pidns_id = BPF_CORE_READ(up.ns, ns.inum);
	struct pid *lp = BPF_CORE_READ(leader, thread_pid);
	struct upid lup = {};
	bpf_core_read(&lup, sizeof(lup), &lp->numbers[level & 31]);
	out->ns_pid = lup.nr;

	BPF_CORE_READ_STR_INTO(&out->comm, t, comm);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pt_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pt_fork *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	fill_header(&e->hdr, PT_EVENT_FORK, sizeof(*e));
	/* Runs in the parent's context: read everything from `child`, never current. */
	fill_task(&e->child, child);
	e->creator_tid = BPF_CORE_READ(parent, pid);
	e->creator_start_ns = task_start_ns(parent);
	e->flags = BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid) ? PT_FORK_IS_THREAD : 0;
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

static __always_inline __u64 inode_ctime_ns(struct inode *ino)
{
	if (bpf_core_field_exists(ino->i_ctime_sec)) {
		__u64 sec = BPF_CORE_READ(ino, i_ctime_sec);
		/* Multigrain timestamps (6.6+) keep an I_CTIME_QUERIED flag in bit 31. */
		__u32 nsec = BPF_CORE_READ(ino, i_ctime_nsec) & 0x7fffffffu;
		return sec * 1000000000ULL + nsec;
	}
	struct inode___ts *a = (void *)ino;
	if (bpf_core_field_exists(a->i_ctime)) {
		struct timespec64 ts = BPF_CORE_READ(a, i_ctime);
		return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	struct inode___ts2 *b = (void *)ino;
	if (bpf_core_field_exists(b->__i_ctime)) {
		struct timespec64 ts = BPF_CORE_READ(b, __i_ctime);
		return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pt_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pt_exec *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	fill_header(&e->hdr, PT_EVENT_EXEC, sizeof(*e));
	fill_task(&e->task, p);
	e->old_tid = old_pid;
	e->flags = 0;
	e->_pad0 = 0;

	const char *fname = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), fname);
	if (n < 0)
		n = 1;
	if (n >= (long)sizeof(e->filename))
		e->flags |= PT_EXEC_FILENAME_TRUNCATED;
	e->filename_len = n > 0 ? n - 1 : 0;

	struct inode *ino = BPF_CORE_READ(bprm, file, f_inode);
	e->inode = BPF_CORE_READ(ino, i_ino);
	e->dev = BPF_CORE_READ(ino, i_sb, s_dev);
	e->mode = BPF_CORE_READ(ino, i_mode);
	e->ctime_ns = inode_ctime_ns(ino);

	/* argv: the new image's argument area (NUL-separated), bounded. */
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	__u64 start = BPF_CORE_READ(mm, arg_start);
	__u64 end = BPF_CORE_READ(mm, arg_end);
	__u64 len = end > start ? end - start : 0;
	if (len > PT_ARGV_MAX) {
		len = PT_ARGV_MAX;
		e->flags |= PT_EXEC_ARGV_TRUNCATED;
	}
	asm volatile("" : "+r"(len));
	if (len > 0 && len <= PT_ARGV_MAX) {
		if (bpf_probe_read_user(e->argv, len, (void *)start) < 0)
			len = 0;
	} else {
		len = 0;
	}
	e->argv_len = len;
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

/* Only the first argument: 6.16+ added `group_dead`, older kernels lack it. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(pt_exit, struct task_struct *p)
{
	struct pt_exit *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	fill_header(&e->hdr, PT_EVENT_EXIT, sizeof(*e));
	fill_task(&e->task, p);
	struct signal_struct *sig = BPF_CORE_READ(p, signal);
	/* do_exit decremented signal->live before this tracepoint. */
	int live = BPF_CORE_READ(sig, live.counter);
	__u32 status = BPF_CORE_READ(p, exit_code);
	e->flags = 0;
	if (live == 0) {
		e->flags = PT_EXIT_GROUP_DEAD;
		if (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT_FLAG)
			status = BPF_CORE_READ(sig, group_exit_code);
	}
	e->exit_status = status;
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

static __always_inline int emit_cgroup(__u16 type, struct cgroup *cgrp, const char *path,
				       struct task_struct *task)
{
	struct pt_cgroup *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	fill_header(&e->hdr, type, sizeof(*e));
	e->cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	e->hierarchy_id = BPF_CORE_READ(cgrp, root, hierarchy_id);
	e->level = BPF_CORE_READ(cgrp, level);
	e->_pad0 = 0;
	e->_pad1 = 0;
	if (task) {
		e->tid = BPF_CORE_READ(task, pid);
		e->pid = BPF_CORE_READ(task, tgid);
		e->task_start_ns = task_start_ns(task);
	} else {
		e->tid = 0;
		e->pid = 0;
		e->task_start_ns = 0;
	}
	long n = bpf_probe_read_kernel_str(e->path, sizeof(e->path), path);
	e->path_len = n > 0 ? n - 1 : 0;
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(pt_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return emit_cgroup(PT_EVENT_CGROUP_MKDIR, cgrp, path, NULL);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(pt_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return emit_cgroup(PT_EVENT_CGROUP_RMDIR, cgrp, path, NULL);
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(pt_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task)
{
	return emit_cgroup(PT_EVENT_CGROUP_ATTACH, dst, path, task);
}

/* ---- DNS (cgroup_skb on the cgroup2 root; optional, attached by the loader) ---- */

#define ETH_P_IP_BE 0x0008
#define ETH_P_IPV6_BE 0xDD86

static __always_inline int capture_dns(struct __sk_buff *skb, __u8 direction)
{
	__u8 first = 0;
	__u64 l4 = 0;
	__u8 proto = 0;
	__u32 key = 0;
	struct pt_dns *e = bpf_map_lookup_elem(&dns_scratch, &key);
	if (!e)
		return 1;

	if (bpf_skb_load_bytes(skb, 0, &first, 1) < 0)
		return 1;
	__u8 version = first >> 4;
	__builtin_memset(e->src_addr, 0, sizeof(e->src_addr));
	__builtin_memset(e->dst_addr, 0, sizeof(e->dst_addr));
	if (version == 4) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
			return 1;
		/* Fragments other than the first carry no L4 header. */
		if (ip.frag_off & bpf_htons(0x1fff))
			return 1;
		proto = ip.protocol;
		l4 = (ip.ihl & 0xf) * 4;
		__builtin_memcpy(e->src_addr, &ip.saddr, 4);
		__builtin_memcpy(e->dst_addr, &ip.daddr, 4);
	} else if (version == 6) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			return 1;
		proto = ip6.nexthdr; /* extension headers are not followed */
		l4 = sizeof(ip6);
		__builtin_memcpy(e->src_addr, &ip6.saddr, 16);
		__builtin_memcpy(e->dst_addr, &ip6.daddr, 16);
	} else {
		return 1;
	}

	__u16 ports[2];
	__u64 payload_off;
	if (proto == PT_PROTO_UDP) {
		payload_off = l4 + 8;
	} else if (proto == PT_PROTO_TCP) {
		__u8 doff = 0;
		if (bpf_skb_load_bytes(skb, l4 + 12, &doff, 1) < 0)
			return 1;
		payload_off = l4 + (doff >> 4) * 4;
	} else {
		return 1;
	}
	if (bpf_skb_load_bytes(skb, l4, ports, sizeof(ports)) < 0)
		return 1;
	__u16 sport = bpf_ntohs(ports[0]);
	__u16 dport = bpf_ntohs(ports[1]);
	if (sport != 53 && dport != 53)
		return 1;
	__u64 skb_len = skb->len;
	if (skb_len <= payload_off)
		return 1; /* pure ACKs and empty datagrams */
	__u64 wire = skb_len - payload_off;
	__u64 len = wire;
	if (len > PT_DNS_PAYLOAD_MAX)
		len = PT_DNS_PAYLOAD_MAX;
	/* clang 14 loses the bound of a 32-bit length: keep it 64-bit behind a barrier. */
	asm volatile("" : "+r"(len));
	if (len < 1 || len > PT_DNS_PAYLOAD_MAX)
		return 1;
	if (bpf_skb_load_bytes(skb, payload_off, e->payload, len) < 0)
		return 1;

	e->hdr.type = PT_EVENT_DNS;
	e->hdr.size = __builtin_offsetof(struct pt_dns, payload) + len;
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	e->socket_cookie = bpf_get_socket_cookie(skb);
	e->netns_cookie = bpf_get_netns_cookie(skb);
	e->cgroup_id = bpf_skb_cgroup_id(skb);
	if (direction == PT_DNS_EGRESS) {
		/* Only egress runs in the sender's context; ingress context is not the receiver. */
		__u64 pt = bpf_get_current_pid_tgid();
		e->pid = pt >> 32;
		e->tid = (__u32)pt;
	} else {
		e->pid = 0;
		e->tid = 0;
	}
	e->direction = direction;
	e->protocol = proto;
	e->ip_version = version;
	e->_pad0 = 0;
	e->src_port = sport;
	e->dst_port = dport;
	e->wire_len = wire;
	e->payload_len = len;
	__u64 total = __builtin_offsetof(struct pt_dns, payload) + len;
	asm volatile("" : "+r"(total));
	if (total > sizeof(*e))
		return 1;
	if (bpf_ringbuf_output(&events, e, total, submit_flags()) < 0)
		count_drop();
	return 1;
}

SEC("cgroup_skb/egress")
int pt_dns_egress(struct __sk_buff *skb)
{
	return capture_dns(skb, PT_DNS_EGRESS);
}

SEC("cgroup_skb/ingress")
int pt_dns_ingress(struct __sk_buff *skb)
{
	return capture_dns(skb, PT_DNS_INGRESS);
}
