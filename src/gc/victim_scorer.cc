#include "src/gc/victim_scorer.h"

#include "src/base/parallel.h"

namespace zgc {

double ScoreVictim(VictimPolicy policy, const Candidate& c) {
  return ScoreAt(policy, c.cap ? double(c.live) / double(c.cap) : 1.0, c.age);
}

double ScoreAt(VictimPolicy policy, double u, uint64_t age) {
  switch (policy) {
    case VictimPolicy::kGreedy:
    case VictimPolicy::kWindowedGreedy:
      return 1.0 - u;
    case VictimPolicy::kCostBenefit:
    case VictimPolicy::kDefault:
      return (1.0 - u) * (double(age) + 1.0) / (1.0 + u);
  }
  return 0;
}

namespace {

struct Best {
  ptrdiff_t index = -1;
  double score = -1;
  Candidate c{};
  void Consider(ptrdiff_t i, double s, const Candidate& cand) {
    if (index < 0 || Beats(s, cand, score, c)) index = i, score = s, c = cand;
  }
};

}  // namespace

ptrdiff_t PickBest(VictimPolicy policy, std::span<const Candidate> candidates) {
  auto scan = [&](size_t lo, size_t hi, Best best) {
    for (size_t i = lo; i < hi; ++i)
      best.Consider(static_cast<ptrdiff_t>(i), ScoreVictim(policy, candidates[i]), candidates[i]);
    return best;
  };
  if (candidates.size() < kParallelScoringFrom) return scan(0, candidates.size(), Best()).index;
  return ParallelReduce(candidates.size(), 512, Best(), scan,
                        [](Best a, const Best& b) {
                          if (b.index >= 0) a.Consider(b.index, b.score, b.c);
                          return a;
                        })
      .index;
}

}  // namespace zgc
