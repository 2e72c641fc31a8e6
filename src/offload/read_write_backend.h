#ifndef ZGC_SRC_OFFLOAD_READ_WRITE_BACKEND_H_
#define ZGC_SRC_OFFLOAD_READ_WRITE_BACKEND_H_

#include <algorithm>

#include "src/base/worker_pool.h"
#include "src/offload/copy_backend.h"

namespace zgc {

// Read/write through the host: reads of the next commands run ahead on a pool
// of worker threads made once per backend (at most queue_depth buffers of one
// command each) while the current command is written at its destination.
class ReadWriteBackend final : public CopyBackend {
 public:
  ReadWriteBackend(ZonedDevice& device, uint32_t queue_depth)
      : device_(device),
        queue_depth_(std::max(queue_depth, 1u)),
        pool_(std::min(queue_depth_, kMaxReaders)) {}
  CopyPath path() const override { return CopyPath::kReadWrite; }
  CopyLimits limits() const override { return HostCopyLimits(); }
  std::vector<Status> Run(std::span<const CopyCommand> commands) override;
  uint64_t HostBytes(uint64_t bytes, size_t) const override { return bytes; }

 private:
  static constexpr uint32_t kMaxReaders = 4;
  ZonedDevice& device_;
  const uint32_t queue_depth_;
  WorkerPool pool_;
};

}  // namespace zgc

#endif  // ZGC_SRC_OFFLOAD_READ_WRITE_BACKEND_H_
