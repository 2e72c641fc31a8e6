// The io_uring command runner on timeout SQEs (no NVMe device needed): the
// ring-failure paths that no real device can be made to take on demand.
#include "src/offload/uring_command_runner.h"

#include <gtest/gtest.h>

#include <map>

#include "src/base/io_ring.h"

namespace zgc {
namespace {

struct Rig {
  Rig() {
    auto r = IoRing::Create(16);
    if (r.ok()) ring = std::move(*r);
  }
  std::unique_ptr<IoRing> ring;
  __kernel_timespec ts{0, 20 * 1000 * 1000};  // each command takes 20 ms
  // Every command is a timeout; finish records the order per zone.
  UringCommandRunner::Prep prep = [this](io_uring_sqe* sqe, size_t) {
    io_uring_prep_timeout(sqe, &ts, 0, 0);
  };
  std::map<uint64_t, std::vector<size_t>> order;
  std::vector<uint64_t> zones;
  int finished = 0;
  UringCommandRunner::Finish finish = [this](const io_uring_cqe& cqe, size_t i) {
    ++finished;
    order[zones[i]].push_back(i);
    return cqe.res == -ETIME ? Status::OK()
                             : Status::IoError("unexpected " + std::to_string(cqe.res));
  };
};

#define NEED_RING(r) \
  if (!(r).ring) GTEST_SKIP() << "io_uring is not available here"

TEST(UringCommandRunner, OneCommandInFlightPerZoneInOrder) {
  Rig r;
  NEED_RING(r);
  r.zones = {0, 0, 1, 0, 1, 2, 2, 0};
  UringCommandRunner runner(r.ring->get(), 4, "test");
  const auto out = runner.Run(r.zones, r.prep, r.finish);
  for (const Status& s : out) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.order[0], (std::vector<size_t>{0, 1, 3, 7}));
  EXPECT_EQ(r.order[1], (std::vector<size_t>{2, 4}));
  EXPECT_EQ(r.order[2], (std::vector<size_t>{5, 6}));
}

// Regression: on a ring failure Run returned while commands were in flight
// (their range buffers freed under the device), and their completions were
// then read by the next run as its own.
TEST(UringCommandRunner, ARingFailureDrainsWhatIsInFlightBeforeReturning) {
  Rig r;
  NEED_RING(r);
  r.zones = {0, 1, 2, 0, 1, 2, 3, 3};
  int calls = 0;
  auto submit = [&](io_uring* ring, unsigned n) {
    // The first call submits without waiting (three timeouts now in the
    // kernel); the second fails as a broken ring would; later ones work.
    if (++calls == 1) return io_uring_submit(ring);
    if (calls == 2) return -EIO;
    return io_uring_submit_and_wait(ring, n);
  };
  UringCommandRunner runner(r.ring->get(), 3, "test", submit);
  const auto out = runner.Run(r.zones, r.prep, r.finish);
  EXPECT_FALSE(runner.ring_broken());
  // Three were in the kernel when submission failed: all three completed
  // before Run returned, and nothing else was submitted.
  EXPECT_EQ(r.finished, 3);
  int ok = 0, failed = 0;
  for (const Status& s : out) {
    if (s.ok()) {
      ++ok;
    } else {
      ++failed;
      EXPECT_EQ(s.code(), Code::kIoError) << s.ToString();
      EXPECT_NE(s.message().find("io_uring submit"), std::string::npos);
    }
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(failed, 5);
  io_uring_cqe* cqe;
  EXPECT_NE(io_uring_peek_cqe(r.ring->get(), &cqe), 0) << "no completion left behind";
}

TEST(UringCommandRunner, StaleCompletionsAreIgnoredNotIndexed) {
  Rig r;
  NEED_RING(r);
  // A completion left in the ring by someone else, with a huge user_data.
  io_uring_sqe* sqe = io_uring_get_sqe(r.ring->get());
  io_uring_prep_nop(sqe);
  sqe->user_data = 0xfffffffffull;
  ASSERT_EQ(io_uring_submit(r.ring->get()), 1);
  r.zones = {0, 1};
  UringCommandRunner runner(r.ring->get(), 2, "test");
  const auto out = runner.Run(r.zones, r.prep, r.finish);
  for (const Status& s : out) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(runner.stale_completions(), 1u);
  EXPECT_EQ(r.finished, 2);
}

TEST(UringCommandRunner, ARingThatCannotEvenWaitIsReportedBroken) {
  Rig r;
  NEED_RING(r);
  r.zones = {0, 1, 0};
  int calls = 0;
  auto submit = [&](io_uring* ring, unsigned) {
    if (++calls == 1) return io_uring_submit(ring);  // submitted, not waited for
    return -EBADF;
  };
  UringCommandRunner runner(r.ring->get(), 2, "test", submit);
  const auto out = runner.Run(r.zones, r.prep, r.finish);
  EXPECT_TRUE(runner.ring_broken());
  EXPECT_EQ(runner.abandoned().size(), 2u) << "the caller must keep their buffers";
  for (const Status& s : out) EXPECT_FALSE(s.ok());
  // Let the abandoned timeouts complete before the ring goes.
  for (int i = 0; i < 2; ++i) {
    io_uring_cqe* cqe;
    ASSERT_EQ(io_uring_wait_cqe(r.ring->get(), &cqe), 0);
    io_uring_cqe_seen(r.ring->get(), cqe);
  }
}

}  // namespace
}  // namespace zgc
