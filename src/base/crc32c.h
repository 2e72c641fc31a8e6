// CRC-32C (Castagnoli), the checksum of zgc's on-media metadata.
#ifndef ZGC_SRC_BASE_CRC32C_H_
#define ZGC_SRC_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace zgc {

// Extends `crc` (0 to start) over n bytes: with the CPU's crc32 instruction
// where there is one (x86-64 SSE4.2), else a table.
uint32_t Crc32c(uint32_t crc, const void* data, size_t n);
// The table version alone (the reference the fast one is tested against).
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t n);

}  // namespace zgc

#endif  // ZGC_SRC_BASE_CRC32C_H_
