#include "src/daemon/volume_service.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "zgc/zone.h"

namespace zgc::daemon {

namespace {

Status Bad(std::string_view key, std::string_view value, std::string_view why) {
  return Status::InvalidArgument("zgc: config " + std::string(key) + "=" + std::string(value) +
                                 ": " + std::string(why));
}

// Above this, a rate is a typo: no device relocates a TiB a second.
constexpr uint64_t kMaxRate = uint64_t{1} << 40;

}  // namespace

Status ServiceOptions::Set(std::string_view key, std::string_view value) {
  if (key == "uri") {
    if (value.empty()) return Bad(key, value, "empty");
    if (!uri.empty()) return Bad(key, value, "a second uri (one volume per export)");
    uri = std::string(value);
  } else if (key == "spare") {
    double v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || p != value.data() + value.size() || !(v > 0) ||
        !(v < 1))
      return Bad(key, value, "expected a fraction in (0, 1), e.g. 0.2");
    spare = v;
  } else if (key == "format") {
    if (value == "auto")
      format = FormatMode::kIfBlank;
    else if (value == "force")
      format = FormatMode::kForce;
    else if (value == "never")
      format = FormatMode::kNever;
    else
      return Bad(key, value, "expected auto, force or never");
  } else if (key == "readonly") {
    if (value == "true" || value == "1")
      read_only = true;
    else if (value == "false" || value == "0")
      read_only = false;
    else
      return Bad(key, value, "expected true or false");
  } else if (key == "policy") {
    bool found = false;
    for (VictimPolicy p : {VictimPolicy::kGreedy, VictimPolicy::kCostBenefit,
                           VictimPolicy::kWindowedGreedy, VictimPolicy::kDefault})
      if (value == VictimPolicyName(p)) policy = p, found = true;
    if (!found) return Bad(key, value, "expected greedy, cost-benefit, windowed or default");
  } else if (key == "rate") {
    auto v = ParseSize(value);
    if (!v.ok()) return Bad(key, value, "not a size (bytes per second, K/M/G suffixes)");
    if (*v > kMaxRate) return Bad(key, value, "more than 1 TiB/s");
    rate_limit = *v;
  } else {
    return Status::InvalidArgument("zgc: unknown config key '" + std::string(key) +
                                   "' (expected uri, spare, format, readonly, policy, rate)");
  }
  return Status::OK();
}

Status ServiceOptions::Validate() const {
  if (uri.empty()) return Status::InvalidArgument("zgc: no uri= given (the zoned device)");
  if (format == FormatMode::kForce && read_only)
    return Status::InvalidArgument("zgc: format=force and readonly=true contradict");
  return Status::OK();
}

VolumeOptions ServiceOptions::ToVolumeOptions() const {
  VolumeOptions vo;
  vo.spare = spare;
  vo.read_only = read_only;
  vo.gc.policy = policy;
  vo.gc.rate_limit = rate_limit;
  return vo;
}

VolumeService::VolumeService(ServiceOptions options, std::unique_ptr<ZonedDevice> device,
                             std::unique_ptr<Volume> volume, bool formatted)
    : options_(std::move(options)),
      device_(std::move(device)),
      volume_(std::move(volume)),
      formatted_(formatted) {}

VolumeService::~VolumeService() { (void)Stop(); }

Result<std::unique_ptr<VolumeService>> VolumeService::Start(const ServiceOptions& options) {
  ZGC_RETURN_IF_ERROR(options.Validate());
  ZGC_ASSIGN_OR_RETURN(std::unique_ptr<ZonedDevice> device, OpenDevice(options.uri));
  const VolumeOptions vo = options.ToVolumeOptions();
  bool format = options.format == FormatMode::kForce;
  if (!format) {
    ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, device->ReportAllZones());
    const bool blank = std::all_of(zones.begin(), zones.end(), [](const Zone& z) {
      return !z.sequential() || z.cond == ZoneCondition::kEmpty;
    });
    if (blank) {
      if (options.format == FormatMode::kNever)
        return Status::InvalidArgument(options.uri +
                                       ": the device is blank and format=never was given");
      if (options.read_only)
        return Status::InvalidArgument(options.uri +
                                       ": the device is blank; a read-only export needs a volume");
      format = true;
    }
  }
  if (format) ZGC_RETURN_IF_ERROR(Volume::Format(*device, vo));
  auto volume = Volume::Open(*device, vo);
  if (!volume.ok()) {
    // Open writes nothing, so a device holding something else is untouched.
    const Code c = volume.status().code();
    if (!format && (c == Code::kCorruption || c == Code::kNotSupported))
      return Status(c, options.uri + ": holds no zgc volume this version opens (" +
                           volume.status().ToString() +
                           "); nothing was written; format=force erases it");
    return volume.status();
  }
  return std::unique_ptr<VolumeService>(
      new VolumeService(options, std::move(device), std::move(*volume), format));
}

Status VolumeService::Stop() {
  if (stopped_ || !volume_) return Status::OK();
  stopped_ = true;
  return volume_->Close();
}

}  // namespace zgc::daemon
