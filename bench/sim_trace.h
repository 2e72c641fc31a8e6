// gc_sim's workloads, generated up front as a trace of logical blocks so that
// the future-knowledge oracle can know when each write dies.
#ifndef ZGC_BENCH_SIM_TRACE_H_
#define ZGC_BENCH_SIM_TRACE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "zgc/status.h"

namespace zgc::sim {

// The workloads gc_sim knows, in table order.
const std::vector<std::string>& WorkloadNames();

struct Trace {
  // Logical blocks in write order: first every block once (the fill), then
  // the workload.
  std::vector<uint32_t> lba;
  // For each write, the index of the next write of the same block (which kills
  // it); kNever when it is never overwritten.
  std::vector<uint32_t> next;
  // For stationary workloads, each logical block's share of the writes after
  // the fill: what an online learner could at best know about a block (its
  // rate, not its next write). Empty when the workload has no fixed rates
  // (a moving hot set, sequential overwrite).
  std::vector<double> share;
  static constexpr uint32_t kNever = ~0u;
};

// `overwrites` times the logical space of `workload`'s writes after the fill.
// Fails with kInvalidArgument for an unknown workload name.
Result<Trace> MakeTrace(const std::string& workload, uint32_t logical, double overwrites,
                        uint64_t seed);

}  // namespace zgc::sim

#endif  // ZGC_BENCH_SIM_TRACE_H_
