// GcEngineImpl: the background scheduler (watermarks, rate limit, pause, stop).
#include <algorithm>
#include <chrono>
#include <utility>

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
  wake_.notify_all();
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
    if (!running_) return std::exchange(bg_error_, Status::OK());
    stop_ = true;
    wake_.notify_all();
  }
  bg_.join();
  std::lock_guard lock(mu_);
  running_ = false;
  // Reported once: a later Stop (or Check, or Close) does not fail again for it.
  return std::exchange(bg_error_, Status::OK());
}

void GcEngineImpl::Background() {
  using std::chrono::milliseconds;
  std::unique_lock lock(mu_);
  auto backoff = milliseconds(10);
  auto wanted = [&] {
    return lists_.free_count() < opt_.low_watermark ||
           (!evacuate_.empty() && lists_.free_count() > opt_.reserve_zones);
  };
  while (true) {
    wake_.wait(lock, [&] { return stop_ || (!paused_ && wanted()); });
    if (stop_) return;
    uint32_t futile = 0;
    while (!stop_ && !paused_ &&
           (lists_.free_count() < opt_.high_watermark ||
            (!evacuate_.empty() && lists_.free_count() > opt_.reserve_zones))) {
      const uint64_t before = stats_.relocated_bytes;
      const uint32_t free_before = lists_.free_count();
      const size_t evacuating = evacuate_.size();
      Status s = RepairLocked();
      if (s.ok()) s = Collect(lock, /*background=*/true);
      if (!s.ok()) {
        if (s.code() != Code::kNoSpace) {
          if (bg_error_.ok()) bg_error_ = s;
          ++stats_.background_errors;
          // Back off, doubling up to a second: an owner or device that keeps
          // failing is not hammered (nor its zones filled with copies).
          wake_.wait_for(lock, backoff, [&] { return stop_; });
          backoff = std::min(backoff * 2, milliseconds(1000));
        } else {
          // Nothing to reclaim now: wait for the owner to free something.
          wake_.wait_for(lock, milliseconds(10), [&] { return stop_; });
        }
        break;
      }
      backoff = milliseconds(10);
      ++stats_.background_collections;
      // A collection that gained no free zone (an entirely live victim, a
      // moving target) is not repeated until the owner changes something.
      const bool gained = lists_.free_count() > free_before || evacuate_.size() < evacuating;
      futile = gained ? 0 : futile + 1;
      if (futile >= 2) {
        const uint64_t seen = changes_;
        waiting_for_change_ = true;
        wake_.wait(lock, [&] { return stop_ || paused_ || changes_ != seen; });
        waiting_for_change_ = false;
        futile = 0;
      }
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
