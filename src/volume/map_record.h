// The volume's map records in its metadata log (docs/FORMAT.md, section 3):
// encoding and decoding only, no I/O.
//
// A record says "logical block L now lives at device block P" (P + 1 stored,
// 0 for unmapped) for a set of blocks. Type 3, the one written, groups the
// entries in runs of consecutive device blocks, so a 4 KiB write costs 4
// bytes of log and a relocated zone about 4 bytes per block; types 1 and 2
// (one pair per block, u64 and u32) are still read.
#ifndef ZGC_SRC_VOLUME_MAP_RECORD_H_
#define ZGC_SRC_VOLUME_MAP_RECORD_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "zgc/status.h"

namespace zgc::map_record {

inline constexpr uint8_t kPairs64 = 1;  // {lba u64, pba1 u64}..., read only
inline constexpr uint8_t kPairs32 = 2;  // {lba u32, pba1 u32}..., read only
inline constexpr uint8_t kRuns = 3;     // written: see EncodeRuns

struct Entry {
  uint32_t lba;
  uint32_t pba1;  // device block + 1; 0: unmapped
};

// Type 3 payload for `entries`, applied in order: an entry overrides an
// earlier one for the same block, so only each block's last survives, and
// the order of the survivors does not matter. Runs: {first pba1 u32, count
// u32, count x lba u32}; a run of first pba1 0 unmaps its blocks, any other
// maps its i-th block to first pba1 + i. Reorders `entries`.
std::vector<std::byte> EncodeRuns(std::vector<Entry>& entries);

// Decodes a record of type 1, 2 or 3, calling `apply(lba, pba1)` per entry
// (in an order that gives the record's meaning when applied in turn). Stops
// with kCorruption (wrong type, a payload that is not whole entries or runs)
// before calling `apply` for anything of a malformed record. Range checks are
// the caller's.
Status Decode(uint8_t type, std::span<const std::byte> payload,
              const std::function<Status(uint64_t lba, uint64_t pba1)>& apply);

}  // namespace zgc::map_record

#endif  // ZGC_SRC_VOLUME_MAP_RECORD_H_
