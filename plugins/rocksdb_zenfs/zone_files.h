// The file handles of the zgc file system: writable (append-only, buffered,
// synced through the metadata log), sequential and random-access readers.
// Each holds its FileNode: a file deleted while open keeps its data until
// the last handle goes (ZoneFsImpl::ReleaseHandle).
//
// Thread safety: a writable file is used by one writer at a time (RocksDB's
// rule); readers may be shared (random access) or not (sequential).
#ifndef ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FILES_H_
#define ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FILES_H_

#include <rocksdb/file_system.h>

#include <memory>

#include "plugins/rocksdb_zenfs/file_table.h"

namespace zgc::rocksdb_plugin {

class ZoneFsImpl;

class ZoneWritableFile final : public rocksdb::FSWritableFile {
 public:
  ZoneWritableFile(ZoneFsImpl* fs, std::shared_ptr<FileNode> node);
  ~ZoneWritableFile() override;

  using rocksdb::FSWritableFile::Append;
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  // Our buffer is the process's, as a page cache is: Flush leaves it there.
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  bool IsSyncThreadSafe() const override { return true; }
  uint64_t GetFileSize(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  void SetWriteLifeTimeHint(rocksdb::Env::WriteLifeTimeHint hint) override;

 private:
  ZoneFsImpl* fs_;
  std::shared_ptr<FileNode> node_;
  bool closed_ = false;
};

class ZoneSequentialFile final : public rocksdb::FSSequentialFile {
 public:
  ZoneSequentialFile(ZoneFsImpl* fs, std::shared_ptr<FileNode> node);
  ~ZoneSequentialFile() override;
  rocksdb::IOStatus Read(size_t n, const rocksdb::IOOptions& o, rocksdb::Slice* result,
                         char* scratch, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus PositionedRead(uint64_t offset, size_t n, const rocksdb::IOOptions& o,
                                   rocksdb::Slice* result, char* scratch,
                                   rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Skip(uint64_t n) override;

 private:
  ZoneFsImpl* fs_;
  std::shared_ptr<FileNode> node_;
  uint64_t pos_ = 0;
};

class ZoneRandomAccessFile final : public rocksdb::FSRandomAccessFile {
 public:
  ZoneRandomAccessFile(ZoneFsImpl* fs, std::shared_ptr<FileNode> node);
  ~ZoneRandomAccessFile() override;
  rocksdb::IOStatus Read(uint64_t offset, size_t n, const rocksdb::IOOptions& o,
                         rocksdb::Slice* result, char* scratch,
                         rocksdb::IODebugContext* dbg) const override;
  size_t GetUniqueId(char* id, size_t max_size) const override;

 private:
  ZoneFsImpl* fs_;
  std::shared_ptr<FileNode> node_;
};

// The info LOG, a file in zones like any other. RocksDB's own logger keeps
// writing after a failed write, which its assertion-enabled builds (Debian's)
// abort on; this one drops lines it cannot write, as a logger should.
class ZoneLogger final : public rocksdb::Logger {
 public:
  ZoneLogger(ZoneFsImpl* fs, std::shared_ptr<FileNode> node);
  ~ZoneLogger() override;
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;
  void Flush() override {}

 protected:
  rocksdb::Status CloseImpl() override;

 private:
  ZoneFsImpl* fs_;
  std::shared_ptr<FileNode> node_;
  std::mutex mu_;
  bool closed_ = false;
};

}  // namespace zgc::rocksdb_plugin

#endif  // ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FILES_H_
