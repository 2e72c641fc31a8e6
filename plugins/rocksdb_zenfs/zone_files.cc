// The file handles (zone_files.h) and the file system's data path: reads
// through the extents, buffered appends, padded tails and sync.
#include "plugins/rocksdb_zenfs/zone_files.h"

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "plugins/rocksdb_zenfs/zone_fs_impl.h"
#include "src/base/aligned_buffer.h"

namespace zgc::rocksdb_plugin {

using rocksdb::IOStatus;

namespace {

// Drops the file's device bytes past `keep` (whole blocks), returning them,
// and appends `add`: what an extents record does, for a file no record may
// name any more (deleted while its writer goes on).
void Splice(FileNode& f, uint64_t keep, const std::vector<Extent>& add,
            std::vector<Extent>* freed) {
  std::vector<Extent> next;
  uint64_t at = 0;
  for (const Extent& e : f.extents) {
    if (at + e.length <= keep) {
      next.push_back(e);
    } else if (at < keep) {
      next.push_back({e.offset, keep - at});
      freed->push_back({e.offset + (keep - at), e.length - (keep - at)});
    } else {
      freed->push_back(e);
    }
    at += e.length;
  }
  next.insert(next.end(), add.begin(), add.end());
  f.extents = std::move(next);
}

}  // namespace

// ---------------------------------------------------------------------------
// The data path.

Result<size_t> ZoneFsImpl::ReadAt(FileNode& node, uint64_t offset, size_t n, char* scratch) {
  // A file being written has its newest bytes in its writer's buffer:
  // the writer's mutex first (the lock order), then the metadata lock.
  std::unique_lock<std::mutex> w(node.wmu, std::defer_lock);
  {
    std::shared_lock lock(mu_);
    if (node.writing) w.lock();
  }
  std::shared_lock lock(mu_);
  const bool buffered = w.owns_lock() && node.writing;
  const uint64_t size = node.logical_size;
  if (offset >= size) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, size - offset));
  const uint64_t dev_end = std::min<uint64_t>(buffered ? node.buf_start : node.size, offset + n);
  // The device part, extent by extent, in whole blocks (held under the
  // shared lock: a victim is not reset under this read).
  uint64_t file_at = 0;
  for (const Extent& e : node.extents) {
    if (offset >= dev_end) break;
    const uint64_t a = std::max(offset, file_at), b = std::min(dev_end, file_at + e.length);
    if (a < b) {
      const uint64_t dev_a = e.offset + (a - file_at);
      const uint64_t lo = dev_a / blk_ * blk_;
      const uint64_t hi = (dev_a + (b - a) + blk_ - 1) / blk_ * blk_;
      AlignedBuffer tmp(hi - lo);
      if (!tmp.valid()) return Status::NoSpace("zgc file system: no memory for a read buffer");
      ZGC_RETURN_IF_ERROR(dev_.Read(lo, tmp.span()));
      std::memcpy(scratch + (a - offset), tmp.data() + (dev_a - lo), b - a);
    }
    file_at += e.length;
  }
  if (buffered && offset + n > node.buf_start) {
    const uint64_t a = std::max<uint64_t>(offset, node.buf_start);
    std::memcpy(scratch + (a - offset), node.buf.data() + (a - node.buf_start), offset + n - a);
  }
  return n;
}

