#include "src/base/io_ring.h"

#include "src/base/errno_status.h"

namespace zgc {

Result<std::unique_ptr<IoRing>> IoRing::Create(unsigned entries, unsigned flags) {
  std::unique_ptr<IoRing> r(new IoRing());
  const int ret = io_uring_queue_init(entries, &r->ring_, flags);
  if (ret < 0) return ErrnoStatus(-ret, "io_uring_queue_init");
  r->live_ = true;
  return r;
}

int IoRing::ReadWrite(bool write, int fd, void* buf, size_t n, uint64_t off) {
  auto* p = static_cast<char*>(buf);
  while (n) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe) return -EBUSY;
    if (write) {
      io_uring_prep_write(sqe, fd, p, static_cast<unsigned>(std::min<size_t>(n, 1u << 30)), off);
    } else {
      io_uring_prep_read(sqe, fd, p, static_cast<unsigned>(std::min<size_t>(n, 1u << 30)), off);
    }
    int ret = io_uring_submit(&ring_);
    if (ret < 0) return ret;
    io_uring_cqe* cqe = nullptr;
    do {
      ret = io_uring_wait_cqe(&ring_, &cqe);
    } while (ret == -EINTR);
    if (ret < 0) return ret;
    const int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    if (res < 0) return res;
    if (res == 0) return write ? -ENOSPC : -EIO;  // no progress: the end of the device
    p += res, n -= res, off += res;
  }
  return 0;
}

Result<IoRingPool::Lease> IoRingPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto ring = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(ring));
    }
  }
  ZGC_ASSIGN_OR_RETURN(std::unique_ptr<IoRing> ring, IoRing::Create(entries_));
  return Lease(this, std::move(ring));
}

void IoRingPool::Return(std::unique_ptr<IoRing> ring) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(ring));
}

}  // namespace zgc
