// zgc::rocksdb_plugin::ZoneFsListener (zone_fs_listener.h).
#include "plugins/rocksdb_zenfs/zone_fs_listener.h"

namespace zgc::rocksdb_plugin {

// RocksDB must not see an exception from a listener: a hint that cannot be
// given is dropped (GC then merely moves data that was about to die).
void ZoneFsListener::OnCompactionBegin(rocksdb::DB*, const rocksdb::CompactionJobInfo& ci) {
  try {
    if (auto fs = fs_.lock()) fs->SetCompacting(ci.input_files, true);
  } catch (...) {
  }
}

void ZoneFsListener::OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo& ci) {
  try {
    if (auto fs = fs_.lock()) fs->SetCompacting(ci.input_files, false);
  } catch (...) {
  }
}

void ZoneFsListener::OnTableFileDeleted(const rocksdb::TableFileDeletionInfo& info) {
  try {
    if (auto fs = fs_.lock()) fs->SetCompacting({info.file_path}, false);
  } catch (...) {
  }
}

std::shared_ptr<rocksdb::EventListener> NewZoneFsListener(
    const std::shared_ptr<rocksdb::FileSystem>& fs) {
  if (!fs) return nullptr;
  // Through wrappers (the registry's holder): Customizable::CheckedCast
  // follows Inner().
  auto* zfs = fs->CheckedCast<ZoneFileSystem>();
  if (!zfs) return nullptr;
  return std::make_shared<ZoneFsListener>(zfs->weak_from_this());
}

}  // namespace zgc::rocksdb_plugin
