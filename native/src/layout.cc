// layout(): the addon's compiled view of bpf/events.h, checked by src/events/layout.ts.
#include "layout.h"
#include <cstddef>
#include "events_cxx.h"

#define PT_FIELD(obj, type, field) obj.Set(#field, Napi::Number::New(env, offsetof(type, field)))

static Napi::Object Struct(Napi::Env env, size_t size, Napi::Object offsets) {
  Napi::Object s = Napi::Object::New(env);
  s.Set("sizeof", Napi::Number::New(env, size));
  s.Set("offsets", offsets);
  return s;
}

Napi::Object BuildLayout(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);

  Napi::Object h = Napi::Object::New(env);
  PT_FIELD(h, pt_header, type);
  PT_FIELD(h, pt_header, size);
  PT_FIELD(h, pt_header, cpu);
  PT_FIELD(h, pt_header, ts_ns);
  out.Set("pt_header", Struct(env, sizeof(pt_header), h));

  Napi::Object t = Napi::Object::New(env);
  PT_FIELD(t, pt_task, start_ns);
  PT_FIELD(t, pt_task, leader_start_ns);
  PT_FIELD(t, pt_task, parent_start_ns);
  PT_FIELD(t, pt_task, cgroup_id);
  PT_FIELD(t, pt_task, tid);
  PT_FIELD(t, pt_task, pid);
  PT_FIELD(t, pt_task, ppid);
  PT_FIELD(t, pt_task, uid);
  PT_FIELD(t, pt_task, gid);
  PT_FIELD(t, pt_task, pidns_id);
  PT_FIELD(t, pt_task, ns_pid);
  PT_FIELD(t, pt_task, ns_tid);
  PT_FIELD(t, pt_task, comm);
  out.Set("pt_task", Struct(env, sizeof(pt_task), t));

  Napi::Object f = Napi::Object::New(env);
  PT_FIELD(f, pt_fork, hdr);
  PT_FIELD(f, pt_fork, child);
  PT_FIELD(f, pt_fork, creator_start_ns);
  PT_FIELD(f, pt_fork, creator_tid);
  PT_FIELD(f, pt_fork, flags);
  out.Set("pt_fork", Struct(env, sizeof(pt_fork), f));

  Napi::Object e = Napi::Object::New(env);
  PT_FIELD(e, pt_exec, hdr);
  PT_FIELD(e, pt_exec, task);
  PT_FIELD(e, pt_exec, inode);
  PT_FIELD(e, pt_exec, ctime_ns);
  PT_FIELD(e, pt_exec, dev);
  PT_FIELD(e, pt_exec, mode);
  PT_FIELD(e, pt_exec, old_tid);
  PT_FIELD(e, pt_exec, flags);
  PT_FIELD(e, pt_exec, filename_len);
  PT_FIELD(e, pt_exec, argv_len);
  PT_FIELD(e, pt_exec, filename);
  PT_FIELD(e, pt_exec, argv);
  out.Set("pt_exec", Struct(env, sizeof(pt_exec), e));

  Napi::Object x = Napi::Object::New(env);
  PT_FIELD(x, pt_exit, hdr);
  PT_FIELD(x, pt_exit, task);
  PT_FIELD(x, pt_exit, exit_status);
  PT_FIELD(x, pt_exit, flags);
  out.Set("pt_exit", Struct(env, sizeof(pt_exit), x));

  Napi::Object c = Napi::Object::New(env);
  PT_FIELD(c, pt_cgroup, hdr);
  PT_FIELD(c, pt_cgroup, cgroup_id);
  PT_FIELD(c, pt_cgroup, task_start_ns);
  PT_FIELD(c, pt_cgroup, hierarchy_id);
  PT_FIELD(c, pt_cgroup, level);
  PT_FIELD(c, pt_cgroup, tid);
  PT_FIELD(c, pt_cgroup, pid);
  PT_FIELD(c, pt_cgroup, path_len);
  PT_FIELD(c, pt_cgroup, path);
  out.Set("pt_cgroup", Struct(env, sizeof(pt_cgroup), c));

  Napi::Object d = Napi::Object::New(env);
  PT_FIELD(d, pt_dns, hdr);
  PT_FIELD(d, pt_dns, socket_cookie);
  PT_FIELD(d, pt_dns, netns_cookie);
  PT_FIELD(d, pt_dns, cgroup_id);
  PT_FIELD(d, pt_dns, pid);
  PT_FIELD(d, pt_dns, tid);
  PT_FIELD(d, pt_dns, direction);
  PT_FIELD(d, pt_dns, protocol);
  PT_FIELD(d, pt_dns, ip_version);
  PT_FIELD(d, pt_dns, src_port);
  PT_FIELD(d, pt_dns, dst_port);
  PT_FIELD(d, pt_dns, src_addr);
  PT_FIELD(d, pt_dns, dst_addr);
  PT_FIELD(d, pt_dns, wire_len);
  PT_FIELD(d, pt_dns, payload_len);
  PT_FIELD(d, pt_dns, payload);
  out.Set("pt_dns", Struct(env, sizeof(pt_dns), d));

  Napi::Object k = Napi::Object::New(env);
  k.Set("PT_COMM_LEN", PT_COMM_LEN);
  k.Set("PT_FILENAME_MAX", PT_FILENAME_MAX);
  k.Set("PT_ARGV_MAX", PT_ARGV_MAX);
  k.Set("PT_CGROUP_PATH_MAX", PT_CGROUP_PATH_MAX);
  k.Set("PT_DNS_PAYLOAD_MAX", PT_DNS_PAYLOAD_MAX);
  k.Set("PT_EVENT_FORK", static_cast<int>(PT_EVENT_FORK));
  k.Set("PT_EVENT_EXEC", static_cast<int>(PT_EVENT_EXEC));
  k.Set("PT_EVENT_EXIT", static_cast<int>(PT_EVENT_EXIT));
  k.Set("PT_EVENT_CGROUP_MKDIR", static_cast<int>(PT_EVENT_CGROUP_MKDIR));
  k.Set("PT_EVENT_CGROUP_RMDIR", static_cast<int>(PT_EVENT_CGROUP_RMDIR));
  k.Set("PT_EVENT_CGROUP_ATTACH", static_cast<int>(PT_EVENT_CGROUP_ATTACH));
  k.Set("PT_EVENT_DNS", static_cast<int>(PT_EVENT_DNS));
  out.Set("constants", k);
  return out;
}
