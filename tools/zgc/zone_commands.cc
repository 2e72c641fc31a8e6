#include <fmt/core.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tools/zgc/commands.h"
#include "zgc/device.h"

namespace zgc::cli {

namespace {

nlohmann::json ZoneJson(uint32_t index, const Zone& z) {
  return {{"index", index},
          {"start", z.start},
          {"size", z.size},
          {"capacity", z.capacity},
          {"wp", z.wp},
          {"type", static_cast<int>(z.type)},
          {"type_name", ZoneTypeName(z.type)},
          {"cond", static_cast<int>(z.cond)},
          {"cond_name", ZoneConditionName(z.cond)}};
}

}  // namespace

const char* ModelName(ZoneModel model) {
  return model == ZoneModel::kHostAware ? "host-aware" : "host-managed";
}

nlohmann::json DeviceInfoJson(const DeviceInfo& i) {
  return {{"uri", i.uri},
          {"backend", i.backend},
          {"description", i.description},
          {"model", ModelName(i.model)},
          {"family", DeviceFamilyName(i.family)},
          {"logical_block_size", i.logical_block_size},
          {"physical_block_size", i.physical_block_size},
          {"zone_size", i.zone_size},
          {"zone_capacity", i.zone_capacity},
          {"nr_zones", i.nr_zones},
          {"nr_conventional_zones", i.nr_conventional_zones},
          {"max_open_zones", i.max_open_zones},
          {"max_active_zones", i.max_active_zones},
          {"capacity_bytes", i.capacity_bytes()},
          {"zone_append", i.zone_append},
          {"stores_data", i.stores_data},
          {"max_append_bytes", i.max_append_bytes},
          {"copy",
           {{"max_range_bytes", i.copy.max_range_bytes},
            {"max_total_bytes", i.copy.max_total_bytes},
            {"max_ranges", i.copy.max_ranges}}}};
}

namespace {

int Info(const std::string& uri, bool json) {
  auto dev = OpenDevice(uri);
  if (!dev.ok()) return Fail(dev.status());
  const DeviceInfo& i = (*dev)->info();
  if (json) {
    fmt::print("{}\n", DeviceInfoJson(i).dump(2));
    return 0;
  }
  fmt::print(
      "uri:                {}\nbackend:            {} ({})\nmodel:              {}, family {}\n",
      i.uri, i.backend, i.description, ModelName(i.model), DeviceFamilyName(i.family));
  fmt::print("logical block:      {} B (physical {} B)\n", i.logical_block_size,
             i.physical_block_size);
  fmt::print("zones:              {} x {} (capacity {}), {} conventional\n", i.nr_zones,
             Bytes(i.zone_size), Bytes(i.zone_capacity), i.nr_conventional_zones);
  // Usable: what the zones can hold (sequential zones hold their capacity,
  // which may be less than their size); the address space is zone size x zones.
  uint64_t usable = 0;
  if (auto zones = (*dev)->ReportAllZones(); zones.ok()) {
    for (const Zone& z : *zones) usable += z.sequential() ? z.capacity : z.size;
  } else {
    return Fail(zones.status());
  }
  fmt::print("capacity:           {} usable ({} of address space)\n", Bytes(usable),
             Bytes(i.capacity_bytes()));
  fmt::print("max open / active:  {} / {}  (0 = no limit)\n", i.max_open_zones, i.max_active_zones);
  fmt::print("zone append:        {}\n",
             i.zone_append ? fmt::format("yes, up to {} B", i.max_append_bytes) : "no");
  if (i.copy.supported()) {
    fmt::print("copy command:       {} ranges, {} B per range, {} B per command\n",
               i.copy.max_ranges, i.copy.max_range_bytes, i.copy.max_total_bytes);
  } else {
    fmt::print("copy command:       no\n");
  }
  return 0;
}

int Zones(const std::string& uri, bool json) {
  auto dev = OpenDevice(uri);
  if (!dev.ok()) return Fail(dev.status());
  auto zones = (*dev)->ReportAllZones();
  if (!zones.ok()) return Fail(zones.status());
  const uint64_t zs = (*dev)->info().zone_size;
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Zone& z : *zones) out.push_back(ZoneJson(z.start / zs, z));
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("{:>6} {:>14} {:>12} {:>12} {:>14} {:>4} {:>4}\n", "zone", "start", "size", "capacity",
             "wp", "type", "cond");
  for (const Zone& z : *zones) {
    fmt::print("{:>6} {:>#14x} {:>#12x} {:>#12x} {:>#14x} {:>4} {:>4}\n", z.start / zs, z.start,
               z.size, z.capacity, z.wp, ZoneTypeName(z.type), ZoneConditionName(z.cond));
  }
  return 0;
}

int Reset(const std::string& uri, const std::string& zone_text, bool all) {
  if (all == !zone_text.empty()) return Usage("give exactly one of --zone N or --all");
  uint64_t zone = 0;
  if (!all) {
    auto z = ParseIndex(zone_text, "--zone");
    if (!z.ok()) return Usage(z.status());
    zone = *z;
  }
  auto dev = OpenDevice(uri);
  if (!dev.ok()) return Fail(dev.status());
  const DeviceInfo& i = (*dev)->info();
  if (!all && zone >= i.nr_zones)
    return Fail(Status::OutOfRange(
        fmt::format("{}: no zone {} (the device has {})", uri, zone, i.nr_zones)));
  Status s = all ? (*dev)->ResetAll() : (*dev)->ResetZone(uint64_t(zone) * i.zone_size);
  if (s.ok()) s = (*dev)->Sync();
  if (!s.ok()) return Fail(s);
  if (all) {
    fmt::print("reset all sequential zones of {}\n", uri);
  } else {
    fmt::print("reset zone {} of {}\n", zone, uri);
  }
  return 0;
}

struct MkemuOptions {
  std::string path, zone_size = "64M", zone_cap, lbs = "4096", family = "zns";
  uint32_t zones = 64, conv = 0;
  std::optional<uint32_t> max_open, max_active;  // default: 14, or the number of zones if fewer
};

int Mkemu(const MkemuOptions& o) {
  // The geometry goes to the library as values: no URI is assembled from the
  // user's text, so a path or a size cannot smuggle in parameters.
  EmulatedGeometry g;
  auto size = [](const std::string& text, const char* what) -> Result<uint64_t> {
    auto v = ParseSize(text);
    return v.ok() ? v : v.status().WithContext(what);
  };
  auto zone_size = size(o.zone_size, "--zone-size");
  if (!zone_size.ok()) return Usage(zone_size.status());
  g.zone_size = *zone_size;
  if (!o.zone_cap.empty()) {
    auto cap = size(o.zone_cap, "--zone-cap");
    if (!cap.ok()) return Usage(cap.status());
    g.zone_capacity = *cap;
  }
  auto lbs = size(o.lbs, "--lbs");
  if (!lbs.ok()) return Usage(lbs.status());
  if (*lbs > (1u << 16)) return Usage(fmt::format("--lbs {} is larger than 64K", o.lbs));
  g.logical_block_size = static_cast<uint32_t>(*lbs);
  if (o.family == "zns") {
    g.family = DeviceFamily::kNvmeZns;
  } else if (o.family == "zbc") {
    g.family = DeviceFamily::kScsiZbc;
  } else if (o.family == "nullblk") {
    g.family = DeviceFamily::kNullBlk;
  } else {
    return Usage(fmt::format("--family {} is not zns, zbc or nullblk", o.family));
  }
  g.zones = o.zones;
  g.conventional_zones = o.conv;
  g.max_open_zones = o.max_open;
  g.max_active_zones = o.max_active;
  if (Status s = CreateEmulatedDevice(o.path, g); !s.ok()) return Fail(s);
  fmt::print("created emu:{} ({} zones of {}, {} family)\n", o.path, g.zones, Bytes(g.zone_size),
             o.family);
  return 0;
}

}  // namespace

