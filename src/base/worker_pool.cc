#include "src/base/worker_pool.h"

#include <algorithm>
#include <system_error>

namespace zgc {

WorkerPool::WorkerPool(unsigned threads) : max_threads_(std::max(threads, 1u)) {}

void WorkerPool::Start() {
  started_ = true;
  threads_.reserve(max_threads_);
  for (unsigned i = 0; i < max_threads_; ++i) {
    try {
      threads_.emplace_back([this] { Loop(); });
    } catch (const std::system_error&) {
      break;  // run with the threads there are (none: Submit runs tasks inline)
    }
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to run
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace zgc
