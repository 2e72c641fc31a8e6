// A device that takes a fixed time per data command (read, write, append,
// copy), as an SSD does, with commands from several threads in flight at
// once (the wait is in the calling thread, outside the wrapped device).
// Optionally gates the reads of one thread: they wait, inside the device,
// until the test opens the gate (a read caught in flight).
#ifndef ZGC_TEST_SUPPORT_LATENCY_DEVICE_H_
#define ZGC_TEST_SUPPORT_LATENCY_DEVICE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "zgc/device_wrapper.h"

namespace zgc::testing {

class LatencyDevice final : public DeviceWrapper {
 public:
  LatencyDevice(std::unique_ptr<ZonedDevice> d, std::chrono::microseconds latency)
      : DeviceWrapper(std::move(d)), latency_(latency) {}

  Status Read(uint64_t offset, std::span<std::byte> data) override {
    Wait();
    Gate();
    return DeviceWrapper::Read(offset, data);
  }
  Status Write(uint64_t offset, std::span<const std::byte> data) override {
    Wait();
    return DeviceWrapper::Write(offset, data);
  }
  Result<uint64_t> Append(uint64_t zone_start, std::span<const std::byte> data) override {
    Wait();
    return DeviceWrapper::Append(zone_start, data);
  }
  Status Copy(std::span<const Extent> sources, uint64_t destination) override {
    Wait();
    return DeviceWrapper::Copy(sources, destination);
  }
  Status ManageZones(ZoneAction action, uint64_t offset, uint64_t length) override {
    if (action == ZoneAction::kReset) resets_.fetch_add(1);
    return DeviceWrapper::ManageZones(action, offset, length);
  }

  // Reads from `thread` block in the device until Open(); Caught() says one
  // is waiting.
  void CloseGateFor(std::thread::id thread) {
    std::lock_guard lock(mu_);
    gated_ = thread;
    open_ = false;
  }
  bool Caught() {
    std::lock_guard lock(mu_);
    return caught_;
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  uint64_t resets() const { return resets_.load(); }

 private:
  void Wait() const {
    if (latency_.count()) std::this_thread::sleep_for(latency_);
  }
  void Gate() {
    std::unique_lock lock(mu_);
    if (open_ || std::this_thread::get_id() != gated_) return;
    caught_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }

  const std::chrono::microseconds latency_;
  std::atomic<uint64_t> resets_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread::id gated_;
  bool open_ = true;
  bool caught_ = false;
};

}  // namespace zgc::testing

#endif  // ZGC_TEST_SUPPORT_LATENCY_DEVICE_H_
