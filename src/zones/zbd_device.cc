#include "src/zones/zbd_device.h"

#include <fcntl.h>
#include <libzbd/zbd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "src/base/aligned_buffer.h"
#include "src/base/errno_status.h"
#include "src/base/retry.h"
#include "src/zones/zone_rules.h"

namespace zgc {

namespace {

Zone FromZbd(const zbd_zone& z) {
  Zone out;
  out.start = z.start;
  out.size = z.len;
  out.capacity = z.type == ZBD_ZONE_TYPE_CNV ? z.len : z.capacity;
  out.type = static_cast<ZoneType>(z.type);
  out.cond = static_cast<ZoneCondition>(z.cond);
  out.wp = z.wp;
  // Devices disagree on the write pointer of zones that have none (SCSI reports all
  // ones for conventional zones, NVMe the capacity for full ones): normalize.
  switch (out.cond) {
    case ZoneCondition::kEmpty:
    case ZoneCondition::kImplicitOpen:
    case ZoneCondition::kExplicitOpen:
    case ZoneCondition::kClosed:
      if (out.sequential()) break;
      [[fallthrough]];
    default:
      out.wp = out.end();
  }
  return out;
}

zbd_zone_op ToZbdOp(ZoneAction action) {
  switch (action) {
    case ZoneAction::kReset:
      return ZBD_OP_RESET;
    case ZoneAction::kOpen:
      return ZBD_OP_OPEN;
    case ZoneAction::kClose:
      return ZBD_OP_CLOSE;
    case ZoneAction::kFinish:
      return ZBD_OP_FINISH;
  }
  return ZBD_OP_RESET;
}

uint64_t SysfsNumber(int fd, const std::string& rel) {
  const std::string v = ReadBlockSysfs(fd, rel);
  return v.empty() ? 0 : std::strtoull(v.c_str(), nullptr, 10);
}

}  // namespace

std::string ReadBlockSysfs(int fd, const std::string& rel) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISBLK(st.st_mode)) return "";
  std::ifstream in("/sys/dev/block/" + std::to_string(major(st.st_rdev)) + ":" +
                   std::to_string(minor(st.st_rdev)) + "/" + rel);
  std::string v((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

Result<std::unique_ptr<ZonedDevice>> OpenZbdDevice(const Uri& uri) {
  ZGC_RETURN_IF_ERROR(uri.CheckAllUsed());
  const std::string& path = uri.path();
  if (path.empty())
    return Status::InvalidArgument("device URI '" + uri.text() +
                                   "' names no device (zbd:/dev/nvme0n1)");
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such device");
    return ErrnoStatus(errno, "stat " + path);
  }
  if (!S_ISBLK(st.st_mode))
    return Status::NotSupported(
        path + ": not a block device (zbd: takes a zoned block device; use emu: for a file)");
  {
    const int probe = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (probe < 0) return ErrnoStatus(errno, "open " + path);
    const std::string zoned = ReadBlockSysfs(probe, "queue/zoned");
    ::close(probe);
    if (zoned != "host-managed" && zoned != "host-aware")
      return Status::NotSupported(path + ": not a zoned block device (queue/zoned is '" +
                                  (zoned.empty() ? "absent" : zoned) + "')");
  }
  zbd_set_log_level(ZBD_LOG_NONE);
  zbd_info zi{};
  const int fd = zbd_open(path.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC, &zi);
  if (fd < 0) return ErrnoStatus(fd == -1 ? errno : -fd, "open " + path);

  DeviceInfo info;
  info.uri = uri.text();
  info.backend = "zbd";
  info.description = std::string(zi.vendor_id, strnlen(zi.vendor_id, sizeof zi.vendor_id));
  info.model = zi.model == ZBD_DM_HOST_AWARE ? ZoneModel::kHostAware : ZoneModel::kHostManaged;
  info.logical_block_size = zi.lblock_size;
  info.physical_block_size = zi.pblock_size;
  info.zone_size = zi.zone_size;
  info.nr_zones = zi.nr_zones;
  // libzbd reports -1 for "unknown"; the kernel's sysfs 0 means "no limit".
  info.max_open_zones = zi.max_nr_open_zones == ~0u ? 0 : zi.max_nr_open_zones;
  info.max_active_zones = zi.max_nr_active_zones == ~0u ? 0 : zi.max_nr_active_zones;

  // The family decides edge-case behaviour (see DeviceFamily); the driver tells it.
  const std::string uevent = ReadBlockSysfs(fd, "uevent");
  const std::string scsi_level = ReadBlockSysfs(fd, "device/scsi_level");
  info.family = !scsi_level.empty()                                 ? DeviceFamily::kScsiZbc
                : uevent.find("DEVNAME=nullb") != std::string::npos ? DeviceFamily::kNullBlk
                                                                    : DeviceFamily::kOther;
  std::optional<NvmePassthru> nvme;
  if (auto ns = NvmePassthru::Probe(fd, info.logical_block_size, path); ns.ok()) {
    nvme = *ns;
    info.family = DeviceFamily::kNvmeZns;
    if (auto copy = nvme->IdentifyCopy(); copy.ok()) {
      const uint64_t lbs = info.logical_block_size;
      // QEMU (and ZNS devices without RAZB) refuse copy reads across zone boundaries.
      info.copy = CopyLimits{copy->mssrl_blocks * lbs, copy->mcl_blocks * lbs, copy->msrc + 1u,
                             info.zone_size};
    }
    uint64_t max_append = SysfsNumber(fd, "queue/zone_append_max_bytes");
    const uint64_t max_hw = SysfsNumber(fd, "queue/max_hw_sectors_kb") << 10;
    if (max_hw) max_append = std::min(max_append, max_hw);
    info.max_append_bytes =
        static_cast<uint32_t>(max_append / info.logical_block_size * info.logical_block_size);
    info.zone_append = info.max_append_bytes != 0;
  }
  auto dev = std::make_unique<ZbdDevice>(fd, info, nvme);
  ZGC_RETURN_IF_ERROR(dev->SummarizeZones());
  return std::unique_ptr<ZonedDevice>(std::move(dev));
}

Status ZbdDevice::SummarizeZones() {
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, ReportAllZones());
  for (const Zone& z : zones) {
    if (!z.sequential()) {
      ++info_.nr_conventional_zones;
    } else if (info_.zone_capacity == 0) {
      info_.zone_capacity = z.capacity;
    }
  }
  return Status::OK();
}