Status ZoneFsImpl::WriteBuffer(FileNode& node, bool pad) {
  if (!node.dirty) return Status::OK();
  const uint64_t have = node.buf.size();
  const uint64_t whole = have / blk_ * blk_;
  const uint64_t n = pad ? (have + blk_ - 1) / blk_ * blk_ : whole;
  if (n == 0) return Status::OK();
  ZGC_RETURN_IF_ERROR(Failed());
  ZGC_RETURN_IF_ERROR(Prepare());
  if (node.foreground) ZGC_RETURN_IF_ERROR(Throttle());
  // The write may fill the zone a compaction's inputs are in, making it the
  // victim: the background GC waits until that is decided, after it.
  HoldForReview();
  struct Review {
    ZoneFsImpl* fs;
    ~Review() {
      try {
        fs->ReviewDeferral();
      } catch (...) {
      }
    }
  } review{this};
  AlignedBuffer data(n);
  if (!data.valid()) return Status::NoSpace("zgc file system: no memory for a write buffer");
  std::memcpy(data.data(), node.buf.data(), std::min(have, n));
  if (n > have) std::memset(data.data() + have, 0, n - have);
  std::vector<Extent> written;
  {
    // Allocation and the write it is for, in order: zones take writes at
    // their write pointers. The metadata lock is not held (Allocate may
    // wait for a collection whose Relocate takes it).
    std::lock_guard order(write_mu_);
    // Room for the whole write first (it is refused whole rather than
    // failing part way), collecting and, when nothing can be reclaimed yet,
    // waiting for space on its way: the writer is throttled, not failed.
    ZGC_RETURN_IF_ERROR(MakeRoom(n));
    WriteHint hint;
    hint.lifetime = node.lifetime;
    for (uint64_t off = 0; off < n;) {
      auto a = gc_->Allocate(n - off, hint);
      if (!a.ok()) return a.status().code() == Code::kNoSpace ? a.status() : Poison(a.status());
      {
        IoPhaseScope phase(IoPhase::kUserWrite);
        ZGC_RETURN_IF_ERROR(Poison(dev_.Write(a->offset, std::span(data.data() + off, a->length))));
      }
      written.push_back({a->offset, a->length});
      off += a->length;
    }
    // The file points at the new data before the engine counts it live, so
    // that a collection finds its owner.
    std::unique_lock lock(mu_);
    for (const Extent& e : written) {
      ZGC_RETURN_IF_ERROR(Poison(gc_->OnWrite(e)));
      live_bytes_ += e.length;
    }
    const uint64_t size = node.buf_start + (pad ? have : n);
    const uint64_t keep = node.size / blk_ * blk_;  // a padded tail is rewritten
    if (node.deleted) {
      std::vector<Extent> freed;
      Splice(node, keep, written, &freed);
      for (const Extent& e : freed) Invalidate(e);
      node.size = size;
    } else {
      ZGC_RETURN_IF_ERROR(
          Commit(kExtents, FileTable::EncodeExtents(node.id, size, Now(), keep, written), &node));
    }
    if (pad) {
      node.buf.erase(0, whole);
      node.buf_start += whole;
      node.dirty = false;
    } else {
      node.buf.erase(0, n);
      node.buf_start += n;
      node.dirty = !node.buf.empty();
    }
    node.logical_size = node.buf_start + node.buf.size();
  }
  return Status::OK();
}

Status ZoneFsImpl::Append(FileNode& node, std::string_view data) {
  std::lock_guard w(node.wmu);
  ZGC_RETURN_IF_ERROR(Failed());
  node.buf.append(data);
  node.dirty = true;
  node.logical_size += data.size();
  if (node.buf.size() >= options_.write_buffer_bytes) return WriteBuffer(node, false);
  return Status::OK();
}

Status ZoneFsImpl::SyncFile(FileNode& node) {
  uint64_t seq;
  {
    std::lock_guard w(node.wmu);
    ZGC_RETURN_IF_ERROR(WriteBuffer(node, true));
    std::shared_lock lock(mu_);
    if (node.deleted) return Status::OK();
    seq = node.last_seq;
  }
  ZGC_RETURN_IF_ERROR(Failed());
  return seq ? Poison(log_->Sync(seq)) : Status::OK();
}

Status ZoneFsImpl::CloseWriter(FileNode& node) {
  Status s;
  {
    std::lock_guard w(node.wmu);
    s = WriteBuffer(node, true);
    std::unique_lock lock(mu_);
    node.writing = false;
    node.buf.clear();
    node.buf.shrink_to_fit();
    node.dirty = false;
    node.logical_size = node.size;
  }
  return s;
}

// ---------------------------------------------------------------------------
// Handles.

ZoneWritableFile::ZoneWritableFile(ZoneFsImpl* fs, std::shared_ptr<FileNode> node)
    : fs_(fs), node_(std::move(node)) {}

ZoneWritableFile::~ZoneWritableFile() {
  if (!closed_) (void)Close(rocksdb::IOOptions(), nullptr);
}

IOStatus ZoneWritableFile::Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                                  rocksdb::IODebugContext*) {
  return Guarded([&] { return ToIOStatus(fs_->Append(*node_, {data.data(), data.size()})); });
}

IOStatus ZoneWritableFile::Truncate(uint64_t size, const rocksdb::IOOptions&,
                                    rocksdb::IODebugContext*) {
  return Guarded([&] {
    std::lock_guard w(node_->wmu);
    if (size == node_->logical_size) return IOStatus::OK();
    if (size > node_->logical_size || size < node_->buf_start || !node_->dirty)
      return IOStatus::NotSupported("zgc: truncating a file past its unwritten buffer");
    node_->buf.resize(size - node_->buf_start);
    node_->logical_size = size;
    return IOStatus::OK();
  });
}

IOStatus ZoneWritableFile::Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  if (closed_) return IOStatus::OK();
  closed_ = true;
  return Guarded([&] {
    Status s = fs_->CloseWriter(*node_);
    fs_->ReleaseHandle(node_);
    return ToIOStatus(s);
  });
}

IOStatus ZoneWritableFile::Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  return IOStatus::OK();
}

IOStatus ZoneWritableFile::Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  return Guarded([&] { return ToIOStatus(fs_->SyncFile(*node_)); });
}

IOStatus ZoneWritableFile::Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  return Sync(o, dbg);
}

uint64_t ZoneWritableFile::GetFileSize(const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  return node_->logical_size;
}

