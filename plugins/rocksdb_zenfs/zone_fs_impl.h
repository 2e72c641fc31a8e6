// ZoneFsImpl: the ZoneFileSystem (zone_file_system.h), owner of the metadata
// log and of the GC engine. Shared by zone_file_system.cc (the file system,
// recovery, GC owner) and zone_files.cc (the file handles).
#ifndef ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FS_IMPL_H_
#define ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FS_IMPL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugins/rocksdb_zenfs/file_table.h"
#include "plugins/rocksdb_zenfs/zone_file_system.h"

namespace zgc::rocksdb_plugin {

// Seconds since the epoch: files' modification times.
inline uint64_t Now() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Every entry point returns an IOStatus and lets no exception through
// (RocksDB is not exception-safe; zgc may throw std::bad_alloc and, from
// GcEngine::Start, std::system_error).
template <typename F>
rocksdb::IOStatus Guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::exception& e) {
    return rocksdb::IOStatus::IOError(std::string("zgc file system: ") + e.what());
  } catch (...) {
    return rocksdb::IOStatus::IOError("zgc file system: unknown exception");
  }
}

class ZoneFsImpl final : public ZoneFileSystem, public GcOwner, public LogOwner {
 public:
  ZoneFsImpl(ZonedDevice& dev, std::unique_ptr<ZonedDevice> owned, const ZoneFsOptions& o,
             const FsConfig& config);
  ~ZoneFsImpl() override;

  // Open's steps.
  Status Recover(const LogRecovery& rec, const GcOptions& gco);
  void SetLog(std::unique_ptr<MetaLog> log, std::unique_ptr<LogOwner> forwarder);

