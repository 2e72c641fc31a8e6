#include "src/offload/copy_backend.h"

#include <set>

namespace zgc {

std::vector<Status> RunInOrder(std::span<const CopyCommand> commands, uint64_t zone_size,
                               const std::function<Status(const CopyCommand&)>& one) {
  std::vector<Status> out;
  out.reserve(commands.size());
  std::set<uint64_t> failed_zones;
  for (const CopyCommand& c : commands) {
    const uint64_t zone = c.destination / zone_size;
    if (failed_zones.count(zone)) {
      out.push_back(Status::Aborted("not attempted: an earlier copy to this zone failed"));
      continue;
    }
    out.push_back(one(c));
    if (!out.back().ok()) failed_zones.insert(zone);
  }
  return out;
}

}  // namespace zgc
