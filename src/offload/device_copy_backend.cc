#include "src/offload/device_copy_backend.h"

namespace zgc {

std::vector<Status> DeviceCopyBackend::Run(std::span<const CopyCommand> commands) {
  return RunInOrder(commands, device_.info().zone_size,
                    [&](const CopyCommand& c) { return device_.Copy(c.sources, c.destination); });
}

}  // namespace zgc
