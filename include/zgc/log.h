// zgc::MetaLog: an append-only log of an owner's records in zones the owner
// reserves, with group commit, checkpoints and crash recovery. The block
// volume and the RocksDB plugin keep their metadata in it. The on-device
// format (version 2) is in docs/FORMAT.md.
//
// Contract:
// - The log owns zones [first_zone, first_zone + zones) of the device. The
//   first holds the superblock (two checksummed copies, written by Format
//   after the owner's first checkpoint, then the zone is finished and never
//   written again); the others are log zones. Format sizes the log from the
//   owner's bound on a checkpoint (LogOptions::max_checkpoint_bytes): a
//   checkpoint of K zones needs 2K + 1 log zones, so that the log can always
//   roll (below).
// - Append(type, data) gives the record the next sequence number and queues
//   it; it never waits for I/O. Sync(seq) returns once every record up to seq
//   is durable: one device write per zone touched and one flush for all
//   records queued when the flush starts (group commit), whichever thread
//   leads it.
// - Every zone the log starts either begins with a checkpoint (the owner's
//   snapshot, LogOwner::Snapshot, spanning zones if need be) or continues
//   the records after the zone before it. A zone that fills is sealed and
//   finished; the next one is a records zone while that still leaves room
//   for a checkpoint (and the records since the last one are fewer than a
//   checkpoint's zones), else a checkpoint. Zones older than the newest
//   durable checkpoint are then reset. The log holds at most one zone open
//   or active beyond a roll in progress.
// - Open (recovery) takes the newest complete checkpoint and every record
//   after it, in sequence order, up to a tail torn by a power cut. A power
//   cut can only tear what was never acknowledged, so anything else that
//   fails validation is corruption: Open fails with kCorruption naming the
//   structure and its device offset, never drops acknowledged records. Open
//   writes nothing; the first write after it appends after the verified tail
//   (skipping a torn one by a resume record), so a reopen consumes no zone.
//   Zones recovery found no use for (a checkpoint a cut left incomplete, an
//   obsolete zone whose reset a cut undid) are reset by Repair.
// - Every record acknowledged by Sync survives a power cut, after any number
//   of cuts, including cuts inside recovery's own first writes (tested with
//   the emulated devices' volatile cache), and the log can always roll.
//
// Thread safety: Append, Sync, Checkpoint, Repair and Stats may be called
// from any thread. Lock order: the log calls LogOwner::Snapshot from inside
// Sync or Checkpoint, without its own mutex held; an owner may hold its lock
// while it calls Append, never while it calls Sync, Checkpoint or Repair if
// Snapshot takes that lock.
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
  // Format: 0 picks the fewest that always let the log roll (the superblock
  // zone, and 2K + 1 log zones for a checkpoint of K zones); more is allowed.
  // Open: 0 takes the superblock's; otherwise it must match it.
  uint32_t zones = 0;
  // Format: the largest snapshot the owner will ever give (bytes). Open: 0
  // takes the superblock's. A larger snapshot fails the Sync that takes it.
  uint64_t max_checkpoint_bytes = 0;
  // Flush the device before each group is written, so that no record becomes
  // durable before data the owner wrote before appending it (a block map's
  // records must never point at blocks a power cut took away).
  bool flush_before_write = false;
  // Open: never write. Append, Sync, Checkpoint and Repair fail with
  // kPermission; recovery is the same.
  bool read_only = false;
};

struct LogRecord {
  uint64_t seq = 0;
  uint8_t type = 0;  // the owner's: 1..kMaxLogRecordType
  std::vector<std::byte> data;
  uint64_t at = 0;  // recovered records: the device offset, for messages naming it
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
  std::optional<LogSnapshot> checkpoint;  // the newest complete one (always there)
  uint64_t checkpoint_at = 0;             // the device offset of its first zone
  std::vector<LogRecord> records;         // after it, in sequence order
  uint32_t zones = 0;                     // the log's zones (the superblock's)
  uint64_t max_checkpoint_bytes = 0;      // the superblock's
  uint64_t log_bytes_read = 0;            // for recovery-time figures
  bool torn_tail = false;                 // the last zone ended in a torn record
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
  uint64_t zones_finished = 0;
  uint64_t durable_seq = 0;
  uint64_t checkpoint_seq = 0;    // the newest durable checkpoint covers records up to here
  uint32_t zones = 0;             // the log's zones, the superblock zone included
  uint32_t checkpoint_zones = 0;  // K: the zones a checkpoint of the bound spans
};

class MetaLog {
 public:
  // The zones Format would give the log (options.zones, or the fewest that
  // fit), and every check Format makes, without writing: kInvalidArgument
  // (zones out of the device, too few for the checkpoint bound, conventional
  // or unusable zones, zones too small for one checkpoint chunk, config too
  // large).
  static Result<uint32_t> CheckFormat(ZonedDevice& device, const LogOptions& options,
                                      std::span<const std::byte> config);
  // Writes a new log: resets its zones (durably), writes its first
  // checkpoint (`first_checkpoint`: the owner's empty state, covering no
  // record) durably, then the superblock copies with `config` (the owner's
  // own format description, at most 1 KiB), and finishes the superblock
  // zone. Every formatted log thus holds a complete checkpoint, and Open
  // refuses one without (damage) instead of taking it for empty. Fails as
  // CheckFormat does, and with kInvalidArgument (read_only set, a checkpoint
  // bound of 0, a first checkpoint larger than the bound), before anything
  // is written; then with device errors. A power cut during Format leaves
  // the old log (its resets not yet durable), no superblock, or the whole
  // new log.
  static Status Format(ZonedDevice& device, const LogOptions& options,
                       std::span<const std::byte> config,
                       std::span<const std::byte> first_checkpoint = {});
  // Recovers the log and opens it for appending. Writes nothing: the device
  // reads back identical until the first Append is synced (or Repair).
  // Fails with kCorruption naming the structure and offset (both superblock
  // copies invalid; a damaged zone header, record or checkpoint; zones that
  // belong to no recoverable log), kNotSupported (another format version),
  // kInvalidArgument (options that do not match the superblock), device
  // errors.
  static Result<std::unique_ptr<MetaLog>> Open(ZonedDevice& device, const LogOptions& options,
                                               LogOwner& owner, LogRecovery* recovered);
  virtual ~MetaLog() = default;

  // Queues a record; returns its sequence number. kInvalidArgument for a type
  // outside 1..kMaxLogRecordType or a record larger than a log zone holds;
  // kPermission when opened read-only.
  virtual Result<uint64_t> Append(uint8_t type, std::span<const std::byte> data) = 0;
  // Every record up to `seq` (0: every record appended so far) is durable
  // when this returns OK. Fails with kInvalidArgument (a `seq` never
  // appended), the owner's Snapshot error, kInternal (a
  // snapshot larger than the bound Format was given), device errors; the
  // records not yet durable then stay queued (or covered by the next
  // checkpoint) and a later Sync retries.
  virtual Status Sync(uint64_t seq = 0) = 0;
  // Writes a checkpoint now (and makes it durable), then resets the zones it
  // makes obsolete. Fails like Sync.
  virtual Status Checkpoint() = 0;
  // Recovery's deferred writes: resets the zones Open found no use for and
  // finishes chain zones a power cut left unfinished (each holds an active
  // zone resource). The first Sync makes it; an owner that must count active
  // zones before it writes elsewhere calls it first. Idempotent.
  virtual Status Repair() = 0;
  virtual LogStats Stats() const = 0;
};

}  // namespace zgc

#endif  // ZGC_LOG_H_
