// The metadata log's on-device structures (docs/FORMAT.md, section 2, format
// version 2): superblock, log zone header, record framing, and the layout of
// a checkpoint's chunks in its zones. Encoding and validation only; no I/O.
#ifndef ZGC_SRC_META_LOG_FORMAT_H_
#define ZGC_SRC_META_LOG_FORMAT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "zgc/status.h"

namespace zgc::log_format {

inline constexpr uint32_t kVersion = 2;
inline constexpr uint64_t kSuperMagic = 0x4253474f4c43475aull;  // "ZGCLOGSB"
inline constexpr uint64_t kZoneMagic = 0x485a474f4c43475aull;   // "ZGCLOGZH"
inline constexpr uint32_t kRecordMagic = 0x4345525aul;          // "ZREC"
inline constexpr uint64_t kShortPad = 0x444150535a47435aull;    // "ZCGZSPAD": fills < 32 bytes
inline constexpr size_t kMaxConfig = 1024;
inline constexpr size_t kSuperblockHeader = 64;  // fields before the config
inline constexpr size_t kRecordHeader = 32;
inline constexpr size_t kZoneHeader = 68;
// Record types the log keeps for itself (owners use 1..kMaxLogRecordType).
inline constexpr uint8_t kCheckpointChunk = 0xF0;  // payload: offset u64, checkpoint bytes
inline constexpr uint8_t kResume = 0xF1;  // appends resume after a torn tail: torn_at u64
inline constexpr uint8_t kSeal = 0xF2;    // the zone's log ends here: torn_at u64 (0: none)
inline constexpr uint8_t kPad = 0xF3;     // fills a group to its block's end
inline constexpr size_t kChunkHeader = 8;
inline constexpr uint64_t kMaxChunk = 1 << 20;  // checkpoint bytes per chunk record

struct Superblock {
  uint32_t version = kVersion;
  uint32_t bytes = 4096;  // of one copy
  uint32_t lbs = 0;
  uint32_t zones = 0;  // the superblock zone included
  uint64_t zone_size = 0;
  uint32_t first_zone = 0;
  uint64_t format_id = 0;             // ties log zones to this log, not an older one
  uint64_t max_checkpoint_bytes = 0;  // the owner's bound on a snapshot: sizes the log
  std::vector<std::byte> config;
};
// One copy, `sb.bytes` long, checksummed.
std::vector<std::byte> EncodeSuperblock(const Superblock& sb);
// kCorruption (magic, checksum, lengths, impossible fields) or kNotSupported
// (another format version); `where` names the copy in messages.
Result<Superblock> DecodeSuperblock(std::span<const std::byte> b, const std::string& where);

enum class ZoneKind : uint32_t {
  kCheckpoint = 1,  // begins a checkpoint (its first chunk is the zone's first record)
  kContinued = 2,   // continues the checkpoint of the zone before it
  kRecords = 3,     // records only, after the zone before it
};
struct ZoneHeader {
  uint64_t format_id = 0;
  uint64_t epoch = 0;       // larger for every zone the log starts; never 0
  uint64_t prev_epoch = 0;  // the zone before it in the log (0: none); below epoch
  // kCheckpoint/kContinued: the first record after the checkpoint (the
  // checkpoint covers every record before it). kRecords: the zone's first record.
  uint64_t first_seq = 0;
  ZoneKind kind = ZoneKind::kRecords;
  uint64_t ckpt_total = 0;   // the checkpoint's bytes (kCheckpoint/kContinued)
  uint64_t ckpt_offset = 0;  // its bytes in zones before this one (0 for kCheckpoint)
};
// `block` bytes (a logical block), the header first, zeroes after.
std::vector<std::byte> EncodeZoneHeader(const ZoneHeader& h, size_t block);
// kCorruption (magic, checksum, impossible fields) or kNotSupported (another version).
Result<ZoneHeader> DecodeZoneHeader(std::span<const std::byte> b, const std::string& where);

// A record's bytes: header, payload, zero padding to 8 bytes.
size_t RecordBytes(size_t payload);
void AppendRecord(std::vector<std::byte>& out, uint64_t seq, uint8_t type,
                  std::span<const std::byte> payload);
// Fills `out` to the next multiple of `block` (a pad record, or a short pad
// where fewer than a record header's bytes are left).
void PadToBlock(std::vector<std::byte>& out, size_t block);

struct ParsedRecord {
  uint64_t seq = 0;
  uint8_t type = 0;
  std::span<const std::byte> payload;
  size_t size = 0;  // with its padding
};
// What lies at the start of `b` (the rest of a zone's written bytes):
// kRecord, a short pad (skip `size` bytes), a record torn by the end of the
// written bytes (the header, or the record it announces, reaches past it), or
// bytes that are none of these (`why`).
struct Parsed {
  enum Kind { kRecord, kShortPad, kTorn, kBad } kind = kBad;
  ParsedRecord record;
  size_t size = 0;
  std::string why;
};
// `block`: the logical block size (a short pad runs to a block's end).
Parsed Parse(std::span<const std::byte> b, size_t pos, size_t block);

// The checkpoint's layout: chunk sizes that fit in a zone of `capacity`
// bytes (after its header block) starting `offset` bytes into a checkpoint of
// `total` bytes, and where they end. Records may follow the last chunk.
struct ChunkPlan {
  std::vector<uint64_t> sizes;
  uint64_t end = 0;  // byte offset in the zone after the last chunk
};
ChunkPlan PlanChunks(uint64_t total, uint64_t offset, uint64_t capacity, uint32_t lbs);
// The zones a checkpoint of `total` bytes spans in zones of `capacity` bytes;
// 0 if a zone cannot hold one chunk.
uint32_t CheckpointZones(uint64_t total, uint64_t capacity, uint32_t lbs);
// The fewest log zones (the superblock zone excluded) that always let the log
// roll: a checkpoint's K zones twice, and one for records.
inline uint64_t MinLogZones(uint32_t checkpoint_zones) { return 2ull * checkpoint_zones + 1; }

}  // namespace zgc::log_format

#endif  // ZGC_SRC_META_LOG_FORMAT_H_
