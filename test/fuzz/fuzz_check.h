// Helpers shared by the fuzz targets: invariant checks that abort (libFuzzer
// then saves the input as a crash), and a guard that turns an escaping
// exception into a named crash.
#ifndef ZGC_TEST_FUZZ_FUZZ_CHECK_H_
#define ZGC_TEST_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "zgc/status.h"

// Aborts with the condition and location when `cond` is false.
#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

// As FUZZ_CHECK, printing `what` (a std::string) as well.
#define FUZZ_CHECK_MSG(cond, what)                                                   \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: invariant broken: %s: %s\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                       \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

namespace zgc::fuzz {

// A failed call must say why: a code other than kOk and kInternal (kInternal
// means a broken invariant inside zgc) and a non-empty message.
inline void CheckFailure(const Status& s) {
  FUZZ_CHECK(!s.ok());
  FUZZ_CHECK_MSG(s.code() != Code::kInternal, s.ToString());
  FUZZ_CHECK_MSG(!s.message().empty(), s.ToString());
}

// Any status: OK, or a failure that says why.
inline void CheckStatus(const Status& s) {
  if (!s.ok()) CheckFailure(s);
}

// Runs body(); an exception escaping it is a crash that names it.
template <typename F>
int Guard(F&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "uncaught exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "uncaught exception of unknown type\n");
    std::abort();
  }
  return 0;
}

// Copies as much of `src` as fits to the front of `dst` (either may be
// empty: memcpy is never given a null pointer).
inline void CopyPrefix(std::byte* dst, size_t dst_size, std::string_view src) {
  const size_t n = dst_size < src.size() ? dst_size : src.size();
  if (n) std::memcpy(dst, src.data(), n);
}

// Reads input bytes from the front, zero past the end.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint8_t Byte() { return n_ ? (--n_, *p_++) : 0; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(Byte()) << (8 * i);
    return v;
  }
  // The rest of the input.
  std::string_view Rest() const { return {reinterpret_cast<const char*>(p_), n_}; }
  size_t size() const { return n_; }

 private:
  const uint8_t* p_;
  size_t n_;
};

}  // namespace zgc::fuzz

#endif  // ZGC_TEST_FUZZ_FUZZ_CHECK_H_
