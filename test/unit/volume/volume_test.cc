// zgc::Volume: reads and writes, reopen, fsck, bad input, and a seeded sweep
// of power cuts (drop and tear) across user writes, flushes, GC copies, log
// rolls and checkpoints, and zone resets.
#include "zgc/volume.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "src/base/hex.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "test/support/lying_sync_device.h"
#include "zgc/device_wrapper.h"
#include "zgc/fault_device.h"

namespace zgc {
namespace {

constexpr uint64_t kB = Volume::kBlock;

// Every block says which logical block and which version it is.
std::vector<std::byte> Stamp(uint64_t lba, uint64_t version) {
  std::vector<std::byte> b(kB);
  for (size_t i = 0; i < kB; i += 16) {
    std::memcpy(&b[i], &lba, 8);
    std::memcpy(&b[i + 8], &version, 8);
  }
  return b;
}

// The version a block holds: 0 for zeroes; ~0 for anything that is not one
// whole stamp of this lba (a mix, another block's data, garbage).
uint64_t VersionOf(const std::byte* b, uint64_t lba) {
  uint64_t l, v;
  std::memcpy(&l, b, 8);
  std::memcpy(&v, b + 8, 8);
  if (l == 0 && v == 0) {
    for (size_t i = 0; i < kB; ++i)
      if (b[i] != std::byte{0}) return ~0ull;
    return 0;
  }
  if (l != lba) return ~0ull;
  for (size_t i = 0; i < kB; i += 16) {
    uint64_t l2, v2;
    std::memcpy(&l2, b + i, 8);
    std::memcpy(&v2, b + i + 8, 8);
    if (l2 != l || v2 != v) return ~0ull;
  }
  return v;
}

const char* kDev = "mem:?zone_size=64K&zones=40&max_open=0&max_active=0";

std::unique_ptr<Volume> Make(ZonedDevice& d, VolumeOptions o = {}) {
  Status f = Volume::Format(d, o);
  EXPECT_TRUE(f.ok()) << f.ToString();
  auto v = Volume::Open(d, o);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(*v) : nullptr;
}

TEST(Volume, WritesReadBackAcrossGcAndReopen) {
  auto d = *OpenDevice(kDev);
  auto v = Make(*d);
  ASSERT_TRUE(v);
  const uint64_t blocks = v->size() / kB;
  ASSERT_GT(blocks, 200u);
  std::map<uint64_t, uint64_t> version;
  std::mt19937 rng(2);
  for (int i = 0; i < 6000; ++i) {
    const uint64_t lba = rng() % 5 ? rng() % (blocks / 5) : rng() % blocks;
    ASSERT_TRUE(v->Write(lba * kB, Stamp(lba, ++version[lba])).ok()) << i;
    if (i % 100 == 0) {
      ASSERT_TRUE(v->Flush().ok());
    }
  }
  ASSERT_TRUE(v->Trim(0, 8 * kB).ok());
  for (uint64_t l = 0; l < 8; ++l) version.erase(l);
  EXPECT_GT(v->Stats().gc.zones_reset, 20u);
  EXPECT_GT(v->Stats().log.checkpoints, 0u);
  ASSERT_TRUE(v->Check().ok()) << v->Check().ToString();
  auto verify = [&](Volume& vol) {
    std::vector<std::byte> b(blocks * kB);
    ASSERT_TRUE(vol.Read(0, b).ok());
    for (uint64_t l = 0; l < blocks; ++l) {
      const uint64_t want = version.count(l) ? version[l] : 0;
      ASSERT_EQ(VersionOf(&b[l * kB], l), want) << "block " << l;
    }
  };
  verify(*v);
  ASSERT_TRUE(v->Close().ok());
  v.reset();
  auto again = Volume::Open(*d, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE((*again)->Check().ok());
  verify(**again);
  const VolumeStats st = (*again)->Stats();
  std::printf("map memory: %.2f bytes per logical block\n",
              double(st.map_memory_bytes) / double(blocks));
  EXPECT_LE(st.map_memory_bytes, blocks * 4) << "the FTL standard: 4 bytes per 4 KiB block";
}

// A Flush journals the map changes of the writes before it as one record in
// one log group (run-encoded: 4 bytes a block), which a power cut keeps.
// Regression: one record per write made metadata 1.7 % of user bytes.
TEST(Volume, AFlushJournalsItsWritesAsOneSmallRecordInOneGroup) {
  auto d = *OpenDevice("mem:?zone_size=1M&zones=32&lbs=512&max_open=0&max_active=0&cache=volatile");
  VolumeOptions o;
  o.background_gc = false;
  ASSERT_TRUE(Volume::Format(*d, o).ok());
  std::map<uint64_t, uint64_t> want;
  {
    auto v = Volume::Open(*d, o);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    // The first group after Open starts a fresh log zone (its header block).
    ASSERT_TRUE((*v)->Write(0, Stamp(0, 99)).ok());
    want[0] = 99;
    ASSERT_TRUE((*v)->Flush().ok());
    const LogStats before = (*v)->Stats().log;
    std::mt19937_64 rng(5);
    const uint64_t blocks = (*v)->size() / kB;
    for (int i = 0; i < 64; ++i) {
      const uint64_t lba = 1 + rng() % (blocks - 1);
      want[lba] = i + 1;
      ASSERT_TRUE((*v)->Write(lba * kB, Stamp(lba, i + 1)).ok());
    }
    ASSERT_TRUE((*v)->Flush().ok());
    const LogStats after = (*v)->Stats().log;
    EXPECT_EQ(after.records - before.records, 1u);
    EXPECT_EQ(after.groups - before.groups, 1u);
    // 24-byte record header + one run (8) + 4 per distinct block: one sector.
    EXPECT_EQ(after.device_bytes - before.device_bytes, 512u);
    ASSERT_TRUE(d->CutPower({PowerCutMode::kDrop, 1}).ok());
  }
  ASSERT_TRUE(d->PowerOn().ok());
  auto v = Volume::Open(*d, o);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  std::vector<std::byte> b(kB);
  for (const auto& [lba, version] : want) {
    ASSERT_TRUE((*v)->Read(lba * kB, b).ok());
    EXPECT_EQ(VersionOf(b.data(), lba), version) << lba;
  }
  EXPECT_TRUE((*v)->Check().ok());
}

TEST(Volume, BadInputIsRefusedAndWritesNothing) {
  auto d = *OpenDevice(kDev);
  auto v = Make(*d);
  std::vector<std::byte> b(kB);
  EXPECT_EQ(v->Write(v->size(), b).code(), Code::kOutOfRange);
  EXPECT_EQ(v->Read(v->size() - kB, std::span(b.data(), 2 * kB / 2)).code(), Code::kOk);
  EXPECT_EQ(v->Write(100, b).code(), Code::kInvalidArgument);
  EXPECT_EQ(v->Trim(v->size(), kB).code(), Code::kOutOfRange);
  auto tiny = *OpenDevice("mem:?zone_size=64K&zones=8");
  EXPECT_EQ(Volume::Format(*tiny, {}).code(), Code::kInvalidArgument);
  auto small_lbs = *OpenDevice("mem:?zone_size=64K&zones=40&lbs=8K");
  EXPECT_EQ(Volume::Format(*small_lbs, {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(Volume::Format(*d, {.logical_bytes = 1ull << 40}).code(), Code::kInvalidArgument);
  auto huge = OpenDevice("mem:?zone_size=1G&zones=16400&max_open=0&max_active=0");
  if (huge.ok()) {
    EXPECT_EQ(Volume::Format(**huge, {}).code(), Code::kInvalidArgument) << "32-bit map";
  }
  auto blank = *OpenDevice(kDev);
  EXPECT_EQ(Volume::Open(*blank, {}).status().code(), Code::kCorruption);
}

// What each block may read back: its state at the last completed Flush (or
// FUA write), or any state issued to it since (0: zeroes).
struct Expect {
  std::map<uint64_t, uint64_t> acked;
  std::map<uint64_t, std::set<uint64_t>> since;
  std::map<uint64_t, uint64_t> newest;  // the last state issued to each block
  uint64_t next_version = 1;

  // Recorded before the call: a write that fails may have landed.
  void Issued(uint64_t lba, uint64_t state) { since[lba].insert(state), newest[lba] = state; }
  void Durable(uint64_t lba, uint64_t state) { acked[lba] = state, since.erase(lba); }
  // Every block now holds durably the newest state issued to it.
  void Flushed() {
    for (const auto& [l, state] : newest)
      if (since.count(l)) acked[l] = state;
    since.clear();
  }

  // One random operation of the test workload: 1-3 block writes (5 % FUA),
  // single-block trims, flushes.
  Status Step(Volume& v, std::mt19937_64& rng, uint64_t blocks) {
    const uint64_t lba = rng() % 4 ? rng() % (blocks / 4) : rng() % blocks;
    const int op = static_cast<int>(rng() % 100);
    if (op < 90) {
      const uint64_t n = 1 + rng() % 3, first = std::min(lba, blocks - n);
      std::vector<std::byte> buf;
      std::vector<uint64_t> vs;
      for (uint64_t k = 0; k < n; ++k) {
        const auto blk = Stamp(first + k, next_version);
        buf.insert(buf.end(), blk.begin(), blk.end());
        vs.push_back(next_version++);
      }
      for (uint64_t k = 0; k < n; ++k) Issued(first + k, vs[k]);
      Status s = v.Write(first * kB, buf, /*fua=*/op < 5);
      if (s.ok() && op < 5)
        for (uint64_t k = 0; k < n; ++k) Durable(first + k, vs[k]);
      return s;
    }
    if (op < 93) {
      Issued(lba, 0);
      return v.Trim(lba * kB, kB);
    }
    Status s = v.Flush();
    if (s.ok()) Flushed();
    return s;
  }

  struct Counts {
    uint64_t checked = 0, lost = 0, bad = 0;
  };
  // Reads the whole volume back against the model.
  Status Verify(Volume& v, Counts& c) {
    const uint64_t blocks = v.size() / kB;
    std::vector<std::byte> b(blocks * kB);
    ZGC_RETURN_IF_ERROR(v.Read(0, b));
    for (uint64_t l = 0; l < blocks; ++l) {
      const uint64_t got = VersionOf(&b[l * kB], l);
      const uint64_t want = acked.count(l) ? acked[l] : 0;
      ++c.checked;
      if (got == want) continue;
      if (since.count(l) && since[l].count(got)) continue;  // written after the flush: allowed
      if (getenv("ZGC_SWEEP_DEBUG") && c.lost + c.bad < 5)
        std::printf("block %llu: got %llu want %llu (since: %zu states)\n", (unsigned long long)l,
                    (unsigned long long)got, (unsigned long long)want,
                    since.count(l) ? since[l].size() : 0);
      if (got == ~0ull)
        ++c.bad;
      else
        ++c.lost;
    }
    return Status::OK();
  }
};

// Logs written before map records went 32-bit (type 1: u64 pairs) still
// recover: a block mapped by such a record reads back.
TEST(Volume, MapRecordsOfTheFirstFormatStillRecover) {
  auto d = *OpenDevice(kDev);
  ASSERT_TRUE(Volume::Format(*d, {}).ok());
  // Data for logical block 5 in the first engine zone (after the 4 log zones).
  const uint64_t at = 4 * d->info().zone_size;
  ASSERT_TRUE(d->Write(at, Stamp(5, 9)).ok());
  {
    // The log's first write is a checkpoint: an empty map of the volume's size.
    struct EmptyMap final : LogOwner {
      uint64_t bytes = 0;
      Result<LogSnapshot> Snapshot() override { return LogSnapshot{0, std::vector<std::byte>(bytes)}; }
    } owner;
    LogRecovery rec;
    auto log = MetaLog::Open(*d, {.first_zone = 0, .flush_before_write = true}, owner, &rec);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    owner.bytes = rec.max_checkpoint_bytes;
    std::vector<std::byte> pair(16);
    PutLe<uint64_t>(&pair[0], 5);
    PutLe<uint64_t>(&pair[8], at / kB + 1);
    ASSERT_TRUE((*log)->Append(1, pair).ok());
    ASSERT_TRUE((*log)->Sync().ok());
  }
  auto v = Volume::Open(*d, {});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  std::vector<std::byte> b(kB);
  ASSERT_TRUE((*v)->Read(5 * kB, b).ok());
  EXPECT_EQ(VersionOf(b.data(), 5), 9u);
  EXPECT_TRUE((*v)->Check().ok());
}

// A record of the volume's log, where it is on the device.
struct LoggedRecord {
  uint64_t at;          // device offset
  uint64_t zone_start;  // its log zone
  uint8_t type;
  uint64_t seq;
  bool followed;  // another valid record follows it in its zone
};

std::vector<LoggedRecord> WalkLog(ZonedDevice& d, uint32_t first_zone, uint32_t zones) {
  std::vector<LoggedRecord> out;
  const uint64_t zs = d.info().zone_size, lbs = d.info().logical_block_size;
  for (uint32_t z = first_zone + 1; z < first_zone + zones; ++z) {
    auto zone = d.ReportZone(uint64_t(z) * zs);
    if (!zone.ok() || zone->wp <= zone->start) continue;
    std::vector<std::byte> data(zone->wp - zone->start);
    if (!d.Read(zone->start, data).ok()) continue;
    size_t pos = lbs;  // the zone header
    const size_t first = out.size();
    while (pos + log_format::kRecordHeader <= data.size()) {
      const auto p = log_format::Parse(data, pos, lbs);
      if (p.kind == log_format::Parsed::kShortPad) {
        pos += p.size;
        continue;
      }
      if (p.kind != log_format::Parsed::kRecord) break;
      if (p.record.type != log_format::kPad && p.record.type != log_format::kSeal &&
          p.record.type != log_format::kResume)
        out.push_back({zone->start + pos, zone->start, p.record.type, p.record.seq, false});
      pos += p.size;
    }
    for (size_t i = first; i + 1 < out.size(); ++i) out[i].followed = true;
  }
  return out;
}

std::vector<char> FileBytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

void FlipFileByte(const std::filesystem::path& p, uint64_t at) {
  std::fstream f(p, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c ^= 0x5a;
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

// Corrupt metadata in the middle of the log — a map record with valid records
// after it, the checkpoint recovery needs, both superblocks — and a newer
// format: Open fails (kCorruption naming the structure and its device offset;
// kNotSupported), and the device file is byte-identical afterwards. With the
// byte restored, the volume opens with every flushed block.
TEST(Volume, CorruptMetadataIsRefusedNamingItsPlaceAndNothingIsWritten) {
  const auto path =
      std::filesystem::temp_directory_path() / ("zgc-volume-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  const std::string uri = "emu:" + path.string() + "?create=1&zone_size=64K&zones=40";
  const std::string reopen_uri = "emu:" + path.string();
  std::map<uint64_t, uint64_t> version;
  uint64_t data_offset = 0;
  std::vector<LoggedRecord> recs;
  {
    auto d = *OpenDevice(uri);
    auto v = Make(*d, {.log_zones = 6});
    ASSERT_TRUE(v);
    std::mt19937 rng(4);
    const uint64_t blocks = v->size() / kB;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 400; ++i) {
        const uint64_t lba = rng() % blocks;
        ASSERT_TRUE(v->Write(lba * kB, Stamp(lba, ++version[lba])).ok());
        if (i % 10 == 9) {
          ASSERT_TRUE(v->Flush().ok());
        }
      }
      if (round == 0) {
        ASSERT_TRUE(v->Close().ok());  // a checkpoint, then more records after it
        v.reset();
        auto again = Volume::Open(*d, {.log_zones = 6});
        ASSERT_TRUE(again.ok());
        v = std::move(*again);
      }
    }
    ASSERT_TRUE(v->Flush().ok());
    v.reset();
    recs = WalkLog(*d, 0, 6);
  }
  {
    const auto head = FileBytes(path);
    ASSERT_GE(head.size(), 88u);
    data_offset = GetLe<uint64_t>(reinterpret_cast<const std::byte*>(&head[80]));
  }
  const LoggedRecord* map_rec = nullptr;
  const LoggedRecord* ckpt = nullptr;
  for (const LoggedRecord& r : recs) {
    if (r.type != log_format::kCheckpointChunk && r.followed && !map_rec) map_rec = &r;
    if (r.type == log_format::kCheckpointChunk && (!ckpt || r.seq > ckpt->seq)) ckpt = &r;
  }
  ASSERT_TRUE(map_rec && ckpt) << recs.size() << " records";
  auto expect_refused = [&](uint64_t byte, Code code, std::vector<std::string> names) {
    FlipFileByte(path, data_offset + byte);
    const auto before = FileBytes(path);
    {
      auto d = *OpenDevice(reopen_uri);
      auto v = Volume::Open(*d, {.log_zones = 6});
      ASSERT_FALSE(v.ok());
      EXPECT_EQ(v.status().code(), code) << v.status().ToString();
      bool named = false;
      for (const auto& n : names) named |= v.status().message().find(n) != std::string::npos;
      EXPECT_TRUE(named) << v.status().ToString();
    }
    EXPECT_TRUE(FileBytes(path) == before) << "Open wrote to a device it refused";
    FlipFileByte(path, data_offset + byte);  // restored
  };
  // A map record's payload.
  expect_refused(map_rec->at + log_format::kRecordHeader + 3, Code::kCorruption,
                 {"metadata log record at " + Hex(map_rec->at)});
  // The newest checkpoint's first chunk.
  expect_refused(ckpt->at + log_format::kRecordHeader + 30, Code::kCorruption,
                 {"metadata log record at " + Hex(ckpt->at), "zone at " + Hex(ckpt->zone_start)});
  // Both superblock copies.
  {
    const auto before = FileBytes(path);
    FlipFileByte(path, data_offset + 100);
    FlipFileByte(path, data_offset + 4096 + 100);
    {
      auto d = *OpenDevice(reopen_uri);
      auto v = Volume::Open(*d, {.log_zones = 6});
      EXPECT_EQ(v.status().code(), Code::kCorruption);
      EXPECT_NE(v.status().message().find("superblock at 0x0"), std::string::npos)
          << v.status().ToString();
    }
    FlipFileByte(path, data_offset + 100);
    FlipFileByte(path, data_offset + 4096 + 100);
    EXPECT_TRUE(FileBytes(path) == before);
  }
  // Restored: every flushed block is there.
  {
    auto d = *OpenDevice(reopen_uri);
    auto v = Volume::Open(*d, {.log_zones = 6});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE((*v)->Check().ok());
    std::vector<std::byte> b(kB);
    for (const auto& [lba, ver] : version) {
      ASSERT_TRUE((*v)->Read(lba * kB, b).ok());
      ASSERT_EQ(VersionOf(b.data(), lba), ver) << lba;
    }
  }
  std::filesystem::remove(path);
}

struct Sweep {
  int cuts = 0;
  uint64_t blocks_checked = 0, lost = 0, bad = 0, fsck_failures = 0;
};

Sweep CrashSweep(int rounds, bool lying, uint64_t seed0) {
  Sweep out;
  for (int round = 0; round < rounds; ++round) {
    auto base = *OpenDevice(std::string(kDev) + "&cache=volatile");
    std::unique_ptr<ZonedDevice> dev =
        lying ? std::unique_ptr<ZonedDevice>(std::make_unique<LyingSyncDevice>(std::move(base)))
              : std::move(base);
    if (!Volume::Format(*dev, {}).ok() || !dev->Sync().ok()) continue;
    std::mt19937_64 rng(seed0 + round);
    Expect e;
    {
      auto vol = Volume::Open(*dev, {});
      if (!vol.ok()) continue;
      Volume& v = **vol;
      const uint64_t blocks = v.size() / kB;
      const PowerCut cut{round % 2 ? PowerCutMode::kTear : PowerCutMode::kDrop, rng()};
      (void)dev->ArmPowerCut(1 + rng() % 1500, cut);
      for (int i = 0; i < 3000; ++i)
        if (!e.Step(v, rng, blocks).ok()) break;
      (void)dev->CutPower(cut);
    }
    (void)dev->PowerOn();
    ++out.cuts;
    auto vol = Volume::Open(*dev, {});
    if (!vol.ok()) {
      ++out.lost;
      continue;
    }
    if (Status c = (*vol)->Check(); !c.ok()) {
      if (out.fsck_failures++ < 3) std::printf("round %d: %s\n", round, c.ToString().c_str());
    }
    Expect::Counts c;
    if (!e.Verify(**vol, c).ok()) {
      ++out.lost;
      continue;
    }
    out.blocks_checked += c.checked, out.lost += c.lost, out.bad += c.bad;
  }
  return out;
}

// ZGC_SWEEP_ROUNDS overrides the count (the sanitizer builds run fewer).
int Rounds(int fallback) {
  const char* e = std::getenv("ZGC_SWEEP_ROUNDS");
  return e ? std::max(1, std::atoi(e)) : fallback;
}

TEST(Volume, PowerCutsLoseNoAcknowledgedBlock) {
  const int rounds = Rounds(1000);
  const Sweep s = CrashSweep(rounds, /*lying=*/false, 1);
  std::printf(
      "volume power cuts: %d, blocks checked: %llu, acknowledged blocks lost: %llu, "
      "torn or foreign blocks: %llu, fsck failures: %llu\n",
      s.cuts, static_cast<unsigned long long>(s.blocks_checked),
      static_cast<unsigned long long>(s.lost), static_cast<unsigned long long>(s.bad),
      static_cast<unsigned long long>(s.fsck_failures));
  EXPECT_EQ(s.cuts, rounds);
  EXPECT_EQ(s.lost, 0u);
  EXPECT_EQ(s.bad, 0u);
  EXPECT_EQ(s.fsck_failures, 0u);
}

TEST(Volume, TheCrashCheckerCatchesADeviceThatDoesNotFlush) {
  const Sweep s = CrashSweep(std::min(Rounds(100), 100), /*lying=*/true, 7);
  EXPECT_GT(s.lost + s.bad, 0u);
}

// Fault injection: a fixed workload (format, open, 700 operations with GC
// collections, log rolls and checkpoints, close) on a device that fails one
// call — each index in turn, every one, once returning an error and once also
// landing a block of a write, append or copy first. The operation that meets
// the fault fails, every later write, trim, flush and close fails too (the
// volume is read-only), and after reopening nothing acknowledged is lost and
// fsck passes.
TEST(Volume, EveryDeviceCallOfAFixedWorkloadFailingInTurnLosesNothing) {
  VolumeOptions opts;
  opts.background_gc = false;  // the calls come in one order
  constexpr int kOps = 700;
  struct Outcome {
    bool hit = false;     // the fault fired
    bool failed = false;  // some call returned an error
    int wrote_after_error = 0;
    bool close_ok = false;
    VolumeStats stats;
  };
  auto run = [&](FaultDevice& fd, Expect& e) {
    Outcome o;
    auto vol = Volume::Open(fd, opts);
    if (!vol.ok()) return o.failed = true, o;
    std::mt19937_64 rng(42);
    const uint64_t blocks = (*vol)->size() / kB;
    for (int i = 0; i < kOps; ++i) {
      const bool ok = e.Step(**vol, rng, blocks).ok();
      if (!ok) o.failed = true;
      if (ok && o.failed) ++o.wrote_after_error;
    }
    o.stats = (*vol)->Stats();
    o.close_ok = (*vol)->Close().ok();
    if (o.close_ok && o.failed) ++o.wrote_after_error;
    if (o.close_ok) e.Flushed();
    return o;
  };
  auto fresh = [&] {
    auto fd = std::make_unique<FaultDevice>(*OpenDevice(kDev));
    EXPECT_TRUE(Volume::Format(*fd, opts).ok());
    return fd;
  };
  uint64_t total = 0;
  {
    auto fd = fresh();
    const size_t counter = fd->AddRule({.op = FaultOp::kAny, .nth = ~0ull});
    Expect e;
    const Outcome o = run(*fd, e);
    ASSERT_FALSE(o.failed);
    total = fd->Seen(counter);
    std::printf("workload: %llu zones reset, %llu log checkpoints\n",
                (unsigned long long)o.stats.gc.zones_reset,
                (unsigned long long)o.stats.log.checkpoints);
    EXPECT_GT(o.stats.gc.zones_reset, 20u) << "the workload collects";
    EXPECT_GT(o.stats.log.checkpoints, 1u) << "the workload rolls the log";
  }
  ASSERT_GT(total, 500u);
  uint64_t runs = 0, hit = 0, failed = 0, checked = 0, lost = 0, bad = 0, fsck = 0, reopen = 0,
           after = 0;
  for (uint64_t k = 1; k <= total; ++k) {
    for (const uint64_t short_bytes : {uint64_t(0), uint64_t(kB)}) {
      auto fd = fresh();
      const size_t rule =
          fd->AddRule({.op = FaultOp::kAny,
                       .nth = k,
                       .status = Status::IoError("injected fault at call " + std::to_string(k)),
                       .short_bytes = short_bytes});
      Expect e;
      const Outcome o = run(*fd, e);
      ++runs;
      hit += fd->Injected(rule) > 0;
      failed += o.failed;
      after += o.wrote_after_error;
      fd->ClearRules();
      auto v = Volume::Open(*fd, opts);
      if (!v.ok()) {
        if (reopen++ < 3)
          std::printf("call %llu: reopen: %s\n", (unsigned long long)k,
                      v.status().ToString().c_str());
        continue;
      }
      if (Status c = (*v)->Check(); !c.ok() && fsck++ < 3)
        std::printf("call %llu: %s\n", (unsigned long long)k, c.ToString().c_str());
      Expect::Counts c;
      ASSERT_TRUE(e.Verify(**v, c).ok());
      if (c.lost + c.bad && lost + bad == 0)
        std::printf("call %llu (short %llu): %llu lost, %llu bad\n", (unsigned long long)k,
                    (unsigned long long)short_bytes, (unsigned long long)c.lost,
                    (unsigned long long)c.bad);
      checked += c.checked, lost += c.lost, bad += c.bad;
    }
  }
  std::printf(
      "fault sweep: %llu device calls, %llu runs, faults fired %llu, runs that saw an error "
      "%llu, blocks checked %llu, lost %llu, torn or foreign %llu, fsck failures %llu, reopen "
      "failures %llu, state changes accepted after an error %llu\n",
      (unsigned long long)total, (unsigned long long)runs, (unsigned long long)hit,
      (unsigned long long)failed, (unsigned long long)checked, (unsigned long long)lost,
      (unsigned long long)bad, (unsigned long long)fsck, (unsigned long long)reopen,
      (unsigned long long)after);
  EXPECT_EQ(hit, runs) << "every index is a call of the workload";
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(fsck, 0u);
  EXPECT_EQ(reopen, 0u);
  EXPECT_EQ(after, 0u);
}

}  // namespace
}  // namespace zgc
