// Module entry: Tracer class, layout() and clocks().
#include <napi.h>
#include <time.h>

#include "layout.h"
#include "tracer.h"

namespace {

uint64_t Ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Realtime and boottime read back to back (boottime bracketing realtime, midpoint taken),
// so realtimeNs - boottimeNs is the boot->epoch offset.
Napi::Value Clocks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t b1 = Ns(CLOCK_BOOTTIME);
  uint64_t r = Ns(CLOCK_REALTIME);
  uint64_t b2 = Ns(CLOCK_BOOTTIME);
  Napi::Object o = Napi::Object::New(env);
  o.Set("realtimeNs", Napi::BigInt::New(env, r));
  o.Set("boottimeNs", Napi::BigInt::New(env, b1 + (b2 - b1) / 2));
  return o;
}

Napi::Value Layout(const Napi::CallbackInfo& info) { return BuildLayout(info.Env()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Tracer", Tracer::Init(env));
  exports.Set("layout", Napi::Function::New(env, Layout, "layout"));
  exports.Set("clocks", Napi::Function::New(env, Clocks, "clocks"));
  return exports;
}

}  // namespace

NODE_API_MODULE(proctrail, Init)
