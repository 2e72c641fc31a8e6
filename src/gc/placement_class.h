// Placement classes: which open zone data goes to. User data is classed by how
// long it is expected to live, GC data by its age, both against the mean
// lifetime of a write; a death time the owner knows overrides both.
#ifndef ZGC_SRC_GC_PLACEMENT_CLASS_H_
#define ZGC_SRC_GC_PLACEMENT_CLASS_H_

#include <cstdint>

#include "zgc/gc.h"

namespace zgc {

// Of `classes` classes, the one for data expected to live `remaining` more
// (clock units), `mean_life` being the mean lifetime of a write: geometric
// thresholds mean_life/2^(classes-2), ..., mean_life/2, mean_life; beyond:
// the last class.
int ClassForRemainingLife(double remaining, double mean_life, int classes);

// The default's user classes, for data whose predecessor lived `lived`: with
// two classes, split at the mean lifetime of a write (`mean_life`, Little's
// law: it splits a hot set from a cold one); with three or more, the first
// holds data whose predecessor lived less than `victim_life` (the lifespan of
// collected short-lived zones, SepBIT's l: it tracks how fast the hottest data
// turns over, which matters where lifetimes form a continuum, as under Zipf),
// the second less than the mean lifetime, and each further one twice the
// previous bound. Bounds are taken in increasing order; victim_life 0
// (unknown yet) stands for half the mean lifetime.
int ClassForLifetime(double lived, double victim_life, double mean_life, int classes);

// Of `classes` classes, the one for live data of `age` (since the owner wrote
// it), `mean_life` being the mean lifetime of a write: thresholds mean_life/2,
// 2, 8, ... times mean_life. Data still live at half the mean lifetime is
// likely not to be short-lived.
int ClassForAge(double age, double mean_life, int classes);
// The same with the first threshold given; each next one is 4x (SepBIT: 4l).
int ClassForAgeFrom(double age, double first_threshold, int classes);

// An owner's hint: short-lived data first, long-lived last.
int ClassForHint(Lifetime hint, int classes);

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
