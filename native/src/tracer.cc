// Tracer implementation: load in the constructor, a reader thread after start().
#include "tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "events_cxx.h"
#include "proctrail.skel.h"

namespace {

constexpr int kBatchFull = -ENOSPC;  // returned by OnSample to stop consume after storing a record

uint32_t OptU32(const Napi::Object& o, const char* key, uint32_t def, uint32_t min, uint32_t max) {
  if (!o.Has(key) || o.Get(key).IsUndefined()) return def;
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("option ") + key + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max)) throw Napi::RangeError::New(o.Env(), std::string("option ") + key + " out of range");
  return static_cast<uint32_t>(d);
}

}  // namespace

Napi::Function Tracer::Init(Napi::Env env) {
  return DefineClass(env, "Tracer",
                     {InstanceMethod("start", &Tracer::Start), InstanceMethod("stop", &Tracer::Stop),
                      InstanceMethod("stats", &Tracer::Stats)});
}

Tracer::Tracer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Tracer>(info) {
  Napi::Env env = info.Env();
  Napi::Object o = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
  LoadOptions lo;
  lo.ringBytes = OptU32(o, "ringBytes", 16u << 20, 4096, 1u << 30);
  lo.wakeupThresholdBytes = OptU32(o, "wakeupThresholdBytes", static_cast<uint32_t>(lo.ringBytes / 8), 0, 1u << 30);
  batchMaxRecords_ = OptU32(o, "batchMaxRecords", 4096, 1, 1u << 20);
  batchMaxBytes_ = OptU32(o, "batchMaxBytes", 1u << 20, 4096, 64u << 20);
  batchMaxAgeMs_ = OptU32(o, "batchMaxAgeMs", 5, 0, 10000);
  pollIntervalMs_ = OptU32(o, "pollIntervalMs", 10, 1, 10000);
  queueMaxBatches_ = OptU32(o, "queueMaxBatches", 64, 1, 100000);
  if (o.Has("dns")) lo.dns = o.Get("dns").ToBoolean();
  if (o.Has("cgroupHierarchy") && o.Get("cgroupHierarchy").IsString())
    lo.cgroupController = o.Get("cgroupHierarchy").As<Napi::String>().Utf8Value();
  if (lo.cgroupController == "auto") lo.cgroupController.clear();
  try {
    loaded_ = LoadAndAttach(lo);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  rb_ = ring_buffer__new(bpf_map__fd(loaded_.skel->maps.events), &Tracer::OnSample, this, nullptr);
  if (!rb_) {
    std::string msg = std::string("libbpf: ring_buffer__new failed: ") + strerror(errno);
    Unload(loaded_);
    throw Napi::Error::New(env, msg);
  }
}

Tracer::~Tracer() { Shutdown(); }

int Tracer::OnSample(void* ctx, void* data, size_t len) {
  Tracer* t = static_cast<Tracer*>(ctx);
  // libbpf has already advanced past this record: it must be stored, whatever happens.
  size_t padded = (len + 7) & ~static_cast<size_t>(7);
  Batch* b = t->batch_;
  if (t->batchRecords_ == 0) t->batchStart_ = std::chrono::steady_clock::now();
  size_t off = b->size();
  b->resize(off + padded);
  memcpy(b->data() + off, data, len);
  if (padded > len) memset(b->data() + off + len, 0, padded - len);
  t->batchRecords_++;
  t->recordsRead_.fetch_add(1, std::memory_order_relaxed);
  t->bytesRead_.fetch_add(len, std::memory_order_relaxed);
  if (t->batchRecords_ >= t->batchMaxRecords_ || b->size() >= t->batchMaxBytes_) {
    t->batchFull_ = true;
    return kBatchFull;
  }
  return 0;
}

void Tracer::Flush() {
  if (batchRecords_ == 0) return;
  Batch* b = batch_;
  uint64_t n = batchRecords_;
  batch_ = new Batch();
  batch_->reserve(std::min<size_t>(batchMaxBytes_ + sizeof(pt_dns), 1u << 20));
  batchRecords_ = 0;
  batchFull_ = false;
  if (n > maxBatchRecords_.load(std::memory_order_relaxed)) maxBatchRecords_.store(n, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lk(mu_);
    pending_++;
  }
  if (tsfn_.NonBlockingCall(b) != napi_ok) {
    addonDrops_.fetch_add(n, std::memory_order_relaxed);
    delete b;
    std::lock_guard<std::mutex> lk(mu_);
    pending_--;
    return;
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
}

void Tracer::ReaderLoop() {
  using clock = std::chrono::steady_clock;
  while (!stopping_.load()) {
    {
      // Bounded queue: when JS falls behind, stop draining; the kernel ring holds the rest.
      std::unique_lock<std::mutex> lk(mu_);
      if (pending_ >= queueMaxBatches_) {
        queueFullStalls_.fetch_add(1, std::memory_order_relaxed);
        cv_.wait(lk, [&] { return stopping_.load() || pending_ < queueMaxBatches_; });
      }
    }
    if (stopping_.load()) break;
    int timeout = static_cast<int>(pollIntervalMs_);
    if (batchRecords_ > 0) {
      auto age = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - batchStart_).count();
      timeout = std::max<int>(0, static_cast<int>(batchMaxAgeMs_) - static_cast<int>(age));
    }
    if (!batchFull_) ring_buffer__poll(rb_, timeout);
    // Records submitted with BPF_RB_NO_WAKEUP do not make poll return: consume explicitly.
    if (!batchFull_) ring_buffer__consume(rb_);
    if (batchRecords_ > 0) {
      auto age = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - batchStart_).count();
      if (batchFull_ || age >= batchMaxAgeMs_) Flush();
    }
  }
  Flush();
}

