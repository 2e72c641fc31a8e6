#include "tools/zgc/run_workload.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace zgc::cli {

Status UnitPicker::CheckKind(const std::string& kind) {
  if (kind == "uniform" || kind == "hot" || kind == "zipf") return Status::OK();
  return Status::InvalidArgument("workload '" + kind + "' is not one of uniform, hot, zipf");
}

Result<UnitPicker> UnitPicker::Create(const std::string& kind, uint64_t units, uint64_t seed) {
  ZGC_RETURN_IF_ERROR(CheckKind(kind));
  if (units == 0) return Status::InvalidArgument("the workload has no units to write");
  UnitPicker p(units, seed);
  if (kind == "uniform") return p;
  if (kind == "hot") {
    p.hot_ = std::max<uint64_t>(units / 5, 1);
    return p;
  }
  if (kind == "zipf") {
    p.cdf_.resize(units);
    double sum = 0;
    for (uint64_t i = 0; i < units; ++i) p.cdf_[i] = (sum += 1.0 / double(i + 1));
    for (double& c : p.cdf_) c /= sum;
    p.perm_.resize(units);
    std::iota(p.perm_.begin(), p.perm_.end(), 0u);
    std::shuffle(p.perm_.begin(), p.perm_.end(), p.rng_);
  }
  return p;
}

uint64_t UnitPicker::Next() {
  if (!cdf_.empty()) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    const size_t r = std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
    return perm_[std::min(r, perm_.size() - 1)];
  }
  if (hot_ && hot_ < units_) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < 0.8
               ? rng_() % hot_
               : hot_ + rng_() % (units_ - hot_);
  }
  return rng_() % units_;
}

}  // namespace zgc::cli
