// One way of executing copy commands on a device. The Copier owns a chain of
// them, cheapest first; every backend executes already-planned commands.
#ifndef ZGC_SRC_OFFLOAD_COPY_BACKEND_H_
#define ZGC_SRC_OFFLOAD_COPY_BACKEND_H_

#include <functional>
#include <span>
#include <vector>

#include "zgc/copy.h"

namespace zgc {

class CopyBackend {
 public:
  virtual ~CopyBackend() = default;
  virtual CopyPath path() const = 0;
  // The limits commands for this backend are planned with.
  virtual CopyLimits limits() const = 0;
  // Executes the commands; one Status per command. Commands to one destination
  // zone run in order, and after one fails the later ones to that zone are not
  // attempted (kAborted). Commands to different zones may run concurrently.
  virtual std::vector<Status> Run(std::span<const CopyCommand> commands) = 0;
  // Bytes the host moved per byte copied by a command of `ranges` ranges: data
  // for read/write, descriptors for offload.
  virtual uint64_t HostBytes(uint64_t bytes, size_t ranges) const = 0;
};

// Runs commands one at a time with `one`, keeping the per-zone rule above.
std::vector<Status> RunInOrder(std::span<const CopyCommand> commands, uint64_t zone_size,
                               const std::function<Status(const CopyCommand&)>& one);

}  // namespace zgc

#endif  // ZGC_SRC_OFFLOAD_COPY_BACKEND_H_
