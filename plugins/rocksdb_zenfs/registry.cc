// Registers the zgc file system with RocksDB's ObjectRegistry, so that
// `--fs_uri=zgc://<device-uri>` (db_bench and RocksDB's other tools, or
// FileSystem::CreateFromString / Env::CreateFromUri in an application)
// finds it once this library is loaded (LD_PRELOAD or linked).
//
// RocksDB parses a --fs_uri that holds '=' as an options string: a device
// URI with parameters is given as `id=zgc://mem:?zone_size=1M&zones=64`
// (see README.md); one without needs no `id=`.
#include <rocksdb/utilities/object_registry.h>

#include <cstdlib>
#include <string>

#include "plugins/rocksdb_zenfs/zone_file_system.h"

namespace zgc::rocksdb_plugin {
namespace {

rocksdb::FileSystem* NewZoneFs(const std::string& uri, std::unique_ptr<rocksdb::FileSystem>* guard,
                               std::string* errmsg) {
  constexpr std::string_view kScheme = "zgc://";
  try {
    if (uri.compare(0, kScheme.size(), kScheme) != 0) {
      *errmsg = "zgc: not a zgc:// URI: " + uri;
      return nullptr;
    }
    ZoneFsOptions options;
    auto fs = ZoneFileSystem::Open(std::string_view(uri).substr(kScheme.size()), options);
    if (!fs.ok()) {
      *errmsg = "zgc: " + fs.status().ToString();
      return nullptr;
    }
    // The registry hands out a unique_ptr; ours is shared (the file handles
    // keep a plain pointer to it, and tests share it): the guard owns a
    // wrapper that keeps the shared one alive.
    class Holder final : public rocksdb::FileSystemWrapper {
     public:
      explicit Holder(std::shared_ptr<ZoneFileSystem> fs) : FileSystemWrapper(fs) {}
      const char* Name() const override { return "zgc"; }
    };
    guard->reset(new Holder(std::move(*fs)));
    return guard->get();
  } catch (const std::exception& e) {
    *errmsg = std::string("zgc: ") + e.what();
    return nullptr;
  }
}

// A static initializer: loading the library registers the factory.
[[maybe_unused]] const auto& kRegistered =
    rocksdb::ObjectLibrary::Default() -> AddFactory<rocksdb::FileSystem>(
        rocksdb::ObjectLibrary::PatternEntry("zgc", false).AddSeparator("://", false), NewZoneFs);

}  // namespace
}  // namespace zgc::rocksdb_plugin
