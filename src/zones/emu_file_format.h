// The layout of an emulated zoned device file (version 1), little-endian:
//   [0, 4096)            header: magic, version, geometry, offsets; CRC-32C in its last 4 bytes
//   [4096, +32*zones)    zone table: one 32-byte record per zone {wp u64, cond u8, type u8,
//                        reserved, CRC-32C(zone index || first 28 bytes) u32}
//   [data_offset, +zone_size*zones)  zone data, data_offset aligned to 1 MiB
// A record is rewritten after every state change, after the data it covers, so a
// crash loses at most the last unacknowledged write, as on a device.
#ifndef ZGC_SRC_ZONES_EMU_FILE_FORMAT_H_
#define ZGC_SRC_ZONES_EMU_FILE_FORMAT_H_

#include <array>
#include <cstdint>
#include <string>

#include "src/zones/emu_geometry.h"
#include "zgc/zone.h"

namespace zgc::emu_format {

inline constexpr uint32_t kVersion = 1;
inline constexpr uint64_t kHeaderBytes = 4096;
inline constexpr uint64_t kRecordBytes = 32;
inline constexpr uint64_t kDataAlign = 1 << 20;

using HeaderBlock = std::array<unsigned char, kHeaderBytes>;
using Record = std::array<unsigned char, kRecordBytes>;

uint64_t DataOffset(const EmuGeometry& g);
uint64_t FileBytes(const EmuGeometry& g);

HeaderBlock EncodeHeader(const EmuGeometry& g);
// kCorruption naming what is wrong (magic, version, checksum, geometry); `file` is
// used in messages.
Result<EmuGeometry> DecodeHeader(const HeaderBlock& block, const std::string& file);

Record EncodeRecord(uint32_t index, const Zone& zone);
// Rebuilds zone `index` of geometry g from its record; kCorruption on a bad checksum
// or a condition/write pointer that no device could report.
Result<Zone> DecodeRecord(const EmuGeometry& g, uint32_t index, const Record& rec,
                          const std::string& file);

// The zone as created: empty (sequential) or not-write-pointer (conventional).
Zone InitialZone(const EmuGeometry& g, uint32_t index);

}  // namespace zgc::emu_format

#endif  // ZGC_SRC_ZONES_EMU_FILE_FORMAT_H_
