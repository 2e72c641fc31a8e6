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

// From this many candidates on, PickBest scores them in parallel.
inline constexpr size_t kParallelScoringFrom = 2048;

// The index into `candidates` of the best-scoring one (ties: the lowest zone),
// or -1 when there are none. The same answer serially and in parallel.
ptrdiff_t PickBest(VictimPolicy policy, std::span<const Candidate> candidates);

}  // namespace zgc

#endif  // ZGC_SRC_GC_VICTIM_SCORER_H_
