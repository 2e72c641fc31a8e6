// Writes the seed corpora of the fuzz targets: `make_seeds DIR` fills
// DIR/<target>/ (test/fuzz/corpus/ in the repository). The binary seeds are
// made by the encoders themselves, so they stay valid when the format does;
// rerun after a format change. Input layouts are described in each target.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "src/volume/map_record.h"
#include "src/volume/volume_layout.h"
#include "src/zones/emu_file_format.h"
#include "test/fuzz/log_fuzz.h"
#include "zgc/device.h"

namespace ef = zgc::emu_format;
namespace lf = zgc::log_format;
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

std::string Bytes(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string Le32(uint32_t v) {
  unsigned char b[4];
  zgc::PutLe<uint32_t>(b, v);
  return Bytes(b, 4);
}

std::string Le64(uint64_t v) {
  unsigned char b[8];
  zgc::PutLe<uint64_t>(b, v);
  return Bytes(b, 8);
}

void Check(const zgc::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "make_seeds: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

void LogSuperblocks() {
  int n = 0;
  for (uint32_t lbs : {512u, 4096u, 65536u}) {
    for (size_t config : {0, 40, 1024}) {
      lf::Superblock sb;
      sb.lbs = lbs;
      sb.bytes = std::max<uint32_t>(4096, lbs);
      sb.zones = 4 + n;
      sb.zone_size = uint64_t(64) << (10 + n % 4);
      if (sb.zone_size < 2ull * sb.bytes) sb.zone_size = 2ull * sb.bytes;
      sb.first_zone = n % 3;
      sb.format_id = 0x0123456789abcdefull + n;
      sb.max_checkpoint_bytes = 1024 << n;
      sb.config.assign(config, std::byte(0x40 + n));
      // Flags 0: the copy as the input gives it; a 64 KiB one is zeroes
      // after its config (flags 0x45: that length, and the CRC).
      std::string copy = Bytes(lf::EncodeSuperblock(sb));
      if (lbs == 65536)
        copy = "\x45" + copy.substr(0, lf::kSuperblockHeader + config);
      else
        copy = std::string(1, '\0') + copy;
      Put("log_superblock_fuzz", "sb" + std::to_string(n++), copy);
    }
  }
  // The fields only, the rest made right by the flags: a 4096-byte copy,
  // magic, length, version and CRC.
  lf::Superblock sb;
  sb.lbs = 4096;
  sb.zones = 5;
  sb.zone_size = 64 << 10;
  sb.format_id = 7;
  sb.config.assign(40, std::byte{1});
  Put("log_superblock_fuzz", "fields",
      std::string(1, '\x79') + Bytes(lf::EncodeSuperblock(sb)).substr(0, 128));
}

std::vector<lf::ZoneHeader> SampleHeaders() {
  std::vector<lf::ZoneHeader> hs;
  lf::ZoneHeader h;
  h.format_id = 0x0123456789abcdefull;
  h.epoch = 1, h.prev_epoch = 0, h.first_seq = 1, h.kind = lf::ZoneKind::kCheckpoint;
  h.ckpt_total = 900;
  hs.push_back(h);
  h.epoch = 2, h.prev_epoch = 1, h.first_seq = 4, h.kind = lf::ZoneKind::kRecords, h.ckpt_total = 0;
  hs.push_back(h);
  h.epoch = 5, h.prev_epoch = 2, h.first_seq = 40, h.kind = lf::ZoneKind::kCheckpoint,
  h.ckpt_total = 100000;
  hs.push_back(h);
  h.epoch = 6, h.prev_epoch = 5, h.kind = lf::ZoneKind::kContinued, h.ckpt_offset = 61376;
  hs.push_back(h);
  return hs;
}

void LogZoneHeaders() {
  int n = 0;
  for (const lf::ZoneHeader& h : SampleHeaders()) {
    // Flags 1 / 2: a 512- or 4096-byte block.
    Put("log_zone_header_fuzz", "zh" + std::to_string(n++),
        std::string(1, '\1') + Bytes(lf::EncodeZoneHeader(h, 512)));
    Put("log_zone_header_fuzz", "zh" + std::to_string(n++),
        std::string(1, '\2') + Bytes(lf::EncodeZoneHeader(h, 4096)));
  }
  // Fields only, magic, version and CRC by the flags (a 68-byte block).
  Put("log_zone_header_fuzz", "fields",
      std::string(1, '\x1f') + Bytes(lf::EncodeZoneHeader(SampleHeaders()[1], 68)).substr(0, 64));
}

// A group of records as the log writes them: records, then a pad.
std::vector<std::byte> SampleRecords(size_t block, uint64_t seq, int n) {
  std::vector<std::byte> out;
  for (int i = 0; i < n; ++i) {
    std::vector<std::byte> payload(i * 37 % 300, std::byte(i));
    lf::AppendRecord(out, seq + i, uint8_t(1 + i % 3), payload);
    if (i % 4 == 3) lf::PadToBlock(out, block);
  }
  lf::PadToBlock(out, block);
  return out;
}

void LogRecords() {
  int n = 0;
  for (size_t block : {512, 4096}) {
    const char flags = block == 4096 ? '\1' : '\0';
    Put("log_record_fuzz", "group" + std::to_string(n++),
        std::string(1, flags) + Bytes(SampleRecords(block, 1, 6)));
    // A short pad: a record leaving 8..24 bytes of the block.
    std::vector<std::byte> out;
    lf::AppendRecord(out, 9, 1, std::vector<std::byte>(block - 2 * lf::kRecordHeader + 8 - 16));
    lf::PadToBlock(out, block);
    Put("log_record_fuzz", "short_pad" + std::to_string(n++), std::string(1, flags) + Bytes(out));
    // A checkpoint chunk, a seal, then a record cut short (torn), with the
    // checksums fixed by the flags.
    out.clear();
    std::vector<std::byte> chunk(8 + 64, std::byte{3});
    zgc::PutLe<uint64_t>(chunk.data(), 0);
    lf::AppendRecord(out, 1, lf::kCheckpointChunk, chunk);
    lf::AppendRecord(out, 1, lf::kSeal, std::vector<std::byte>(8));
    lf::AppendRecord(out, 2, 1, std::vector<std::byte>(100, std::byte{9}));
    out.resize(out.size() - 40);
    Put("log_record_fuzz", "torn" + std::to_string(n++), std::string(1, flags | 2) + Bytes(out));
  }
  // A program for the round trip alone (bytes a parse takes for nothing).
  Put("log_record_fuzz", "program",
      std::string("\x00\x05\x02\x03" "abcdefghijklmnopqrstuvwx" "\x01\x40\x00\x01\x02", 33));
}

constexpr uint64_t kSeedFormatId = 0x5eed5eed5eed5eedull;

// The zones of a device as log_open_fuzz's input rewrites them: each
// written zone whose written bytes are at most `max_bytes` (others kept),
// with the fix-up bit so that the run's format id replaces the seed's.
std::string DumpZones(zgc::ZonedDevice& dev, uint32_t log_first, uint64_t max_bytes) {
  const zgc::DeviceInfo& info = dev.info();
  const uint32_t lbs = info.logical_block_size;
  auto zones = dev.ReportAllZones();
  Check(zones.status(), "report");
  std::string out;
  for (const zgc::Zone& z : *zones) {
    if (z.cond == zgc::ZoneCondition::kEmpty) {
      out += '\1';
      continue;
    }
    std::vector<std::byte> data(z.capacity);
    Check(dev.Read(z.start, data), "read");
    uint64_t n;
    const bool full = z.cond == zgc::ZoneCondition::kFull;
    if (full) {
      n = z.capacity / lbs;
      while (n > 0 && std::all_of(&data[(n - 1) * lbs], &data[n * lbs],
                                  [](std::byte b) { return b == std::byte{0}; }))
        --n;
    } else {
      n = (z.wp - z.start) / lbs;
    }
    if (n * lbs > max_bytes) {
      out += '\0';
      continue;
    }
    // The format id is random at Format: a fixed one keeps the seeds the
    // same from run to run (the target puts its own in).
    const std::span<std::byte> b = std::span(data).first(n * lbs);
    if (z.start / z.size == log_first) {
      const uint32_t sb = std::max<uint32_t>(4096, lbs);
      if (b.size() >= sb) zgc::fuzz::FixSuperblock(b.first(sb), kSeedFormatId);
      if (b.size() >= 2 * sb) zgc::fuzz::FixSuperblock(b.subspan(sb, sb), kSeedFormatId);
    } else if (b.size() >= lbs) {
      zgc::fuzz::FixZoneHeader(b.first(lbs), kSeedFormatId);
    }
    const uint8_t ctl = (full ? 3 : 2) | 4 | (z.cond == zgc::ZoneCondition::kClosed ? 8 : 0);
    out += char(ctl);
    out += char(n);  // at most 255 blocks: max_bytes keeps it so
    out += Bytes(data).substr(0, n * lbs);
  }
  return out;
}

std::unique_ptr<zgc::ZonedDevice> Device(const std::string& uri) {
  auto d = zgc::OpenDevice(uri);
  Check(d.status(), uri.c_str());
  return std::move(*d);
}

// A log whose newest zone ended in a torn record, appended after by a
// reopen (a resume record), then a few records more.
std::unique_ptr<zgc::ZonedDevice> TornAndResumed(const zgc::fuzz::OpenSetup& s) {
  auto d = Device(s.Uri());
  Check(zgc::fuzz::FormatAndLoad(*d, s), "workload");
  auto zones = d->ReportAllZones();
  uint64_t wp = 0;
  for (const zgc::Zone& z : *zones)
    if (z.start > s.first_zone * z.size && z.cond != zgc::ZoneCondition::kEmpty &&
        z.cond != zgc::ZoneCondition::kFull)
      wp = z.wp;
  std::vector<std::byte> torn;
  lf::AppendRecord(torn, 1000, 1, std::vector<std::byte>(3 * s.lbs, std::byte{7}));
  torn.resize(s.lbs);
  Check(d->Write(wp, torn), "torn write");
  zgc::fuzz::FuzzLogOwner owner(100);
  zgc::LogOptions lo;
  lo.first_zone = s.first_zone;
  zgc::LogRecovery rec;
  auto log = zgc::MetaLog::Open(*d, lo, owner, &rec);
  Check(log.status(), "open after the torn write");
  for (int i = 0; i < 3; ++i)
    Check((*log)->Append(2, std::vector<std::byte>(50, std::byte(i))).status(), "append");
  Check((*log)->Sync(), "sync");
  return d;
}

void LogOpens() {
  // Every setup with every zone kept: the image as the workload leaves it.
  for (int f = 0; f < 64; ++f) {
    const auto s = zgc::fuzz::OpenSetup::FromFlags(uint8_t(f));
    if (s.volume && (f & 0x30)) continue;  // those bits are the bare log's
    Put("log_open_fuzz", "kept" + std::to_string(f), std::string(1, char(f)));
  }
  // And then written (bit 6).
  for (int f : {0x40, 0x45, 0x4a, 0x4f, 0x6c, 0x5c})
    Put("log_open_fuzz", "kept" + std::to_string(f), std::string(1, char(f)));
  // Images written from the input: the light workloads, a torn tail resumed.
  for (int f : {0x04, 0x06, 0x08, 0x05, 0x07}) {
    const auto s = zgc::fuzz::OpenSetup::FromFlags(uint8_t(f));
    auto d = Device(s.Uri());
    Check(zgc::fuzz::FormatAndLoad(*d, s), "workload");
    Put("log_open_fuzz", "image" + std::to_string(f),
        std::string(1, char(f)) + DumpZones(*d, s.volume ? 0 : s.first_zone, 16 << 10));
  }
  // The heavy workloads' zones written back patched (by nothing: the
  // fuzzer changes the offset and the bytes), so that their rolled logs,
  // seals and multi-zone checkpoints are mutated in place.
  for (int f : {0x0c, 0x0e, 0x2c, 0x0d, 0x0f}) {
    const auto s = zgc::fuzz::OpenSetup::FromFlags(uint8_t(f));
    auto d = Device(s.Uri());
    Check(zgc::fuzz::FormatAndLoad(*d, s), "workload");
    auto zones = d->ReportAllZones();
    Check(zones.status(), "report");
    std::string in(1, char(f));
    for (const zgc::Zone& z : *zones) {
      if (z.cond == zgc::ZoneCondition::kEmpty) {
        in += '\0';
        continue;
      }
      in += char((z.cond == zgc::ZoneCondition::kFull ? 3 : 2) | 4 | 16 |
                 (z.cond == zgc::ZoneCondition::kClosed ? 8 : 0));
      const uint16_t at = uint16_t(s.lbs / 8 + 4);  // the first record's length
      in += std::string(1, '\0') + char(at & 0xff) + char(at >> 8) + '\0';
    }
    Put("log_open_fuzz", "patched" + std::to_string(f), in);
  }
  for (int f : {0x04, 0x06}) {
    const auto s = zgc::fuzz::OpenSetup::FromFlags(uint8_t(f));
    auto d = TornAndResumed(s);
    Put("log_open_fuzz", "resumed" + std::to_string(f),
        std::string(1, char(f)) + DumpZones(*d, s.volume ? 0 : s.first_zone, 16 << 10));
  }
}

// log_zone_parse_fuzz's input for each log zone of a device: flags
// (geometry, fix-up bit, zone index), the header's fields, the zone's bytes.
void ParseSeedsFrom(zgc::ZonedDevice& dev, const zgc::fuzz::OpenSetup& s, const std::string& name) {
  auto zones = dev.ReportAllZones();
  Check(zones.status(), "report");
  int n = 0;
  for (const zgc::Zone& z : *zones) {
    const uint64_t index = z.start / z.size;
    if (index <= s.first_zone || index > 7 || z.cond == zgc::ZoneCondition::kEmpty) continue;
    const uint64_t written = z.cond == zgc::ZoneCondition::kFull ? z.capacity : z.wp - z.start;
    if (written > (16 << 10)) continue;
    std::vector<std::byte> data(written);
    Check(dev.Read(z.start, data), "read");
    auto h = lf::DecodeZoneHeader(std::span(data).first(s.lbs), "seed");
    if (!h.ok()) continue;
    // Geometry 0 (4096, 64 KiB) or 1 (512, 64 KiB); zone index - 1 in bits 3-5.
    const uint8_t flags = (s.lbs == 512 ? 1 : 0) | uint8_t((index - 1) << 3);
    std::string in(1, char(flags));
    in += char(uint32_t(h->kind) - 1);
    in += Le64(h->epoch) + Le64(h->prev_epoch) + Le64(h->first_seq) + Le64(h->ckpt_total) +
          Le64(h->ckpt_offset);
    in += Bytes(data).substr(s.lbs);
    Put("log_zone_parse_fuzz", name + "_" + std::to_string(n++), in);
  }
}

void LogZoneParses() {
  for (int f : {0x04, 0x06, 0x08}) {
    const auto s = zgc::fuzz::OpenSetup::FromFlags(uint8_t(f));
    auto d = Device(s.Uri());
    Check(zgc::fuzz::FormatAndLoad(*d, s), "workload");
    ParseSeedsFrom(*d, s, "zone" + std::to_string(f));
  }
  for (int f : {0x04, 0x06}) {
    const auto s = zgc::fuzz::OpenSetup::FromFlags(uint8_t(f));
    ParseSeedsFrom(*TornAndResumed(s), s, "resumed" + std::to_string(f));
  }
  // Made from the encoders: a checkpoint zone of the smallest geometry.
  std::string in(1, '\3');
  in += char(0) + Le64(1) + Le64(0) + Le64(1) + Le64(100) + Le64(0);
  std::vector<std::byte> chunk(8 + 100, std::byte{5});
  zgc::PutLe<uint64_t>(chunk.data(), 0);
  std::vector<std::byte> body;
  lf::AppendRecord(body, 1, lf::kCheckpointChunk, chunk);
  lf::AppendRecord(body, 1, 1, std::vector<std::byte>(16, std::byte{1}));
  lf::AppendRecord(body, 2, 1, std::vector<std::byte>(16, std::byte{2}));
  lf::AppendRecord(body, 3, lf::kSeal, std::vector<std::byte>(8));
  lf::PadToBlock(body, 512);
  Put("log_zone_parse_fuzz", "small_checkpoint", in + Bytes(body));
}

void MapRecords() {
  std::vector<zgc::map_record::Entry> e;
  for (uint32_t i = 0; i < 40; ++i) e.push_back({i % 23, i % 5 == 4 ? 0 : 1000 + i});
  auto runs = zgc::map_record::EncodeRuns(e);
  Put("map_record_fuzz", "runs", std::string("\3\0", 2) + Bytes(runs));
  Put("map_record_fuzz", "runs_stop", std::string("\3\5", 2) + Bytes(runs));
  std::string pairs32, pairs64;
  for (uint32_t i = 0; i < 8; ++i) {
    pairs32 += Le32(i * 3) + Le32(i ? 500 + i : 0);
    pairs64 += Le64(i * 3) + Le64(i ? 500 + i : 0);
  }
  Put("map_record_fuzz", "pairs32", std::string("\2\3", 2) + pairs32);
  Put("map_record_fuzz", "pairs64", std::string("\1\0", 2) + pairs64);
  // A run up to the last 32-bit block.
  Put("map_record_fuzz", "top",
      std::string("\3\0", 2) + Le32(0xfffffffeu) + Le32(2) + Le32(1) + Le32(2));
}

void VolumeConfigs() {
  // Per device of volume_config_fuzz.cc (index in bits 0-2): a layout it
  // holds; flag 0x40 takes the log's zone count from the config.
  const struct {
    uint32_t log_first, log_zones;
    uint64_t blocks;
  } layouts[] = {{0, 4, 64},     {0, 4, 300},      {0, 6, 10000},        {2, 4, 300},
                 {0, 7, 200000}, {0, 40, 1 << 28}, {1, 100, 1ull << 30}, {0, 2, 1}};
  for (uint8_t i = 0; i < 8; ++i) {
    const auto cfg =
        zgc::EncodeVolumeConfig({layouts[i].log_first, layouts[i].log_zones, layouts[i].blocks});
    Put("volume_config_fuzz", "config" + std::to_string(i),
        std::string(1, char(i | 0x40)) + Le32(0) + Bytes(cfg));
  }
  const auto cfg = zgc::EncodeVolumeConfig({0, 4, 64});
  Put("volume_config_fuzz", "count_given", std::string(1, '\0') + Le32(4) + Bytes(cfg));
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
  LogSuperblocks();
  LogZoneHeaders();
  LogRecords();
  LogOpens();
  LogZoneParses();
  MapRecords();
  VolumeConfigs();
  return 0;
}
