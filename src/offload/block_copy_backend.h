#ifndef ZGC_SRC_OFFLOAD_BLOCK_COPY_BACKEND_H_
#define ZGC_SRC_OFFLOAD_BLOCK_COPY_BACKEND_H_

#include <linux/ioctl.h>
#include <sys/types.h>

#include "src/offload/copy_backend.h"

namespace zgc {

// The system calls the block-layer copy path makes, so tests can stand in for a
// kernel that has them (no mainline kernel does).
// The proposed block-layer copy uAPIs (never merged; see DESIGN.md section 2).
struct BlkCopyRangeEntry {  // RFC: struct range_entry, bytes
  uint64_t src, len;
};
struct BlkCopyRange {  // RFC: struct copy_range
  uint64_t dest, nr_range, range_list, rsvd;
};
struct BlkCopySource {  // BLKCPY_VEC: struct copy_source, 512 B sectors
  uint64_t src_sector, nr_sectors;
};
struct BlkCopyVec {  // BLKCPY_VEC: struct copy_range
  uint64_t dst_sector;
  uint16_t nr_ranges;
  uint8_t rsvd[6];
  uint64_t sources;
};
inline constexpr unsigned long kBlkCopyRequest = _IOWR(0x12, 128, BlkCopyRange);
inline constexpr unsigned long kBlkCopyRequestV2 =
    _IOWR(0x12, 129, BlkCopyRange);  // a later RFC revision
inline constexpr unsigned long kBlkCpyVecRequest = _IOWR(0x12, 143, BlkCopyVec);

class BlockCopyCalls {
 public:
  virtual ~BlockCopyCalls() = default;
  virtual int Ioctl(int fd, unsigned long request, void* arg) = 0;  // -1 + errno on failure
  virtual ssize_t CopyFileRange(int fd, loff_t* in, loff_t* out, size_t len) = 0;
  static BlockCopyCalls& System();
};

class BlockCopyBackend final : public CopyBackend {
 public:
  BlockCopyBackend(int fd, BlockCopyInterface interface, uint64_t max_bytes, uint64_t zone_size,
                   BlockCopyCalls& calls = BlockCopyCalls::System())
      : fd_(fd),
        interface_(interface),
        max_bytes_(max_bytes),
        zone_size_(zone_size),
        calls_(calls) {}
  CopyPath path() const override { return CopyPath::kBlkCopy; }
  CopyLimits limits() const override { return CopyLimits{max_bytes_, max_bytes_, 128}; }
  std::vector<Status> Run(std::span<const CopyCommand> commands) override;
  uint64_t HostBytes(uint64_t, size_t ranges) const override { return 16 * ranges; }

 private:
  Status One(const CopyCommand& cmd);
  int fd_;
  BlockCopyInterface interface_;
  uint64_t max_bytes_, zone_size_;
  BlockCopyCalls& calls_;
};

}  // namespace zgc

#endif  // ZGC_SRC_OFFLOAD_BLOCK_COPY_BACKEND_H_
