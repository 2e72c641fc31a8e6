// `zgc probe URI`: what the device is and which copy paths it offers, and why not.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "tools/zgc/commands.h"
#include "zgc/copy.h"
#include "zgc/device.h"

namespace zgc::cli {

namespace {

nlohmann::json PathJson(const PathProbe& p) {
  return {{"available", p.available}, {"detail", p.detail}};
}

int Probe(const std::string& uri, bool json) {
  auto dev = OpenDevice(uri);
  if (!dev.ok()) return Fail(dev.status());
  const DeviceInfo& i = (*dev)->info();
  auto probe = ProbeCopy(**dev);
  if (!probe.ok()) return Fail(probe.status());
  const CopyProbe& p = *probe;
  if (json) {
    nlohmann::json out = DeviceInfoJson(i);
    out["paths"] = {{"blkcopy", PathJson(p.blkcopy)},
                    {"nvme", PathJson(p.nvme)},
                    {"native", PathJson(p.native)},
                    {"fallback", PathJson(p.fallback)}};
    out["nvme"] = {{"mssrl_blocks", p.mssrl_blocks},
                   {"mcl_blocks", p.mcl_blocks},
                   {"msrc", p.msrc},
                   {"max_range_bytes", p.nvme_limits.max_range_bytes},
                   {"max_total_bytes", p.nvme_limits.max_total_bytes},
                   {"max_ranges", p.nvme_limits.max_ranges},
                   {"generic_device", p.generic_device},
                   {"io_uring_passthrough", p.io_uring_passthrough}};
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("device     {} ({}, {}, family {})\n", i.uri, i.backend, ModelName(i.model),
             DeviceFamilyName(i.family));
  fmt::print("geometry   {} zones x {} MiB (capacity {:.1f} MiB), {} conventional, {} B blocks\n",
             i.nr_zones, i.zone_size >> 20, i.zone_capacity / 1048576.0, i.nr_conventional_zones,
             i.logical_block_size);
  fmt::print("limits     max open {}, max active {} (0 = none); zone append {}\n", i.max_open_zones,
             i.max_active_zones, i.zone_append ? "yes" : "no");
  fmt::print("copy paths, in the order they are tried:\n");
  auto line = [](const char* name, const PathProbe& path) {
    fmt::print("  {:<9} {:<9} {}\n", name, path.available ? "available" : "absent", path.detail);
  };
  line("blkcopy", p.blkcopy);
  line("nvme", p.nvme);
  if (!p.generic_device.empty())
    fmt::print("            passthrough device {}, io_uring SQE128/CQE32 {}\n", p.generic_device,
               p.io_uring_passthrough ? "yes" : "no");
  line("native", p.native);
  line("fallback", p.fallback);
  return 0;
}

}  // namespace

void AddProbeCommand(CLI::App& app, Runner& run) {
  AddDeviceCommand(app, run, "probe", "Show a device's zone model, limits and copy offload paths",
                   Probe);
}

}  // namespace zgc::cli
