#include "src/gc/placement_class.h"

#include <algorithm>

namespace zgc {

int ClassForRemainingLife(double remaining, double mean_life, int classes) {
  if (classes <= 1 || mean_life <= 0) return classes - 1;
  double threshold = mean_life;
  for (int i = 0; i < classes - 2; ++i) threshold /= 2;
  for (int c = 0; c < classes - 1; ++c, threshold *= 2)
    if (remaining < threshold) return c;
  return classes - 1;
}

int ClassForLifetime(double lived, double victim_life, double mean_life, int classes) {
  if (classes <= 2) return ClassForRemainingLife(lived, mean_life, classes);
  const double l = victim_life > 0 ? victim_life : mean_life / 2;
  double bound = std::min(l, mean_life);
  if (lived < bound) return 0;
  bound = std::max(l, mean_life);
  for (int c = 1; c < classes - 1; ++c, bound *= 2)
    if (lived < bound) return c;
  return classes - 1;
}

int ClassForAge(double age, double mean_life, int classes) {
  return ClassForAgeFrom(age, mean_life / 2, classes);
}

int ClassForAgeFrom(double age, double first_threshold, int classes) {
  if (first_threshold <= 0) return 0;
  double threshold = first_threshold;
  int c = 0;
  for (; c < classes - 1 && age >= threshold; ++c) threshold *= 4;
  return c;
}

int ClassForHint(Lifetime hint, int classes) {
  if (hint == Lifetime::kUnknown) return classes - 1;
  // kShort..kExtreme spread over the classes: with two, short and medium share the first.
  const int c = (static_cast<int>(hint) - 1) * classes / 4;
  return c < classes ? c : classes - 1;
}

void SeparationGauge::Wrote(uint64_t user_blocks) {
  for (int g = 0; g < 2; ++g) exposure_[g] += double(live_[g]) * double(user_blocks);
  if ((since_ += user_blocks) < window_) return;
  if (died_[0] && died_[1] && exposure_[0] > 0 && exposure_[1] > 0) {
    ratio_ = (double(died_[1]) / exposure_[1]) / (double(died_[0]) / exposure_[0]);
    if (ratio_ < kOn) separate_ = true;
    if (ratio_ > kOff) separate_ = false;
  }
  since_ = 0;
  died_[0] = died_[1] = 0;
  exposure_[0] = exposure_[1] = 0;
}

}  // namespace zgc
