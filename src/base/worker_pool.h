// WorkerPool: a fixed set of threads that run submitted tasks in order of
// submission. It replaces a thread per task (std::async) on paths that run for
// every copy command: creating and joining threads there costs more than the
// work, and can fail mid-command. The threads start at the first Submit, so a
// pool that is never used (a copier that never falls back to read/write)
// costs none.
//
// Thread safety: Submit may be called from any thread. The destructor runs
// the tasks already submitted, then joins. Tasks must not throw (they return
// their outcome through the future). Nothing throws but bad_alloc: if the
// system refuses a thread, the pool runs with the threads it has, and with
// none, Submit runs the task on the caller's thread.
#ifndef ZGC_SRC_BASE_WORKER_POOL_H_
#define ZGC_SRC_BASE_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace zgc {

class WorkerPool {
 public:
  // Up to `threads` threads (at least one), started at the first Submit.
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs fn() on a worker; the future holds its result.
  template <typename F>
  auto Submit(F&& fn) -> std::future<decltype(fn())> {
    using T = decltype(fn());
    auto task = std::make_shared<std::packaged_task<T()>>(std::forward<F>(fn));
    std::future<T> result = task->get_future();
    bool inline_run = false;
    {
      std::lock_guard lock(mu_);
      if (!started_) Start();
      if (threads_.empty()) {
        inline_run = true;
      } else {
        queue_.emplace_back([task] { (*task)(); });
      }
    }
    if (inline_run) {
      (*task)();
    } else {
      cv_.notify_one();
    }
    return result;
  }

  // Threads running (0 before the first Submit).
  size_t size() const {
    std::lock_guard lock(mu_);
    return threads_.size();
  }

 private:
  void Start();  // under mu_
  void Loop();
  const unsigned max_threads_;
  bool started_ = false;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace zgc

#endif  // ZGC_SRC_BASE_WORKER_POOL_H_
