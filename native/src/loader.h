// Opens, configures, loads and attaches the BPF skeleton; every step has its own error.
#pragma once
#include <cstdint>
#include <string>

struct proctrail_bpf;

struct LoadOptions {
  uint64_t ringBytes = 16u << 20;
  uint64_t wakeupThresholdBytes = 0;
  bool dns = false;
  std::string cgroupController;  // "" auto, "unified", or a v1 controller name ("memory")
};

struct Loaded {
  proctrail_bpf* skel = nullptr;
  uint64_t ringBytes = 0;
  std::string cgroupHierarchy;  // "unified" or "v1:<controller>"
  bool dnsAttached = false;
  std::string dnsError;  // why DNS capture is off although requested
  std::string cgroup2Mount;
};

/** Loads and attaches everything; throws std::runtime_error with a message saying what is missing. */
Loaded LoadAndAttach(const LoadOptions& opts);
/** Detaches and frees everything LoadAndAttach created. */
void Unload(Loaded& l);
/** Sum over CPUs of drops[key]. */
uint64_t SumDrops(proctrail_bpf* skel, uint32_t key);
/** Mount point of the cgroup2 hierarchy from /proc/self/mountinfo, "" when not mounted. */
std::string FindCgroup2Mount();
