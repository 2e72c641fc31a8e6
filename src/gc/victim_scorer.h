// How a victim policy scores the zones it considers, and the choice of the
// best: serial for the usual few dozen candidates, parallel (oneTBB) for many.
#ifndef ZGC_SRC_GC_VICTIM_SCORER_H_
#define ZGC_SRC_GC_VICTIM_SCORER_H_

#include <cstdint>
#include <span>

#include "zgc/gc.h"

namespace zgc {

struct Candidate {
  uint32_t zone;
  uint32_t live;  // blocks
  uint32_t cap;   // blocks
  uint64_t age;   // clock units since the zone filled
};

// Higher is a better victim. Greedy: free space; cost-benefit: (1-u)·age/(1+u).
double ScoreVictim(VictimPolicy policy, const Candidate& c);
// The same from the live fraction u. Non-increasing in u and non-decreasing in
// age, also as computed in floating point (every step is a correctly rounded,
// monotone operation): a bucket's floor and a zone's age bound the score.
double ScoreAt(VictimPolicy policy, double u, uint64_t age);

// Ties: the older zone wins, then the lower zone.
inline bool Beats(double score, const Candidate& c, double best_score, const Candidate& best) {
  if (score != best_score) return score > best_score;
  if (c.age != best.age) return c.age > best.age;
  return c.zone < best.zone;
}

// From this many candidates on, PickBest scores them in parallel.
inline constexpr size_t kParallelScoringFrom = 2048;

// The index into `candidates` of the best-scoring one (ties as Beats),
// or -1 when there are none. The same answer serially and in parallel.
ptrdiff_t PickBest(VictimPolicy policy, std::span<const Candidate> candidates);

}  // namespace zgc

#endif  // ZGC_SRC_GC_VICTIM_SCORER_H_