void AddZoneCommands(CLI::App& app, Runner& run) {
  AddDeviceCommand(app, run, "info", "Show a device's geometry and limits", Info);
  AddDeviceCommand(app, run, "zones", "Report every zone, like blkzone report", Zones);

  static std::string uri;
  static std::string zone;
  static bool all = false;
  auto* reset = app.add_subcommand("reset", "Reset one zone or all sequential zones");
  reset->add_option("uri", uri, "Device URI")->required();
  reset->add_option("--zone", zone, "Zone index");
  reset->add_flag("--all", all, "Reset every sequential zone");
  reset->callback([&run] { run = [] { return Reset(uri, zone, all); }; });

  static MkemuOptions mk;
  auto* mkemu = app.add_subcommand("mkemu", "Create an emulated zoned device file");
  mkemu->add_option("path", mk.path, "File to create (must not exist)")->required();
  mkemu->add_option("--zone-size", mk.zone_size, "Zone size (power of two)")->capture_default_str();
  mkemu->add_option("--zone-cap", mk.zone_cap, "Zone capacity (default: zone size)");
  mkemu->add_option("--zones", mk.zones, "Number of zones")->capture_default_str();
  mkemu->add_option("--conv", mk.conv, "Conventional zones at the start")->capture_default_str();
  mkemu->add_option("--max-open", mk.max_open, "Open-zone limit, 0 = none (default 14)");
  mkemu->add_option("--max-active", mk.max_active, "Active-zone limit, 0 = none (default 14)");
  mkemu->add_option("--lbs", mk.lbs, "Logical block size")->capture_default_str();
  mkemu->add_option("--family", mk.family, "Edge-case behaviour: zns, zbc or nullblk")
      ->capture_default_str();
  mkemu->callback([&run] { run = [] { return Mkemu(mk); }; });
}

}  // namespace zgc::cli
