#include <algorithm>

#include "src/offload/block_copy_backend.h"
#include "src/offload/device_copy_backend.h"
#include "src/offload/read_write_backend.h"
#include "src/offload/uring_copy_backend.h"
#include "src/zones/zone_rules.h"
#include "zgc/copy.h"

namespace zgc {

namespace {

constexpr const char* kPathNames[kCopyPaths] = {"blkcopy", "nvme", "nvme-uring", "native", "rw"};

// The sources of `cmd` after its first `landed` bytes.
std::vector<Extent> Rest(const CopyCommand& cmd, uint64_t landed) {
  std::vector<Extent> rest;
  for (const Extent& e : cmd.sources) {
    if (landed >= e.length) {
      landed -= e.length;
      continue;
    }
    rest.push_back({e.offset + landed, e.length - landed});
    landed = 0;
  }
  return rest;
}

class CopierImpl final : public Copier {
 public:
  CopierImpl(ZonedDevice& device, CopyOptions options, CopyProbe probe,
             std::vector<std::unique_ptr<CopyBackend>> chain)
      : device_(device),
        options_(options),
        probe_(std::move(probe)),
        chain_(std::move(chain)),
        consecutive_(chain_.size(), 0) {}

  Result<CopyPlan> Copy(std::span<const Extent> sources,
                        std::span<const Destination> destinations) override {
    // Recovery reads the write pointer to learn what landed, so every destination
    // must start at its zone's write pointer now.
    for (const Destination& d : destinations) {
      if (d.wp == d.end) continue;  // no room: the planner passes over it
      ZGC_ASSIGN_OR_RETURN(Zone z, device_.ReportZone(d.wp));
      if (!z.sequential() || z.wp != d.wp || d.end > z.start + z.capacity || !z.remaining())
        return Status::ZoneState(device_.info().uri + ": copy destination " + Hex(d.wp) + ".." +
                                 Hex(d.end) + " is not [write pointer, capacity) of " +
                                 DescribeZone(device_.info(), z) + " (write pointer " + Hex(z.wp) +
                                 ")");
    }
    ZGC_ASSIGN_OR_RETURN(CopyPlan plan, PlanCopy(sources, destinations, chain_.front()->limits(),
                                                 device_.info().logical_block_size));
    Status s = Execute(plan.commands, 0);
    Demote();
    if (!s.ok()) return s;
    return plan;
  }

  const CopyProbe& probe() const override { return probe_; }
  std::vector<CopyPath> chain() const override {
    std::vector<CopyPath> out;
    for (const auto& b : chain_) out.push_back(b->path());
    return out;
  }
  CopyStats stats() const override { return stats_; }

 private:
  void Account(const CopyBackend& b, const CopyCommand& cmd, uint64_t bytes, bool complete) {
    PathStats& p = stats_.paths[static_cast<int>(b.path())];
    p.bytes += bytes;
    p.commands += complete;
    if (b.path() == CopyPath::kReadWrite) stats_.host_bytes_read += bytes;
    stats_.host_bytes_written += b.HostBytes(bytes, cmd.sources.size());
  }

  Status Execute(std::span<const CopyCommand> commands, size_t level) {
    CopyBackend& b = *chain_[level];
    const std::vector<Status> results = b.Run(commands);
    for (size_t i = 0; i < commands.size(); ++i) {
      if (results[i].ok()) {
        Account(b, commands[i], commands[i].length(), true);
        consecutive_[level] = 0;
      }
    }
    for (size_t i = 0; i < commands.size(); ++i) {
      if (!results[i].ok()) ZGC_RETURN_IF_ERROR(Recover(commands[i], level, results[i]));
    }
    return Status::OK();
  }

  // What landed of a failed command stays; the rest goes one path down.
  Status Recover(const CopyCommand& cmd, size_t level, const Status& failure) {
    CopyBackend& b = *chain_[level];
    if (failure.code() != Code::kAborted) {
      ++stats_.paths[static_cast<int>(b.path())].failures;
      ++consecutive_[level];
    }
    ZGC_ASSIGN_OR_RETURN(Zone z, device_.ReportZone(cmd.destination));
    const uint64_t wp = z.cond == ZoneCondition::kFull ? z.start + z.capacity : z.wp;
    if (wp < cmd.destination)
      return failure.WithContext("copy failed and the write pointer " + Hex(wp) +
                                 " is behind its destination");
    const uint64_t landed = std::min(wp - cmd.destination, cmd.length());
    if (landed) {
      Account(b, cmd, landed, false);
      stats_.recovered_bytes += landed;
    }
    if (landed == cmd.length()) return Status::OK();
    if (level + 1 == chain_.size()) return failure;  // read/write was the last resort
    const std::vector<Extent> rest = Rest(cmd, landed);
    const Destination dest{cmd.destination + landed, cmd.destination + cmd.length()};
    ZGC_ASSIGN_OR_RETURN(CopyPlan sub,
                         PlanCopy(rest, std::span(&dest, 1), chain_[level + 1]->limits(),
                                  device_.info().logical_block_size));
    return Execute(sub.commands, level + 1);
  }

