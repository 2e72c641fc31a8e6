// ZoneStore in a regular file, in the format of emu_file_format.h. The file is
// locked (flock) for the life of the store so two processes cannot both drive it.
#ifndef ZGC_SRC_ZONES_FILE_ZONE_STORE_H_
#define ZGC_SRC_ZONES_FILE_ZONE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "src/base/unique_fd.h"
#include "src/zones/emu_geometry.h"
#include "src/zones/zone_store.h"

namespace zgc {

class FileZoneStore final : public ZoneStore {
 public:
  struct Opened {
    std::unique_ptr<FileZoneStore> store;
    EmuGeometry geometry;
    std::vector<Zone> zones;  // as recorded; open zones come back closed (a power cycle)
  };

  // Creates `path` (which must not exist) with every zone empty. kInvalidArgument
  // if it exists, errno-mapped codes otherwise.
  static Status Create(const std::string& path, const EmuGeometry& g);
  // Opens an existing file. kNotFound, kNotSupported (not a regular file), kBusy
  // (locked by another process), kCorruption (header, size or records invalid).
  static Result<Opened> Open(const std::string& path);

  Status Read(uint64_t offset, std::span<std::byte> data) override;
  Status Write(uint64_t offset, std::span<const std::byte> data) override;
  // copy_file_range inside the backing file: the file system may share extents.
  Status Copy(uint64_t src, uint64_t dst, uint64_t length) override;
  Status Discard(uint64_t offset, uint64_t length) override;
  Status SaveZone(uint32_t index, const Zone& zone) override;
  Status Sync() override;

  int fd() const { return fd_.get(); }
  uint64_t data_offset() const { return data_offset_; }

 private:
  FileZoneStore(std::string path, UniqueFd fd, uint64_t data_offset)
      : path_(std::move(path)), fd_(std::move(fd)), data_offset_(data_offset) {}

  std::string path_;
  UniqueFd fd_;
  uint64_t data_offset_;
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_FILE_ZONE_STORE_H_
