// Writes the seed corpora of the fuzz targets: `make_seeds DIR` fills
// DIR/<target>/ (test/fuzz/corpus/ in the repository). The binary seeds are
// made by the encoders themselves, so they stay valid when the format does;
// rerun after a format change. Input layouts are described in each target.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "src/base/little_endian.h"
#include "src/zones/emu_file_format.h"

namespace ef = zgc::emu_format;
namespace fs = std::filesystem;

namespace {

fs::path root;

void Put(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / target);
  std::ofstream(root / target / name, std::ios::binary | std::ios::trunc) << bytes;
}

std::string Bytes(const unsigned char* p, size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}

zgc::EmuGeometry Geo(uint32_t lbs, uint64_t zone_size, uint64_t cap, uint32_t zones,
                     uint32_t conv, zgc::DeviceFamily family = zgc::DeviceFamily::kNvmeZns) {
  zgc::EmuGeometry g = zgc::EmuGeometry::Defaults(lbs);
  g.zone_size = zone_size;
  g.zone_cap = cap;
  g.nr_zones = zones;
  g.nr_conv = conv;
  g.max_open = std::min<uint32_t>(g.max_open, zones);
  g.max_active = std::min<uint32_t>(g.max_active, zones);
  g.family = family;
  return g;
}

// Zone i of g in a state picked by i: a mix of every condition a file holds.
zgc::Zone Mixed(const zgc::EmuGeometry& g, uint32_t i) {
  zgc::Zone z = ef::InitialZone(g, i);
  if (!z.sequential()) return z;
  switch (i % 5) {
    case 1:
      z.cond = zgc::ZoneCondition::kClosed, z.wp = z.start + g.lbs;
      break;
    case 2:
      z.cond = zgc::ZoneCondition::kFull, z.wp = z.end();
      break;
    case 3:
      z.cond = zgc::ZoneCondition::kImplicitOpen, z.wp = z.start + 2 * g.lbs;
      if (z.wp >= z.start + z.capacity) z.cond = zgc::ZoneCondition::kFull, z.wp = z.end();
      break;
    default:
      break;
  }
  return z;
}

void Uris() {
  const char* uris[] = {
      "mem:?zone_size=1M&zones=8",
      "mem:?zone_size=1M&zone_cap=768K&zones=8&conv=2&max_open=3&max_active=4",
      "mem:?lbs=512&zone_size=64K&zones=16&max_open=0&max_active=0&family=zbc",
      "mem:?family=nullblk&lbs=512&zone_size=1M&zones=4&max_open=2&max_active=3",
      "mem:?zone_size=4M&zones=8&cache=volatile&copy=0&append_max=0",
      "mem:?zone_size=64G&zones=16384&data=0",
      "mem:?zone_size=0x100000&zones=4&copy_max_range=8K&copy_max=64K&copy_ranges=16",
      "emu:/tmp/zgc.img?create=1&zone_size=64M&zones=64",
      "zbd:/dev/nvme0n2",
      "mem:?zones=many",
  };
  int n = 0;
  for (const char* u : uris) Put("uri_fuzz", "uri" + std::to_string(n++), u);
}

void Sizes() {
  const char* sizes[] = {"4096", "0x1000", "64K", "60M", "60MiB", "1G", "2TB", "512b", "16777215T"};
  int n = 0;
  for (const char* s : sizes) Put("parse_size_fuzz", "size" + std::to_string(n++), s);
}

const std::vector<zgc::EmuGeometry>& Geometries() {
  static const std::vector<zgc::EmuGeometry> g = {
      Geo(4096, 1 << 20, 768 << 10, 8, 2),
      Geo(512, 64 << 10, 64 << 10, 16, 0, zgc::DeviceFamily::kScsiZbc),
      Geo(4096, 2 << 20, 2 << 20, 4, 1, zgc::DeviceFamily::kNullBlk),
      Geo(65536, 64ull << 30, 32ull << 30, 16384, 1),
      Geo(4096, 4096, 4096, 1 << 22, (1 << 22) - 1),
  };
  return g;
}