  // A path that keeps failing is dropped for good (read/write never is).
  void Demote() {
    for (size_t i = 0; i + 1 < chain_.size();) {
      if (consecutive_[i] >= options_.demote_after) {
        chain_.erase(chain_.begin() + i);
        consecutive_.erase(consecutive_.begin() + i);
        ++stats_.demotions;
      } else {
        ++i;
      }
    }
  }

  ZonedDevice& device_;
  const CopyOptions options_;
  const CopyProbe probe_;
  std::vector<std::unique_ptr<CopyBackend>> chain_;  // cheapest first, read/write last
  std::vector<uint32_t> consecutive_;                // failures in a row, per chain entry
  CopyStats stats_;
};

}  // namespace

std::string_view CopyPathName(CopyPath path) {
  // A CopyPath may hold any byte (a cast, options read from outside): never
  // index past the table.
  const int i = static_cast<int>(path);
  return i >= 0 && i < kCopyPaths ? kPathNames[i] : "?";
}

std::string_view BlockCopyInterfaceName(BlockCopyInterface interface) {
  switch (interface) {
    case BlockCopyInterface::kNone:
      return "none";
    case BlockCopyInterface::kRfc128:
      return "BLKCOPY(128)";
    case BlockCopyInterface::kRfc129:
      return "BLKCOPY(129)";
    case BlockCopyInterface::kVectored143:
      return "BLKCPY_VEC(143)";
    case BlockCopyInterface::kCopyFileRange:
      return "copy_file_range";
  }
  return "?";
}

Result<CopyPath> ParseCopyPath(std::string_view name) {
  for (int i = 0; i < kCopyPaths; ++i)
    if (name == kPathNames[i]) return static_cast<CopyPath>(i);
  return Status::InvalidArgument("copy path '" + std::string(name) +
                                 "' is not one of blkcopy, nvme, nvme-uring, native, rw");
}

uint64_t CopyStats::offloaded_bytes() const {
  uint64_t n = 0;
  for (int i = 0; i < kCopyPaths; ++i)
    if (IsOffload(static_cast<CopyPath>(i))) n += paths[i].bytes;
  return n;
}

Result<std::unique_ptr<Copier>> Copier::Create(ZonedDevice& device, CopyOptions options) {
  const DeviceInfo& info = device.info();
  if (options.path && static_cast<int>(*options.path) >= kCopyPaths)
    return Status::InvalidArgument(info.uri + ": copy path " +
                                   std::to_string(static_cast<int>(*options.path)) +
                                   " is not one of blkcopy, nvme, nvme-uring, native, rw");
  ZGC_ASSIGN_OR_RETURN(CopyProbe probe, ProbeCopy(device));
  std::vector<std::unique_ptr<CopyBackend>> chain;
  std::string absent;  // why options.path is not in the chain
  // The probe order: block layer, NVMe (asynchronous first), native, read/write.
  // Backends that talk to the kernel directly need the kernel device under any
  // wrapper; the others go through `device` so wrappers (fault injection) apply.
  const KernelDevice* kernel = device.kernel_device();
  if (probe.blkcopy.available && kernel) {
    chain.push_back(std::make_unique<BlockCopyBackend>(kernel->fd, probe.blkcopy_interface,
                                                       probe.blkcopy_max_bytes, info.zone_size));
  }
  if (probe.nvme.available) {
    if (probe.io_uring_passthrough) {
      auto uring = UringCopyBackend::Create(info, probe.generic_device, options.queue_depth);
      if (uring.ok()) {
        chain.push_back(std::move(*uring));
      } else if (options.path == CopyPath::kNvmeUring) {
        absent = uring.status().message();
      }
    }
    chain.push_back(std::make_unique<DeviceCopyBackend>(device, CopyPath::kNvme));
  }
  if (probe.native.available)
    chain.push_back(std::make_unique<DeviceCopyBackend>(device, CopyPath::kNative));
  chain.push_back(std::make_unique<ReadWriteBackend>(device, options.queue_depth));
  if (options.path) {
    auto it = std::find_if(chain.begin(), chain.end(),
                           [&](const auto& b) { return b->path() == *options.path; });
    if (it == chain.end()) {
      if (absent.empty()) {
        const CopyPath p = *options.path;
        absent = p == CopyPath::kBlkCopy  ? probe.blkcopy.detail
                 : p == CopyPath::kNative ? probe.native.detail
                 : p == CopyPath::kNvmeUring && probe.nvme.available
                     ? "no io_uring passthrough device"
                     : probe.nvme.detail;
      }
      return Status::NotSupported(info.uri + ": copy path " +
                                  std::string(CopyPathName(*options.path)) +
                                  " is absent: " + absent);
    }
    chain.erase(chain.begin(), it);
  }
  return std::unique_ptr<Copier>(
      new CopierImpl(device, options, std::move(probe), std::move(chain)));
}

}  // namespace zgc
