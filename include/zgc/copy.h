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
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zgc/device.h"

namespace zgc {

// Which block-layer copy interface a kernel answered to (none: absent).
enum class BlockCopyInterface : uint8_t {
  kNone = 0,
  kRfc128,         // BLKCOPY _IOWR(0x12, 128): struct copy_range {dest, nr_range,
                   // range_list, rsvd}, struct range_entry {src, len}, in bytes
  kRfc129,         // the same structures under a later revision's number 129
  kVectored143,    // BLKCPY_VEC _IOWR(0x12, 143): {dst_sector, nr_ranges, rsvd[6],
                   // sources}, struct copy_source {src_sector, nr_sectors}, 512 B sectors
  kCopyFileRange,  // copy_file_range() between block-device fds, a range at a time
};
// "none", "BLKCOPY(128)", "BLKCOPY(129)", "BLKCPY_VEC(143)", "copy_file_range".
std::string_view BlockCopyInterfaceName(BlockCopyInterface interface);

struct PathProbe {
  bool available = false;
  std::string detail;  // limits when available, the reason (with the kernel's answer) when not
};

struct CopyProbe {
  PathProbe blkcopy;
  PathProbe nvme;
  PathProbe native;
  PathProbe fallback;
  // NVMe Simple Copy limits as the namespace reports them (in logical blocks;
  // msrc is 0-based as in the specification) and in bytes.
  uint32_t mssrl_blocks = 0, mcl_blocks = 0, msrc = 0;
  CopyLimits nvme_limits;
  BlockCopyInterface blkcopy_interface = BlockCopyInterface::kNone;
  uint64_t blkcopy_max_bytes = 0;     // from sysfs copy_max_bytes / max_copy_sectors
  std::string generic_device;         // "/dev/ng0n1" when present: io_uring passthrough target
  bool io_uring_passthrough = false;  // a ring with SQE128|CQE32 can be set up
};

// Fails with kIoError only if the device cannot be inspected at all; paths that
// are absent are reported in the result, not as errors.
Result<CopyProbe> ProbeCopy(ZonedDevice& device);

// ---------------------------------------------------------------------------
// Copy planning. A batch is: source byte ranges (anywhere) -> destination zones
// written at their write pointers, in source order. The planner splits it into
// commands that each fit the copy limits and one destination zone, merges
// adjacent sources, and says where every source byte lands. It does no I/O.

// Where a batch may write: [wp, end) of one zone (end = start + capacity).
struct Destination {
  uint64_t wp = 0;
  uint64_t end = 0;
};

struct CopyCommand {
  uint32_t device = 0;          // index in the volume (0 on a single device)
  bool host_copy = false;       // sources on another device: must go by read/write
  uint32_t source_device = 0;   // where the sources are (== device unless host_copy)
  std::vector<Extent> sources;  // on source_device, in order
  uint64_t destination = 0;     // on device: the write pointer this command writes at
  uint64_t length() const;
};

// `length` bytes at `source` land at `destination` (both in the caller's space:
// device offsets, or volume offsets for a volume plan).
struct Placement {
  uint64_t source = 0;
  uint64_t destination = 0;
  uint64_t length = 0;
  friend bool operator==(const Placement&, const Placement&) = default;
};

struct CopyPlan {
  std::vector<CopyCommand> commands;
  std::vector<Placement> placements;  // in source order, covering every source byte once
  uint64_t bytes = 0;
};

// Limits for planning read/write copies (no device command limit applies; the
// batch is still cut into pieces of bounded memory).
CopyLimits HostCopyLimits();

// Plans a batch on one device. block_size: the logical block size every source
// and destination must be aligned to. Fails with kInvalidArgument (unaligned or
// empty source, overlapping sources, limits of zero, destination not aligned),
// kNoSpace (the batch does not fit the destinations given; nothing is planned).
Result<CopyPlan> PlanCopy(std::span<const Extent> sources,
                          std::span<const Destination> destinations, const CopyLimits& limits,
                          uint32_t block_size);

// A volume that concatenates devices (a linear mapping). Offsets given to
// PlanVolumeCopy are volume offsets; commands come back in device offsets.
struct VolumeSegment {
  uint64_t length = 0;  // bytes of the volume this segment covers, in order
  uint32_t device = 0;
  uint64_t device_offset = 0;  // where the segment starts on its device
};
struct VolumeMap {
  std::vector<VolumeSegment> segments;
  std::vector<CopyLimits> limits;  // per device: its copy command's limits (or none)
  uint32_t block_size = 4096;
};

// Plans a batch over a volume: sources and destinations are split at segment
// boundaries; a piece whose source and destination are on the same device uses
// that device's limits, a piece that crosses devices becomes a host_copy command
// (read/write, never offloaded). Placements are in volume offsets. Fails like
// PlanCopy, and with kOutOfRange for offsets outside the volume.
Result<CopyPlan> PlanVolumeCopy(std::span<const Extent> sources,
                                std::span<const Destination> destinations, const VolumeMap& map);

// ---------------------------------------------------------------------------
// Copy submission.

enum class CopyPath : uint8_t {
  kBlkCopy = 0,    // block-layer copy offload (BLKCOPY, BLKCPY_VEC, copy_file_range)
  kNvme = 1,       // NVMe Simple Copy, synchronous passthrough ioctl
  kNvmeUring = 2,  // NVMe Simple Copy, io_uring passthrough, several commands in flight
  kNative = 3,     // the emulated devices' copy command
  kReadWrite = 4,  // read into host memory, write at the write pointer
};
inline constexpr int kCopyPaths = 5;
// "blkcopy", "nvme", "nvme-uring", "native", "rw"; "?" for a value past them.
std::string_view CopyPathName(CopyPath path);
// Accepts the names above; kInvalidArgument otherwise.
Result<CopyPath> ParseCopyPath(std::string_view name);
inline bool IsOffload(CopyPath p) { return p != CopyPath::kReadWrite; }

struct CopyOptions {
  // Start from this path instead of the first available one (the rest of the
  // order still applies below it). kNotSupported from Create if it is absent.
  std::optional<CopyPath> path;
  uint32_t queue_depth = 8;   // commands in flight (io_uring), buffers ahead (read/write)
  uint32_t demote_after = 3;  // consecutive failures of a path before it is dropped
};

struct PathStats {
  uint64_t bytes = 0;     // landed on the device by this path
  uint64_t commands = 0;  // commands that completed
  uint64_t failures = 0;  // commands that failed (their landed prefix counts in bytes)
};

struct CopyStats {
  PathStats paths[kCopyPaths];
  uint64_t host_bytes_read = 0;     // data that crossed into host memory
  uint64_t host_bytes_written = 0;  // data (and copy descriptors) sent from the host
  uint64_t recovered_bytes = 0;     // landed by a failed command and kept
  uint64_t demotions = 0;           // paths dropped after repeated failures
  const PathStats& of(CopyPath p) const { return paths[static_cast<int>(p)]; }
  uint64_t offloaded_bytes() const;
  uint64_t fallback_bytes() const { return of(CopyPath::kReadWrite).bytes; }
};

// Copier: plans and submits copy batches on one device through the cheapest path
// it has, recovering from failed commands. Create probes the device once.
//
// Contract: Copy returns the plan that was carried out: every placement in it is
// on the device. When a command fails, the destination's write pointer is read
// back, what landed is kept, and the rest goes by the next path down
// (read/write last); a path that fails `demote_after` times in a row is dropped
// for the life of the Copier and counted. If read/write fails too, Copy fails
// and the bytes before the failure remain on the device (the write pointer
// says where) without being reported.
//
// Thread safety: one Copy at a time per Copier; distinct Copiers on distinct
// destination zones may run concurrently.
class Copier {
 public:
  // Fails with kNotSupported when options.path names an absent path,
  // kInvalidArgument when it is no CopyPath at all (a value past kReadWrite).
  static Result<std::unique_ptr<Copier>> Create(ZonedDevice& device, CopyOptions options = {});
  virtual ~Copier() = default;

  // Every destination must be [write pointer, zone start + capacity) or a prefix.
  // Fails with kZoneState (a destination is not at its zone's write pointer),
  // what PlanCopy fails with, or the read/write path's error.
  virtual Result<CopyPlan> Copy(std::span<const Extent> sources,
                                std::span<const Destination> destinations) = 0;

  virtual const CopyProbe& probe() const = 0;
  virtual std::vector<CopyPath> chain() const = 0;  // paths in use, first tried first
  virtual CopyStats stats() const = 0;
};

}  // namespace zgc

#endif  // ZGC_COPY_H_
