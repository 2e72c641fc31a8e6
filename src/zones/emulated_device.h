// EmulatedDevice: a zoned device emulated over a ZoneStore (memory or file),
// following the NVMe ZNS model as QEMU and the kernel's null_blk implement it:
// implicit opens, the controller closing the oldest implicitly opened zone when
// the open limit is reached, active limits checked before open limits, reads
// past the write pointer returning zeroes, open zones closed by a power cycle.
//
// Thread safety: all methods may be called concurrently. Zone state is
// guarded by one mutex; data moves without it, so writes and copies to
// different zones (and reads anywhere) run in parallel. A zone with a write or
// copy in flight refuses a second one (the caller orders writes to a zone);
// zone management and degradation wait for the zone's command to finish.
#ifndef ZGC_SRC_ZONES_EMULATED_DEVICE_H_
#define ZGC_SRC_ZONES_EMULATED_DEVICE_H_

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "src/zones/volatile_cache.h"
#include "src/zones/zone_store.h"
#include "zgc/device.h"

namespace zgc {

class EmulatedDevice final : public ZonedDevice {
 public:
  // `zones` is the zone table as recorded (or as created); open zones in it are
  // treated as closed. With info.volatile_cache, what is not synced can be
  // lost to CutPower (see VolatileCache).
  EmulatedDevice(DeviceInfo info, std::unique_ptr<ZoneStore> store, std::vector<Zone> zones);
  ~EmulatedDevice() override;

  const DeviceInfo& info() const override { return info_; }
  Result<std::vector<Zone>> ReportZones(uint64_t offset, uint64_t length) override;
  Status ManageZones(ZoneAction action, uint64_t offset, uint64_t length) override;
  Status Read(uint64_t offset, std::span<std::byte> data) override;
  Status Write(uint64_t offset, std::span<const std::byte> data) override;
  Result<uint64_t> Append(uint64_t zone_start, std::span<const std::byte> data) override;
  Status Copy(std::span<const Extent> sources, uint64_t destination) override;
  Status Sync() override;
  Status CutPower(const PowerCut& cut) override;
  Status ArmPowerCut(uint64_t nth_call, const PowerCut& cut) override;
  Status DisarmPowerCut() override;
  Result<PowerState> PowerStatus() override;
  Status PowerOn() override;

  // Degrades a zone as a failing device would (kReadOnly or kOffline) or, with
  // kEmpty, brings it back. For fault tests; persisted like any state change.
  Status SetZoneCondition(uint32_t index, ZoneCondition cond);

  ZoneStore& store() { return *store_; }

 private:
  // All below run with mu_ held (the lock is released and retaken around data
  // movement where a unique_lock is passed).
  // Writes data at offset in zone `index` (checks, implicit open, the data
  // without the lock, then the write pointer).
  Status WriteInZone(std::unique_lock<std::mutex>& lock, uint32_t index, uint64_t offset,
                     std::span<const std::byte> data);
  // Claims zone `index` for one command: kZoneState if one is in flight.
  Status Claim(uint32_t index, uint64_t offset);
  // Releases it: on success the write pointer advances by `length`.
  Status Complete(uint32_t index, uint64_t length, Status moved);
  void WaitIdle(std::unique_lock<std::mutex>& lock, uint32_t first, uint32_t count);
  // At the start of every mutating call: kPowerOff while the power is off, and
  // the armed cut when its call has come.
  Status Mutating(std::unique_lock<std::mutex>& lock);
  Status PowerFails(std::unique_lock<std::mutex>& lock, const PowerCut& cut);
  Status Off() const;
  Status OpenZone(uint32_t index, bool implicit);
  Status CloseZone(uint32_t index);
  Status FinishZone(uint32_t index);
  Status ResetZone(uint32_t index);
  Status Apply(ZoneAction action, uint32_t index);
  void AutoCloseImplicit();
  void LeaveOpen(uint32_t index);
  // A piece of a copy: `stored` bytes of data at src, then zeroes (data past
  // a source zone's write pointer reads as zeroes), to dst.
  struct CopyPiece {
    uint64_t src, dst, length, stored;
  };
  // Splits [src, src+n) at zone ends into pieces (mu_ held).
  Status PlanReadable(uint64_t src, uint64_t dst, uint64_t n, std::vector<CopyPiece>& out);
  Status MovePieces(const std::vector<CopyPiece>& pieces);
  static uint64_t ReadableEnd(const Zone& z);
  Status Save(uint32_t index) { return store_->SaveZone(index, zones_[index]); }

  const DeviceInfo info_;
  const std::unique_ptr<ZoneStore> store_;
  std::mutex mu_;
  std::condition_variable idle_;  // a zone's command completed
  std::vector<Zone> zones_;
  std::vector<uint8_t> busy_;             // per zone: a write or copy is moving data
  std::unique_ptr<VolatileCache> cache_;  // with a volatile write cache only
  bool powered_ = true;
  uint64_t armed_ = 0;  // matching mutating calls until the armed cut (0: none)
  PowerCut armed_cut_;
  PowerState power_;  // counts and the last cut (powered/armed are kept above)
  uint32_t nr_open_ = 0;
  uint32_t nr_active_ = 0;
  std::deque<uint32_t> implicit_open_;  // oldest first: the first to be auto-closed
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_EMULATED_DEVICE_H_
