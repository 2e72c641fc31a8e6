// PutLe/GetLe: fixed-width integers in little-endian byte order, whatever the
// host's, for every on-device format (docs/FORMAT.md).
#ifndef ZGC_SRC_BASE_LITTLE_ENDIAN_H_
#define ZGC_SRC_BASE_LITTLE_ENDIAN_H_

#include <cstddef>
#include <cstdint>

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

}  // namespace zgc

#endif  // ZGC_SRC_BASE_LITTLE_ENDIAN_H_
