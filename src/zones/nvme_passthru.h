// NVMe I/O commands through the kernel's passthrough ioctl (NVME_IOCTL_IO64_CMD).
// Used where the block layer has no equivalent: zone append from user space, and
// (in the offload layer) Simple Copy.
#ifndef ZGC_SRC_ZONES_NVME_PASSTHRU_H_
#define ZGC_SRC_ZONES_NVME_PASSTHRU_H_

#include <cstdint>
#include <span>
#include <string>

#include "src/base/aligned_buffer.h"
#include "zgc/device.h"
#include "zgc/status.h"

namespace zgc {

class NvmePassthru {
 public:
  // The namespace behind `fd` (a block device or /dev/ngXnY). kNotSupported when
  // fd is not an NVMe namespace (the kernel answers ENOTTY).
  static Result<NvmePassthru> Probe(int fd, uint32_t logical_block_size, std::string name);

  uint32_t nsid() const { return nsid_; }
  int fd() const { return fd_; }

  // Simple Copy support and limits from Identify Controller (ONCS bit 8) and
  // Identify Namespace (MSSRL, MCL in blocks; MSRC 0-based). kNotSupported with
  // the reason when the controller lacks Copy; kIoError if Identify fails.
  struct CopySupport {
    uint32_t mssrl_blocks = 0, mcl_blocks = 0, msrc = 0;
  };
  Result<CopySupport> IdentifyCopy() const;

  // An NVMe command as both passthrough interfaces (ioctl and io_uring) take it.
  struct Command {
    uint8_t opcode = 0;
    uint32_t nsid = 0;
    uint64_t addr = 0;
    uint32_t data_len = 0;
    uint32_t cdw10 = 0, cdw11 = 0, cdw12 = 0, cdw13 = 0, cdw14 = 0, cdw15 = 0;
  };
  // Builds a Simple Copy (opcode 0x19, source range format 0) of `sources` (byte
  // ranges) to `destination`; `ranges` receives the 32-byte range entries and must
  // stay alive (and in place) until the command completes.
  Command EncodeCopy(std::span<const Extent> sources, uint64_t destination,
                     AlignedBuffer& ranges) const;
  // Runs a command synchronously (NVME_IOCTL_IO64_CMD); returns its result dword(s).
  Result<uint64_t> Run(const Command& cmd, const std::string& what) const;

  // Zone Append (opcode 0x7D) of len bytes into the zone starting at zone_start;
  // returns the byte offset where the data landed. buf must be 4 KiB aligned.
  Result<uint64_t> ZoneAppend(uint64_t zone_start, const void* buf, uint32_t len) const;

 private:
  NvmePassthru(int fd, uint32_t nsid, uint32_t lba_shift, std::string name)
      : fd_(fd), nsid_(nsid), lba_shift_(lba_shift), name_(std::move(name)) {}
  int fd_;
  uint32_t nsid_;
  uint32_t lba_shift_;
  std::string name_;
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_NVME_PASSTHRU_H_
