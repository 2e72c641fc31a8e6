// MetaLogImpl, the MetaLog behind MetaLog::Open (contract in
// include/zgc/log.h, format in docs/FORMAT.md). meta_log.cc holds Format and
// the writer (group commit, rolls, checkpoints, repair); log_recovery.cc
// holds Open, which builds the writer's state from what it finds.
#ifndef ZGC_SRC_META_META_LOG_IMPL_H_
#define ZGC_SRC_META_META_LOG_IMPL_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "src/meta/log_format.h"
#include "zgc/log.h"

namespace zgc {

// What the log knows of one of its log zones.
struct LogZone {
  uint64_t start = 0;     // device offset
  uint64_t capacity = 0;  // bytes
  uint64_t written = 0;   // bytes from start holding data (the write pointer)
  uint64_t epoch = 0;     // in the log (its chain) when nonzero
  bool dirty = false;     // holds bytes that are not the log's: reset before use
  bool full = false;      // the device reports it full (filled or finished)
  bool sealed = false;    // its log has ended: no appends
};

// The writer's starting point, from Format's empty log or from recovery.
struct LogState {
  std::vector<LogZone> zones;  // the log zones (the superblock zone excluded)
  std::vector<int> chain;      // the log, oldest first: checkpoint zones, then records zones
  int checkpoint_zones = 0;    // how many of chain's first zones hold the checkpoint
  uint64_t next_seq = 1;
  uint64_t checkpoint_seq = 0;        // the newest checkpoint covers records up to here
  uint64_t max_epoch = 0;             // the largest epoch any zone's header has
  std::optional<uint64_t> resume_at;  // the tail's torn bytes start here (device offset)
  bool need_checkpoint = true;        // no checkpoint yet: the first write makes one
  bool superblock_full = true;        // the superblock zone is finished
};

struct LogGeometry {
  uint32_t lbs = 0;
  uint64_t zone_size = 0;
  uint32_t sb_bytes = 0;
  uint32_t first_zone = 0;
  uint32_t zones = 0;  // the superblock zone included
  uint64_t format_id = 0;
  uint64_t max_checkpoint_bytes = 0;
  uint32_t checkpoint_zones = 0;  // K
  uint64_t max_record = 0;        // the largest record payload
};

// The log's geometry from its superblock and its zones' report (the
// superblock zone first); the caller has checked that they fit.
LogGeometry MakeLogGeometry(const log_format::Superblock& sb, const std::vector<Zone>& report);

class MetaLogImpl final : public MetaLog {
 public:
  MetaLogImpl(ZonedDevice& dev, LogOwner& owner, const LogOptions& options, LogGeometry g,
              LogState state);

  Result<uint64_t> Append(uint8_t type, std::span<const std::byte> data) override;
  Status Sync(uint64_t seq) override;
  Status Checkpoint() override;
  Status Repair() override;
  LogStats Stats() const override;

 private:
  struct Queued {
    uint64_t seq;
    std::vector<std::byte> bytes;  // the serialized record
  };

  // One round of the leader (mu_ held on entry and exit, released for I/O):
  // a checkpoint if one is due, else the queued records into the tail, or a
  // roll to a new zone for them.
  Status Lead(std::unique_lock<std::mutex>& lock);
  Status LeadOnce(std::unique_lock<std::mutex>& lock);
  // The leader's I/O steps (mu_ not held; the leader owns the zone state).
  Status RepairZones();
  Status WriteRecordsToTail(std::vector<Queued>& batch, size_t* taken);
  Status RecordsRoll(std::vector<Queued>& batch, size_t* taken);
  Status CheckpointRoll(const LogSnapshot& snap, std::vector<Queued>& after, size_t* taken);
  // Ends the tail zone for good: a seal record (naming a torn tail, if one
  // is pending) and a flush, then a finish, so that it holds no active zone
  // and its end stays known once the device reports it full.
  Status LeaveTail();
  Status ResetZone(int k);
  Status FinishZone(uint64_t start);
  // A free log zone (not in the chain, not taken), reset if it holds anything.
  Result<int> TakeFreeZone(const std::vector<int>& taken);
  int FreeZones() const;
  bool RecordsRollAllowed() const;
  // The records from `batch` (from index `from`) that fit in `room` bytes
  // after `prefix` bytes, padded to a block; appends them to `buf`.
  size_t Fill(std::vector<std::byte>& buf, const std::vector<Queued>& batch, size_t from,
              uint64_t room) const;
  Status DeviceWrite(uint64_t offset, std::span<const std::byte> data, bool checkpoint);
  Status DeviceSync();

  ZonedDevice& dev_;
  LogOwner& owner_;
  const LogOptions options_;
  const LogGeometry g_;
  // The leader's (touched only by the thread that leads, outside mu_):
  LogState st_;
  bool repaired_ = false;
  int records_zones_ = 0;  // records zones in the chain after the checkpoint's

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool leader_ = false;
  std::deque<Queued> queue_;
  uint64_t next_seq_;
  bool want_checkpoint_ = false;
  uint64_t checkpoints_begun_ = 0, checkpoints_done_ = 0;
  LogStats stats_;
};

}  // namespace zgc

#endif  // ZGC_SRC_META_META_LOG_IMPL_H_
