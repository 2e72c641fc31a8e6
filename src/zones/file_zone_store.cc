#include "src/zones/file_zone_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "src/base/errno_status.h"
#include "src/base/retry.h"
#include "src/zones/emu_file_format.h"

namespace zgc {

namespace {

Status PWriteAll(int fd, const void* buf, size_t n, uint64_t off, const std::string& what) {
  const auto* p = static_cast<const char*>(buf);
  while (n) {
    ssize_t r = ::pwrite(fd, p, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus(errno, what);
    p += r, n -= r, off += r;
  }
  return Status::OK();
}

Status PReadAll(int fd, void* buf, size_t n, uint64_t off, const std::string& what) {
  auto* p = static_cast<char*>(buf);
  while (n) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus(errno, what);
    if (r == 0) return Status::Corruption(what + ": unexpected end of file");
    p += r, n -= r, off += r;
  }
  return Status::OK();
}

// Takes an exclusive lock so two processes never drive one emulated device.
Status Lock(int fd, const std::string& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return Status::OK();
  if (errno == EWOULDBLOCK)
    return Status::Busy(path + ": the emulated device is in use by another process");
  return ErrnoStatus(errno, "lock " + path);
}

}  // namespace

Status FileZoneStore::Create(const std::string& path, const EmuGeometry& g) {
  ZGC_RETURN_IF_ERROR(g.Validate());
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    if (errno == EEXIST)
      return Status::InvalidArgument(path + ": already exists; refusing to overwrite it");
    return ErrnoStatus(errno, "create " + path);
  }
  Status s = [&]() -> Status {
    ZGC_RETURN_IF_ERROR(Lock(fd.get(), path));
    const auto header = emu_format::EncodeHeader(g);
    ZGC_RETURN_IF_ERROR(PWriteAll(fd.get(), header.data(), header.size(), 0, "write " + path));
    std::vector<unsigned char> table(emu_format::kRecordBytes * g.nr_zones);
    for (uint32_t i = 0; i < g.nr_zones; ++i) {
      const auto rec = emu_format::EncodeRecord(i, emu_format::InitialZone(g, i));
      std::copy(rec.begin(), rec.end(), table.begin() + i * emu_format::kRecordBytes);
    }
    ZGC_RETURN_IF_ERROR(
        PWriteAll(fd.get(), table.data(), table.size(), emu_format::kHeaderBytes, "write " + path));
    if (::ftruncate(fd.get(), static_cast<off_t>(emu_format::FileBytes(g))) != 0)
      return ErrnoStatus(errno, "size " + path);
    if (RetryOnEintr([&] { return ::fsync(fd.get()); }) != 0)
      return ErrnoStatus(errno, "sync " + path);
    return Status::OK();
  }();
  if (!s.ok()) ::unlink(path.c_str());  // we created it: leave nothing half-made behind
  return s;
}

Result<FileZoneStore::Opened> FileZoneStore::Open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT)
      return Status::NotFound(path +
                              ": no such file (create it with 'zgc mkemu' or add ?create=1)");
    return ErrnoStatus(errno, "open " + path);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "stat " + path);
  if (!S_ISREG(st.st_mode))
    return Status::NotSupported(path + ": emu: takes a regular file (use zbd: for a block device)");
  ZGC_RETURN_IF_ERROR(Lock(fd.get(), path));
  if (static_cast<uint64_t>(st.st_size) < emu_format::kHeaderBytes)
    return Status::Corruption(path + ": " + std::to_string(st.st_size) +
                              " bytes is too short for a zgc emulated device; refusing to open");
  emu_format::HeaderBlock header;
  ZGC_RETURN_IF_ERROR(PReadAll(fd.get(), header.data(), header.size(), 0, "read " + path));
  ZGC_ASSIGN_OR_RETURN(EmuGeometry g, emu_format::DecodeHeader(header, path));
  if (static_cast<uint64_t>(st.st_size) != emu_format::FileBytes(g))
    return Status::Corruption(path + ": file is " + std::to_string(st.st_size) +
                              " bytes, expected " + std::to_string(emu_format::FileBytes(g)) +
                              " (truncated or resized?); refusing to open");
  std::vector<unsigned char> table(emu_format::kRecordBytes * g.nr_zones);
  ZGC_RETURN_IF_ERROR(
      PReadAll(fd.get(), table.data(), table.size(), emu_format::kHeaderBytes, "read " + path));
  Opened out;
  out.geometry = g;
  out.zones.reserve(g.nr_zones);
  for (uint32_t i = 0; i < g.nr_zones; ++i) {
    emu_format::Record rec;
    std::copy_n(table.begin() + i * emu_format::kRecordBytes, rec.size(), rec.begin());
    ZGC_ASSIGN_OR_RETURN(Zone z, emu_format::DecodeRecord(g, i, rec, path));
    out.zones.push_back(z);
  }
  out.store.reset(new FileZoneStore(path, std::move(fd), emu_format::DataOffset(g)));
  return out;
}