ZbdDevice::ZbdDevice(int fd, DeviceInfo info, std::optional<NvmePassthru> nvme)
    : fd_(fd), info_(std::move(info)), nvme_(nvme) {
  kernel_.fd = fd_;
  kernel_.path = info_.uri.substr(info_.uri.find(':') + 1);
}

ZbdDevice::~ZbdDevice() { zbd_close(fd_); }

Result<std::vector<Zone>> ZbdDevice::ReportZones(uint64_t offset, uint64_t length) {
  const uint64_t cap = info_.capacity_bytes();
  if (offset >= cap)
    return Status::OutOfRange(info_.uri + ": report from " + Hex(offset) +
                              " is past the device end");
  length = std::min(std::max<uint64_t>(length, 1), cap - offset);
  const uint64_t first = offset / info_.zone_size;
  const uint64_t last = (offset + length + info_.zone_size - 1) / info_.zone_size;
  std::vector<zbd_zone> raw(last - first);
  unsigned int nr = static_cast<unsigned int>(raw.size());
  if (RetryOnEintr([&] {
        nr = static_cast<unsigned int>(raw.size());
        return zbd_report_zones(fd_, static_cast<off_t>(first * info_.zone_size),
                                static_cast<off_t>((last - first) * info_.zone_size), ZBD_RO_ALL,
                                raw.data(), &nr);
      }) != 0)
    return ErrnoStatus(errno, info_.uri + ": report zones");
  std::vector<Zone> zones;
  zones.reserve(nr);
  for (unsigned i = 0; i < nr; ++i) zones.push_back(FromZbd(raw[i]));
  return zones;
}

Status ZbdDevice::ManageZones(ZoneAction action, uint64_t offset, uint64_t length) {
  ZGC_RETURN_IF_ERROR(CheckZoneRange(info_, offset, length));
  // Zone operations are idempotent, so an interrupted one is simply repeated.
  if (RetryOnEintr([&] {
        return zbd_zones_operation(fd_, ToZbdOp(action), static_cast<off_t>(offset),
                                   static_cast<off_t>(length));
      }) == 0)
    return Status::OK();
  return ExplainManage(ErrnoStatus(errno, info_.uri + ": " + std::string(ZoneActionName(action)) +
                                              " " + Hex(offset) + "+" + Hex(length)),
                       action, offset, length);
}

