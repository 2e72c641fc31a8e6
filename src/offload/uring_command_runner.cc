#include "src/offload/uring_command_runner.h"

#include <cerrno>
#include <map>

#include "src/base/errno_status.h"

namespace zgc {

namespace {

// user_data carries the command index plus this tag, so that a completion of
// another run (or another user of the ring) is recognised as not ours.
constexpr uint64_t kTag = 0x5a47430000000000ull;  // "ZGC" in the top bytes
constexpr uint64_t kIndexMask = 0x000000ffffffffffull;

}  // namespace

UringCommandRunner::UringCommandRunner(io_uring* ring, uint32_t queue_depth, std::string name,
                                       SubmitAndWait submit)
    : ring_(ring),
      queue_depth_(std::max(queue_depth, 1u)),
      name_(std::move(name)),
      submit_(submit ? std::move(submit)
                     : [](io_uring* r, unsigned n) { return io_uring_submit_and_wait(r, n); }) {}

std::vector<Status> UringCommandRunner::Run(std::span<const uint64_t> zones, const Prep& prep,
                                            const Finish& finish) {
  const size_t n = zones.size();
  std::vector<Status> out(n, Status::Aborted("not attempted"));
  std::vector<uint8_t> in_flight(n, 0);
  abandoned_.clear();
  // Per destination zone, its commands in order; one in flight per zone.
  std::map<uint64_t, std::vector<size_t>> by_zone;
  for (size_t i = 0; i < n; ++i) by_zone[zones[i]].push_back(i);
  std::map<uint64_t, size_t> cursor;
  std::vector<uint64_t> ready;
  for (auto& [zone, list] : by_zone) ready.push_back(zone);
  size_t flying = 0;
  Status ring_error;

  auto reap = [&]() {
    io_uring_cqe* cqe;
    while (io_uring_peek_cqe(ring_, &cqe) == 0) {
      const uint64_t ud = cqe->user_data;
      const size_t i = ud & kIndexMask;
      if ((ud & ~kIndexMask) != kTag || i >= n || !in_flight[i]) {
        ++stale_;  // not a command of this run: never index with it
        io_uring_cqe_seen(ring_, cqe);
        continue;
      }
      out[i] = finish(*cqe, i);
      io_uring_cqe_seen(ring_, cqe);
      in_flight[i] = 0;
      --flying;
      const uint64_t zone = zones[i];
      // A failed command stops its zone; the Copier recovers it from the write pointer.
      if (ring_error.ok() && out[i].ok() && ++cursor[zone] < by_zone[zone].size())
        ready.push_back(zone);
    }
  };

  while ((ring_error.ok() && !ready.empty()) || flying) {
    if (ring_error.ok()) {
      while (!ready.empty() && flying < queue_depth_) {
        const uint64_t zone = ready.back();
        const size_t i = by_zone[zone][cursor[zone]];
        io_uring_sqe* sqe = io_uring_get_sqe(ring_);
        if (!sqe) break;
        prep(sqe, i);
        sqe->user_data = kTag | i;
        in_flight[i] = 1;
        ++flying;
        ready.pop_back();
      }
    }
    int ret = submit_(ring_, 1);
    if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
      if (ring_error.ok()) {
        // Submission failed: submit nothing more, but drain what is in flight.
        ring_error = ErrnoStatus(-ret, name_ + ": io_uring submit");
      } else {
        // Even waiting fails: what the kernel holds cannot be learned.
        broken_ = true;
        for (size_t i = 0; i < n; ++i)
          if (in_flight[i]) abandoned_.push_back(i), out[i] = ring_error;
        break;
      }
    }
    reap();
  }
  if (!ring_error.ok())
    for (Status& o : out)
      if (o.code() == Code::kAborted) o = ring_error;
  return out;
}

}  // namespace zgc
