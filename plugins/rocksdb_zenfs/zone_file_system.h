// zgc::rocksdb_plugin::ZoneFileSystem: a rocksdb::FileSystem that stores
// RocksDB's files as extents in the zones of a zgc device, keeps its
// metadata in a zgc::MetaLog and is reclaimed by a zgc::GcEngine whose
// owner it is. Registered as `zgc://<device-uri>` (registry.cc).
//
// Contract:
// - Layout: the metadata log on the device's first sequential zones (its
//   superblock's owner config names this plugin and its format version),
//   data zones after it, managed by the engine (docs/FORMAT.md, section 4).
// - Open formats a blank device (every sequential zone empty) when
//   format_if_blank is set, and otherwise recovers: the newest checkpoint of
//   the file table, the records after it, and GcEngine::Resume with every
//   file's extents. Open writes nothing (recovery's own writes wait for the
//   first change); a damaged config, checkpoint or record fails it with
//   kCorruption naming the log structure, another version with
//   kNotSupported.
// - Durability: Sync/Fsync of a writable file writes its buffered bytes
//   (the last block padded), then makes its extents' record durable (the log
//   flushes the device before it writes a record group, so data is durable
//   before the record that points at it). Create, rename, link, delete and
//   directories are records too; Fsync of a directory makes every record
//   durable. What a Sync acknowledged survives a power cut.
// - GC: the engine relocates live extents of any file, the synced tail
//   block of a file being appended to included (its writer rewrites that
//   block elsewhere on its next write and the old copy dies). Relocate
//   remaps and syncs the log before returning; BeforeReset syncs the log and
//   waits for reads of the victim.
// - After a device or log error in a path that changes state, the file
//   system refuses changes (reads go on) until it is reopened.
// - Space: a writer that finds no room has the engine collect (Reserve),
//   and when nothing is reclaimable yet waits, throttled, while space is on
//   its way (a file deleted while open, a compaction's inputs); kNoSpace
//   reaches RocksDB only when nothing is reclaimable and nothing is coming
//   (ZoneFsOptions::stall_timeout_ms). GetFreeSpace counts reclaimable space.
// - No exception crosses into RocksDB: every entry point catches and
//   returns an IOStatus.
//
// Thread safety: every method may be called from any thread. Locks, in the
// order taken: a file's writer mutex, the device-write mutex (allocation
// and the write it is for, in order), the metadata lock (shared for reads,
// held across their device reads, so that a victim is not reset under a
// read). Relocate and BeforeReset take only the metadata lock; Allocate,
// Reserve and the log's Sync are never called with it held.
#ifndef ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FILE_SYSTEM_H_
#define ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FILE_SYSTEM_H_

#include <rocksdb/file_system.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/rocksdb_zenfs/gc_knobs.h"
#include "zgc/device.h"
#include "zgc/gc.h"
#include "zgc/log.h"
#include "zgc/status.h"

