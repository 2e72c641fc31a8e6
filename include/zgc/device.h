// zgc::ZonedDevice: the one interface to zoned storage, and OpenDevice(uri).
//
// Contract:
// - All offsets and lengths are bytes. Data offsets and lengths must be multiples
//   of the logical block size; zone operations take a zone-aligned range.
// - Behaviour where device families differ is described at DeviceFamily.
// - A device enforces the rules of a zoned block device: writes to a sequential
//   zone start at its write pointer and end within its capacity; implicit and
//   explicit opens count against the open and active limits. Reads of blocks past
//   the write pointer return zeroes on the emulated devices (the NVMe ZNS model).
// - A write that spans a zone boundary is performed zone by zone, as the kernel
//   splits it; if a later piece fails the earlier pieces stay written.
// - Failures are reported as Status codes (see status.h); the message names the
//   device, the offset and the rule. Nothing is written by a failed call except as
//   stated for zone-spanning writes.
//
// Thread safety: every method may be called concurrently from several threads.
// Writes to one zone must be ordered by the caller (issue the next write to a zone
// after the previous one returned); this is the device's rule, not a lock of ours.
#ifndef ZGC_DEVICE_H_
#define ZGC_DEVICE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "zgc/status.h"
#include "zgc/zone.h"

namespace zgc {

enum class ZoneModel : uint8_t {
  kHostManaged = 1,
  kHostAware = 2,
};

// The family of device whose edge-case behaviour a device follows. Devices agree
// on the rules that matter (write at the write pointer, capacity, limits) but
// differ where the standards leave room; the lab measured these differences:
//   close of an explicitly opened zone with no data: kNvmeZns -> closed, others -> empty
//   close of an empty or full zone, open of a full zone: kScsiZbc -> no-op success,
//     others -> kZoneState
//   finish of a closed zone at the open limit: kNullBlk -> kTooManyOpenZones
//   data past the write pointer: zeroes on kNvmeZns and kScsiZbc, undefined on kNullBlk
// Callers should never depend on these edges; the conformance suite pins them.
enum class DeviceFamily : uint8_t {
  kOther = 0,    // a kernel device of unrecognized family
  kNvmeZns = 1,  // NVMe Zoned Namespaces (the emulated devices' default)
  kScsiZbc = 2,  // SCSI ZBC / ATA ZAC (SMR drives)
  kNullBlk = 3,  // the kernel's null_blk zoned emulation
};
std::string_view DeviceFamilyName(DeviceFamily family);

// Limits of a device's native copy command (NVMe Simple Copy or an emulation of
// it). All zero when the device has none. Probing of kernel copy paths (BLKCOPY)
// belongs to the offload layer.
struct CopyLimits {
  uint64_t max_range_bytes = 0;  // NVMe MSSRL, in bytes
  uint64_t max_total_bytes = 0;  // NVMe MCL, in bytes
  uint32_t max_ranges = 0;       // NVMe MSRC + 1
  // No source range may cross a multiple of this (the zone size: ZNS devices may
  // refuse to read across zone boundaries, and QEMU does). 0: no such rule.
  uint64_t range_boundary = 0;
  bool supported() const { return max_ranges != 0; }
};

struct DeviceInfo {
  std::string uri;          // as given to OpenDevice, normalized
  std::string backend;      // "emu", "mem", "zbd", ...
  std::string description;  // vendor / model string or backing file
  ZoneModel model = ZoneModel::kHostManaged;
  DeviceFamily family = DeviceFamily::kNvmeZns;
  uint32_t logical_block_size = 4096;
  uint32_t physical_block_size = 4096;
  uint64_t zone_size = 0;      // bytes; every zone of zgc's devices has this size
  uint64_t zone_capacity = 0;  // capacity of the first sequential zone (Zone::capacity is exact)
  uint32_t nr_zones = 0;
  uint32_t nr_conventional_zones = 0;
  uint32_t max_open_zones = 0;    // 0: no limit
  uint32_t max_active_zones = 0;  // 0: no limit
  bool zone_append = false;       // Append() is available
  // False for a metadata-only device (mem:?data=0, for simulators): zone
  // state is kept, data is not, and reads return zeroes.
  bool stores_data = true;
  // The device has a volatile write cache (emu:/mem: with cache=volatile):
  // completed writes, appends, copies and zone transitions are durable only
  // after Sync(), and CutPower/ArmPowerCut can take them away.
  bool volatile_cache = false;
  uint32_t max_append_bytes = 0;  // largest single Append(); 0 when unavailable
  CopyLimits copy;

