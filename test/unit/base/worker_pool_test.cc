#include "src/base/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

namespace zgc {
namespace {

TEST(WorkerPool, RunsTasksOnItsOwnThreadsAndReturnsTheirResults) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.size(), 0u) << "no threads until there is work";
  std::vector<std::future<std::thread::id>> ids;
  for (int i = 0; i < 64; ++i)
    ids.push_back(pool.Submit([] { return std::this_thread::get_id(); }));
  EXPECT_EQ(pool.size(), 3u);
  std::set<std::thread::id> seen;
  for (auto& f : ids) seen.insert(f.get());
  EXPECT_LE(seen.size(), 3u) << "no thread per task";
  EXPECT_EQ(seen.count(std::this_thread::get_id()), 0u);
}

TEST(WorkerPool, APoolNeverUsedStartsNoThreadAndDestroysCleanly) {
  for (int i = 0; i < 100; ++i) {
    WorkerPool pool(8);
    EXPECT_EQ(pool.size(), 0u);
  }
}

TEST(WorkerPool, TheDestructorRunsWhatWasSubmitted) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1);
    for (int i = 0; i < 100; ++i) (void)pool.Submit([&] { return ++ran; });
  }
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace zgc
