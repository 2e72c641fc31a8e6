#include "src/zones/nvme_passthru.h"

#include <linux/nvme_ioctl.h>
#include <sys/ioctl.h>

#include <bit>
#include <cerrno>

#include "src/zones/errno_status.h"

namespace zgc {

namespace {
constexpr uint8_t kOpZoneAppend = 0x7D;
}

Result<NvmePassthru> NvmePassthru::Probe(int fd, uint32_t logical_block_size, std::string name) {
  const int nsid = ::ioctl(fd, NVME_IOCTL_ID);
  if (nsid <= 0) {
    const int err = nsid < 0 ? errno : ENOTTY;
    return ErrnoStatus(err, name + ": NVMe passthrough").WithContext("not an NVMe namespace");
  }
  return NvmePassthru(fd, static_cast<uint32_t>(nsid), std::countr_zero(logical_block_size),
                      std::move(name));
}

Result<uint64_t> NvmePassthru::ZoneAppend(uint64_t zone_start, const void* buf, uint32_t len) const {
  nvme_passthru_cmd64 cmd{};
  const uint64_t zslba = zone_start >> lba_shift_;
  cmd.opcode = kOpZoneAppend;
  cmd.nsid = nsid_;
  cmd.addr = reinterpret_cast<uint64_t>(buf);
  cmd.data_len = len;
  cmd.cdw10 = static_cast<uint32_t>(zslba);
  cmd.cdw11 = static_cast<uint32_t>(zslba >> 32);
  cmd.cdw12 = (len >> lba_shift_) - 1;  // NLB is 0-based
  const int ret = ::ioctl(fd_, NVME_IOCTL_IO64_CMD, &cmd);
  if (ret < 0) return ErrnoStatus(errno, name_ + ": zone append");
  if (ret > 0) return NvmeStatus(ret, name_ + ": zone append");
  return cmd.result << lba_shift_;
}

}  // namespace zgc
