// The corruption sweep: a saved volume image (an emu file) is damaged at
// every metadata structure in turn — a flipped byte at spread offsets of both
// superblock copies, every log zone header, every record (checkpoint chunks,
// map records, pads, seals, resumes), and CRC-valid damage (a field set to
// an absurd value, its checksum recomputed). Open, read-only as fsck opens,
// either refuses with kCorruption (or kNotSupported) naming the structure and
// its offset, or opens to exactly the acknowledged state — never to less,
// never a hang, never an allocation the device cannot justify — and the
// image is byte-identical afterwards.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>

#include "src/base/breakage.h"
#include "src/base/crc32c.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "src/volume/map_record.h"
#include "test/support/block_model.h"
#include "test/support/watchdog.h"

namespace zgc {
namespace {

namespace lf = log_format;
using testing::Stamp;
using testing::VersionOf;
constexpr uint64_t kB = Volume::kBlock;

class Image {
 public:
  explicit Image(std::filesystem::path path) : path_(std::move(path)) {
    std::ifstream f(path_, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(f), {});
    data_offset_ = GetLe<uint64_t>(reinterpret_cast<const std::byte*>(&bytes_[80]));
  }
  // Writes `b` at device offset `at` of the file, returning what was there.
  std::vector<char> Put(uint64_t at, const std::vector<char>& b) {
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    std::vector<char> old(b.size());
    f.seekg(static_cast<std::streamoff>(data_offset_ + at));
    f.read(old.data(), static_cast<std::streamsize>(old.size()));
    f.seekp(static_cast<std::streamoff>(data_offset_ + at));
    f.write(b.data(), static_cast<std::streamsize>(b.size()));
    return old;
  }
  // The header and the zone table: every write and zone operation changes
  // a zone's record (its write pointer or condition), and the test writes
  // to no conventional zone, so they tell whether anything was written.
  uint32_t FileCrc() const {
    std::ifstream f(path_, std::ios::binary);
    std::vector<char> head(data_offset_);
    f.read(head.data(), static_cast<std::streamsize>(head.size()));
    return Crc32c(0, head.data(), head.size());
  }
  const std::string uri() const { return "emu:" + path_.string(); }

