// UringCommandRunner: runs a batch of commands through an io_uring ring, one
// in flight per destination zone (a zone takes writes in order) and at most
// queue_depth in all, and never returns while the kernel still holds one of
// them. The NVMe Simple Copy backend fills the SQEs; tests fill them with
// timeouts and inject ring failures.
//
// Contract of Run:
// - out[i] is the command's result; commands after a failed one to the same
//   zone, and commands never submitted, are kAborted ("not attempted") unless
//   the ring failed, in which case they carry the ring's error.
// - When submitting fails, no more commands are submitted and every command
//   already in flight is waited for before Run returns, so the buffers the
//   device reads (the copy's range list) outlive it. If even waiting fails,
//   the ring is unusable: Run says so (ring_broken()) and the caller must
//   keep the buffers of the commands still in flight and make a new ring.
// - A completion whose user_data names no command in flight (a stale one
//   from an earlier run) is counted and ignored, never indexed.
//
// Thread safety: one Run at a time per ring.
#ifndef ZGC_SRC_OFFLOAD_URING_COMMAND_RUNNER_H_
#define ZGC_SRC_OFFLOAD_URING_COMMAND_RUNNER_H_

#include <liburing.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "zgc/status.h"

namespace zgc {

class UringCommandRunner {
 public:
  // Fills the SQE for command i (user_data is set by the runner afterwards).
  using Prep = std::function<void(io_uring_sqe* sqe, size_t i)>;
  // The command's result from its CQE.
  using Finish = std::function<Status(const io_uring_cqe& cqe, size_t i)>;
  // Submits and waits for at least one completion: io_uring_submit_and_wait
  // unless a test injects failures. Returns >= 0 or a negative errno.
  using SubmitAndWait = std::function<int(io_uring* ring, unsigned wait_nr)>;

  UringCommandRunner(io_uring* ring, uint32_t queue_depth, std::string name,
                     SubmitAndWait submit = nullptr);

  // zones[i]: the destination zone of command i.
  std::vector<Status> Run(std::span<const uint64_t> zones, const Prep& prep, const Finish& finish);

  uint64_t stale_completions() const { return stale_; }
  bool ring_broken() const { return broken_; }
  // Commands (indices of the last Run) the kernel may still hold when the ring broke.
  const std::vector<size_t>& abandoned() const { return abandoned_; }

 private:
  io_uring* ring_;
  uint32_t queue_depth_;
  std::string name_;
  SubmitAndWait submit_;
  uint64_t stale_ = 0;
  bool broken_ = false;
  std::vector<size_t> abandoned_;
};

}  // namespace zgc

#endif  // ZGC_SRC_OFFLOAD_URING_COMMAND_RUNNER_H_
