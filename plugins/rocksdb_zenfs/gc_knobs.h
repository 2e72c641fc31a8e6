// zgc::rocksdb_plugin::GcKnobs: the GC knobs a user sets on the zgc file
// system, as URI parameters (`zgc://mem:?zones=64&gc_low=4&gc_high=8`), in
// ZoneFsOptions, and stored in the file system's config at format.
//
// Contract:
// - Every knob is optional: one not given keeps the value under it. At
//   open the engine's options are GcOptions' defaults, overlaid by the
//   knobs stored at format, overlaid by the knobs given at open (which are
//   not stored). Format stores every knob resolved.
// - Parameters (docs/FORMAT.md section 4, README.md): gc_policy
//   (greedy|cost-benefit|windowed|default), gc_placement (lifetime|sepbit),
//   gc_reserve, gc_low, gc_high (free zones), gc_window (zones), gc_classes
//   and gc_user_classes (placement classes), gc_rate (bytes/s, K/M/G
//   suffixes; 0: unlimited), gc_background (0|1), gc_stall_ms (how long a
//   writer waits for space on its way). The gc_ prefix keeps them apart
//   from the device's parameters; any other gc_ name is refused.
// - Bad values are kInvalidArgument naming the parameter, before anything
//   is written (Validate checks the combination against the device).
//
// Thread safety: a value type.
#ifndef ZGC_PLUGINS_ROCKSDB_ZENFS_GC_KNOBS_H_
#define ZGC_PLUGINS_ROCKSDB_ZENFS_GC_KNOBS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zgc/gc.h"
#include "zgc/status.h"

namespace zgc::rocksdb_plugin {

struct GcKnobs {
  std::optional<VictimPolicy> policy;
  std::optional<PlacementPolicy> placement;
  std::optional<uint32_t> reserve, low, high, window;
  std::optional<uint8_t> user_classes, gc_classes;
  std::optional<uint64_t> rate;  // bytes per second, 0: unlimited
  std::optional<bool> background;
  std::optional<uint32_t> stall_ms;

  // One `key=value` parameter: false if the key is not a knob's (the
  // device's), kInvalidArgument for an unknown gc_ key or a bad value.
  Result<bool> Parse(std::string_view key, std::string_view value);
  // Splits a device URI with knobs among its parameters into the device's
  // URI (the knobs removed) and the knobs.
  static Result<std::string> SplitUri(std::string_view uri, GcKnobs* knobs);

  // Fields set in `over` replace this one's.
  GcKnobs Overlay(const GcKnobs& over) const;
  // The knobs' values applied; those not set keep the options' values.
  void ApplyTo(GcOptions* gc, bool* background, uint32_t* stall_ms) const;
  // Every knob set from the options (what format stores).
  static GcKnobs Resolved(const GcOptions& gc, bool background, uint32_t stall_ms);
  // kInvalidArgument when the options cannot run over `data_zones` zones:
  // the checks the engine does not make (watermarks in order and within the
  // zones, a sane rate and stall), naming the parameter.
  static Status Validate(const GcOptions& gc, uint32_t stall_ms, uint32_t data_zones);
  // The knobs set, as URI parameters (tools print it).
  std::string ToString() const;
  bool operator==(const GcKnobs&) const = default;
};

}  // namespace zgc::rocksdb_plugin

#endif  // ZGC_PLUGINS_ROCKSDB_ZENFS_GC_KNOBS_H_
