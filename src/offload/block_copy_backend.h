#ifndef ZGC_SRC_OFFLOAD_BLOCK_COPY_BACKEND_H_
#define ZGC_SRC_OFFLOAD_BLOCK_COPY_BACKEND_H_

#include <sys/types.h>

#include "src/offload/copy_backend.h"

namespace zgc {

// The system calls the block-layer copy path makes, so tests can stand in for a
// kernel that has them (no mainline kernel does).
class BlockCopyCalls {
 public:
  virtual ~BlockCopyCalls() = default;
  virtual int Ioctl(int fd, unsigned long request, void* arg) = 0;  // -1 + errno on failure
  virtual ssize_t CopyFileRange(int fd, loff_t* in, loff_t* out, size_t len) = 0;
  static BlockCopyCalls& System();
};

enum class BlockCopyInterface : uint8_t {
  kRfc,       // BLKCOPY _IOWR(0x12, 128): struct copy_range {dest, nr_range, range_list, rsvd},
              // struct range_entry {src, len}, in bytes
  kVectored,  // BLKCPY_VEC _IOWR(0x12, 143): {dst_sector, nr_ranges, rsvd[6], sources},
              // struct copy_source {src_sector, nr_sectors}, in 512 B sectors
  kCopyFileRange,  // copy_file_range() between block-device file descriptors, a range at a time
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

  static constexpr unsigned long kRfcRequest = 0xC0201280;  // _IOWR(0x12, 128, 32-byte struct)
  static constexpr unsigned long kVecRequest = 0xC018128F;  // _IOWR(0x12, 143, 24-byte struct)

 private:
  Status One(const CopyCommand& cmd);
  int fd_;
  BlockCopyInterface interface_;
  uint64_t max_bytes_, zone_size_;
  BlockCopyCalls& calls_;
};

}  // namespace zgc

#endif  // ZGC_SRC_OFFLOAD_BLOCK_COPY_BACKEND_H_
