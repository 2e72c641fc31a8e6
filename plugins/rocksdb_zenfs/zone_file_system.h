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

#include "zgc/device.h"
#include "zgc/gc.h"
#include "zgc/log.h"
#include "zgc/status.h"

namespace zgc::rocksdb_plugin {

struct ZoneFsOptions {
  // The engine's options; the file system sets first_zone, zones,
  // block_bytes and owner_active_zones from its layout.
  GcOptions gc;
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
};

struct ZoneFsStats {
  GcStats gc;
  LogStats log;
  uint64_t files = 0;
  uint64_t live_bytes = 0;     // device bytes files hold (whole blocks)
  uint64_t logical_bytes = 0;  // their sizes
  uint64_t data_zones = 0;
  uint64_t max_live_bytes = 0;  // GcEngine::MaxLiveBytes
};

class ZoneFileSystem : public rocksdb::FileSystem {
 public:
  // Over a device the caller keeps alive longer than the file system.
  static Result<std::shared_ptr<ZoneFileSystem>> Open(ZonedDevice& device,
                                                      const ZoneFsOptions& options);
  // Over a device it opens by URI and owns.
  static Result<std::shared_ptr<ZoneFileSystem>> Open(std::string_view device_uri,
                                                      const ZoneFsOptions& options);

  static const char* kClassName() { return "ZoneFileSystem"; }
  const char* Name() const override { return kClassName(); }

  virtual ZoneFsStats Stats() const = 0;
  // fsck: every extent inside the data zones, below its zone's write
  // pointer, on no other file's blocks, and the engine's per-zone live
  // bytes equal to the files'. kCorruption naming the first difference.
  virtual Status Check() = 0;
  // Collects one victim now (tests, tools); kNoSpace if none has garbage.
  virtual Status CollectOnce() = 0;
  // Stops background GC, makes every record durable and checkpoints the
  // table (what the destructor does too, ignoring errors).
  virtual Status Close() = 0;
};

// zgc's Status as RocksDB's IOStatus.
rocksdb::IOStatus ToIOStatus(const Status& s);

}  // namespace zgc::rocksdb_plugin

#endif  // ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FILE_SYSTEM_H_