  uint64_t capacity_bytes() const { return zone_size * nr_zones; }
};

// A byte range on a device.
struct Extent {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t end() const { return offset + length; }
  friend bool operator==(const Extent&, const Extent&) = default;
};

// What a device call is for. zgc's layers name the phase of the device calls
// they make (IoPhaseScope, per thread), so that power-cut sweeps can aim a
// cut at each phase (PowerCut::phase) and report where a cut landed.
enum class IoPhase : uint8_t {
  kOther = 0,   // anything not named below (tools, tests, device setup)
  kUserWrite,   // an owner's data write (a volume's Write)
  kGcCopy,      // a GC relocation copy (any copy path)
  kRelocate,    // an owner persisting its remaps in Relocate (a volume's journal)
  kLogGroup,    // a metadata log group: records and the flush around them
  kCheckpoint,  // a metadata log checkpoint (and the log zone it rolls to)
  kZoneReset,   // a victim's reset, and the journal sync the owner makes before it
  kRepair,      // recovery's deferred writes: finishing and resetting zones after Open
  kFormat,      // laying out a new volume or log
};
inline constexpr size_t kIoPhases = 9;
std::string_view IoPhaseName(IoPhase phase);
// The calling thread's phase: the innermost IoPhaseScope, else kOther.
IoPhase CurrentIoPhase();
// Names the phase of the device calls the calling thread makes in its scope.
// `only_if_unnamed`: keep an enclosing scope's phase (a log group written
// inside a Relocate is Relocate's journal).
class IoPhaseScope {
 public:
  explicit IoPhaseScope(IoPhase phase, bool only_if_unnamed = false);
  ~IoPhaseScope();
  IoPhaseScope(const IoPhaseScope&) = delete;
  IoPhaseScope& operator=(const IoPhaseScope&) = delete;

 private:
  IoPhase previous_;
};

// How a simulated power failure treats what was not yet durable (see
// ZonedDevice::CutPower).
enum class PowerCutMode : uint8_t {
  kDrop,  // everything after the last Sync() is lost
  kTear,  // per zone, a seeded random prefix (in logical blocks) of the writes
          // since the last Sync() survives (write pointers follow); an unsynced
          // reset or finish survives or not by a seeded coin; each unsynced
          // block of a conventional zone keeps its new or its old content
};
struct PowerCut {
  PowerCutMode mode = PowerCutMode::kDrop;
  uint64_t seed = 0;
  // ArmPowerCut only: count only mutating calls made in this phase (none:
  // every mutating call counts).
  std::optional<IoPhase> phase;
};

// The power-cut model's state (ZonedDevice::PowerStatus).
struct PowerState {
  bool powered = true;
  bool armed = false;                        // an ArmPowerCut is waiting for its call
  uint64_t calls_to_cut = 0;                 // armed: matching mutating calls until it fires
  uint64_t cuts = 0;                         // power failures so far (armed or CutPower)
  bool last_cut_armed = false;               // the last failure was an armed cut firing
  IoPhase last_cut_phase = IoPhase::kOther;  // the phase of the call it stopped
  std::array<uint64_t, kIoPhases> calls{};   // mutating calls started so far, by phase
};

// The kernel block device behind a device (zbd:), for the offload paths that
// talk to the kernel directly: the block-layer copy ioctls and NVMe
// passthrough. Those paths bypass wrappers (fault injection) by nature.
struct KernelDevice {
  int fd = -1;       // the block device, open O_RDWR | O_DIRECT; owned by the device
  std::string path;  // e.g. /dev/nvme0n2
};

enum class ZoneAction : uint8_t { kReset, kOpen, kClose, kFinish };
std::string_view ZoneActionName(ZoneAction action);

class ZonedDevice {
 public:
  virtual ~ZonedDevice() = default;
  ZonedDevice(const ZonedDevice&) = delete;
  ZonedDevice& operator=(const ZonedDevice&) = delete;

