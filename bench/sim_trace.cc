#include "bench/sim_trace.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace zgc::sim {

const std::vector<std::string>& WorkloadNames() {
  static const std::vector<std::string> names = {
      "uniform", "hot80/20", "hot90/10", "zipf0.8", "zipf1.0", "zipf1.0-moving", "sequential"};
  return names;
}

namespace {

// Ranks of a Zipf(s) distribution over n items, drawn by inverting its CDF.
class Zipf {
 public:
  Zipf(uint32_t n, double s) : cdf_(n) {
    double sum = 0;
    for (uint32_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / std::pow(double(i + 1), s));
    for (double& c : cdf_) c /= sum;
  }
  double Share(uint32_t rank) const { return cdf_[rank] - (rank ? cdf_[rank - 1] : 0.0); }
  template <typename Rng>
  uint32_t Rank(Rng& rng) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
    return static_cast<uint32_t>(std::min<size_t>(it - cdf_.begin(), cdf_.size() - 1));
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace

Result<Trace> MakeTrace(const std::string& workload, uint32_t logical, double overwrites,
                        uint64_t seed) {
  const auto& names = WorkloadNames();
  if (std::find(names.begin(), names.end(), workload) == names.end())
    return Status::InvalidArgument("unknown workload '" + workload + "'");
  std::mt19937_64 rng(seed);
  const uint64_t n = static_cast<uint64_t>(overwrites * logical);
  Trace t;
  t.lba.resize(logical + n);
  std::iota(t.lba.begin(), t.lba.begin() + logical, 0u);
  uint32_t* out = t.lba.data() + logical;
  if (workload == "uniform") {
    for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<uint32_t>(rng() % logical);
    t.share.assign(logical, 1.0 / logical);
  } else if (workload == "hot80/20" || workload == "hot90/10") {
    const bool eighty = workload == "hot80/20";
    const double share = eighty ? 0.8 : 0.9;
    const uint32_t hot = eighty ? logical / 5 : logical / 10;
    std::uniform_real_distribution<double> u(0, 1);
    for (uint64_t i = 0; i < n; ++i)
      out[i] = static_cast<uint32_t>(u(rng) < share ? rng() % hot : hot + rng() % (logical - hot));
    t.share.assign(logical, (1 - share) / (logical - hot));
    std::fill(t.share.begin(), t.share.begin() + hot, share / hot);
  } else if (workload.rfind("zipf", 0) == 0) {
    Zipf zipf(logical, workload.rfind("zipf0.8", 0) == 0 ? 0.8 : 1.0);
    // Ranks are scattered over the address space so that hot blocks do not cluster.
    std::vector<uint32_t> perm(logical);
    std::iota(perm.begin(), perm.end(), 0u);
    std::shuffle(perm.begin(), perm.end(), rng);
    // The moving variant shifts which blocks are hot ten times per overwrite.
    const bool moving = workload.find("moving") != std::string::npos;
    const uint64_t period = std::max<uint64_t>(logical / 10, 1);
    uint32_t shift = 0;
    if (!moving) {
      t.share.resize(logical);
      for (uint32_t r = 0; r < logical; ++r) t.share[perm[r]] = zipf.Share(r);
    }
    for (uint64_t i = 0; i < n; ++i) {
      if (moving && i % period == 0 && i) shift = static_cast<uint32_t>(rng() % logical);
      out[i] = perm[(zipf.Rank(rng) + shift) % logical];
    }
  } else {  // sequential: the whole space rewritten in order, again and again
    for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<uint32_t>(i % logical);
  }
  t.next.assign(t.lba.size(), Trace::kNever);
  std::vector<uint32_t> last(logical, Trace::kNever);
  for (uint64_t i = t.lba.size(); i-- > 0;) {
    t.next[i] = last[t.lba[i]];
    last[t.lba[i]] = static_cast<uint32_t>(i);
  }
  return t;
}

}  // namespace zgc::sim
