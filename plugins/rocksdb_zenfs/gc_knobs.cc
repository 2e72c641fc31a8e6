// zgc::rocksdb_plugin::GcKnobs (gc_knobs.h).
#include "plugins/rocksdb_zenfs/gc_knobs.h"

#include <charconv>

namespace zgc::rocksdb_plugin {

namespace {

// Bounds that catch typos, not tuning: a knob past them is a mistake.
constexpr uint64_t kMaxRate = uint64_t{1} << 40;  // 1 TiB/s
constexpr uint32_t kMaxStallMs = 3600 * 1000;     // an hour
constexpr uint32_t kMaxClasses = 16;

Status Bad(std::string_view key, std::string_view value, std::string_view why) {
  return Status::InvalidArgument("zgc file system: parameter " + std::string(key) + "=" +
                                 std::string(value) + ": " + std::string(why));
}

Result<uint64_t> Number(std::string_view key, std::string_view value, uint64_t max) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || p != value.data() + value.size())
    return Bad(key, value, "not a non-negative integer");
  if (v > max) return Bad(key, value, "more than " + std::to_string(max));
  return v;
}

}  // namespace

Result<bool> GcKnobs::Parse(std::string_view key, std::string_view value) {
  if (key.substr(0, 3) != "gc_") return false;
  if (key == "gc_policy") {
    if (value == "greedy")
      policy = VictimPolicy::kGreedy;
    else if (value == "cost-benefit")
      policy = VictimPolicy::kCostBenefit;
    else if (value == "windowed")
      policy = VictimPolicy::kWindowedGreedy;
    else if (value == "default")
      policy = VictimPolicy::kDefault;
    else
      return Bad(key, value, "expected greedy, cost-benefit, windowed or default");
  } else if (key == "gc_placement") {
    if (value == "lifetime")
      placement = PlacementPolicy::kLifetime;
    else if (value == "sepbit")
      placement = PlacementPolicy::kSepBit;
    else
      return Bad(key, value, "expected lifetime or sepbit");
  } else if (key == "gc_rate") {
    auto v = ParseSize(value);
    if (!v.ok()) return Bad(key, value, "not a size (bytes per second, K/M/G suffixes)");
    if (*v > kMaxRate) return Bad(key, value, "more than 1 TiB/s");
    rate = *v;
  } else if (key == "gc_background") {
    if (value != "0" && value != "1") return Bad(key, value, "expected 0 or 1");
    background = value == "1";
  } else if (key == "gc_user_classes" || key == "gc_classes") {
    ZGC_ASSIGN_OR_RETURN(uint64_t v, Number(key, value, kMaxClasses));
    if (v == 0) return Bad(key, value, "at least 1");
    (key == "gc_classes" ? gc_classes : user_classes) = static_cast<uint8_t>(v);
  } else if (key == "gc_stall_ms") {
    ZGC_ASSIGN_OR_RETURN(uint64_t v, Number(key, value, kMaxStallMs));
    stall_ms = static_cast<uint32_t>(v);
  } else {
    std::optional<uint32_t>* field = key == "gc_reserve"  ? &reserve
                                     : key == "gc_low"    ? &low
                                     : key == "gc_high"   ? &high
                                     : key == "gc_window" ? &window
                                                          : nullptr;
    if (!field)
      return Status::InvalidArgument(
          "zgc file system: unknown parameter " + std::string(key) +
          " (GC knobs: gc_policy, gc_placement, gc_reserve, gc_low, gc_high, gc_window, "
          "gc_classes, gc_user_classes, gc_rate, gc_background, gc_stall_ms)");
    ZGC_ASSIGN_OR_RETURN(uint64_t v, Number(key, value, UINT32_MAX));
    *field = static_cast<uint32_t>(v);
  }
  return true;
}

Result<std::string> GcKnobs::SplitUri(std::string_view uri, GcKnobs* knobs) {
  const size_t q = uri.find('?');
  if (q == std::string_view::npos) return std::string(uri);
  std::string device(uri.substr(0, q));
  std::string rest;
  std::string_view params = uri.substr(q + 1);
  while (!params.empty()) {
    const size_t amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
    const size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    ZGC_ASSIGN_OR_RETURN(bool ours, knobs->Parse(key, value));
    if (ours) continue;
    if (!rest.empty()) rest += '&';
    rest += param;
  }
  if (!rest.empty()) device += "?" + rest;
  return device;
}

GcKnobs GcKnobs::Overlay(const GcKnobs& over) const {
  GcKnobs k = *this;
  auto take = [](auto& mine, const auto& theirs) {
    if (theirs) mine = theirs;
  };
  take(k.policy, over.policy);
  take(k.placement, over.placement);
  take(k.reserve, over.reserve);
  take(k.low, over.low);
  take(k.high, over.high);
  take(k.window, over.window);
  take(k.user_classes, over.user_classes);
  take(k.gc_classes, over.gc_classes);
  take(k.rate, over.rate);
  take(k.background, over.background);
  take(k.stall_ms, over.stall_ms);
  return k;
}

