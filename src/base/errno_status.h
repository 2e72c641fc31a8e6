// The one place where errno values become zgc::Status codes (the device edge).
#ifndef ZGC_SRC_BASE_ERRNO_STATUS_H_
#define ZGC_SRC_BASE_ERRNO_STATUS_H_

#include <string>

#include "zgc/status.h"

namespace zgc {

// A Status for errno `err` (positive) while doing `what`, e.g. "open /dev/nvme0n1".
// The message reads "<what>: <strerror>".
Status ErrnoStatus(int err, const std::string& what);

}  // namespace zgc

namespace zgc {

// A Status for a non-zero NVMe completion status (SCT << 8 | SC, DNR and More
// bits allowed) returned by a passthrough command while doing `what`.
Status NvmeStatus(int nvme_status, const std::string& what);

}  // namespace zgc

#endif  // ZGC_SRC_BASE_ERRNO_STATUS_H_
