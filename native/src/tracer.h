// Tracer: the JS object that owns the loaded BPF programs and the ring-buffer reader thread.
#pragma once
#include <napi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "loader.h"

struct ring_buffer;
class Tracer;

using Batch = std::vector<uint8_t>;
void DeliverBatch(Napi::Env env, Napi::Function cb, Tracer* ctx, Batch* batch);
using BatchTsfn = Napi::TypedThreadSafeFunction<Tracer, Batch, DeliverBatch>;

/**
 * Reader semantics: one thread polls the ring (`ring_buffer__poll` then
 * `ring_buffer__consume`, because records are submitted without wake-ups), copies records
 * into a batch (each padded to 8 bytes), and flushes it when it holds batchMaxRecords or
 * batchMaxBytes, or when its oldest record is batchMaxAgeMs old. At most queueMaxBatches
 * batches wait for JS; beyond that the thread stops draining (the kernel ring absorbs the
 * burst) instead of discarding records it already read.
 */
class Tracer : public Napi::ObjectWrap<Tracer> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Tracer(const Napi::CallbackInfo& info);
  ~Tracer() override;

  friend void DeliverBatch(Napi::Env env, Napi::Function cb, Tracer* ctx, Batch* batch);

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);

  static int OnSample(void* ctx, void* data, size_t len);
  void ReaderLoop();
  void Flush();
  void Shutdown();

  Loaded loaded_;
  ring_buffer* rb_ = nullptr;
  BatchTsfn tsfn_;
  std::thread reader_;
  bool started_ = false;
  bool stopped_ = false;

  // Options (validated by the TypeScript facade; guarded here).
  uint32_t batchMaxRecords_ = 4096;
  uint32_t batchMaxBytes_ = 1u << 20;
  uint32_t batchMaxAgeMs_ = 5;
  uint32_t pollIntervalMs_ = 10;
  uint32_t queueMaxBatches_ = 64;

  // Reader-thread state.
  Batch* batch_ = nullptr;
  uint32_t batchRecords_ = 0;
  bool batchFull_ = false;
  std::chrono::steady_clock::time_point batchStart_;

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  uint32_t pending_ = 0;  // batches handed to JS and not yet delivered

  std::atomic<uint64_t> recordsRead_{0};
  std::atomic<uint64_t> bytesRead_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> addonDrops_{0};
  std::atomic<uint64_t> queueFullStalls_{0};
  std::atomic<uint64_t> maxBatchRecords_{0};
};