void ZoneWritableFile::SetWriteLifeTimeHint(rocksdb::Env::WriteLifeTimeHint hint) {
  rocksdb::FSWritableFile::SetWriteLifeTimeHint(hint);
  std::lock_guard w(node_->wmu);
  if (hint != rocksdb::Env::WLTH_NOT_SET && hint != rocksdb::Env::WLTH_NONE)
    node_->lifetime = LifetimeFor("", hint);
}

ZoneSequentialFile::ZoneSequentialFile(ZoneFsImpl* fs, std::shared_ptr<FileNode> node)
    : fs_(fs), node_(std::move(node)) {}

ZoneSequentialFile::~ZoneSequentialFile() { fs_->ReleaseHandle(node_); }

IOStatus ZoneSequentialFile::Read(size_t n, const rocksdb::IOOptions&, rocksdb::Slice* result,
                                  char* scratch, rocksdb::IODebugContext*) {
  return Guarded([&] {
    auto got = fs_->ReadAt(*node_, pos_, n, scratch);
    if (!got.ok()) return ToIOStatus(got.status());
    pos_ += *got;
    *result = rocksdb::Slice(scratch, *got);
    return IOStatus::OK();
  });
}

IOStatus ZoneSequentialFile::PositionedRead(uint64_t offset, size_t n, const rocksdb::IOOptions&,
                                            rocksdb::Slice* result, char* scratch,
                                            rocksdb::IODebugContext*) {
  return Guarded([&] {
    auto got = fs_->ReadAt(*node_, offset, n, scratch);
    if (!got.ok()) return ToIOStatus(got.status());
    *result = rocksdb::Slice(scratch, *got);
    return IOStatus::OK();
  });
}

IOStatus ZoneSequentialFile::Skip(uint64_t n) {
  pos_ = std::min<uint64_t>(pos_ + n, node_->logical_size);
  return IOStatus::OK();
}

ZoneRandomAccessFile::ZoneRandomAccessFile(ZoneFsImpl* fs, std::shared_ptr<FileNode> node)
    : fs_(fs), node_(std::move(node)) {}

ZoneRandomAccessFile::~ZoneRandomAccessFile() { fs_->ReleaseHandle(node_); }

IOStatus ZoneRandomAccessFile::Read(uint64_t offset, size_t n, const rocksdb::IOOptions&,
                                    rocksdb::Slice* result, char* scratch,
                                    rocksdb::IODebugContext*) const {
  return Guarded([&] {
    auto got = fs_->ReadAt(*node_, offset, n, scratch);
    if (!got.ok()) return ToIOStatus(got.status());
    *result = rocksdb::Slice(scratch, *got);
    return IOStatus::OK();
  });
}

size_t ZoneRandomAccessFile::GetUniqueId(char*, size_t) const { return 0; }

ZoneLogger::ZoneLogger(ZoneFsImpl* fs, std::shared_ptr<FileNode> node)
    : fs_(fs), node_(std::move(node)) {}

ZoneLogger::~ZoneLogger() {
  if (!closed_) (void)CloseImpl();
}

void ZoneLogger::Logv(const char* format, va_list ap) {
  try {
    char line[1024];
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
        1000000;
    std::tm tm;
    localtime_r(&t, &tm);
    int n = std::snprintf(line, sizeof(line), "%04d/%02d/%02d-%02d:%02d:%02d.%06d ",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec, static_cast<int>(us));
    va_list copy;
    va_copy(copy, ap);
    const int m = std::vsnprintf(line + n, sizeof(line) - n, format, copy);
    va_end(copy);
    std::string text(line, n + std::max(0, std::min<int>(m, sizeof(line) - n - 1)));
    if (m >= static_cast<int>(sizeof(line)) - n) {  // a long line: format it whole
      std::string big(m + 1, '\0');
      va_copy(copy, ap);
      std::vsnprintf(big.data(), big.size(), format, copy);
      va_end(copy);
      big.pop_back();
      text.resize(n);
      text += big;
    }
    if (text.empty() || text.back() != '\n') text += '\n';
    std::lock_guard lock(mu_);
    if (!closed_) (void)fs_->Append(*node_, text);
  } catch (...) {
    // A line that cannot be logged is dropped.
  }
}

size_t ZoneLogger::GetLogFileSize() const { return node_->logical_size; }

rocksdb::Status ZoneLogger::CloseImpl() {
  std::lock_guard lock(mu_);
  if (closed_) return rocksdb::Status::OK();
  closed_ = true;
  try {
    Status s = fs_->CloseWriter(*node_);
    fs_->ReleaseHandle(node_);
    return s.ok() ? rocksdb::Status::OK() : rocksdb::Status::IOError(s.ToString());
  } catch (...) {
    return rocksdb::Status::IOError("zgc: closing the info log");
  }
}

}  // namespace zgc::rocksdb_plugin