void GcKnobs::ApplyTo(GcOptions* gc, bool* bg, uint32_t* stall) const {
  if (policy) gc->policy = *policy;
  if (placement) gc->placement = *placement;
  if (reserve) gc->reserve_zones = *reserve;
  if (low) gc->low_watermark = *low;
  if (high) gc->high_watermark = *high;
  if (window) gc->window = *window;
  if (user_classes) gc->user_classes = *user_classes;
  if (gc_classes) gc->gc_classes = *gc_classes;
  if (rate) gc->rate_limit = *rate;
  if (background) *bg = *background;
  if (stall_ms) *stall = *stall_ms;
}

GcKnobs GcKnobs::Resolved(const GcOptions& gc, bool bg, uint32_t stall) {
  GcKnobs k;
  k.policy = gc.policy;
  k.placement = gc.placement;
  k.reserve = gc.reserve_zones;
  k.low = gc.low_watermark;
  k.high = gc.high_watermark;
  k.window = gc.window;
  k.user_classes = gc.user_classes;
  k.gc_classes = gc.gc_classes;
  k.rate = gc.rate_limit;
  k.background = bg;
  k.stall_ms = stall;
  return k;
}

Status GcKnobs::Validate(const GcOptions& gc, uint32_t stall_ms, uint32_t data_zones) {
  auto bad = [](std::string_view key, uint64_t v, std::string_view why) {
    return Bad(key, std::to_string(v), why);
  };
  if (gc.reserve_zones == 0 || gc.reserve_zones >= data_zones)
    return bad("gc_reserve", gc.reserve_zones,
               "at least 1 and fewer than the " + std::to_string(data_zones) + " data zones");
  if (gc.high_watermark > data_zones)
    return bad("gc_high", gc.high_watermark,
               "more free zones than the " + std::to_string(data_zones) + " data zones");
  if (gc.low_watermark > gc.high_watermark)
    return bad("gc_low", gc.low_watermark, "above gc_high=" + std::to_string(gc.high_watermark));
  if (gc.low_watermark <= gc.reserve_zones)
    return bad("gc_low", gc.low_watermark,
               "not above gc_reserve=" + std::to_string(gc.reserve_zones) +
                   " (the scheduler must start before writers hit the reserve)");
  if (gc.window == 0) return bad("gc_window", 0, "at least 1");
  if (gc.user_classes == 0 || gc.user_classes > kMaxClasses)
    return bad("gc_user_classes", gc.user_classes, "1 to 16");
  if (gc.gc_classes == 0 || gc.gc_classes > kMaxClasses)
    return bad("gc_classes", gc.gc_classes, "1 to 16");
  if (gc.rate_limit > kMaxRate) return bad("gc_rate", gc.rate_limit, "more than 1 TiB/s");
  if (stall_ms > kMaxStallMs) return bad("gc_stall_ms", stall_ms, "more than an hour");
  if (static_cast<uint8_t>(gc.policy) > static_cast<uint8_t>(VictimPolicy::kDefault))
    return bad("gc_policy", static_cast<uint8_t>(gc.policy), "unknown policy");
  if (static_cast<uint8_t>(gc.placement) > static_cast<uint8_t>(PlacementPolicy::kSepBit))
    return bad("gc_placement", static_cast<uint8_t>(gc.placement), "unknown placement");
  return Status::OK();
}

std::string GcKnobs::ToString() const {
  std::string out;
  auto add = [&](std::string_view key, const std::string& v) {
    if (!out.empty()) out += '&';
    out += std::string(key) + "=" + v;
  };
  if (policy) add("gc_policy", std::string(VictimPolicyName(*policy)));
  if (placement)
    add("gc_placement", *placement == PlacementPolicy::kSepBit ? "sepbit" : "lifetime");
  if (reserve) add("gc_reserve", std::to_string(*reserve));
  if (low) add("gc_low", std::to_string(*low));
  if (high) add("gc_high", std::to_string(*high));
  if (window) add("gc_window", std::to_string(*window));
  if (user_classes) add("gc_user_classes", std::to_string(*user_classes));
  if (gc_classes) add("gc_classes", std::to_string(*gc_classes));
  if (rate) add("gc_rate", std::to_string(*rate));
  if (background) add("gc_background", *background ? "1" : "0");
  if (stall_ms) add("gc_stall_ms", std::to_string(*stall_ms));
  return out;
}

}  // namespace zgc::rocksdb_plugin
