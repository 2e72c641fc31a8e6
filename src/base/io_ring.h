// io_uring rings: an RAII ring and a pool of them so concurrent callers of a
// device each get a ring of their own without creating one per call.
#ifndef ZGC_SRC_BASE_IO_RING_H_
#define ZGC_SRC_BASE_IO_RING_H_

#include <liburing.h>

#include <memory>
#include <mutex>
#include <vector>

#include "zgc/status.h"

namespace zgc {

class IoRing {
 public:
  // kNotSupported if the kernel has no io_uring (or it is disabled).
  static Result<std::unique_ptr<IoRing>> Create(unsigned entries, unsigned flags = 0);
  ~IoRing() {
    if (live_) io_uring_queue_exit(&ring_);
  }
  IoRing(const IoRing&) = delete;
  IoRing& operator=(const IoRing&) = delete;

  io_uring* get() { return &ring_; }

  // Reads or writes all n bytes at off (one SQE at a time, resubmitting the rest
  // after a short transfer); returns 0 or a negative errno.
  int ReadWrite(bool write, int fd, void* buf, size_t n, uint64_t off);

 private:
  IoRing() = default;
  io_uring ring_{};
  bool live_ = false;  // queue_init succeeded
};

class IoRingPool {
 public:
  explicit IoRingPool(unsigned entries) : entries_(entries) {}

  // A ring for the caller's exclusive use until the returned handle dies.
  class Lease {
   public:
    Lease(IoRingPool* pool, std::unique_ptr<IoRing> ring) : pool_(pool), ring_(std::move(ring)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (ring_) pool_->Return(std::move(ring_));
    }
    IoRing* operator->() { return ring_.get(); }

   private:
    IoRingPool* pool_;
    std::unique_ptr<IoRing> ring_;
  };
  Result<Lease> Acquire();

 private:
  void Return(std::unique_ptr<IoRing> ring);
  const unsigned entries_;
  std::mutex mu_;
  std::vector<std::unique_ptr<IoRing>> idle_;
};

}  // namespace zgc

#endif  // ZGC_SRC_BASE_IO_RING_H_
