// zgc::DeviceWrapper: a ZonedDevice that forwards every call to another one.
//
// Contract: derive from it to observe or alter some calls of any device (fault
// injection, tracing, accounting) and override only those. The wrapper owns the
// device it wraps unless constructed from a reference.
//
// Thread safety: as the wrapped device; overrides must keep that promise.
#ifndef ZGC_DEVICE_WRAPPER_H_
#define ZGC_DEVICE_WRAPPER_H_

#include <memory>

#include "zgc/device.h"

namespace zgc {

class DeviceWrapper : public ZonedDevice {
 public:
  explicit DeviceWrapper(std::unique_ptr<ZonedDevice> owned)
      : owned_(std::move(owned)), target_(owned_.get()) {}
  explicit DeviceWrapper(ZonedDevice& borrowed) : target_(&borrowed) {}

  const DeviceInfo& info() const override { return target_->info(); }
  Result<std::vector<Zone>> ReportZones(uint64_t offset, uint64_t length) override {
    return target_->ReportZones(offset, length);
  }
  Status ManageZones(ZoneAction action, uint64_t offset, uint64_t length) override {
    return target_->ManageZones(action, offset, length);
  }
  Status Read(uint64_t offset, std::span<std::byte> data) override {
    return target_->Read(offset, data);
  }
  Status Write(uint64_t offset, std::span<const std::byte> data) override {
    return target_->Write(offset, data);
  }
  Result<uint64_t> Append(uint64_t zone_start, std::span<const std::byte> data) override {
    return target_->Append(zone_start, data);
  }
  Status Copy(std::span<const Extent> sources, uint64_t destination) override {
    return target_->Copy(sources, destination);
  }
  Status Sync() override { return target_->Sync(); }
  const KernelDevice* kernel_device() const override { return target_->kernel_device(); }
  Status CutPower(const PowerCut& cut) override { return target_->CutPower(cut); }
  Status ArmPowerCut(uint64_t nth_call, const PowerCut& cut) override {
    return target_->ArmPowerCut(nth_call, cut);
  }
  Status DisarmPowerCut() override { return target_->DisarmPowerCut(); }
  Result<PowerState> PowerStatus() override { return target_->PowerStatus(); }
  Status PowerOn() override { return target_->PowerOn(); }

  ZonedDevice& target() { return *target_; }

 private:
  std::unique_ptr<ZonedDevice> owned_;
  ZonedDevice* target_;
};

}  // namespace zgc

#endif  // ZGC_DEVICE_WRAPPER_H_
