// A watchdog for sweeps: a round that makes no progress for `limit` (a
// writer waiting for good, recovery looping) fails the whole test run with
// a message saying where, instead of hanging CI until its timeout.
#ifndef ZGC_TEST_SUPPORT_WATCHDOG_H_
#define ZGC_TEST_SUPPORT_WATCHDOG_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace zgc::testing {

class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { Watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Something happened; `where` names it if the next step never comes.
  void Progress(const std::string& where) {
    std::lock_guard lock(mu_);
    where_ = where;
    last_ = std::chrono::steady_clock::now();
  }

 private:
  void Watch() {
    std::unique_lock lock(mu_);
    while (!done_) {
      cv_.wait_for(lock, std::chrono::seconds(1));
      if (!done_ && std::chrono::steady_clock::now() - last_ > limit_) {
        std::fprintf(stderr, "watchdog: no progress for %lld s at %s\n",
                     static_cast<long long>(limit_.count()), where_.c_str());
        std::fflush(stderr);
        std::abort();
      }
    }
  }
  const std::chrono::seconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string where_ = "start";
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace zgc::testing

#endif  // ZGC_TEST_SUPPORT_WATCHDOG_H_
