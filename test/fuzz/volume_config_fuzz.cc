// DecodeVolumeConfig (src/volume/volume_layout.h; docs/FORMAT.md section 3,
// config) against a few device geometries.
//
// Input: one flags byte, a u32 (the log superblock's zone count, unless
// flag bit 6), then the config's bytes.
//   bits 0-2: the device, from kDevices
//   bit 3: write the magic      bit 4: write the version
//   bit 5: cut or zero-pad the config to its 40 bytes
//   bit 6: the log's zone count is the config's own (bytes 16..20)
// Invariants: a refusal is kCorruption (kNotSupported for another version)
// naming the device; an accepted config fits the device: its log leaves a
// zone for data (log_first + log_zones < nr_zones), repeats the log's zone
// count, and its logical blocks are at least one and no more than the data
// zones hold in 4 KiB blocks (so no more than the device's capacity); it
// re-encodes to the same bytes (every one is defined) and decodes again.
#include <cstring>
#include <string>
#include <vector>

#include "src/base/little_endian.h"
#include "src/volume/volume_layout.h"
#include "test/fuzz/fuzz_check.h"

namespace {

zgc::DeviceInfo Device(const char* uri, uint32_t lbs, uint64_t zone_size, uint64_t cap,
                       uint32_t zones, uint32_t conv) {
  zgc::DeviceInfo d;
  d.uri = uri;
  d.backend = "mem";
  d.logical_block_size = lbs;
  d.zone_size = zone_size;
  d.zone_capacity = cap;
  d.nr_zones = zones;
  d.nr_conventional_zones = conv;
  return d;
}

const zgc::DeviceInfo kDevices[] = {
    Device("mem:?zone_size=64K&zones=12", 4096, 64 << 10, 64 << 10, 12, 0),
    Device("mem:?lbs=512&zone_size=64K&zones=40", 512, 64 << 10, 64 << 10, 40, 0),
    Device("mem:?lbs=512&zone_size=1M&zone_cap=1047552&zones=48", 512, 1 << 20, 1047552, 48, 0),
    Device("mem:?zone_size=1M&zone_cap=768K&zones=8&conv=2", 4096, 1 << 20, 768 << 10, 8, 2),
    Device("mem:?zone_size=256K&zones=4096", 4096, 256 << 10, 256 << 10, 4096, 0),
    Device("zbd:/dev/nvme0n2", 4096, 2ull << 30, 1077ull << 20, 1 << 20, 0),
    Device("mem:?zone_size=64G&zones=16384", 65536, 64ull << 30, 64ull << 30, 16384, 1),
    Device("mem:?zone_size=4K&zones=3", 4096, 4096, 0, 3, 0),  // capacity unknown: the size
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t flags = in.Byte();
    const zgc::DeviceInfo& info = kDevices[flags & 7];
    uint32_t log_zones = in.U32();
    const std::string_view rest = in.Rest();
    const size_t n = (flags & 32) ? zgc::kVolumeConfigBytes : rest.size();
    std::vector<std::byte> b(n);
    zgc::fuzz::CopyPrefix(b.data(), n, rest);
    if ((flags & 8) && n >= 8) zgc::PutLe<uint64_t>(&b[0], 0x31304c4f56434751ull);
    if ((flags & 16) && n >= 12) zgc::PutLe<uint32_t>(&b[8], zgc::kVolumeConfigVersion);
    if ((flags & 64) && n >= 20) log_zones = zgc::GetLe<uint32_t>(&b[16]);

    auto l = zgc::DecodeVolumeConfig(b, info, log_zones);
    if (!l.ok()) {
      zgc::fuzz::CheckFailure(l.status());
      const zgc::Code code = l.status().code();
      FUZZ_CHECK_MSG(code == zgc::Code::kCorruption || code == zgc::Code::kNotSupported,
                     l.status().ToString());
      FUZZ_CHECK_MSG(l.status().message().find(info.uri) != std::string::npos,
                     l.status().ToString());
      return;
    }
    FUZZ_CHECK(n == zgc::kVolumeConfigBytes);
    FUZZ_CHECK(l->log_zones == log_zones);
    FUZZ_CHECK(uint64_t(l->log_first) + l->log_zones < info.nr_zones);
    const uint64_t cap = info.zone_capacity ? info.zone_capacity : info.zone_size;
    const uint64_t data_blocks =
        (uint64_t(info.nr_zones) - l->log_first - l->log_zones) * cap / zgc::Volume::kBlock;
    FUZZ_CHECK(l->logical_blocks >= 1 && l->logical_blocks <= data_blocks);
    FUZZ_CHECK(l->logical_blocks <= info.capacity_bytes() / zgc::Volume::kBlock);
    // The map's checkpoint (4 bytes a block) is sized from it: no overflow.
    FUZZ_CHECK(l->checkpoint_bytes() / 4 == l->logical_blocks);

    const std::vector<std::byte> again = zgc::EncodeVolumeConfig(*l);
    FUZZ_CHECK(again == b);
    auto l2 = zgc::DecodeVolumeConfig(again, info, log_zones);
    FUZZ_CHECK_MSG(l2.ok(), l2.status().ToString());
    FUZZ_CHECK(l2->log_first == l->log_first && l2->log_zones == l->log_zones &&
               l2->logical_blocks == l->logical_blocks);
  });
}