 private:
  std::filesystem::path path_;
  std::vector<char> bytes_;
  uint64_t data_offset_ = 0;
};

struct Tally {
  uint64_t cases = 0, refused = 0, exact = 0, less = 0, unnamed = 0, wrote = 0;
  std::string first;
  void Bad(uint64_t& c, const std::string& what) {
    ++c;
    if (first.empty()) first = what;
    if (std::getenv("ZGC_CORRUPT_DEBUG")) std::printf("  %s\n", what.c_str());
  }
};

struct Fixture {
  std::filesystem::path path;
  std::map<uint64_t, uint64_t> version;
  uint32_t log_zones = 0;
  uint64_t zone_size = 0;
  uint32_t lbs = 0;
};

// A volume whose log holds an older checkpoint, a newer one, records after
// it across a records zone, a resume record after a torn tail, and a seal.
Fixture Build(const std::string& geometry, const std::string& tag, bool close = false) {
  Fixture f;
  f.path = std::filesystem::temp_directory_path() /
           ("zgc-corrupt-" + tag + "-" + std::to_string(::getpid()) + ".img");
  std::filesystem::remove(f.path);
  const std::string uri = "emu:" + f.path.string() + "?create=1&" + geometry;
  {
    auto d = OpenDevice(uri);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    // Background GC off: one call order, the same log layout every run.
    VolumeOptions o;
    o.background_gc = false;
    EXPECT_TRUE(Volume::Format(**d, o).ok());
    std::mt19937_64 rng(3);
    for (int round = 0; round < 3; ++round) {
      auto v = Volume::Open(**d, o);
      EXPECT_TRUE(v.ok()) << v.status().ToString();
      const uint64_t blocks = (*v)->size() / kB;
      for (int i = 0; i < 700; ++i) {
        const uint64_t l = rng() % blocks;
        EXPECT_TRUE((*v)->Write(l * kB, Stamp(l, ++f.version[l])).ok());
        if (i % 9 == 8) {
          EXPECT_TRUE((*v)->Flush().ok());
        }
      }
      EXPECT_TRUE((*v)->Flush().ok());
      // Enough records after the newest checkpoint to damage one by one.
      for (int i = 0; round == 2 && !close && i < 500; ++i) {
        const LogStats st = (*v)->Stats().log;
        if (st.durable_seq - st.checkpoint_seq >= 25) break;
        const uint64_t l = rng() % blocks;
        EXPECT_TRUE((*v)->Write(l * kB, Stamp(l, ++f.version[l])).ok());
        EXPECT_TRUE((*v)->Flush().ok());
      }
      if (round == 0 || (close && round == 2)) {
        EXPECT_TRUE((*v)->Close().ok());
      }
      f.log_zones = (*v)->Stats().log.zones;
    }
    f.zone_size = (*d)->info().zone_size;
    f.lbs = (*d)->info().logical_block_size;
  }
  return f;
}

// Every structure of the log: (device offset, length, what) of each
// superblock copy, zone header and record, walked with the format's parser.
struct Structure {
  uint64_t at, length;
  std::string what;
  uint8_t type = 0;
};
std::vector<Structure> Walk(ZonedDevice& d, const Fixture& f) {
  std::vector<Structure> out;
  const uint32_t sb = std::max<uint32_t>(4096, f.lbs);
  out.push_back({0, sb, "superblock copy 1"});
  out.push_back({sb, sb, "superblock copy 2"});
  for (uint32_t k = 1; k < f.log_zones; ++k) {
    auto z = d.ReportZone(uint64_t(k) * f.zone_size);
    if (!z.ok() || z->cond == ZoneCondition::kEmpty) continue;
    const uint64_t end = z->cond == ZoneCondition::kFull ? z->start + z->capacity : z->wp;
    std::vector<std::byte> data(end - z->start);
    EXPECT_TRUE(d.Read(z->start, data).ok());
    out.push_back({z->start, lf::kZoneHeader, "zone header"});
    for (size_t pos = f.lbs; pos + 8 <= data.size();) {
      const lf::Parsed p = lf::Parse(data, pos, f.lbs);
      if (p.kind == lf::Parsed::kShortPad) {
        out.push_back({z->start + pos, p.size, "short pad"});
        pos += p.size;
        continue;
      }
      if (p.kind != lf::Parsed::kRecord) break;  // after a seal, or the end
      out.push_back({z->start + pos, p.size, "record", p.record.type});
      pos += p.size;
      if (p.record.type == lf::kSeal) break;
    }
  }
  return out;
}

// Opens the damaged image read-only (as fsck does) and classifies.
void Judge(const Image& img, const Fixture& f, const std::string& what, Tally& t) {
  ++t.cases;
  const uint32_t before = img.FileCrc();
  {
    auto d = OpenDevice(img.uri());
    ASSERT_TRUE(d.ok());
    VolumeOptions ro;
    ro.read_only = true;
    auto v = Volume::Open(**d, ro);
    if (!v.ok()) {
      const Code c = v.status().code();
      if ((c == Code::kCorruption || c == Code::kNotSupported) &&
          v.status().message().find("0x") != std::string::npos) {
        ++t.refused;
        if (std::getenv("ZGC_CORRUPT_DEBUG") && what.find("zone header") != std::string::npos)
          std::printf("  %s: %s\n", what.c_str(), v.status().ToString().c_str());
      } else
        t.Bad(t.unnamed, what + ": " + v.status().ToString());
    } else {
      bool exact = (*v)->Check().ok();
      std::vector<std::byte> b((*v)->size());
      exact = exact && (*v)->Read(0, b).ok();
      for (uint64_t l = 0; exact && l < (*v)->size() / kB; ++l) {
        const auto it = f.version.find(l);
        exact = VersionOf(&b[l * kB], l) == (it == f.version.end() ? 0 : it->second);
      }
      if (exact)
        ++t.exact;
      else
        t.Bad(t.less, what + ": opened to less than the acknowledged state");
    }
  }
  if (img.FileCrc() != before) t.Bad(t.wrote, what + ": the image changed");
}

// Flips one byte, judges, restores.
void Flip(Image& img, const Fixture& f, uint64_t at, const std::string& what, Tally& t) {
  std::vector<char> b(1);
  const std::vector<char> old = img.Put(at, {0});
  b[0] = char(old[0] ^ 0x24);
  img.Put(at, b);
  Judge(img, f, what + " byte at " + std::to_string(at), t);
  img.Put(at, old);
}

Tally FlipSweep(const Fixture& f, testing::Watchdog& wd, size_t min_structures = 40) {
  Tally t;
  Image img(f.path);
  std::vector<Structure> all;
  {
    auto d = OpenDevice(img.uri());
    all = Walk(**d, f);
  }
  EXPECT_GT(all.size(), min_structures);
  if (std::getenv("ZGC_CORRUPT_DEBUG"))
    for (const Structure& s : all)
      std::printf("%s at %llu len %llu type %d\n", s.what.c_str(), (unsigned long long)s.at,
                  (unsigned long long)s.length, s.type);
  const uint32_t sb = std::max<uint32_t>(4096, f.lbs);
  int nth = 0;
  for (const Structure& s : all) {
    wd.Progress(s.what + " at " + std::to_string(s.at));
    std::vector<uint64_t> offsets;
    if (s.what == "zone header") {
      offsets = {0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 67};
    } else if (s.what == "record") {
      // Magic, type, length, payload checksum, sequence, header checksum;
      // the payload's first, middle and last byte.
      offsets = {0, 4, 8, 12, 16, 24};
      if (s.length > lf::kRecordHeader)
        for (uint64_t o : {lf::kRecordHeader, (lf::kRecordHeader + s.length) / 2, s.length - 1})
          offsets.push_back(o);
      // Records repeat their structure: every third one gets the full set.
      if (++nth % 3) offsets.resize(3);
    } else if (s.what == "short pad") {
      offsets = {0};
    } else {  // a superblock copy: each alone (the other serves), then both
      offsets = {0, 8, 12, 16, 20, 24, 32, 36, 40, 48, 56, 64, 70, 100, sb - 1};
    }
    for (uint64_t o : offsets) {
      if (o >= s.length) continue;
      Flip(img, f, s.at + o, s.what + (s.type ? " type " + std::to_string(s.type) : ""), t);
      if (s.what == "superblock copy 1") {
        // Both copies at once: must be refused by name.
        const auto a = img.Put(s.at + o, {0});
        const auto b2 = img.Put(s.at + sb + o, {0});
        img.Put(s.at + o, {char(a[0] ^ 0x24)});
        img.Put(s.at + sb + o, {char(b2[0] ^ 0x24)});
        const uint64_t refused = t.refused;
        Judge(img, f, "both superblock copies at " + std::to_string(o), t);
        if (t.refused == refused) t.Bad(t.less, "both superblock copies damaged, opened anyway");
        img.Put(s.at + o, a);
        img.Put(s.at + sb + o, b2);
      }
    }
  }
  return t;
}

void Print(const char* name, const Tally& t) {
  std::printf(
      "%s: %llu damaged images: %llu refused by name, %llu opened exactly, %llu opened to "
      "less, %llu refused without naming the place, %llu written to\n",
      name, (unsigned long long)t.cases, (unsigned long long)t.refused, (unsigned long long)t.exact,
      (unsigned long long)t.less, (unsigned long long)t.unnamed, (unsigned long long)t.wrote);
}

TEST(VolumeCorruption, EveryMetadataStructureFlippedIsRefusedOrOpensExactly) {
  testing::Watchdog wd(std::chrono::seconds(60));
  for (const auto& [tag, geometry] :
       {std::pair<std::string, std::string>{"4k", "zone_size=64K&zones=40"},
        {"512", "lbs=512&zone_size=64K&zone_cap=63K&zones=24"}}) {
    const Fixture f = Build(geometry, tag);
    const Tally t = FlipSweep(f, wd);
    Print(("flipped bytes, " + tag).c_str(), t);
    EXPECT_GT(t.refused, 100u);
    EXPECT_EQ(t.less + t.unnamed + t.wrote, 0u) << t.first;
    std::filesystem::remove(f.path);
  }
}

// Broken on purpose: a damaged zone header taken for garbage, and a log
// left with no zone taken for a fresh one (the defect of item 1 whole),
// opens some images to less, and the sweep says so.
TEST(VolumeCorruption, TheSweepCatchesABadHeaderTakenForGarbage) {
  testing::Watchdog wd(std::chrono::seconds(60));
  breakage::Scoped broken(breakage::log_takes_bad_header_for_garbage);
  // Closed: in steady state the newest zone holds the only checkpoint.
  const Fixture f = Build("zone_size=64K&zones=40", "broken", /*close=*/true);
  const Tally t = FlipSweep(f, wd, 3);
  EXPECT_GT(t.less, 0u);
  std::filesystem::remove(f.path);
}

// A checkpoint, checksums valid, in which two logical blocks map to one
// device block, and a record after it remaps one of the two (outsider
// finding: it opened, the record hiding the damage): refused by name,
// nothing written.
TEST(VolumeCorruption, ACheckpointMappingTwoBlocksToOneIsRefused) {
  const Fixture f = Build("zone_size=64K&zones=40", "dup");
  Image img(f.path);
  std::vector<Structure> all;
  {
    auto d = OpenDevice(img.uri());
    ASSERT_TRUE(d.ok());
    all = Walk(**d, f);
  }
  auto read = [&](const Structure& s) {
    auto d = OpenDevice(img.uri());
    const uint64_t block = s.at / f.lbs * f.lbs;
    std::vector<std::byte> span((s.at - block + s.length + f.lbs - 1) / f.lbs * f.lbs);
    EXPECT_TRUE((*d)->Read(block, span).ok());
    return std::vector<std::byte>(span.begin() + (s.at - block),
                                  span.begin() + (s.at - block + s.length));
  };
  // A block the log's last map record remaps: after every checkpoint.
  int64_t b = -1;
  for (auto it = all.rbegin(); it != all.rend() && b < 0; ++it) {
    if (it->what != "record" || it->type == 0 || it->type >= lf::kCheckpointChunk) continue;
    const auto r = read(*it);
    const uint32_t len = GetLe<uint32_t>(&r[8]);
    ASSERT_TRUE(map_record::Decode(it->type, std::span(r).subspan(lf::kRecordHeader, len),
                                   [&](uint64_t lba, uint64_t) {
                                     if (b < 0) b = static_cast<int64_t>(lba);
                                     return Status::OK();
                                   })
                    .ok());
  }
  ASSERT_GE(b, 0);
  // Every checkpoint chunk holding b's entry: b takes another mapped
  // block's device block.
  int forged = 0;
  std::vector<std::pair<uint64_t, std::vector<char>>> olds;
  for (const Structure& s : all) {
    if (s.what != "record" || s.type != lf::kCheckpointChunk) continue;
    auto r = read(s);
    const uint32_t len = GetLe<uint32_t>(&r[8]);
    const uint64_t offset = GetLe<uint64_t>(&r[lf::kRecordHeader]);
    std::byte* map = &r[lf::kRecordHeader + 8];
    const uint64_t first = offset / 4, entries = (len - 8) / 4;
    if (uint64_t(b) < first || uint64_t(b) >= first + entries) continue;
    int64_t a = -1;
    for (uint64_t i = 0; i < entries && a < 0; ++i)
      if (first + i != uint64_t(b) && GetLe<uint32_t>(map + 4 * i) != 0) a = int64_t(i);
    ASSERT_GE(a, 0);
    PutLe<uint32_t>(map + 4 * (b - first), GetLe<uint32_t>(map + 4 * a));
    PutLe<uint32_t>(&r[12], Crc32c(0, &r[lf::kRecordHeader], len));
    PutLe<uint32_t>(&r[24], Crc32c(0, r.data(), 24));
    std::vector<char> c(r.size());
    std::memcpy(c.data(), r.data(), r.size());
    olds.emplace_back(s.at, img.Put(s.at, c));
    ++forged;
  }
  ASSERT_GE(forged, 1);
  const uint32_t before = img.FileCrc();
  {
    auto d = OpenDevice(img.uri());
    ASSERT_TRUE(d.ok());
    for (bool ro : {true, false}) {
      VolumeOptions o;
      o.read_only = ro;
      o.background_gc = false;
      auto v = Volume::Open(**d, o);
      ASSERT_FALSE(v.ok()) << "block " << b << " opened";
      EXPECT_EQ(v.status().code(), Code::kCorruption);
      EXPECT_NE(v.status().message().find("which another block maps to"), std::string::npos)
          << v.status().ToString();
    }
  }
  EXPECT_EQ(img.FileCrc(), before) << "a refused Open wrote";
  std::filesystem::remove(f.path);
}

// CRC-valid damage: every field of the superblock, the volume config, a
// zone header, a record header and the checkpoint set to an absurd value
// with its checksum recomputed.
TEST(VolumeCorruption, AbsurdFieldsWithValidChecksumsAreRefusedByName) {
  testing::Watchdog wd(std::chrono::seconds(60));
  const Fixture f = Build("zone_size=64K&zones=40", "crc");
  Image img(f.path);
  Tally t;
  auto bytes = [](const std::vector<std::byte>& b) {
    return std::vector<char>(reinterpret_cast<const char*>(b.data()),
                             reinterpret_cast<const char*>(b.data()) + b.size());
  };
  std::vector<Structure> all;
  std::vector<std::byte> sb_bytes(4096);
  {
    auto d = OpenDevice(img.uri());
    all = Walk(**d, f);
    ASSERT_TRUE((*d)->Read(0, sb_bytes).ok());
  }
  // The superblock (both copies) and the volume config inside it.
  const lf::Superblock sb = lf::DecodeSuperblock(sb_bytes, "x").value();
  std::vector<std::function<void(lf::Superblock&)>> sb_changes = {
      [](lf::Superblock& s) { s.zones = 0xffffffff; },
      [](lf::Superblock& s) { s.zones = 3; },
      [](lf::Superblock& s) { s.lbs = 512; },
      [](lf::Superblock& s) { s.zone_size = 1ull << 40; },
      [](lf::Superblock& s) { s.first_zone = 1; },
      [](lf::Superblock& s) { s.max_checkpoint_bytes = ~0ull; },
      [](lf::Superblock& s) { s.max_checkpoint_bytes = 0; },
      [](lf::Superblock& s) { s.format_id ^= 1; },
      [](lf::Superblock& s) { s.config.resize(8); },
      [](lf::Superblock& s) { PutLe<uint64_t>(&s.config[24], 1ull << 40); },
      [](lf::Superblock& s) { PutLe<uint64_t>(&s.config[24], 1ull << 31); },
      [](lf::Superblock& s) { PutLe<uint32_t>(&s.config[16], 1000); },
      [](lf::Superblock& s) { PutLe<uint32_t>(&s.config[12], 39); },
      [](lf::Superblock& s) { PutLe<uint32_t>(&s.config[8], 1); },
  };
  for (size_t i = 0; i < sb_changes.size(); ++i) {
    wd.Progress("superblock change " + std::to_string(i));
    lf::Superblock x = sb;
    sb_changes[i](x);
    auto enc = lf::EncodeSuperblock(x);
    enc.insert(enc.end(), enc.begin(), enc.end());
    const auto old = img.Put(0, bytes(enc));
    const uint64_t refused = t.refused;
    Judge(img, f, "superblock change " + std::to_string(i), t);
    if (t.refused == refused && i != 7)  // a new format id orphans every zone: refused too
      t.Bad(t.less, "superblock change " + std::to_string(i) + " was not refused");
    img.Put(0, old);
  }
  // Each zone header, and each record header of the newest zones.
  int headers = 0, records = 0;
  for (const Structure& s : all) {
    wd.Progress(s.what + " at " + std::to_string(s.at));
    if (s.what == "zone header") {
      std::vector<std::byte> h(f.lbs);
      {
        auto d = OpenDevice(img.uri());
        ASSERT_TRUE((*d)->Read(s.at, h).ok());
      }
      const lf::ZoneHeader zh = lf::DecodeZoneHeader(h, "x").value();
      std::vector<std::function<void(lf::ZoneHeader&)>> changes = {
          [](lf::ZoneHeader& z) { z.epoch = ~0ull; },
          [](lf::ZoneHeader& z) { z.prev_epoch = z.epoch; },
          [](lf::ZoneHeader& z) { z.first_seq = ~0ull; },
          [](lf::ZoneHeader& z) { z.first_seq += 1; },
          [](lf::ZoneHeader& z) { z.ckpt_total = ~0ull; },
          [](lf::ZoneHeader& z) { z.ckpt_total += 8; },
          [](lf::ZoneHeader& z) {
            z.kind = lf::ZoneKind::kRecords, z.ckpt_total = z.ckpt_offset = 0;
          },
          [](lf::ZoneHeader& z) { z.format_id ^= 4; },
      };
      for (size_t i = 0; i < changes.size(); ++i) {
        lf::ZoneHeader x = zh;
        changes[i](x);
        const auto old = img.Put(s.at, bytes(lf::EncodeZoneHeader(x, lf::kZoneHeader)));
        Judge(img, f, "zone header at " + std::to_string(s.at) + " change " + std::to_string(i), t);
        img.Put(s.at, old);
      }
      ++headers;
    } else if (s.what == "record" && s.type != lf::kPad) {
      // The sequence number, the type and the length, the header checksum
      // recomputed (the payload's stays: a length change is caught by it).
      std::vector<std::byte> r(lf::kRecordHeader);
      {
        auto d = OpenDevice(img.uri());
        const uint64_t block = s.at / f.lbs * f.lbs;
        std::vector<std::byte> two(2 * f.lbs);
        ASSERT_TRUE((*d)->Read(block, two).ok());
        std::copy_n(two.begin() + (s.at - block), lf::kRecordHeader, r.begin());
      }
      for (int change = 0; change < 4; ++change) {
        auto x = r;
        if (change == 0) PutLe<uint64_t>(&x[16], GetLe<uint64_t>(&x[16]) + 1);
        if (change == 1) PutLe<uint64_t>(&x[16], ~0ull);
        if (change == 2) x[4] = std::byte{0x77};
        if (change == 3) PutLe<uint32_t>(&x[8], 0xfffffff0);
        PutLe<uint32_t>(&x[24], Crc32c(0, x.data(), 24));
        const auto old = img.Put(s.at, bytes(x));
        Judge(img, f,
              "record at " + std::to_string(s.at) + " type " + std::to_string(s.type) + " change " +
                  std::to_string(change),
              t);
        img.Put(s.at, old);
      }
      ++records;
    }
  }
  Print("valid checksums, absurd fields", t);
  EXPECT_GE(headers, 1);
  EXPECT_GT(records, 20);
  EXPECT_EQ(t.less + t.unnamed + t.wrote, 0u) << t.first;
  std::filesystem::remove(f.path);
}

}  // namespace
}  // namespace zgc
