// WorkerPool: a fixed set of threads, created once, that run submitted tasks
// in order of submission. It replaces a thread per task (std::async) on paths
// that run for every copy command: creating and joining threads there costs
// more than the work, and can fail mid-command.
//
// Thread safety: Submit may be called from any thread. The destructor runs
// the tasks already submitted, then joins. Tasks must not throw (they return
// their outcome through the future).
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
  // Starts `threads` threads (at least one). Throws std::system_error only if
  // the system refuses to create a thread.
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
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return result;
  }

  size_t size() const { return threads_.size(); }

 private:
  void Loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace zgc

#endif  // ZGC_SRC_BASE_WORKER_POOL_H_
