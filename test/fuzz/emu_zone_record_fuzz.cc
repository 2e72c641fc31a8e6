// emu_format::DecodeRecord (docs/FORMAT.md section 1, zone record) for one
// of a few fixed valid geometries and a zone index, both from the input.
//
// Input: byte 0 picks the geometry (low 2 bits) and, with bit 7, writes the
// record's CRC-32C (so that mutations get past it); bytes 1-4 the zone index
// (u32, taken modulo the geometry's zone count); then the 32-byte record.
// Invariants: a refusal is kCorruption naming the zone; an accepted zone is
// one a device could report, re-encodes to the same bytes (all of them when
// the reserved bytes 10-27 are zero), and its record is refused for any other
// index (the CRC covers the index).
#include <cstring>
#include <string>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"
#include "src/zones/emu_file_format.h"
#include "test/fuzz/fuzz_check.h"

namespace ef = zgc::emu_format;

namespace {

zgc::EmuGeometry Geometry(int which) {
  zgc::EmuGeometry g = zgc::EmuGeometry::Defaults(4096);
  switch (which) {
    case 0:  // small ZNS-like, conventional zones and a capacity below the size
      g.zone_size = 1 << 20, g.zone_cap = 768 << 10, g.nr_zones = 8, g.nr_conv = 2;
      g.max_open = 3, g.max_active = 4;
      break;
    case 1:  // 512-byte blocks, SMR-like
      g = zgc::EmuGeometry::Defaults(512);
      g.zone_size = g.zone_cap = 64 << 20, g.nr_zones = 16;
      g.family = zgc::DeviceFamily::kScsiZbc;
      break;
    case 2:  // the largest: 64 KiB blocks, 64 GiB zones, 1 PiB
      g = zgc::EmuGeometry::Defaults(65536);
      g.zone_size = 64ull << 30, g.zone_cap = 32ull << 30, g.nr_zones = 16384, g.nr_conv = 1;
      g.family = zgc::DeviceFamily::kNullBlk;
      break;
    default:  // the most zones, one block each, all but one conventional
      g.zone_size = g.zone_cap = 4096, g.nr_zones = 1 << 22, g.nr_conv = (1 << 22) - 1;
      g.max_open = g.max_active = 0;
      break;
  }
  return g;
}

uint32_t RecordCrc(uint32_t index, const ef::Record& r) {
  unsigned char idx[4];
  zgc::PutLe<uint32_t>(idx, index);
  return zgc::Crc32c(zgc::Crc32c(0, idx, 4), r.data(), ef::kRecordBytes - 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const zgc::EmuGeometry kGeometries[4] = {Geometry(0), Geometry(1), Geometry(2),
                                                  Geometry(3)};
  static const bool valid = [] {
    for (const auto& g : kGeometries) FUZZ_CHECK_MSG(g.Validate().ok(), g.Validate().ToString());
    return true;
  }();
  (void)valid;
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t flags = in.Byte();
    const zgc::EmuGeometry& g = kGeometries[flags & 3];
    const uint32_t index = in.U32() % g.nr_zones;
    ef::Record r{};
    const std::string_view rest = in.Rest();
    std::memcpy(r.data(), rest.data(), std::min(rest.size(), r.size()));
    if (flags & 0x80) zgc::PutLe<uint32_t>(&r[28], RecordCrc(index, r));

    const std::string file = "fuzz.img";
    auto z = ef::DecodeRecord(g, index, r, file);
    if (!z.ok()) {
      zgc::fuzz::CheckFailure(z.status());
      FUZZ_CHECK(z.status().code() == zgc::Code::kCorruption);
      FUZZ_CHECK(z.status().message().find("zone " + std::to_string(index) + " ") !=
                 std::string::npos);
      return;
    }
    // The zone is where the geometry puts it, with a state a device could report.
    const zgc::Zone initial = ef::InitialZone(g, index);
    FUZZ_CHECK(z->start == uint64_t(index) * g.zone_size && z->size == g.zone_size);
    FUZZ_CHECK(z->start == initial.start && z->capacity == initial.capacity);
    FUZZ_CHECK(z->type == initial.type);
    FUZZ_CHECK(z->wp >= z->start && z->wp <= z->end());
    FUZZ_CHECK(z->wp % g.lbs == 0);
    if (z->sequential() && z->wp != z->end()) FUZZ_CHECK(z->wp < z->start + z->capacity);
    if (!z->sequential())
      FUZZ_CHECK(z->cond == zgc::ZoneCondition::kNotWp || z->cond == zgc::ZoneCondition::kReadOnly ||
                 z->cond == zgc::ZoneCondition::kOffline);

    const ef::Record again = ef::EncodeRecord(index, *z);
    FUZZ_CHECK(std::memcmp(again.data(), r.data(), 10) == 0);
    bool reserved_zero = true;
    for (size_t i = 10; i < 28; ++i) reserved_zero &= r[i] == 0;
    if (reserved_zero) FUZZ_CHECK(again == r);
    auto z2 = ef::DecodeRecord(g, index, again, file);
    FUZZ_CHECK(z2.ok() && *z2 == *z);
    // The same bytes are another zone's record never.
    for (uint32_t other : {index + 1, index - 1, index ^ 1u}) {
      if (other >= g.nr_zones || other == index) continue;
      auto wrong = ef::DecodeRecord(g, other, r, file);
      FUZZ_CHECK(!wrong.ok() && wrong.status().code() == zgc::Code::kCorruption);
    }
  });
}
