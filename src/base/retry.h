// RetryOnEintr: a system call interrupted by a signal is retried, never
// reported. EINTR is not a failure of the device or of the caller's request,
// so no zgc call returns it (errno_status.cc maps a stray one to kIoError).
#ifndef ZGC_SRC_BASE_RETRY_H_
#define ZGC_SRC_BASE_RETRY_H_

#include <cerrno>
#include <utility>

namespace zgc {

// Calls f() until it does not fail with -1 and errno EINTR.
template <typename F>
auto RetryOnEintr(F&& f) {
  auto r = f();
  while (r < 0 && errno == EINTR) r = f();
  return r;
}

}  // namespace zgc

#endif  // ZGC_SRC_BASE_RETRY_H_
