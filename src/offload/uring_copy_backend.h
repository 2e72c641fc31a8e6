#ifndef ZGC_SRC_OFFLOAD_URING_COPY_BACKEND_H_
#define ZGC_SRC_OFFLOAD_URING_COPY_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "src/base/aligned_buffer.h"
#include "src/base/io_ring.h"
#include "src/base/unique_fd.h"
#include "src/offload/copy_backend.h"
#include "src/zones/nvme_passthru.h"

namespace zgc {

// NVMe Simple Copy through io_uring passthrough (IORING_OP_URING_CMD on the
// generic char device, rings with SQE128|CQE32), up to queue_depth commands in
// flight, one per destination zone at a time (a zone takes writes in order).
class UringCopyBackend final : public CopyBackend {
 public:
  // kNotSupported when the generic device or the ring cannot be set up.
  static Result<std::unique_ptr<UringCopyBackend>> Create(const DeviceInfo& info,
                                                          const std::string& generic_device,
                                                          uint32_t queue_depth);
  CopyPath path() const override { return CopyPath::kNvmeUring; }
  CopyLimits limits() const override { return limits_; }
  std::vector<Status> Run(std::span<const CopyCommand> commands) override;
  uint64_t HostBytes(uint64_t, size_t ranges) const override { return 32 * ranges; }

 private:
  UringCopyBackend(UniqueFd fd, NvmePassthru ns, std::unique_ptr<IoRing> ring, CopyLimits limits,
                   uint64_t zone_size, uint32_t queue_depth, std::string name)
      : fd_(std::move(fd)),
        ns_(ns),
        ring_(std::move(ring)),
        limits_(limits),
        zone_size_(zone_size),
        queue_depth_(queue_depth),
        name_(std::move(name)) {}
  UniqueFd fd_;
  NvmePassthru ns_;
  std::unique_ptr<IoRing> ring_;
  CopyLimits limits_;
  uint64_t zone_size_;
  uint32_t queue_depth_;
  std::string name_;
  // Range lists and rings of commands abandoned by a broken ring (see
  // UringCommandRunner): never freed while the device might read them.
  std::vector<AlignedBuffer> graveyard_;
  std::vector<std::unique_ptr<IoRing>> broken_rings_;
};

}  // namespace zgc

#endif  // ZGC_SRC_OFFLOAD_URING_COPY_BACKEND_H_
