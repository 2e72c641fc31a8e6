// The owner behind `zgc run`: a logical volume of fixed-size units mapped onto
// the zoned device through the GC engine, written by one thread while the
// engine's scheduler relocates underneath it. Every block carries its unit,
// version and place, so that verification catches stale, torn or misplaced data.
//
// Thread safety: Write and Verify from one thread; Relocate from the engine's
// (the owner's mutex orders them; it is never held across Allocate).
#ifndef ZGC_TOOLS_ZGC_RUN_WORKLOAD_H_
#define ZGC_TOOLS_ZGC_RUN_WORKLOAD_H_

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "zgc/gc.h"

namespace zgc::cli {

// Which unit to write next.
class UnitPicker {
 public:
  // kind: uniform, hot (80 % of writes to 20 % of units) or zipf (s = 1).
  // kInvalidArgument for another kind.
  static Result<UnitPicker> Create(const std::string& kind, uint64_t units, uint64_t seed);
  static Status CheckKind(const std::string& kind);
  uint64_t Next();

 private:
  UnitPicker(uint64_t units, uint64_t seed) : units_(units), rng_(seed) {}
  uint64_t units_;
  std::mt19937_64 rng_;
  uint64_t hot_ = 0;            // hot: the first hot_ units take 80 % of writes
  std::vector<double> cdf_;     // zipf: over ranks
  std::vector<uint32_t> perm_;  // zipf: rank -> unit
};

class RunWorkload final : public GcOwner {
 public:
  RunWorkload(ZonedDevice& device, uint64_t units, uint64_t unit_bytes);
  void Attach(GcEngine* gc) { gc_ = gc; }

  // Writes a new version of `unit`. Fails with what Allocate or the device fail with.
  Status Write(uint64_t unit);
  // Reads every mapped unit back; kCorruption names the first bad block.
  Result<uint64_t> Verify();

  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override;

 private:
  void Stamp(uint64_t unit, uint64_t version, uint64_t offset);
  ZonedDevice& dev_;
  GcEngine* gc_ = nullptr;
  const uint64_t unit_bytes_;
  const uint32_t lbs_;
  std::mutex mu_;
  std::vector<uint64_t> where_;     // unit -> device offset + 1 (0: never written)
  std::vector<uint64_t> version_;   // unit -> versions written
  std::vector<uint64_t> owner_of_;  // device offset / unit_bytes -> unit + 1
  std::vector<std::byte> buf_;
};

}  // namespace zgc::cli

#endif  // ZGC_TOOLS_ZGC_RUN_WORKLOAD_H_
