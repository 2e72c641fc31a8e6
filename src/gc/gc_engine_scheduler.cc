// GcEngineImpl: the background scheduler (watermarks, rate limit, pause, stop).
#include <chrono>

#include "src/gc/gc_engine_impl.h"

namespace zgc {

Status GcEngineImpl::Start() {
  std::lock_guard lock(mu_);
  if (bg_.joinable()) return Status::Busy("the GC scheduler is already running");
  stop_ = paused_ = false;
  bg_error_ = Status::OK();
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
  {
    std::lock_guard lock(mu_);
    if (!bg_.joinable()) return Status::OK();
    stop_ = true;
    wake_.notify_all();
  }
  bg_.join();
  std::lock_guard lock(mu_);
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
  if (bg_.joinable() && lists_.free_count() < opt_.low_watermark) wake_.notify_all();
}

}  // namespace zgc