  // Geometry and limits; constant for the life of the object.
  virtual const DeviceInfo& info() const = 0;

  // The zones that intersect [offset, offset + length), in order.
  // Fails with: kOutOfRange (offset past the end), kIoError.
  virtual Result<std::vector<Zone>> ReportZones(uint64_t offset, uint64_t length) = 0;

  // Applies `action` to every zone in [offset, offset + length); offset and length
  // zone-aligned. A reset of the whole device skips conventional zones (as the
  // kernel's reset-all does); any other range that holds one fails.
  // Fails with: kInvalidArgument (unaligned range), kOutOfRange, kZoneState (the
  // transition is not allowed: conventional, full, read-only or offline zone),
  // kTooManyOpenZones / kTooManyActiveZones (open), kIoError.
  virtual Status ManageZones(ZoneAction action, uint64_t offset, uint64_t length) = 0;

  // Reads data.size() bytes at offset. Fails with: kInvalidArgument (unaligned),
  // kOutOfRange, kZoneState (offline zone), kIoError.
  virtual Status Read(uint64_t offset, std::span<std::byte> data) = 0;

  // Writes data at offset: the write pointer of a sequential zone, or anywhere in a
  // conventional zone. Fails with: kInvalidArgument (unaligned or empty),
  // kOutOfRange, kZoneState (not at the write pointer, past capacity, zone full,
  // read-only or offline), kTooManyOpenZones, kTooManyActiveZones, kIoError.
  virtual Status Write(uint64_t offset, std::span<const std::byte> data) = 0;

  // Appends data to the sequential zone starting at zone_start and returns the
  // offset where it landed. Fails like Write, and with kNotSupported when
  // info().zone_append is false.
  virtual Result<uint64_t> Append(uint64_t zone_start, std::span<const std::byte> data);

  // The device's own copy command (NVMe Simple Copy on kernel NVMe devices, the
  // emulation's on emu:/mem:): copies `sources`, in order, to `destination`, which
  // must be the write pointer of a sequential zone. The sources must fit
  // info().copy (ranges, bytes per range, bytes in all). A failed copy may have
  // copied a prefix: re-read the write pointer to see what landed.
  // Fails with: kNotSupported (no copy command), kInvalidArgument (unaligned,
  // empty, or beyond the copy limits), kOutOfRange, kZoneState (destination not at
  // the write pointer, past capacity, or a source zone offline), the open/active
  // limit codes, kIoError.
  virtual Status Copy(std::span<const Extent> sources, uint64_t destination);

  // Makes completed writes and zone state durable. Fails with: kIoError.
  virtual Status Sync() = 0;

  // A capability: the kernel block device behind this one, or nullptr (emu:,
  // mem:). Wrappers forward it. Valid for the life of the device.
  virtual const KernelDevice* kernel_device() const { return nullptr; }