Status FileZoneStore::Read(uint64_t offset, std::span<std::byte> data) {
  return PReadAll(fd_.get(), data.data(), data.size(), data_offset_ + offset, "read " + path_);
}

Status FileZoneStore::Write(uint64_t offset, std::span<const std::byte> data) {
  return PWriteAll(fd_.get(), data.data(), data.size(), data_offset_ + offset, "write " + path_);
}

Status FileZoneStore::Copy(uint64_t src, uint64_t dst, uint64_t length) {
  loff_t in = static_cast<loff_t>(data_offset_ + src),
         out = static_cast<loff_t>(data_offset_ + dst);
  while (length) {
    const ssize_t n = ::copy_file_range(fd_.get(), &in, fd_.get(), &out, length, 0);
    if (n > 0) {
      length -= n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EXDEV && errno != EOPNOTSUPP && errno != EINVAL && errno != ENOSYS)
      return ErrnoStatus(errno, "copy within " + path_);
    break;  // not offered by this file system: copy through memory below
  }
  std::vector<std::byte> buf(std::min<uint64_t>(length, 1 << 20));
  while (length) {
    const size_t n = std::min<uint64_t>(buf.size(), length);
    ZGC_RETURN_IF_ERROR(Read(in - data_offset_, std::span(buf).first(n)));
    ZGC_RETURN_IF_ERROR(Write(out - data_offset_, std::span(buf).first(n)));
    in += n, out += n, length -= n;
  }
  return Status::OK();
}

Status FileZoneStore::Discard(uint64_t offset, uint64_t length) {
  if (RetryOnEintr([&] {
        return ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                           static_cast<off_t>(data_offset_ + offset), static_cast<off_t>(length));
      }) == 0)
    return Status::OK();
  if (errno != EOPNOTSUPP) return ErrnoStatus(errno, "discard in " + path_);
  // A file system without hole punching: write zeroes instead.
  static const std::vector<std::byte> kZeros(1 << 20);
  for (uint64_t done = 0; done < length;) {
    const size_t n = std::min<uint64_t>(kZeros.size(), length - done);
    ZGC_RETURN_IF_ERROR(Write(offset + done, std::span(kZeros.data(), n)));
    done += n;
  }
  return Status::OK();
}

Status FileZoneStore::SaveZone(uint32_t index, const Zone& zone) {
  const auto rec = emu_format::EncodeRecord(index, zone);
  return PWriteAll(fd_.get(), rec.data(), rec.size(),
                   emu_format::kHeaderBytes + uint64_t(index) * emu_format::kRecordBytes,
                   "write zone table of " + path_);
}

Status FileZoneStore::Sync() {
  if (RetryOnEintr([&] { return ::fdatasync(fd_.get()); }) != 0)
    return ErrnoStatus(errno, "sync " + path_);
  return Status::OK();
}

}  // namespace zgc
