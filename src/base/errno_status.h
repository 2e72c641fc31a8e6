// The one place where errno values become zgc::Status codes (the device edge).
#ifndef ZGC_SRC_BASE_ERRNO_STATUS_H_
#define ZGC_SRC_BASE_ERRNO_STATUS_H_

#include <string>

#include "zgc/status.h"

namespace zgc {

// A Status for errno `err` (positive) while doing `what`, e.g. "open /dev/nvme0n1".
// The message reads "<what>: <strerror>".
Status ErrnoStatus(int err, const std::string& what);

// The errno a C caller (the nbdkit plugin, which hands it to the NBD client)
// reports for a failed Status: the errno the device gave if there was one,
// else the code's: kNoSpace ENOSPC, kPermission EROFS (a write to a volume
// that is read-only), kInvalidArgument and kOutOfRange EINVAL, kNotSupported
// EOPNOTSUPP, kBusy EBUSY, kAborted ECANCELED, kPowerOff ESHUTDOWN, every
// other failure EIO. 0 for OK.
int StatusErrno(const Status& status);

}  // namespace zgc

namespace zgc {

// A Status for a non-zero NVMe completion status (SCT << 8 | SC, DNR and More
// bits allowed) returned by a passthrough command while doing `what`.
Status NvmeStatus(int nvme_status, const std::string& what);

}  // namespace zgc

#endif  // ZGC_SRC_BASE_ERRNO_STATUS_H_
