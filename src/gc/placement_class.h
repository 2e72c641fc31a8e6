// Placement classes: which open zone data goes to. User data is classed by how
// long it is expected to live relative to how long user zones live (open to
// reset, measured as the engine runs); GC data by how many collections it
// survived, unless the owner knows when it dies.
#ifndef ZGC_SRC_GC_PLACEMENT_CLASS_H_
#define ZGC_SRC_GC_PLACEMENT_CLASS_H_

#include <cstdint>

#include "zgc/gc.h"

namespace zgc {

// Of `classes` classes, the one for data expected to live `remaining` more
// (clock units) when user zones live `lifespan`: geometric thresholds
// lifespan/2^(classes-2), ..., lifespan/2, lifespan; beyond: the last class.
int ClassForRemainingLife(double remaining, double lifespan, int classes);

// An owner's hint: short-lived data first, long-lived last.
int ClassForHint(Lifetime hint, int classes);

// Data relocated out of a zone of GC class `victim_class` (or a user zone: -1).
inline int ClassForSurvivor(int victim_class, int classes) {
  return victim_class + 1 < classes ? victim_class + 1 : classes - 1;
}

// A running estimate of how long user zones live, from open to reset.
class LifespanEstimate {
 public:
  void Observe(double lifespan) { value_ = value_ ? 0.9 * value_ + 0.1 * lifespan : lifespan; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

// Whether separating data by lifetime pays for the open zones it costs. It
// does when data that survived a collection dies markedly slower, block for
// block, than freshly written data: the workload has lasting hot and cold
// parts. Under uniform random overwrites every live block is as likely to die
// next; separation then sorts nothing and only holds space in open zones. The
// signal is measured the same way whether separation is on or off.
class SeparationGauge {
 public:
  // window: user blocks between decisions.
  explicit SeparationGauge(uint64_t window) : window_(window ? window : 1) {}
  void Added(bool gc, uint64_t blocks) { live_[gc] += blocks; }
  void Died(bool gc, uint64_t blocks) {
    live_[gc] -= blocks;
    died_[gc] += blocks;
  }
  void Dropped(bool gc, uint64_t blocks) { live_[gc] -= blocks; }
  void Wrote(uint64_t user_blocks);
  bool separate() const { return separate_; }
  uint64_t live_blocks() const { return live_[0] + live_[1]; }
  // Survivors' death rate over fresh data's, per live block (last window).
  double ratio() const { return ratio_; }

 private:
  static constexpr double kOn = 0.5, kOff = 0.7;  // hysteresis
  uint64_t window_, since_ = 0;
  uint64_t live_[2] = {0, 0};  // [user, gc]
  uint64_t died_[2] = {0, 0};
  double exposure_[2] = {0, 0};  // live blocks x user blocks written, this window
  double ratio_ = 1;
  bool separate_ = false;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_PLACEMENT_CLASS_H_
