// Which unit `zgc run` writes next: uniform, hot/cold or Zipf. (The volume it
// writes to is zgc::Volume, the library's owner of the GC engine.)
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

}  // namespace zgc::cli

#endif  // ZGC_TOOLS_ZGC_RUN_WORKLOAD_H_
