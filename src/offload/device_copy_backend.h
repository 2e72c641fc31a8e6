#ifndef ZGC_SRC_OFFLOAD_DEVICE_COPY_BACKEND_H_
#define ZGC_SRC_OFFLOAD_DEVICE_COPY_BACKEND_H_

#include "src/offload/copy_backend.h"

namespace zgc {

// The device's own copy command, ZonedDevice::Copy: NVMe Simple Copy through the
// passthrough ioctl on zbd: devices (kNvme), the emulation's on emu:/mem: (kNative).
class DeviceCopyBackend final : public CopyBackend {
 public:
  DeviceCopyBackend(ZonedDevice& device, CopyPath path) : device_(device), path_(path) {}
  CopyPath path() const override { return path_; }
  CopyLimits limits() const override { return device_.info().copy; }
  std::vector<Status> Run(std::span<const CopyCommand> commands) override;
  uint64_t HostBytes(uint64_t, size_t ranges) const override { return 32 * ranges; }

 private:
  ZonedDevice& device_;
  const CopyPath path_;
};

}  // namespace zgc

#endif  // ZGC_SRC_OFFLOAD_DEVICE_COPY_BACKEND_H_
