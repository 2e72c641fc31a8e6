// LogZoneParser: reads one log zone's written bytes strictly (format version
// 2). A power cut keeps a prefix of a zone's blocks, so below the write
// pointer every byte is a record, a pad, or garbage a later resume or seal
// record vouches for (a tail a cut tore, appended after on reopen); the only
// other thing allowed is a record the write pointer cuts off at the very
// end. Anything else is corruption, reported with the device offset.
#ifndef ZGC_SRC_META_LOG_ZONE_PARSER_H_
#define ZGC_SRC_META_LOG_ZONE_PARSER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "src/meta/log_format.h"
#include "zgc/status.h"

namespace zgc {

struct ParsedZone {
  log_format::ZoneHeader header;
  // The checkpoint bytes this zone holds (kCheckpoint/kContinued), in order.
  std::vector<std::span<const std::byte>> chunks;
  uint64_t chunk_bytes = 0;
  bool chunks_complete = false;  // every chunk the layout puts in this zone is here
  bool ends_checkpoint = false;  // the layout ends the checkpoint in this zone
  struct Rec {
    uint64_t seq;
    uint8_t type;
    std::span<const std::byte> payload;
    uint64_t at;  // device offset
  };
  std::vector<Rec> records;  // the owner's, in sequence order
  uint64_t next_seq = 0;     // after the last record (the first expected next)
  // kFinished: a full zone whose bytes after the last record are zeroes to
  // its end: finished by the device or an operator where the writer would
  // have sealed it. Its log ends there, as a seal would say.
  enum class End { kClean, kTorn, kSealed, kFinished } end = End::kClean;
  uint64_t torn_at = 0;  // kTorn: device offset of the first byte not part of the log
  uint64_t data_end = 0;  // bytes from the zone start up to where its log ends
};

// `data`: the zone's written bytes from its start (the header block first);
// `zone_start`, `capacity`: the zone's; `where`: the device, for messages.
Result<ParsedZone> ParseLogZone(std::span<const std::byte> data, const log_format::ZoneHeader& h,
                                uint64_t zone_start, uint64_t capacity, uint32_t lbs,
                                const std::string& where);

}  // namespace zgc

#endif  // ZGC_SRC_META_LOG_ZONE_PARSER_H_