namespace zgc::rocksdb_plugin {

struct ZoneFsOptions {
  // The engine's options; the file system sets first_zone, zones,
  // block_bytes and owner_active_zones from its layout. The knobs stored at
  // format, then `knobs`, override them (and background_gc and
  // stall_timeout_ms): see gc_knobs.h.
  GcOptions gc;
  // Knobs given at open (the URI's gc_ parameters): stored by a format,
  // otherwise for this open only.
  GcKnobs knobs;
  bool background_gc = true;
  // Format a device whose sequential zones are all empty.
  bool format_if_blank = true;
  // Format whatever the device holds (tests, mkfs --force).
  bool force_format = false;
  // Format: the bound on a checkpoint of the file table (0: 1/256 of the
  // device, at least 256 KiB, at most 64 MiB).
  uint64_t max_checkpoint_bytes = 0;
  // A writer buffers this much before it writes whole blocks to the device.
  size_t write_buffer_bytes = 1 << 20;
  // Out of space with space on its way (files deleted but still open, the
  // inputs of a running compaction the listener reported, a deletion in
  // progress): how long a writer waits for some of it to be let go before
  // it gives up with kNoSpace. Each release restarts the wait.
  uint32_t stall_timeout_ms = 10000;
  // Foreground throttling: when the free space (GetFreeSpace's, reclaimable
  // space included) falls below this share of what files may hold, WAL
  // writes are delayed more the lower it falls, and below half of it they
  // wait for space to be let go (at most stall_timeout_ms), so that
  // compactions, whose outputs need room before their inputs die, keep up.
  // 0: never.
  double slowdown_free_share = 0.25;
};

struct ZoneFsStats {
  GcStats gc;
  LogStats log;
  uint64_t files = 0;
  uint64_t live_bytes = 0;     // device bytes files hold (whole blocks)
  uint64_t logical_bytes = 0;  // their sizes
  uint64_t data_zones = 0;
  uint64_t max_live_bytes = 0;  // GcEngine::MaxLiveBytes
  // Device bytes written in the data zones that hold no live data: what GC
  // can make free again.
  uint64_t reclaimable_bytes = 0;
  // Writes that found no room and waited for space to be let go (throttled),
  // and the time they waited.
  uint64_t stalls = 0;
  double stall_seconds = 0;
  // Writes refused with kNoSpace (nothing reclaimable and nothing on its way).
  uint64_t no_space_errors = 0;
  // Death hints: files a running compaction reads, and collections the
  // background GC held off because its victim held their extents.
  uint64_t compacting_files = 0;
  uint64_t deferrals = 0;
};

// One file as the table holds it (tools: zgcfs ls, zones, dump).
struct ZoneFileInfo {
  uint64_t id = 0;
  std::vector<std::string> names;
  uint64_t size = 0;   // logical bytes
  uint64_t mtime = 0;  // seconds since the epoch
  Lifetime lifetime = Lifetime::kUnknown;
  std::vector<Extent> extents;  // device byte ranges, in file order
};

class ZoneFileSystem : public rocksdb::FileSystem,
                       public std::enable_shared_from_this<ZoneFileSystem> {
 public:
  // Over a device the caller keeps alive longer than the file system.
  static Result<std::shared_ptr<ZoneFileSystem>> Open(ZonedDevice& device,
                                                      const ZoneFsOptions& options);
  // Over a device it opens by URI and owns; the URI's gc_ parameters are
  // knobs (gc_knobs.h), given over options.knobs.
  static Result<std::shared_ptr<ZoneFileSystem>> Open(std::string_view device_uri,
                                                      const ZoneFsOptions& options);

  static const char* kClassName() { return "ZoneFileSystem"; }
  const char* Name() const override { return kClassName(); }

  virtual ZoneFsStats Stats() const = 0;
  // Every file with its names and extents, by id; the directories.
  virtual std::vector<ZoneFileInfo> ListFiles() const = 0;
  virtual std::vector<std::string> ListDirs() const = 0;
  // The first zone the engine manages (the log's zones are before it).
  virtual uint32_t FirstDataZone() const = 0;
  // The knobs in effect (stored at format, overridden at open), resolved.
  virtual GcKnobs Knobs() const = 0;
  // The knobs stored in the config (none for a version 1 config).
  virtual GcKnobs StoredKnobs() const = 0;
  // fsck: every extent inside the data zones, below its zone's write
  // pointer, on no other file's blocks, and the engine's per-zone live
  // bytes equal to the files'. kCorruption naming the first difference.
  virtual Status Check() = 0;
  // Collects one victim now (tests, tools); kNoSpace if none has garbage.
  virtual Status CollectOnce() = 0;
  // Death hints (ZoneFsListener): the named files are inputs of a running
  // compaction (on) or no longer (off). While any is, background GC holds
  // off a victim holding their extents; a writer's collection that moves
  // them anyway places them as data dying now. Unknown names are ignored.
  // Called with on/off from the compaction's own thread (as RocksDB calls
  // its listeners), it also marks that thread as a compaction's: a writer
  // there does not wait for compactions' inputs to die.
  virtual void SetCompacting(const std::vector<std::string>& names, bool on) = 0;
  // Stops background GC, makes every record durable and checkpoints the
  // table (what the destructor does too, ignoring errors).
  virtual Status Close() = 0;
};

// zgc's Status as RocksDB's IOStatus.
rocksdb::IOStatus ToIOStatus(const Status& s);

}  // namespace zgc::rocksdb_plugin

#endif  // ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FILE_SYSTEM_H_
