// PutLe/GetLe: fixed-width integers in little-endian byte order, whatever the
// host's, for every on-device format (docs/FORMAT.md).
#ifndef ZGC_SRC_BASE_LITTLE_ENDIAN_H_
#define ZGC_SRC_BASE_LITTLE_ENDIAN_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace zgc {

template <typename T, typename Byte>
void PutLe(Byte* p, T v) {
  static_assert(sizeof(Byte) == 1);
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<Byte>(uint64_t(v) >> (8 * i));
}

template <typename T, typename Byte>
T GetLe(const Byte* p) {
  static_assert(sizeof(Byte) == 1);
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t(static_cast<uint8_t>(p[i])) << (8 * i);
  return static_cast<T>(v);
}

// n u32 values to and from little-endian bytes: a plain copy on a
// little-endian host (a checkpoint of a large map is millions of them).
inline void PutLeU32s(std::byte* p, const uint32_t* v, size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    if (n) std::memcpy(p, v, n * 4);
  } else {
    for (size_t i = 0; i < n; ++i) PutLe<uint32_t>(p + 4 * i, v[i]);
  }
}
inline void GetLeU32s(const std::byte* p, uint32_t* v, size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    if (n) std::memcpy(v, p, n * 4);
  } else {
    for (size_t i = 0; i < n; ++i) v[i] = GetLe<uint32_t>(p + 4 * i);
  }
}

}  // namespace zgc

#endif  // ZGC_SRC_BASE_LITTLE_ENDIAN_H_
