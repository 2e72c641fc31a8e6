// zgc::MetaLog: an append-only log of an owner's records in zones the owner
// reserves, with group commit, checkpoints and crash recovery. The block
// volume and the RocksDB plugin keep their metadata in it. The on-device
// format is in docs/FORMAT.md.
//
// Contract:
// - The log owns zones [first_zone, first_zone + zones) of the device. The
//   first holds the superblock (two checksummed copies, written by Format and
//   never again); the others are a ring of log zones.
// - Append(type, data) gives the record the next sequence number and queues
//   it; it never waits for I/O. Sync(seq) returns once every record up to seq
//   is durable: one device write and one flush for all records queued when
//   the flush starts (group commit), whichever thread leads it.
// - When a log zone fills, the log rolls to an empty one and asks the owner
//   for a snapshot (LogOwner::Snapshot), which it writes there as a
//   checkpoint (several zones if need be). Only once the checkpoint is
//   durable are the zones it makes obsolete reset. If the checkpoint cannot
//   fit the empty zones, Sync fails with kNoSpace and nothing is lost (the
//   records stay queued; the old zones stay as they were).
// - Open (recovery) returns the newest complete checkpoint and every record
//   after it, in sequence order, up to the first torn or invalid record; the
//   next write goes to a fresh zone, so nothing is ever appended after a torn
//   record.
// - Every record acknowledged by Sync survives a power cut (tested with the
//   emulated devices' volatile cache).
//
// Thread safety: Append, Sync, Checkpoint and Stats may be called from any
// thread. Lock order: the log calls LogOwner::Snapshot from inside Sync or
// Checkpoint, without its own mutex held; an owner may hold its lock while
// it calls Append, never while it calls Sync or Checkpoint if Snapshot takes
// that lock.
#ifndef ZGC_LOG_H_
#define ZGC_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "zgc/device.h"

namespace zgc {

struct LogOptions {
  uint32_t first_zone = 0;  // the log's zones: [first_zone, first_zone + zones)
  uint32_t zones = 4;       // at least 3: the superblock and two log zones
  // Flush the device before each group is written, so that no record becomes
  // durable before data the owner wrote before appending it (a block map's
  // records must never point at blocks a power cut took away).
  bool flush_before_write = false;
};

struct LogRecord {
  uint64_t seq = 0;
  uint8_t type = 0;  // the owner's: 1..kMaxLogRecordType
  std::vector<std::byte> data;
};
inline constexpr uint8_t kMaxLogRecordType = 0xEF;

// The owner's state as of a record: what a checkpoint holds.
struct LogSnapshot {
  uint64_t last_seq = 0;  // every record up to here is reflected in data
  std::vector<std::byte> data;
};

class LogOwner {
 public:
  virtual ~LogOwner() = default;
  // The owner's state, covering at least every record whose Append returned
  // before this call, and the sequence number of the last record it covers.
  // Called from Sync or Checkpoint (see the lock order above).
  virtual Result<LogSnapshot> Snapshot() = 0;
};

struct LogRecovery {
  std::vector<std::byte> config;          // what Format was given
  std::optional<LogSnapshot> checkpoint;  // the newest complete one
  std::vector<LogRecord> records;         // after it, in sequence order
  uint64_t log_bytes_read = 0;            // for recovery-time figures
};

struct LogStats {
  uint64_t records = 0;       // appended since Open
  uint64_t record_bytes = 0;  // their payloads
  uint64_t device_bytes = 0;  // written to the device (headers, padding, checkpoints)
  uint64_t groups = 0;        // device writes
  uint64_t flushes = 0;       // device flushes for durability (one per group commit)
  uint64_t checkpoints = 0;
  uint64_t checkpoint_bytes = 0;
  uint64_t zones_reset = 0;
  uint64_t durable_seq = 0;
};

class MetaLog {
 public:
  // Writes an empty log: resets its zones, writes the superblock copies with
  // `config` (the owner's own format description, at most 1 KiB). Fails with
  // kInvalidArgument (zones out of the device, fewer than 3, conventional or
  // unusable zones, config too large) before anything is written, and
  // device errors.
  static Status Format(ZonedDevice& device, const LogOptions& options,
                       std::span<const std::byte> config);
  // Recovers the log and opens it for appending. Writes nothing: the device
  // reads back identical until the first Sync. Fails with kCorruption naming
  // the structure and offset (both superblock copies invalid), kNotSupported
  // (a newer format version), kInvalidArgument (options that do not match the
  // superblock), device errors.
  static Result<std::unique_ptr<MetaLog>> Open(ZonedDevice& device, const LogOptions& options,
                                               LogOwner& owner, LogRecovery* recovered);
  virtual ~MetaLog() = default;

  // Queues a record; returns its sequence number. kInvalidArgument for a type
  // outside 1..kMaxLogRecordType or a record larger than a log zone holds.
  virtual Result<uint64_t> Append(uint8_t type, std::span<const std::byte> data) = 0;
  // Every record up to `seq` (0: every record appended so far) is durable
  // when this returns OK. Fails with kNoSpace (the log cannot roll: its
  // checkpoint does not fit), the owner's Snapshot error, device errors; the
  // records not yet durable then stay queued and a later Sync retries.
  virtual Status Sync(uint64_t seq = 0) = 0;
  // Writes a checkpoint now (and makes it durable), then resets the zones it
  // makes obsolete. Fails like Sync.
  virtual Status Checkpoint() = 0;
  virtual LogStats Stats() const = 0;
};

}  // namespace zgc

#endif  // ZGC_LOG_H_