  // rocksdb::FileSystem.
  using rocksdb::FileSystem::NewSequentialFile;
  rocksdb::IOStatus NewSequentialFile(const std::string& fname, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& fname, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& fname, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus FileExists(const std::string& fname, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& o,
                                std::vector<std::string>* result,
                                rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& dirname, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& dirname, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& dirname, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileSize(const std::string& fname, const rocksdb::IOOptions& o,
                                uint64_t* size, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileModificationTime(const std::string& fname, const rocksdb::IOOptions& o,
                                            uint64_t* mtime, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NumFileLinks(const std::string& fname, const rocksdb::IOOptions& o,
                                 uint64_t* count, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus AreFilesSame(const std::string& first, const std::string& second,
                                 const rocksdb::IOOptions& o, bool* same,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LockFile(const std::string& fname, const rocksdb::IOOptions& o,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetTestDirectory(const rocksdb::IOOptions& o, std::string* path,
                                     rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetAbsolutePath(const std::string& db_path, const rocksdb::IOOptions& o,
                                    std::string* output_path,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus IsDirectory(const std::string& path, const rocksdb::IOOptions& o, bool* is_dir,
                                rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& o,
                                 uint64_t* diskfree, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewLogger(const std::string& fname, const rocksdb::IOOptions& o,
                              std::shared_ptr<rocksdb::Logger>* result,
                              rocksdb::IODebugContext* dbg) override;

  // ZoneFileSystem.
  ZoneFsStats Stats() const override;
  GcKnobs Knobs() const override;
  std::vector<ZoneFileInfo> ListFiles() const override;
  std::vector<std::string> ListDirs() const override;
  uint32_t FirstDataZone() const override { return config_.data_first; }
  GcKnobs StoredKnobs() const override { return config_.knobs; }
  Status Check() override;
  Status CollectOnce() override;
  Status Close() override;

  void SetCompacting(const std::vector<std::string>& names, bool on) override;

  // GcOwner and LogOwner.
  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override;
  uint64_t DiesAt(const Extent& extent) override;
  Status BeforeReset(uint32_t zone) override;
  Result<LogSnapshot> Snapshot() override;

  // For the file handles (zone_files.cc).
  // Reads n bytes at `offset` of the file (fewer at its end) into scratch.
  Result<size_t> ReadAt(FileNode& node, uint64_t offset, size_t n, char* scratch);
  // Writes the writer's buffer: whole blocks, or (pad) everything, the last
  // block padded; then records the new extents (not synced). Under node.wmu.
  Status WriteBuffer(FileNode& node, bool pad);
  // Append for a writer: buffers, and writes whole blocks past the buffer
  // size. Sync: WriteBuffer(pad) and the log synced up to its record.
  Status Append(FileNode& node, std::string_view data);
  Status SyncFile(FileNode& node);
  Status CloseWriter(FileNode& node);
  // A handle goes: a file deleted while open lets its data go with the last.
  void ReleaseHandle(const std::shared_ptr<FileNode>& node);
  Status SyncLog();
  // Room for n bytes (whole blocks) in the user zones, under write_mu_: the
  // engine collects; when nothing can be reclaimed yet, waits for space on
  // its way (see the contract). kNoSpace when none comes.
  Status MakeRoom(uint64_t n);
  // Delays a foreground (WAL) write while free space is low (see
  // ZoneFsOptions::slowdown_free_share); kNoSpace when free space stays
  // below the lower mark for stall_timeout_ms. No lock held.
  Status Throttle();
  // Holds the background GC off (or lets it go on) by whether the next
  // victim holds a compacting file's extents. No lock held.
  void ReviewDeferral();
  // Pauses the background GC (while files are compacting) until the next
  // ReviewDeferral: before a change that may make their zone the victim.
  void HoldForReview();
  size_t write_buffer_bytes() const { return options_.write_buffer_bytes; }

 private:
  // Creates (or truncates) `name` as a new empty file opened for writing.
  Result<std::shared_ptr<FileNode>> CreateFile(const std::string& name, Lifetime lifetime);
  // Applies a record to the table and appends it to the log; releases what
  // it let go. Under mu_ (exclusive).
  Status Commit(uint8_t type, std::vector<std::byte> payload, FileNode* node);
  void LetGo(FileTable::Effects& fx);
  void Invalidate(const Extent& e);
  // Recovery's deferred writes and background GC, before the first change.
  Status Prepare();
  Status Failed() const;
  Status Poison(Status s);
  bool DirExistsLocked(const std::string& dir) const;
  // Live device bytes that are on their way out (files deleted while open,
  // a running compaction's inputs) for the calling thread: a compaction's
  // thread does not wait for compactions' inputs (it may be the one that
  // has to finish first). Under mu_.
  uint64_t PendingBytesLocked() const;

  ZonedDevice& dev_;
  std::unique_ptr<ZonedDevice> owned_;  // declared first: destroyed last
  const ZoneFsOptions options_;
  const FsConfig config_;
  const uint32_t blk_;
  std::unique_ptr<LogOwner> log_owner_;  // before log_: destroyed after it
  std::unique_ptr<MetaLog> log_;
  std::unique_ptr<GcEngine> gc_;  // after log_: destroyed (stopped) first
  GcOptions gco_;

  std::mutex prepare_mu_;
  bool prepared_ = false;
  bool closed_ = false;
  std::mutex write_mu_;  // allocation and the device write it is for
  mutable std::shared_mutex mu_;
  FileTable table_;                                    // guarded by mu_
  std::set<std::shared_ptr<FileNode>> zombies_;        // deleted, still open
  uint64_t last_seq_ = 0;                              // the last record appended
  uint64_t live_bytes_ = 0;                            // device bytes files hold
  std::set<std::string> locks_;                        // LockFile's names
  std::set<std::shared_ptr<FileNode>> compacting_;     // SetCompacting's files
  std::multiset<std::thread::id> compaction_threads_;  // OnCompactionBegin's callers
  std::mutex defer_mu_;                                // ReviewDeferral, alone
  bool deferred_ = false;                              // paused; guarded by defer_mu_
  bool holding_ = false;                               // for a victim; guarded by defer_mu_
  std::atomic<size_t> compacting_count_{0};            // compacting_.size()
  std::atomic<uint64_t> deferrals_{0};
  // Space let go: Invalidate counts releases and wakes writers waiting in
  // MakeRoom (a leaf mutex, taken under mu_).
  std::mutex space_mu_;
  std::condition_variable space_cv_;
  uint64_t released_ = 0;  // guarded by space_mu_
  std::atomic<uint64_t> stalls_{0}, stall_us_{0}, no_space_{0};
  mutable std::mutex fail_mu_;  // a leaf
  Status failed_;
};

std::string NormalizePath(const std::string& path);
Lifetime LifetimeFor(const std::string& name, rocksdb::Env::WriteLifeTimeHint hint);

}  // namespace zgc::rocksdb_plugin

#endif  // ZGC_PLUGINS_ROCKSDB_ZENFS_ZONE_FS_IMPL_H_
