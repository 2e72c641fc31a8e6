// The engine's two parallel patterns behind one call each, so that a build
// without oneTBB (ZGC_NO_TBB: the TSan build, whose reports inside Debian's
// uninstrumented TBB mean nothing) runs the very same code paths on plain
// threads that TSan understands.
//
// ParallelInvoke(tasks): runs every task, concurrently, and returns when all
// have finished. ParallelReduce(n, grain, identity, scan, join): splits
// [0, n) into pieces of at least `grain`, scans each (scan(lo, hi, T) -> T)
// and joins the partial results in index order.
//
// Thread safety: the tasks must be safe to run concurrently with each other.
#ifndef ZGC_SRC_BASE_PARALLEL_H_
#define ZGC_SRC_BASE_PARALLEL_H_

#include <algorithm>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

#ifndef ZGC_NO_TBB
#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_group.h>
#endif

namespace zgc {

inline void ParallelInvoke(std::vector<std::function<void()>>& tasks) {
  if (tasks.size() == 1) {
    tasks[0]();
    return;
  }
#ifndef ZGC_NO_TBB
  tbb::task_group tg;
  for (auto& t : tasks) tg.run([&t] { t(); });
  tg.wait();
#else
  std::vector<std::thread> threads;
  threads.reserve(tasks.size() - 1);
  for (size_t i = 1; i < tasks.size(); ++i) threads.emplace_back([&tasks, i] { tasks[i](); });
  tasks[0]();
  for (std::thread& t : threads) t.join();
#endif
}

template <typename T, typename Scan, typename Join>
T ParallelReduce(size_t n, size_t grain, T identity, const Scan& scan, const Join& join) {
#ifndef ZGC_NO_TBB
  return tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, n, grain), identity,
      [&](const tbb::blocked_range<size_t>& r, T acc) { return scan(r.begin(), r.end(), acc); },
      join);
#else
  const size_t parts = std::clamp<size_t>(n / std::max<size_t>(grain, 1), 1, 4);
  std::vector<T> partial(parts, identity);
  std::vector<std::function<void()>> tasks;
  for (size_t p = 0; p < parts; ++p)
    tasks.push_back([&, p] { partial[p] = scan(n * p / parts, n * (p + 1) / parts, identity); });
  ParallelInvoke(tasks);
  T acc = identity;
  for (const T& part : partial) acc = join(acc, part);
  return acc;
#endif
}

}  // namespace zgc

#endif  // ZGC_SRC_BASE_PARALLEL_H_
