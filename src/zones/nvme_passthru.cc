#include "src/zones/nvme_passthru.h"

#include <linux/nvme_ioctl.h>
#include <sys/ioctl.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "src/base/aligned_buffer.h"
#include "src/base/errno_status.h"

namespace zgc {

namespace {
constexpr uint8_t kOpZoneAppend = 0x7D;
constexpr uint8_t kOpCopy = 0x19;
}  // namespace

Result<NvmePassthru> NvmePassthru::Probe(int fd, uint32_t logical_block_size, std::string name) {
  const int nsid = ::ioctl(fd, NVME_IOCTL_ID);
  if (nsid <= 0) {
    const int err = nsid < 0 ? errno : ENOTTY;
    return ErrnoStatus(err, name + ": NVMe passthrough").WithContext("not an NVMe namespace");
  }
  return NvmePassthru(fd, static_cast<uint32_t>(nsid), std::countr_zero(logical_block_size),
                      std::move(name));
}

namespace {

// Identify (admin opcode 0x06) with the given CNS into a 4 KiB aligned buffer.
Status Identify(int fd, uint32_t nsid, uint32_t cns, AlignedBuffer& buf, const std::string& what) {
  nvme_passthru_cmd cmd{};
  cmd.opcode = 0x06;
  cmd.nsid = nsid;
  cmd.addr = reinterpret_cast<uint64_t>(buf.data());
  cmd.data_len = 4096;
  cmd.cdw10 = cns;
  const int ret = ::ioctl(fd, NVME_IOCTL_ADMIN_CMD, &cmd);
  if (ret < 0) return ErrnoStatus(errno, what);
  if (ret > 0) return NvmeStatus(ret, what);
  return Status::OK();
}

}  // namespace

Result<NvmePassthru::CopySupport> NvmePassthru::IdentifyCopy() const {
  AlignedBuffer id(4096);
  ZGC_RETURN_IF_ERROR(Identify(fd_, 0, 1, id, name_ + ": Identify Controller"));
  const auto* c = reinterpret_cast<const uint8_t*>(id.data());
  if (!((c[520] | (c[521] << 8)) & (1u << 8)))
    return Status::NotSupported("Identify Controller ONCS bit 8 (Copy) is clear");
  ZGC_RETURN_IF_ERROR(Identify(fd_, nsid_, 0, id, name_ + ": Identify Namespace"));
  const auto* n = reinterpret_cast<const uint8_t*>(id.data());
  CopySupport s;
  s.mssrl_blocks = n[74] | (n[75] << 8);
  s.mcl_blocks = n[76] | (n[77] << 8) | (n[78] << 16) | (uint32_t(n[79]) << 24);
  s.msrc = n[80];
  return s;
}

NvmePassthru::Command NvmePassthru::EncodeCopy(std::span<const Extent> sources,
                                               uint64_t destination, AlignedBuffer& ranges) const {
  ranges = AlignedBuffer(32 * sources.size());
  std::memset(ranges.data(), 0, ranges.size());
  auto* p = reinterpret_cast<unsigned char*>(ranges.data());
  for (const Extent& e : sources) {
    // Source range entry format 0: SLBA at bytes 8-15, NLB (0-based) at 16-17.
    const uint64_t slba = e.offset >> lba_shift_;
    const uint16_t nlb = static_cast<uint16_t>((e.length >> lba_shift_) - 1);
    for (int i = 0; i < 8; ++i) p[8 + i] = static_cast<unsigned char>(slba >> (8 * i));
    p[16] = nlb & 0xFF;
    p[17] = nlb >> 8;
    p += 32;
  }
  const uint64_t sdlba = destination >> lba_shift_;
  Command cmd;
  cmd.opcode = kOpCopy;
  cmd.nsid = nsid_;
  cmd.addr = reinterpret_cast<uint64_t>(ranges.data());
  cmd.data_len = static_cast<uint32_t>(ranges.size());
  cmd.cdw10 = static_cast<uint32_t>(sdlba);
  cmd.cdw11 = static_cast<uint32_t>(sdlba >> 32);
  cmd.cdw12 = static_cast<uint32_t>(sources.size() - 1);  // NR (0-based); DESFMT 0
  return cmd;
}

Result<uint64_t> NvmePassthru::Run(const Command& c, const std::string& what) const {
  nvme_passthru_cmd64 cmd{};
  cmd.opcode = c.opcode;
  cmd.nsid = c.nsid;
  cmd.addr = c.addr;
  cmd.data_len = c.data_len;
  cmd.cdw10 = c.cdw10;
  cmd.cdw11 = c.cdw11;
  cmd.cdw12 = c.cdw12;
  cmd.cdw13 = c.cdw13;
  cmd.cdw14 = c.cdw14;
  cmd.cdw15 = c.cdw15;
  const int ret = ::ioctl(fd_, NVME_IOCTL_IO64_CMD, &cmd);
  if (ret < 0) return ErrnoStatus(errno, name_ + ": " + what);
  if (ret > 0) return NvmeStatus(ret, name_ + ": " + what);
  return static_cast<uint64_t>(cmd.result);
}

Result<uint64_t> NvmePassthru::ZoneAppend(uint64_t zone_start, const void* buf,
                                          uint32_t len) const {
  const uint64_t zslba = zone_start >> lba_shift_;
  Command cmd;
  cmd.opcode = kOpZoneAppend;
  cmd.nsid = nsid_;
  cmd.addr = reinterpret_cast<uint64_t>(buf);
  cmd.data_len = len;
  cmd.cdw10 = static_cast<uint32_t>(zslba);
  cmd.cdw11 = static_cast<uint32_t>(zslba >> 32);
  cmd.cdw12 = (len >> lba_shift_) - 1;  // NLB is 0-based
  ZGC_ASSIGN_OR_RETURN(uint64_t lba, Run(cmd, "zone append"));
  return lba << lba_shift_;
}

}  // namespace zgc