  // Power-failure test hooks, on devices with info().volatile_cache (others:
  // kNotSupported). CutPower waits for the commands in flight, then loses (or
  // tears, see PowerCutMode) what was not durable; from then on every call
  // fails with kPowerOff ("the power is off") until PowerOn, which brings the
  // device back as after a power cycle (open zones closed). An emu: file is
  // left as the device would be found, so it can also be reopened by URI once
  // this object is gone. ArmPowerCut(n, cut) cuts power when the n-th
  // mutating call from now (Write, Append, Copy, ManageZones, Sync; n >= 1;
  // only calls in cut.phase when it is set) starts: that call and every
  // later one fail. Every call made while the power is off fails with
  // kPowerOff (never kIoError), so a checker tells a cut from a device error
  // by the code. DisarmPowerCut cancels an armed cut that has not fired;
  // PowerStatus says whether and where one fired. Calls from any thread.
  virtual Status CutPower(const PowerCut& cut);
  virtual Status ArmPowerCut(uint64_t nth_call, const PowerCut& cut);
  virtual Status DisarmPowerCut();
  virtual Result<PowerState> PowerStatus();
  virtual Status PowerOn();

  // Convenience wrappers of the calls above.
  Result<Zone> ReportZone(uint64_t offset);
  Result<std::vector<Zone>> ReportAllZones();
  Status ResetZone(uint64_t zone_start) {
    return ManageZones(ZoneAction::kReset, zone_start, info().zone_size);
  }
  Status OpenZone(uint64_t zone_start) {
    return ManageZones(ZoneAction::kOpen, zone_start, info().zone_size);
  }
  Status CloseZone(uint64_t zone_start) {
    return ManageZones(ZoneAction::kClose, zone_start, info().zone_size);
  }
  Status FinishZone(uint64_t zone_start) {
    return ManageZones(ZoneAction::kFinish, zone_start, info().zone_size);
  }
  Status ResetAll() { return ManageZones(ZoneAction::kReset, 0, info().capacity_bytes()); }

 protected:
  ZonedDevice() = default;
  Status NoVolatileCache() const;  // what the power-cut hooks answer without one
};

// Opens a device by URI:
//   zbd:/dev/nvme0n1       a kernel zoned block device (libzbd + io_uring, O_DIRECT)
//   emu:/path/file?...     an emulated zoned device in a regular file (see README)
//   mem:?...               the same emulation in memory
// Fails with: kInvalidArgument (malformed URI or parameter, naming it),
// kNotFound (no such file or device), kNotSupported (not a zoned device),
// kCorruption (an emu: file whose header or zone table fails validation; the file
// is left untouched), kPermission, kBusy, kIoError.
Result<std::unique_ptr<ZonedDevice>> OpenDevice(std::string_view uri);

// Parses a size as URIs and tools take it: "4096", "0x1000", "64K", "60M", "60MiB",
// "1G", "2T" (binary multiples). Fails with kInvalidArgument naming the text.
Result<uint64_t> ParseSize(std::string_view text);

// Creates a new emulated device file; fails with kInvalidArgument if the file
// exists (it is never overwritten) or a parameter is invalid. `uri` is an emu: URI.
Status CreateEmulatedDevice(std::string_view uri);

// The geometry of a new emulated device, given as values rather than URI text
// (a path may hold any character, '?' and '&' included).
struct EmulatedGeometry {
  uint32_t logical_block_size = 4096;
  uint64_t zone_size = 64ull << 20;  // a power of two
  uint64_t zone_capacity = 0;        // 0: the zone size
  uint32_t zones = 64;
  uint32_t conventional_zones = 0;  // at the start of the device
  // Open and active limits (0: none). Unset: 14, or the zone count if fewer.
  std::optional<uint32_t> max_open_zones, max_active_zones;
  DeviceFamily family = DeviceFamily::kNvmeZns;  // kOther is refused
};
// Creates the emulated device file `path` (emu:`path` opens it). Fails with
// kInvalidArgument (the file exists, or a value breaks a rule, naming it),
// kNotFound (no such directory), kPermission, kIoError. Nothing is left behind
// by a failed call.
Status CreateEmulatedDevice(const std::string& path, const EmulatedGeometry& geometry);

}  // namespace zgc

#endif  // ZGC_DEVICE_H_
