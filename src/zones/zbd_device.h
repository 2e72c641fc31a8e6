// ZbdDevice: a kernel zoned block device (host-managed or host-aware), through
// libzbd for zone management and io_uring with O_DIRECT for data. Zone append is
// offered on NVMe namespaces, through passthrough.
//
// The kernel decides what is allowed; when it refuses with a bare EIO, the
// device re-reads the zone and names the rule that was broken (zone_rules.h).
//
// Thread safety: all methods may be called concurrently (each call leases its
// own io_uring ring).
#ifndef ZGC_SRC_ZONES_ZBD_DEVICE_H_
#define ZGC_SRC_ZONES_ZBD_DEVICE_H_

#include <memory>
#include <optional>
#include <string>

#include "src/base/io_ring.h"
#include "src/zones/nvme_passthru.h"
#include "src/zones/uri.h"
#include "zgc/device.h"

namespace zgc {

// zbd:/dev/<name>. Fails with kNotFound, kNotSupported (not a block device, not
// zoned), kPermission, kBusy, kIoError.
Result<std::unique_ptr<ZonedDevice>> OpenZbdDevice(const Uri& uri);

// Reads /sys/dev/block/<maj:min>/<rel> of the block device behind fd, without the
// trailing newline.
// Empty when absent.
std::string ReadBlockSysfs(int fd, const std::string& rel);

class ZbdDevice final : public ZonedDevice {
 public:
  ZbdDevice(int fd, DeviceInfo info, std::optional<NvmePassthru> nvme);
  ~ZbdDevice() override;

  const DeviceInfo& info() const override { return info_; }
  Result<std::vector<Zone>> ReportZones(uint64_t offset, uint64_t length) override;
  Status ManageZones(ZoneAction action, uint64_t offset, uint64_t length) override;
  Status Read(uint64_t offset, std::span<std::byte> data) override;
  Status Write(uint64_t offset, std::span<const std::byte> data) override;
  Result<uint64_t> Append(uint64_t zone_start, std::span<const std::byte> data) override;
  // NVMe Simple Copy through the passthrough ioctl (synchronous).
  Status Copy(std::span<const Extent> sources, uint64_t destination) override;
  Status Sync() override;

  const KernelDevice* kernel_device() const override { return &kernel_; }
  int fd() const { return fd_; }
  // The NVMe namespace behind this device, when it is one.
  const std::optional<NvmePassthru>& nvme() const { return nvme_; }
  // Counts conventional zones and reads the zone capacity into info(); called once
  // by OpenZbdDevice.
  Status SummarizeZones();

 private:
  // Replaces a bare kernel EIO with the zone rule it enforced, when one applies.
  Status ExplainWrite(Status kernel, uint64_t offset, uint64_t length);
  Status ExplainManage(Status kernel, ZoneAction action, uint64_t offset, uint64_t length);
  Status Transfer(bool write, uint64_t offset, std::byte* data, size_t length);

  const int fd_;  // from zbd_open, closed by zbd_close
  DeviceInfo info_;
  std::optional<NvmePassthru> nvme_;
  KernelDevice kernel_;
  IoRingPool rings_{8};
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_ZBD_DEVICE_H_
