// Copy offload: which paths a device offers for relocating data, as probed.
//
// Contract: ProbeCopy inspects a device without writing to it. Paths, in the
// order the offload layer tries them:
//   1. blkcopy   the block layer's proposed copy offload (BLKCOPY / BLKCPY_VEC
//                ioctls, copy_file_range between block devices); no mainline
//                kernel has it, so it is normally absent with the kernel's answer
//   2. nvme      NVMe Simple Copy through passthrough, when Identify Controller
//                ONCS bit 8 is set; limits from Identify Namespace
//   3. native    the emulated devices' own copy command (emu:, mem:)
//   4. fallback  read and rewrite through the host: always available
//
// Thread safety: ProbeCopy may run concurrently with I/O on the device.
#ifndef ZGC_COPY_H_
#define ZGC_COPY_H_

#include <cstdint>
#include <string>

#include "zgc/device.h"

namespace zgc {

struct CopyPath {
  bool available = false;
  std::string detail;  // limits when available, the reason (with the kernel's answer) when not
};

struct CopyProbe {
  CopyPath blkcopy;
  CopyPath nvme;
  CopyPath native;
  CopyPath fallback;
  // NVMe Simple Copy limits as the namespace reports them (in logical blocks;
  // msrc is 0-based as in the specification) and in bytes.
  uint32_t mssrl_blocks = 0, mcl_blocks = 0, msrc = 0;
  CopyLimits nvme_limits;
  std::string generic_device;       // "/dev/ng0n1" when present: io_uring passthrough target
  bool io_uring_passthrough = false;  // a ring with SQE128|CQE32 can be set up
};

// Fails with kIoError only if the device cannot be inspected at all; paths that
// are absent are reported in the result, not as errors.
Result<CopyProbe> ProbeCopy(ZonedDevice& device);

}  // namespace zgc

#endif  // ZGC_COPY_H_
