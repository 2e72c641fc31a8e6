#include "src/offload/block_copy_backend.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "src/base/errno_status.h"
#include "src/base/retry.h"

namespace zgc {

namespace {

class SystemCalls final : public BlockCopyCalls {
 public:
  int Ioctl(int fd, unsigned long request, void* arg) override { return ::ioctl(fd, request, arg); }
  ssize_t CopyFileRange(int fd, loff_t* in, loff_t* out, size_t len) override {
    return ::copy_file_range(fd, in, fd, out, len, 0);
  }
};

}  // namespace

BlockCopyCalls& BlockCopyCalls::System() {
  static SystemCalls calls;
  return calls;
}

Status BlockCopyBackend::One(const CopyCommand& cmd) {
  const std::string what = "block-layer copy to " + std::to_string(cmd.destination);
  switch (interface_) {
    case BlockCopyInterface::kRfc128:
    case BlockCopyInterface::kRfc129: {
      // The same request under the number the kernel answered to.
      std::vector<BlkCopyRangeEntry> ranges;
      for (const Extent& e : cmd.sources) ranges.push_back({e.offset, e.length});
      BlkCopyRange req{cmd.destination, ranges.size(), reinterpret_cast<uint64_t>(ranges.data()),
                       0};
      const unsigned long nr =
          interface_ == BlockCopyInterface::kRfc128 ? kBlkCopyRequest : kBlkCopyRequestV2;
      if (RetryOnEintr([&] { return calls_.Ioctl(fd_, nr, &req); }) != 0)
        return ErrnoStatus(errno, std::string(BlockCopyInterfaceName(interface_)) + ": " + what);
      return Status::OK();
    }
    case BlockCopyInterface::kVectored143: {
      std::vector<BlkCopySource> sources;
      for (const Extent& e : cmd.sources) sources.push_back({e.offset >> 9, e.length >> 9});
      BlkCopyVec req{};
      req.dst_sector = cmd.destination >> 9;
      req.nr_ranges = static_cast<uint16_t>(sources.size());
      req.sources = reinterpret_cast<uint64_t>(sources.data());
      if (RetryOnEintr([&] { return calls_.Ioctl(fd_, kBlkCpyVecRequest, &req); }) != 0)
        return ErrnoStatus(errno, "BLKCPY_VEC: " + what);
      return Status::OK();
    }
    case BlockCopyInterface::kCopyFileRange: {
      loff_t out = static_cast<loff_t>(cmd.destination);
      for (const Extent& e : cmd.sources) {
        loff_t in = static_cast<loff_t>(e.offset);
        for (uint64_t left = e.length; left;) {
          const ssize_t n = calls_.CopyFileRange(fd_, &in, &out, left);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) return ErrnoStatus(errno, "copy_file_range: " + what);
          if (n == 0) return Status::IoError("copy_file_range: " + what + ": no progress");
          left -= static_cast<uint64_t>(n);  // a short copy resumes where it stopped
        }
      }
      return Status::OK();
    }
    case BlockCopyInterface::kNone:
      break;
  }
  return Status::InvalidArgument("no block copy interface to copy with");
}

std::vector<Status> BlockCopyBackend::Run(std::span<const CopyCommand> commands) {
  return RunInOrder(commands, zone_size_, [&](const CopyCommand& c) { return One(c); });
}

}  // namespace zgc
