// zgc::FaultDevice: wraps any ZonedDevice and injects failures by rule.
//
// Contract: each rule names an operation, an optional zone, which call to fail
// (the Nth matching call, counting from 1, or every one from the Nth on), and
// what to do: return a Status, or for writes, perform a short write (the first
// `short_bytes` land on the device, then the Status is returned, as a device that
// loses power mid-command would). Calls that match no rule go to the wrapped
// device unchanged. Counters of injected faults are kept per rule.
//
// Thread safety: all methods are safe to call concurrently; rules may be added
// while I/O is in flight.
#ifndef ZGC_FAULT_DEVICE_H_
#define ZGC_FAULT_DEVICE_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "zgc/device_wrapper.h"

namespace zgc {

// kAny matches every call, whatever it is: "fail the Nth device call" (a
// fault sweep over a fixed workload fails each index in turn).
enum class FaultOp : uint8_t { kRead, kWrite, kAppend, kManage, kReport, kSync, kCopy, kAny };

struct FaultRule {
  FaultOp op = FaultOp::kWrite;
  std::optional<uint32_t> zone;  // only calls touching this zone index
  uint64_t nth = 1;              // the first matching call to fail (1-based)
  bool sticky = false;           // fail every matching call from the nth on
  Status status = Status::IoError("injected fault");
  uint64_t short_bytes = 0;  // kWrite/kAppend/kCopy: bytes that land before failing
};

class FaultDevice final : public DeviceWrapper {
 public:
  using DeviceWrapper::DeviceWrapper;

  // Adds a rule; returns its index for Injected().
  size_t AddRule(FaultRule rule);
  void ClearRules();
  // How many calls rule `index` has failed so far.
  uint64_t Injected(size_t index) const;
  // How many calls rule `index` has matched so far (failed or not).
  uint64_t Seen(size_t index) const;

  Result<std::vector<Zone>> ReportZones(uint64_t offset, uint64_t length) override;
  Status ManageZones(ZoneAction action, uint64_t offset, uint64_t length) override;
  Status Read(uint64_t offset, std::span<std::byte> data) override;
  Status Write(uint64_t offset, std::span<const std::byte> data) override;
  Result<uint64_t> Append(uint64_t zone_start, std::span<const std::byte> data) override;
  Status Copy(std::span<const Extent> sources, uint64_t destination) override;
  Status Sync() override;

 private:
  struct Armed {
    FaultRule rule;
    uint64_t seen = 0;
    uint64_t injected = 0;
  };
  // The rule that fails this call, if any (counts the call for every matching rule).
  std::optional<FaultRule> Match(FaultOp op, uint64_t offset, uint64_t length);

  mutable std::mutex mu_;
  std::vector<Armed> rules_;
};

}  // namespace zgc

#endif  // ZGC_FAULT_DEVICE_H_