Status ZbdDevice::ExplainManage(Status kernel, ZoneAction action, uint64_t offset,
                                uint64_t length) {
  if (kernel.code() != Code::kIoError) return kernel;
  auto zones = ReportZones(offset, length);
  if (!zones.ok()) return kernel;
  for (const Zone& z : *zones) {
    Status rule = CheckTransition(info_, action, z);
    if (!rule.ok())
      return Status(rule.code(), rule.message() + " (kernel: " + kernel.message() + ")",
                    kernel.sys_errno());
  }
  return kernel;
}

Status ZbdDevice::ExplainWrite(Status kernel, uint64_t offset, uint64_t length) {
  if (kernel.code() != Code::kIoError) return kernel;
  auto zone = ReportZone(offset);
  if (!zone.ok()) return kernel;
  const uint64_t in_zone = std::min(length, zone->end() - offset);
  Status rule = CheckWrite(info_, *zone, offset, in_zone);
  if (rule.ok()) return kernel;
  return Status(rule.code(), rule.message() + " (kernel: " + kernel.message() + ")",
                kernel.sys_errno());
}

Status ZbdDevice::Transfer(bool write, uint64_t offset, std::byte* data, size_t length) {
  ZGC_ASSIGN_OR_RETURN(IoRingPool::Lease ring, rings_.Acquire());
  // O_DIRECT needs aligned memory: bounce through an aligned buffer when the caller's is not.
  AlignedBuffer bounce;
  std::byte* io = data;
  if (!AlignedBuffer::IsAligned(data)) {
    bounce = AlignedBuffer(length);
    if (!bounce.valid()) return Status::NoSpace(info_.uri + ": out of memory for a bounce buffer");
    if (write) std::memcpy(bounce.data(), data, length);
    io = bounce.data();
  }
  const int ret = ring->ReadWrite(write, fd_, io, length, offset);
  if (ret < 0)
    return ErrnoStatus(
        -ret, info_.uri + ": " + (write ? "write " : "read ") + Hex(offset) + "+" + Hex(length));
  if (!write && io != data) std::memcpy(data, io, length);
  return Status::OK();
}

Status ZbdDevice::Read(uint64_t offset, std::span<std::byte> data) {
  ZGC_RETURN_IF_ERROR(CheckDataRange(info_, offset, data.size()));
  return Transfer(false, offset, data.data(), data.size());
}

Status ZbdDevice::Write(uint64_t offset, std::span<const std::byte> data) {
  ZGC_RETURN_IF_ERROR(CheckDataRange(info_, offset, data.size()));
  Status s = Transfer(true, offset, const_cast<std::byte*>(data.data()), data.size());
  return s.ok() ? s : ExplainWrite(std::move(s), offset, data.size());
}

Result<uint64_t> ZbdDevice::Append(uint64_t zone_start, std::span<const std::byte> data) {
  if (!nvme_ || !info_.zone_append) return ZonedDevice::Append(zone_start, data);
  ZGC_RETURN_IF_ERROR(CheckAppend(info_, zone_start, data.size()));
  AlignedBuffer buf(data.size());
  if (!buf.valid()) return Status::NoSpace(info_.uri + ": out of memory for an append buffer");
  std::memcpy(buf.data(), data.data(), data.size());
  auto at = nvme_->ZoneAppend(zone_start, buf.data(), static_cast<uint32_t>(data.size()));
  if (at.ok()) return at;
  // The zone is read to explain the failure; if that fails too, the append's
  // own error is what the caller gets, not the report's.
  auto zone = ReportZone(zone_start);
  if (!zone.ok()) return at.status();
  return ExplainWrite(at.status(), zone->wp, data.size());
}

Status ZbdDevice::Copy(std::span<const Extent> sources, uint64_t destination) {
  if (!nvme_ || !info_.copy.supported()) return ZonedDevice::Copy(sources, destination);
  ZGC_ASSIGN_OR_RETURN(uint64_t total, CheckCopySources(info_, sources));
  ZGC_RETURN_IF_ERROR(CheckDataRange(info_, destination, total));
  AlignedBuffer ranges;
  const NvmePassthru::Command cmd = nvme_->EncodeCopy(sources, destination, ranges);
  auto r = nvme_->Run(cmd, "copy to " + Hex(destination));
  if (r.ok()) return Status::OK();
  return ExplainWrite(r.status(), destination, total);
}

Status ZbdDevice::Sync() {
  // fdatasync on a block device issues a cache flush (REQ_PREFLUSH) to the
  // device: completed writes are on stable media when it returns.
  if (RetryOnEintr([&] { return ::fdatasync(fd_); }) != 0)
    return ErrnoStatus(errno, info_.uri + ": sync");
  return Status::OK();
}

}  // namespace zgc
