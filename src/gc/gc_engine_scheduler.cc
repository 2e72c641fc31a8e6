// GcEngineImpl: the background scheduler (watermarks, rate limit, pause, stop).
#include <chrono>

#include "src/gc/gc_engine_impl.h"

namespace zgc {

Status GcEngineImpl::Reentered(const char* call) const {
  return Status::Busy(std::string(call) +
                      " called from inside the owner's Relocate or DiesAt: it would wait for the "
                      "collection that is calling the owner (see the lock rules in gc.h)");
}

Status GcEngineImpl::Start() {
  if (InOwnerCallback()) return Reentered("Start");
  std::lock_guard stop_lock(stop_mu_);
  std::lock_guard lock(mu_);
  if (running_) return Status::Busy("the GC scheduler is already running");
  if (bg_.joinable()) bg_.join();  // a scheduler that was stopped, not yet joined (cannot happen)
  stop_ = paused_ = false;
  bg_error_ = Status::OK();
  running_ = true;
  bg_ = std::thread([this] { Background(); });
  return Status::OK();
}

void GcEngineImpl::Pause() {
  std::lock_guard lock(mu_);
  paused_ = true;
}

void GcEngineImpl::Resume() {
  std::lock_guard lock(mu_);
  paused_ = false;
  wake_.notify_all();
}

Status GcEngineImpl::Stop() {
  if (InOwnerCallback()) return Reentered("Stop");
  // A second Stop (or the destructor) waits here for the first to join.
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    if (!running_) return bg_error_;
    stop_ = true;
    wake_.notify_all();
  }
  bg_.join();
  std::lock_guard lock(mu_);
  running_ = false;
  return bg_error_;
}

void GcEngineImpl::Background() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock,
               [&] { return stop_ || (!paused_ && lists_.free_count() < opt_.low_watermark); });
    if (stop_) return;
    while (!stop_ && !paused_ && lists_.free_count() < opt_.high_watermark) {
      const uint64_t before = stats_.relocated_bytes;
      Status s = Collect(lock);
      if (!s.ok()) {
        if (s.code() != Code::kNoSpace && bg_error_.ok()) bg_error_ = s;
        // Nothing to reclaim now: wait for the owner to free something.
        wake_.wait_for(lock, std::chrono::milliseconds(10), [&] { return stop_; });
        break;
      }
      ++stats_.background_collections;
      if (opt_.rate_limit) {
        const auto pause = std::chrono::duration<double>(double(stats_.relocated_bytes - before) /
                                                         double(opt_.rate_limit));
        wake_.wait_for(lock, pause, [&] { return stop_; });
      }
    }
  }
}

void GcEngineImpl::Nudge() {
  if (running_ && lists_.free_count() < opt_.low_watermark) wake_.notify_all();
}

}  // namespace zgc
