// A volume's layout on its device: where the metadata log is, how many
// logical blocks it maps, and the engine's zones after the log. Plan decides
// it at Format (refusing what cannot work before anything is written), the
// config (the log superblock's owner config, docs/FORMAT.md section 3)
// records it, and DecodeConfig checks it against the device before Open
// sizes anything by it.
#ifndef ZGC_SRC_VOLUME_VOLUME_LAYOUT_H_
#define ZGC_SRC_VOLUME_VOLUME_LAYOUT_H_

#include <cstdint>
#include <span>
#include <vector>

#include "zgc/volume.h"

namespace zgc {

struct VolumeLayout {
  uint32_t log_first = 0, log_zones = 0;
  uint64_t logical_blocks = 0;
  // The map checkpoint's bound: 4 bytes per logical block.
  uint64_t checkpoint_bytes() const { return logical_blocks * 4; }
};

inline constexpr uint32_t kVolumeConfigVersion = 2;
inline constexpr size_t kVolumeConfigBytes = 40;

std::vector<std::byte> EncodeVolumeConfig(const VolumeLayout& l);
// kCorruption (magic, length, a field the device cannot hold: a log outside
// it, logical blocks beyond its capacity, another block size) or
// kNotSupported (another version). `log_zones`: the log superblock's count,
// which the config must repeat.
Result<VolumeLayout> DecodeVolumeConfig(std::span<const std::byte> b, const DeviceInfo& info,
                                        uint32_t log_zones);

// The layout Format lays down and the engine's options over the zones after
// the log (block_bytes, first_zone, owner slot, logical_bytes set).
// kInvalidArgument / kNotSupported for anything that cannot work; nothing is
// written.
Result<VolumeLayout> PlanVolume(ZonedDevice& device, const VolumeOptions& options, GcOptions* gc);

// The engine's options for a layout.
GcOptions EngineOptions(const VolumeLayout& l, GcOptions gc);

}  // namespace zgc

#endif  // ZGC_SRC_VOLUME_VOLUME_LAYOUT_H_