void DeliverBatch(Napi::Env env, Napi::Function cb, Tracer* t, Batch* batch) {
  if (env != nullptr && cb != nullptr) {
    Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::Copy(env, batch->data(), batch->size());
    delete batch;
    batch = nullptr;
    try {
      cb.Call({buf});
    } catch (const Napi::Error& e) {
      // A throwing consumer must not wedge the reader: the facade catches, this is a backstop.
      fprintf(stderr, "proctrail: batch callback threw: %s\n", e.Message().c_str());
    }
  }
  delete batch;
  {
    std::lock_guard<std::mutex> lk(t->mu_);
    if (t->pending_ > 0) t->pending_--;
  }
  t->cv_.notify_all();
}

Napi::Value Tracer::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (stopped_) throw Napi::Error::New(env, "tracer is stopped");
  if (started_) throw Napi::Error::New(env, "tracer already started");
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "start(callback) needs a function");
  tsfn_ = BatchTsfn::New(env, info[0].As<Napi::Function>(), "proctrail-reader", 0, 1, this);
  batch_ = new Batch();
  batch_->reserve(std::min<size_t>(batchMaxBytes_ + sizeof(pt_dns), 1u << 20));
  started_ = true;
  reader_ = std::thread([this] { ReaderLoop(); });
  return env.Undefined();
}

void Tracer::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  if (started_) tsfn_.Release();
  delete batch_;
  batch_ = nullptr;
  if (rb_) ring_buffer__free(rb_);
  rb_ = nullptr;
  Unload(loaded_);
}

Napi::Value Tracer::Stop(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

Napi::Value Tracer::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("recordsRead", static_cast<double>(recordsRead_.load()));
  o.Set("bytesRead", static_cast<double>(bytesRead_.load()));
  o.Set("batches", static_cast<double>(batches_.load()));
  o.Set("maxBatchRecords", static_cast<double>(maxBatchRecords_.load()));
  o.Set("bpfReserveDrops", static_cast<double>(SumDrops(loaded_.skel, PT_DROP_RESERVE)));
  o.Set("addonDrops", static_cast<double>(addonDrops_.load()));
  o.Set("queueFullStalls", static_cast<double>(queueFullStalls_.load()));
  uint32_t pending;
  {
    std::lock_guard<std::mutex> lk(mu_);
    pending = pending_;
  }
  o.Set("pendingBatches", pending);
  o.Set("ringBytes", static_cast<double>(loaded_.ringBytes));
  o.Set("cgroupHierarchy", loaded_.cgroupHierarchy);
  o.Set("dnsAttached", loaded_.dnsAttached);
  o.Set("dnsError", loaded_.dnsError);
  o.Set("cgroup2Mount", loaded_.cgroup2Mount);
  o.Set("running", started_ && !stopped_);
  // Kernel ids of our loaded programs, so callers can verify stop() removed exactly these.
  Napi::Array ids = Napi::Array::New(env);
  if (loaded_.skel) {
    uint32_t i = 0;
    struct bpf_program* prog;
    bpf_object__for_each_program(prog, loaded_.skel->obj) {
      int fd = bpf_program__fd(prog);
      if (fd < 0) continue;
      struct bpf_prog_info info = {};
      uint32_t len = sizeof(info);
      if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) ids.Set(i++, info.id);
    }
  }
  o.Set("programIds", ids);
  return o;
}
