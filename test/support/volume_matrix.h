// The geometry matrix every volume sweep runs over (issue 17): 4 KiB and
// 512-byte sectors, zone capacity below the zone size and not whole 4 KiB
// blocks, the smallest open/active limits Format accepts, conventional
// zones, log zones from the fewest to 8, zones from 256 KiB to 64 MiB,
// background GC on and off, one and several writer threads, every victim
// policy. Whatever Format accepts must pass every sweep.
#ifndef ZGC_TEST_SUPPORT_VOLUME_MATRIX_H_
#define ZGC_TEST_SUPPORT_VOLUME_MATRIX_H_

#include <string>
#include <vector>

#include "zgc/volume.h"

namespace zgc::testing {

struct VolumeCase {
  std::string name;
  std::string geometry;  // mem: parameters
  VolumeOptions options;
  int writers = 1;
};

inline VolumeOptions Opts(bool background, uint32_t log_zones = 0,
                          VictimPolicy policy = VictimPolicy::kDefault) {
  VolumeOptions o;
  o.background_gc = background;
  o.log_zones = log_zones;
  o.gc.policy = policy;
  // Collect early in the background so that GC runs under the cuts.
  o.gc.low_watermark = 4;
  o.gc.high_watermark = 6;
  return o;
}

inline std::vector<VolumeCase> VolumeMatrix() {
  return {
      {"4k", "zone_size=64K&zones=40&max_open=0&max_active=0", Opts(false)},
      {"4k-bg-2w", "zone_size=64K&zones=40&max_open=0&max_active=0", Opts(true), 2},
      {"512-ragged", "lbs=512&zone_size=256K&zone_cap=260608&zones=24&max_open=0&max_active=0",
       Opts(false)},
      {"512-bg", "lbs=512&zone_size=128K&zones=32&max_open=14&max_active=14", Opts(true)},
      {"limits-3", "zone_size=64K&zones=40&max_open=3&max_active=3", Opts(true)},
      {"512-ragged-limits-3",
       "lbs=512&zone_size=128K&zone_cap=130560&zones=32&max_open=3&max_active=3", Opts(true)},
      {"conv-log8", "zone_size=64K&zones=40&conv=2&max_open=0&max_active=0", Opts(false, 8)},
      {"64m-zones", "zone_size=64M&zone_cap=256K&zones=24&max_open=0&max_active=0", Opts(false)},
      {"windowed-bg-3w", "zone_size=256K&zones=24&max_open=0&max_active=0",
       Opts(true, 0, VictimPolicy::kWindowedGreedy), 3},
      {"zbc-greedy", "family=zbc&zone_size=128K&zones=32&conv=1&max_open=8&max_active=0",
       Opts(false, 0, VictimPolicy::kGreedy)},
      {"nullblk-cb-bg", "family=nullblk&lbs=512&zone_size=64K&zones=40&max_open=8&max_active=12",
       Opts(true, 0, VictimPolicy::kCostBenefit)},
  };
}

}  // namespace zgc::testing

#endif  // ZGC_TEST_SUPPORT_VOLUME_MATRIX_H_
