// Zone descriptors, in bytes, with the Linux kernel's type and condition values
// (BLK_ZONE_TYPE_* and BLK_ZONE_COND_* from <linux/blkzoned.h>).
//
// Contract: `wp` is meaningful only for zones that have a write pointer and are
// not full, read-only or offline; for all others zgc reports wp = start + size,
// the convention the kernel's SCSI and null_blk drivers use, whatever the device
// returned.
//
// Thread safety: plain values.
#ifndef ZGC_ZONE_H_
#define ZGC_ZONE_H_

#include <cstdint>
#include <string_view>

namespace zgc {

enum class ZoneType : uint8_t {
  kConventional = 0x1,       // BLK_ZONE_TYPE_CONVENTIONAL
  kSeqWriteRequired = 0x2,   // BLK_ZONE_TYPE_SEQWRITE_REQ
  kSeqWritePreferred = 0x3,  // BLK_ZONE_TYPE_SEQWRITE_PREF
};

enum class ZoneCondition : uint8_t {
  kNotWp = 0x0,         // BLK_ZONE_COND_NOT_WP (conventional)
  kEmpty = 0x1,         // BLK_ZONE_COND_EMPTY
  kImplicitOpen = 0x2,  // BLK_ZONE_COND_IMP_OPEN
  kExplicitOpen = 0x3,  // BLK_ZONE_COND_EXP_OPEN
  kClosed = 0x4,        // BLK_ZONE_COND_CLOSED
  kReadOnly = 0xD,      // BLK_ZONE_COND_READONLY
  kFull = 0xE,          // BLK_ZONE_COND_FULL
  kOffline = 0xF,       // BLK_ZONE_COND_OFFLINE
};

struct Zone {
  uint64_t start = 0;     // first byte of the zone
  uint64_t size = 0;      // bytes from this zone's start to the next zone's
  uint64_t capacity = 0;  // writable bytes from start (<= size)
  uint64_t wp = 0;        // next byte a write must start at (see contract above)
  ZoneType type = ZoneType::kSeqWriteRequired;
  ZoneCondition cond = ZoneCondition::kEmpty;

  bool sequential() const { return type != ZoneType::kConventional; }
  bool open() const {
    return cond == ZoneCondition::kImplicitOpen || cond == ZoneCondition::kExplicitOpen;
  }
  // Open or closed: holds one of the device's active-zone resources.
  bool active() const { return open() || cond == ZoneCondition::kClosed; }
  // Bytes that can still be written at the write pointer.
  uint64_t remaining() const;
  uint64_t end() const { return start + size; }

  friend bool operator==(const Zone&, const Zone&) = default;
};

// "cnv", "swr", "swp" (as blkzone and libzbd print them).
std::string_view ZoneTypeName(ZoneType type);
// "nw", "em", "oi", "oe", "cl", "ro", "fu", "ol" (as blkzone prints them).
std::string_view ZoneConditionName(ZoneCondition cond);

}  // namespace zgc

#endif  // ZGC_ZONE_H_
