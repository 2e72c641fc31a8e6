#include "src/base/errno_status.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace zgc {

namespace {

Code CodeFor(int err) {
  switch (err) {
    case 0:
      return Code::kOk;
    case ENOENT:
    case ENODEV:
      return Code::kNotFound;
    case EINVAL:
      return Code::kInvalidArgument;
    case ENOTTY:
    case EOPNOTSUPP:
    case ENXIO:
    case EXDEV:
    case ENOTBLK:
    case EISDIR:
      return Code::kNotSupported;
    // The block layer's BLK_STS_ZONE_OPEN_RESOURCE and BLK_STS_ZONE_ACTIVE_RESOURCE.
    case ETOOMANYREFS:
      return Code::kTooManyOpenZones;
    case EOVERFLOW:
      return Code::kTooManyActiveZones;
    case ENOSPC:
      return Code::kNoSpace;
    case EBUSY:
    case EAGAIN:
      return Code::kBusy;
    case EACCES:
    case EPERM:
    case EROFS:
      return Code::kPermission;
    case ERANGE:
    case EFBIG:
      return Code::kOutOfRange;
    case ECANCELED:
      return Code::kAborted;
    // EINTR: every call site retries (src/base/retry.h); one that escapes is
    // an I/O failure, never "cancelled".
    default:
      return Code::kIoError;  // EIO, EREMOTEIO, ENODATA, EILSEQ, ...
  }
}

}  // namespace

Status ErrnoStatus(int err, const std::string& what) {
  if (err < 0) err = -err;
  if (err == 0) return Status::OK();
  return Status(CodeFor(err), what + ": " + std::strerror(err), err);
}

}  // namespace zgc

namespace zgc {

Status NvmeStatus(int nvme_status, const std::string& what) {
  const int sc = nvme_status & 0x7FF;  // SCT and SC, without DNR and More
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%x", nvme_status);
  const std::string msg = what + ": NVMe status " + hex;
  switch (sc) {
    case 0x000:
      return Status::OK();
    case 0x1BD:
      return Status::TooManyActiveZones(msg + " (too many active zones)");
    case 0x1BE:
      return Status::TooManyOpenZones(msg + " (too many open zones)");
    case 0x1B8:
      return Status::ZoneState(msg + " (zone boundary error)");
    case 0x1B9:
      return Status::ZoneState(msg + " (zone is full)");
    case 0x1BA:
      return Status::ZoneState(msg + " (zone is read-only)");
    case 0x1BB:
      return Status::ZoneState(msg + " (zone is offline)");
    case 0x1BC:
      return Status::ZoneState(msg + " (zone invalid write)");
    case 0x1BF:
      return Status::ZoneState(msg + " (invalid zone state transition)");
    case 0x002:
      return Status::InvalidArgument(msg + " (invalid field)");
    case 0x001:
      return Status::NotSupported(msg + " (invalid opcode)");
    case 0x183:
      return Status::InvalidArgument(msg + " (command size limit exceeded)");
    case 0x180:
      return Status::InvalidArgument(msg + " (LBA out of range)");
    default:
      return Status::IoError(msg);
  }
}

}  // namespace zgc

namespace zgc {

int StatusErrno(const Status& status) {
  if (status.ok()) return 0;
  if (status.sys_errno() > 0) return status.sys_errno();
  switch (status.code()) {
    case Code::kNoSpace:
      return ENOSPC;
    case Code::kPermission:
      return EROFS;
    case Code::kInvalidArgument:
    case Code::kOutOfRange:
      return EINVAL;
    case Code::kNotSupported:
      return EOPNOTSUPP;
    case Code::kBusy:
      return EBUSY;
    case Code::kAborted:
      return ECANCELED;
    case Code::kPowerOff:
      return ESHUTDOWN;
    default:
      return EIO;
  }
}

}  // namespace zgc
