// zgc::rocksdb_plugin::ZoneFsListener: RocksDB's events as death hints for
// the zgc file system.
//
// Contract: added to a DB's options (Options::listeners) next to a
// ZoneFileSystem, it tells the file system which table files a running
// compaction reads (OnCompactionBegin) and so will delete when it succeeds;
// OnCompactionCompleted and OnTableFileDeleted end that. The file system
// then (ZoneFileSystem::SetCompacting) keeps its background GC off zones
// holding those files' extents while the compaction runs, tells the engine
// they die now (GcOwner::DiesAt) should a writer's collection move them
// anyway, and counts them as space on its way (a writer out of room waits
// for them). A listener given a file system that is not a ZoneFileSystem
// does nothing. It holds the file system weakly: it may outlive it.
//
// RocksDB's FileSystem cannot add listeners to a DB, so an application adds
// this one itself (db_bench: see zgc-db-bench and README.md).
//
// Thread safety: RocksDB calls it from its background threads; every
// method may be called concurrently.
#ifndef ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FS_LISTENER_H_
#define ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FS_LISTENER_H_

#include <rocksdb/listener.h>

#include <memory>

#include "plugins/rocksdb_zenfs/zone_file_system.h"

namespace zgc::rocksdb_plugin {

class ZoneFsListener final : public rocksdb::EventListener {
 public:
  explicit ZoneFsListener(std::weak_ptr<ZoneFileSystem> fs) : fs_(std::move(fs)) {}
  static const char* kClassName() { return "ZgcZoneFsListener"; }
  const char* Name() const override { return kClassName(); }

  void OnCompactionBegin(rocksdb::DB* db, const rocksdb::CompactionJobInfo& ci) override;
  void OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& ci) override;
  void OnTableFileDeleted(const rocksdb::TableFileDeletionInfo& info) override;

 private:
  std::weak_ptr<ZoneFileSystem> fs_;
};

// The listener for `fs` (a ZoneFileSystem, or a wrapper of one such as the
// registry's); nullptr for any other file system.
std::shared_ptr<rocksdb::EventListener> NewZoneFsListener(
    const std::shared_ptr<rocksdb::FileSystem>& fs);

}  // namespace zgc::rocksdb_plugin

#endif  // ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FS_LISTENER_H_
