// The metadata log's on-device structures (docs/FORMAT.md): superblock, log
// zone header, record. Encoding and validation only; no I/O.
#ifndef ZGC_SRC_META_LOG_FORMAT_H_
#define ZGC_SRC_META_LOG_FORMAT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "zgc/status.h"

namespace zgc::log_format {

inline constexpr uint32_t kVersion = 1;
inline constexpr uint64_t kSuperMagic = 0x4253474f4c43475aull;  // "ZGCLOGSB"
inline constexpr uint64_t kZoneMagic = 0x485a474f4c43475aull;   // "ZGCLOGZH"
inline constexpr uint32_t kRecordMagic = 0x4345525aul;          // "ZREC"
inline constexpr size_t kMaxConfig = 1024;
inline constexpr size_t kRecordHeader = 24;
inline constexpr size_t kZoneHeader = 52;
inline constexpr uint8_t kCheckpointChunk = 0xF0;
inline constexpr size_t kChunkHeader = 24;  // last_seq, total, offset

struct Superblock {
  uint32_t version = kVersion;
  uint32_t bytes = 4096;  // of one copy
  uint32_t lbs = 0;
  uint32_t zones = 0;
  uint64_t zone_size = 0;
  uint32_t first_zone = 0;
  uint64_t format_id = 0;  // ties log zones to this log, not an older one
  std::vector<std::byte> config;
};
// One copy, `sb.bytes` long, checksummed.
std::vector<std::byte> EncodeSuperblock(const Superblock& sb);
// kCorruption (magic, checksum, lengths) or kNotSupported (newer version);
// `where` names the copy in messages.
Result<Superblock> DecodeSuperblock(std::span<const std::byte> b, const std::string& where);

struct ZoneHeader {
  uint64_t format_id = 0;
  uint64_t epoch = 0;       // increases with every zone the log starts
  uint64_t first_seq = 0;   // the sequence number of the zone's first record
  uint64_t prev_epoch = 0;  // the zone before it in the log (0: none)
};
// `block` bytes (a logical block), the header first, zeroes after.
std::vector<std::byte> EncodeZoneHeader(const ZoneHeader& h, size_t block);
Result<ZoneHeader> DecodeZoneHeader(std::span<const std::byte> b, const std::string& where);

// A record's bytes: header, payload, zero padding to 8 bytes.
size_t RecordBytes(size_t payload);
void AppendRecord(std::vector<std::byte>& out, uint64_t seq, uint8_t type,
                  std::span<const std::byte> payload);

// Parses the record at `b` (the rest of a zone's written bytes). Sets `size`
// (with padding) on success; fails when the bytes are not a whole valid
// record (torn, zeroes, checksum).
struct ParsedRecord {
  uint64_t seq = 0;
  uint8_t type = 0;
  std::span<const std::byte> payload;
  size_t size = 0;
};
Result<ParsedRecord> ParseRecord(std::span<const std::byte> b);

}  // namespace zgc::log_format

#endif  // ZGC_SRC_META_LOG_FORMAT_H_