void Headers() {
  int n = 0;
  for (const auto& g : Geometries()) {
    const auto h = ef::EncodeHeader(g);
    Put("emu_header_fuzz", "header" + std::to_string(n++), std::string(1, '\0') + Bytes(h.data(), h.size()));
  }
  // Only the fields, the rest made right by the flags (magic, offsets, CRC).
  const auto h = ef::EncodeHeader(Geometries()[0]);
  Put("emu_header_fuzz", "fields", std::string(1, '\7') + Bytes(h.data(), 92));
}

void Records() {
  // The geometries of emu_zone_record_fuzz.cc (selected by the low bits of
  // byte 0): only 0 and 1 are needed to describe record states.
  const zgc::EmuGeometry g0 = Geo(4096, 1 << 20, 768 << 10, 8, 2);
  int n = 0;
  for (uint32_t i = 0; i < 8; ++i) {
    const zgc::Zone z = Mixed(g0, i);
    const auto r = ef::EncodeRecord(i, z);
    unsigned char idx[4];
    zgc::PutLe<uint32_t>(idx, i);
    Put("emu_zone_record_fuzz", "record" + std::to_string(n++),
        std::string(1, '\0') + Bytes(idx, 4) + Bytes(r.data(), r.size()));
  }
  // Read-only and offline zones, and a record whose CRC the flags write.
  zgc::Zone z = ef::InitialZone(g0, 5);
  z.cond = zgc::ZoneCondition::kOffline, z.wp = z.end();
  auto r = ef::EncodeRecord(5, z);
  Put("emu_zone_record_fuzz", "offline", std::string(1, '\0') + Bytes((const unsigned char*)"\5\0\0\0", 4) + Bytes(r.data(), r.size()));
  z.cond = zgc::ZoneCondition::kReadOnly;
  r = ef::EncodeRecord(5, z);
  Put("emu_zone_record_fuzz", "readonly", std::string(1, '\0') + Bytes((const unsigned char*)"\5\0\0\0", 4) + Bytes(r.data(), r.size()));
  Put("emu_zone_record_fuzz", "crc_by_flag", std::string(1, '\x81') + std::string(4, '\3') + std::string(28, '\0'));
}

void Files() {
  // Small files only (the target sizes the file as the header asks, to 16 MiB).
  const std::vector<zgc::EmuGeometry> geos = {
      Geo(4096, 1 << 20, 768 << 10, 8, 2),
      Geo(512, 64 << 10, 64 << 10, 16, 0, zgc::DeviceFamily::kScsiZbc),
      Geo(4096, 2 << 20, 2 << 20, 4, 1, zgc::DeviceFamily::kNullBlk),
  };
  int n = 0;
  for (const auto& g : geos) {
    for (bool mixed : {false, true}) {
      const auto h = ef::EncodeHeader(g);
      std::string file = Bytes(h.data(), h.size());
      for (uint32_t i = 0; i < g.nr_zones; ++i) {
        const auto r = ef::EncodeRecord(i, mixed ? Mixed(g, i) : ef::InitialZone(g, i));
        file += Bytes(r.data(), r.size());
      }
      // 0x10: sized as the header asks; 0x30 / 0xf0: and a power cut.
      const char flags = mixed ? (n % 2 ? '\xf0' : '\x30') : '\x10';
      Put("emu_file_fuzz", "file" + std::to_string(n++), std::string(1, flags) + file);
    }
  }
  // Every fix-up flag on a header of fields only.
  const auto h = ef::EncodeHeader(geos[0]);
  Put("emu_file_fuzz", "fixed_up", std::string(1, '\x1f') + Bytes(h.data(), 92));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR  (writes DIR/<target>/ seed files)\n", argv[0]);
    return 2;
  }
  root = argv[1];
  Uris();
  Sizes();
  Headers();
  Records();
  Files();
  return 0;
}
