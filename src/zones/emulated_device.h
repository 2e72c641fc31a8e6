// EmulatedDevice: a zoned device emulated over a ZoneStore (memory or file),
// following the NVMe ZNS model as QEMU and the kernel's null_blk implement it:
// implicit opens, the controller closing the oldest implicitly opened zone when
// the open limit is reached, active limits checked before open limits, reads
// past the write pointer returning zeroes, open zones closed by a power cycle.
//
// Thread safety: all methods may be called concurrently. Zone state and writes
// are serialized by one mutex (this is an emulator, not a fast path); reads copy
// the zone state and then read without it.
#ifndef ZGC_SRC_ZONES_EMULATED_DEVICE_H_
#define ZGC_SRC_ZONES_EMULATED_DEVICE_H_

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "src/zones/zone_store.h"
#include "zgc/device.h"

namespace zgc {

class EmulatedDevice final : public ZonedDevice {
 public:
  // `zones` is the zone table as recorded (or as created); open zones in it are
  // treated as closed.
  EmulatedDevice(DeviceInfo info, std::unique_ptr<ZoneStore> store, std::vector<Zone> zones);

  const DeviceInfo& info() const override { return info_; }
  Result<std::vector<Zone>> ReportZones(uint64_t offset, uint64_t length) override;
  Status ManageZones(ZoneAction action, uint64_t offset, uint64_t length) override;
  Status Read(uint64_t offset, std::span<std::byte> data) override;
  Status Write(uint64_t offset, std::span<const std::byte> data) override;
  Result<uint64_t> Append(uint64_t zone_start, std::span<const std::byte> data) override;
  Status Copy(std::span<const Extent> sources, uint64_t destination) override;
  Status Sync() override;

  // Degrades a zone as a failing device would (kReadOnly or kOffline) or, with
  // kEmpty, brings it back. For fault tests; persisted like any state change.
  Status SetZoneCondition(uint32_t index, ZoneCondition cond);

  ZoneStore& store() { return *store_; }

 private:
  // All below run with mu_ held.
  Status WriteInZone(uint32_t index, uint64_t offset, std::span<const std::byte> data);
  Status OpenZone(uint32_t index, bool implicit);
  Status CloseZone(uint32_t index);
  Status FinishZone(uint32_t index);
  Status ResetZone(uint32_t index);
  Status Apply(ZoneAction action, uint32_t index);
  void AutoCloseImplicit();
  void LeaveOpen(uint32_t index);
  // Moves the readable part of [src, src+n) (data up to each zone's write
  // pointer; zeroes past it) to dst in the store.
  Status CopyReadable(uint64_t src, uint64_t dst, uint64_t n);
  static uint64_t ReadableEnd(const Zone& z);
  Status Save(uint32_t index) { return store_->SaveZone(index, zones_[index]); }

  const DeviceInfo info_;
  const std::unique_ptr<ZoneStore> store_;
  std::mutex mu_;
  std::vector<Zone> zones_;
  uint32_t nr_open_ = 0;
  uint32_t nr_active_ = 0;
  std::deque<uint32_t> implicit_open_;  // oldest first: the first to be auto-closed
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_EMULATED_DEVICE_H_
