// Skeleton lifecycle: open -> set rodata -> load -> attach, each step with its own message.
#include "loader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "events_cxx.h"
#include "proctrail.skel.h"

namespace {

// libbpf's print hook is process-global by design; keep the tail of its messages so
// errors can quote them.
std::mutex g_logMu;
std::string g_log;

int LibbpfPrint(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, args);
  if (n <= 0) return 0;
  std::lock_guard<std::mutex> lk(g_logMu);
  g_log.append(buf);
  if (g_log.size() > 4096) g_log.erase(0, g_log.size() - 4096);
  return 0;
}

std::string TakeLog() {
  std::lock_guard<std::mutex> lk(g_logMu);
  std::string s;
  s.swap(g_log);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  // Verifier logs are long: keep the last lines, which say what failed.
  if (s.size() > 1500) s = "..." + s.substr(s.size() - 1500);
  return s;
}

std::string Fail(const std::string& what, int err) {
  std::string msg = what;
  int e = err < 0 ? -err : err;
  if (e == EPERM || e == EACCES) msg += ": needs CAP_BPF/root (CAP_BPF + CAP_PERFMON)";
  else if (e) msg += std::string(": ") + strerror(e);
  std::string log = TakeLog();
  if (!log.empty()) msg += "\nlibbpf: " + log;
  return msg;
}

uint64_t RoundRing(uint64_t bytes) {
  uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t v = page;
  while (v < bytes && v < (1ull << 31)) v <<= 1;
  return v;
}

// A v1 controller's index in css_set->subsys, from the kernel's enum cgroup_subsys_id.
int SubsysId(const std::string& controller) {
  struct btf* btf = btf__load_vmlinux_btf();
  if (!btf) return -1;
  int result = -1;
  int id = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);
  if (id > 0) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    const struct btf_enum* e = btf_enum(t);
    std::string want = controller + "_cgrp_id";
    for (int i = 0; i < btf_vlen(t); i++) {
      if (want == btf__name_by_offset(btf, e[i].name_off)) result = e[i].val;
    }
  }
  btf__free(btf);
  return result;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Attaches one cgroup_skb program to the cgroup2 root (links imply multi-attach).
std::string AttachDns(proctrail_bpf* skel, const std::string& mount) {
  int fd = open(mount.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return "cannot open cgroup2 mount " + mount + ": " + strerror(errno);
  std::string err;
  skel->links.pt_dns_egress = bpf_program__attach_cgroup(skel->progs.pt_dns_egress, fd);
  if (!skel->links.pt_dns_egress) {
    err = Fail("attach cgroup_skb/egress to " + mount, -errno);
  } else {
    skel->links.pt_dns_ingress = bpf_program__attach_cgroup(skel->progs.pt_dns_ingress, fd);
    if (!skel->links.pt_dns_ingress) err = Fail("attach cgroup_skb/ingress to " + mount, -errno);
  }
  close(fd);
  return err;
}

// One attempt: open, configure, load, attach. Returns nullptr and sets `error` on failure.
proctrail_bpf* TryLoad(const LoadOptions& opts, Loaded& out, bool withDns, int subsys, std::string& error) {
  proctrail_bpf* skel = proctrail_bpf::open();
  if (!skel) {
    error = Fail("open BPF object", -errno);
    return nullptr;
  }
  skel->rodata->wakeup_threshold = opts.wakeupThresholdBytes;
  skel->rodata->cgroup_v1_subsys = subsys;
  int err = bpf_map__set_max_entries(skel->maps.events, out.ringBytes);
  if (!err && !withDns) {
    bpf_program__set_autoload(skel->progs.pt_dns_egress, false);
    bpf_program__set_autoload(skel->progs.pt_dns_ingress, false);
    // The scratch map is only used by the DNS programs: keep it tiny.
    err = bpf_map__set_max_entries(skel->maps.dns_scratch, 1);
  }
  if (err) {
    error = Fail("configure BPF object", err);
    proctrail_bpf::destroy(skel);
    return nullptr;
  }
  err = proctrail_bpf::load(skel);
  if (err) {
    error = Fail("load BPF programs", err);
    proctrail_bpf::destroy(skel);
    return nullptr;
  }
  err = proctrail_bpf::attach(skel);
  if (err) {
    error = Fail("attach tp_btf programs", err);
    proctrail_bpf::destroy(skel);
    return nullptr;
  }
  return skel;
}

}  // namespace

std::string FindCgroup2Mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream rest(line.substr(dash + 3));
    std::string fstype;
    rest >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, devno, root, mountPoint;
    head >> id >> parent >> devno >> root >> mountPoint;
    if (root == "/") return Unescape(mountPoint);
  }
  return "";
}

Loaded LoadAndAttach(const LoadOptions& opts) {
  libbpf_set_print(LibbpfPrint);
  TakeLog();
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    throw std::runtime_error("kernel has no BTF at /sys/kernel/btf/vmlinux (needs CONFIG_DEBUG_INFO_BTF)");

  Loaded out;
  out.ringBytes = RoundRing(opts.ringBytes);
  out.cgroup2Mount = FindCgroup2Mount();

  int subsys = -1;
  std::string ctrl = opts.cgroupController;
  if (ctrl.empty()) ctrl = out.cgroup2Mount.empty() ? "memory" : "unified";
  if (ctrl == "unified") {
    out.cgroupHierarchy = "unified";
  } else {
    subsys = SubsysId(ctrl);
    if (subsys < 0) throw std::runtime_error("unknown cgroup v1 controller '" + ctrl + "' (not in the kernel's cgroup_subsys_id)");
    out.cgroupHierarchy = "v1:" + ctrl;
  }

  bool withDns = opts.dns;
  if (withDns && out.cgroup2Mount.empty()) {
    out.dnsError = "no cgroup2 mount in /proc/self/mountinfo";
    withDns = false;
  }
  std::string error;
  proctrail_bpf* skel = TryLoad(opts, out, withDns, subsys, error);
  if (!skel && withDns) {
    // DNS capture is optional: process tracing must work without it.
    out.dnsError = error;
    withDns = false;
    skel = TryLoad(opts, out, false, subsys, error);
  }
  if (!skel) throw std::runtime_error(error);
  out.skel = skel;
  if (withDns) {
    std::string dnsErr = AttachDns(skel, out.cgroup2Mount);
    if (dnsErr.empty()) {
      out.dnsAttached = true;
    } else {
      out.dnsError = dnsErr;
      if (skel->links.pt_dns_egress) {
        bpf_link__destroy(skel->links.pt_dns_egress);
        skel->links.pt_dns_egress = nullptr;
      }
    }
  }
  return out;
}

void Unload(Loaded& l) {
  if (l.skel) proctrail_bpf::destroy(l.skel);  // destroys every link in skel->links too
  l.skel = nullptr;
}

uint64_t SumDrops(proctrail_bpf* skel, uint32_t key) {
  if (!skel) return 0;
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return 0;
  std::vector<uint64_t> vals(static_cast<size_t>(ncpu));
  if (bpf_map__lookup_elem(skel->maps.drops, &key, sizeof key, vals.data(), vals.size() * sizeof(uint64_t), 0) != 0)
    return 0;
  uint64_t sum = 0;
  for (uint64_t v : vals) sum += v;
  return sum;
}
