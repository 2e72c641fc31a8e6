#include "src/gc/victim_scorer.h"

#include "src/base/parallel.h"

namespace zgc {

double ScoreVictim(VictimPolicy policy, const Candidate& c) {
  const double u = c.cap ? double(c.live) / double(c.cap) : 1.0;
  switch (policy) {
    case VictimPolicy::kGreedy:
    case VictimPolicy::kWindowedGreedy:
      return 1.0 - u;
    case VictimPolicy::kCostBenefit:
    case VictimPolicy::kDefault:
      return (1.0 - u) * (double(c.age) + 1.0) / (1.0 + u);
  }
  return 0;
}

namespace {

struct Best {
  ptrdiff_t index = -1;
  double score = -1;
  uint32_t zone = ~0u;
  void Consider(ptrdiff_t i, double s, uint32_t z) {
    if (s > score || (s == score && z < zone)) index = i, score = s, zone = z;
  }
};

}  // namespace

ptrdiff_t PickBest(VictimPolicy policy, std::span<const Candidate> candidates) {
  auto scan = [&](size_t lo, size_t hi, Best best) {
    for (size_t i = lo; i < hi; ++i)
      best.Consider(static_cast<ptrdiff_t>(i), ScoreVictim(policy, candidates[i]),
                    candidates[i].zone);
    return best;
  };
  if (candidates.size() < kParallelScoringFrom) return scan(0, candidates.size(), Best()).index;
  return ParallelReduce(candidates.size(), 512, Best(), scan,
                        [](Best a, const Best& b) {
                          a.Consider(b.index, b.score, b.zone);
                          return a;
                        })
      .index;
}

}  // namespace zgc
