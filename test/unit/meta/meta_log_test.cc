// The metadata log alone: records, group commit, rolls and checkpoints,
// recovery after torn writes and power cuts, bad superblocks, a full log.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "src/meta/log_format.h"
#include "test/support/lying_sync_device.h"
#include "zgc/device_wrapper.h"
#include "zgc/log.h"

namespace zgc {
namespace {

constexpr uint64_t kZone = 64 << 10;  // 16 blocks of 4 KiB

// A key-value map kept through the log: type 1 records set key = value.
class KvOwner final : public LogOwner {
 public:
  Result<LogSnapshot> Snapshot() override {
    std::lock_guard lock(mu);
    ++snapshots;
    LogSnapshot s;
    s.last_seq = applied;
    const uint64_t n = kv.size();
    s.data.resize(8);
    std::memcpy(s.data.data(), &n, 8);
    for (const auto& [k, v] : kv) {
      const uint64_t w[2] = {k, v};
      const auto* p = reinterpret_cast<const std::byte*>(w);
      s.data.insert(s.data.end(), p, p + 16);
    }
    s.data.resize(s.data.size() + padding);  // to make checkpoints large on purpose
    return s;
  }
  // Appends and applies under the owner's lock (Append never waits).
  Result<uint64_t> Set(MetaLog& log, uint64_t k, uint64_t v) {
    std::lock_guard lock(mu);
    std::vector<std::byte> rec(16 + record_pad);
    const uint64_t w[2] = {k, v};
    std::memcpy(rec.data(), w, 16);
    auto seq = log.Append(1, rec);
    if (seq.ok()) kv[k] = v, applied = *seq;
    return seq;
  }
  // The map as recovery rebuilds it.
  static std::map<uint64_t, uint64_t> Rebuild(const LogRecovery& r) {
    std::map<uint64_t, uint64_t> m;
    if (r.checkpoint && r.checkpoint->data.size() >= 8) {
      uint64_t n;
      std::memcpy(&n, r.checkpoint->data.data(), 8);
      for (uint64_t i = 0; i < n && 8 + 16 * (i + 1) <= r.checkpoint->data.size(); ++i) {
        uint64_t w[2];
        std::memcpy(w, r.checkpoint->data.data() + 8 + 16 * i, 16);
        m[w[0]] = w[1];
      }
    }
    for (const LogRecord& rec : r.records) {
      uint64_t w[2];
      std::memcpy(w, rec.data.data(), 16);
      m[w[0]] = w[1];
    }
    return m;
  }
  std::mutex mu;
  std::map<uint64_t, uint64_t> kv;
  uint64_t applied = 0;
  size_t padding = 0;     // bytes added to each snapshot
  size_t record_pad = 0;  // bytes added to each record (ignored on rebuild)
  int snapshots = 0;
};

std::unique_ptr<ZonedDevice> Mem(const std::string& extra = "") {
  auto d = OpenDevice("mem:?zone_size=64K&zones=16&max_open=0&max_active=0" + extra);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return std::move(*d);
}

const LogOptions kLog{.first_zone = 2, .zones = 5};

std::unique_ptr<MetaLog> OpenLog(ZonedDevice& d, LogOwner& o, LogRecovery* r,
                                 LogOptions opt = kLog) {
  auto log = MetaLog::Open(d, opt, o, r);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

TEST(MetaLog, RecordsSurviveAReopenInOrder) {
  auto d = Mem();
  const std::string config = "volume v1";
  ASSERT_TRUE(
      MetaLog::Format(*d, kLog, std::as_bytes(std::span(config.data(), config.size()))).ok());
  KvOwner o;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.config.data()), r.config.size()), config);
  EXPECT_TRUE(r.records.empty());
  for (uint64_t i = 1; i <= 10; ++i) ASSERT_TRUE(o.Set(*log, i, i * 10).ok());
  ASSERT_TRUE(log->Sync().ok());
  log.reset();
  KvOwner o2;
  LogRecovery r2;
  auto again = OpenLog(*d, o2, &r2);
  ASSERT_EQ(r2.records.size(), 10u);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(r2.records[i].seq, i + 1);
  EXPECT_EQ(KvOwner::Rebuild(r2), o.kv);
  EXPECT_EQ(again->Append(0, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(again->Append(0xF0, {}).status().code(), Code::kInvalidArgument);
  std::vector<std::byte> huge(kZone);
  EXPECT_EQ(again->Append(1, huge).status().code(), Code::kInvalidArgument);
}

TEST(MetaLog, FullZonesRollCheckpointAndTheOldZonesAreReset) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r);
  std::mt19937 rng(1);
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(o.Set(*log, rng() % 50, i).ok());
    if (i % 7 == 0) {
      ASSERT_TRUE(log->Sync().ok()) << i;
    }
  }
  ASSERT_TRUE(log->Sync().ok());
  const LogStats st = log->Stats();
  EXPECT_GT(st.checkpoints, 10u);
  EXPECT_GT(st.zones_reset, 10u);
  EXPECT_LT(st.groups, st.records);
  log.reset();
  KvOwner o2;
  LogRecovery r2;
  OpenLog(*d, o2, &r2);
  ASSERT_TRUE(r2.checkpoint.has_value());
  EXPECT_EQ(KvOwner::Rebuild(r2), o.kv);
}

// A device whose flush takes a millisecond, as a real one does: syncing
// threads pile up behind it and share the next one.
class SlowFlush final : public DeviceWrapper {
 public:
  using DeviceWrapper::DeviceWrapper;
  Status Sync() override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return DeviceWrapper::Sync();
  }
};

TEST(MetaLog, GroupCommitUnderEightThreads) {
  auto d = std::make_unique<SlowFlush>(Mem());
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r);
  std::vector<std::thread> t;
  std::atomic<int> errors{0};
  for (int k = 0; k < 8; ++k)
    t.emplace_back([&, k] {
      for (int i = 0; i < 200; ++i) {
        auto seq = o.Set(*log, k * 1000 + i % 40, i);
        if (!seq.ok() || !log->Sync(*seq).ok()) ++errors;
      }
    });
  for (auto& th : t) th.join();
  EXPECT_EQ(errors.load(), 0);
  const LogStats st = log->Stats();
  std::printf("group commit: 1600 syncs by 8 threads took %llu flushes\n",
              static_cast<unsigned long long>(st.flushes));
  EXPECT_LT(st.flushes, 800u) << "flushes are shared by the threads waiting";
  log.reset();
  KvOwner o2;
  LogRecovery r2;
  OpenLog(*d, o2, &r2);
  EXPECT_EQ(KvOwner::Rebuild(r2), o.kv);
}

struct Sweep {
  int cuts = 0;
  uint64_t acknowledged_checked = 0;
  uint64_t lost = 0;
  uint64_t checkpoints = 0, zones_reset = 0;  // begun before the cuts
};

// Random appends and syncs, power cut at a random device call (drop or tear),
// recovery: every record acknowledged by Sync must be there with its value,
// and what was recovered must be a prefix of what was appended.
Sweep PowerCutSweep(int rounds, bool lying) {
  Sweep out;
  for (int round = 0; round < rounds; ++round) {
    auto base = Mem("&cache=volatile");
    std::unique_ptr<ZonedDevice> dev =
        lying ? std::unique_ptr<ZonedDevice>(std::make_unique<LyingSyncDevice>(std::move(base)))
              : std::move(base);
    ZonedDevice& d = *dev;
    if (!MetaLog::Format(d, kLog, {}).ok() || !d.Sync().ok()) continue;
    std::mt19937 rng(round);
    std::vector<std::pair<uint64_t, uint64_t>> appended;  // seq order: key, value
    size_t acked = 0;                                     // appended[0, acked) are durable
    {
      KvOwner o;
      o.record_pad = 500;  // ~130 records a zone: the log rolls and checkpoints under the cuts
      LogRecovery r;
      auto log = OpenLog(d, o, &r);
      if (!log) return out;
      const PowerCut cut{round % 2 ? PowerCutMode::kTear : PowerCutMode::kDrop,
                         uint64_t(round) * 7919};
      (void)d.ArmPowerCut(1 + rng() % 300, cut);
      for (int i = 0; i < 400; ++i) {
        const uint64_t k = rng() % 30, v = uint64_t(round) << 32 | i;
        if (!o.Set(*log, k, v).ok()) break;
        appended.push_back({k, v});
        if (rng() % 4 == 0) {
          if (!log->Sync().ok()) break;
          acked = appended.size();
        }
      }
      (void)d.CutPower(cut);  // if the armed cut did not come
      out.checkpoints += log->Stats().checkpoints;
      out.zones_reset += log->Stats().zones_reset;
    }
    (void)d.PowerOn();
    ++out.cuts;
    KvOwner o;
    LogRecovery r;
    auto log = MetaLog::Open(d, kLog, o, &r);
    if (!log.ok()) {
      ++out.lost;
      continue;
    }
    // The recovered map must equal the map after some prefix of at least `acked` records.
    const auto got = KvOwner::Rebuild(r);
    std::map<uint64_t, uint64_t> m;
    bool match = false;
    for (size_t n = 0; n <= appended.size(); ++n) {
      if (n) m[appended[n - 1].first] = appended[n - 1].second;
      if (n >= acked && m == got) {
        match = true;
        break;
      }
    }
    out.acknowledged_checked += acked;
    if (!match) ++out.lost;
  }
  return out;
}

TEST(MetaLog, EveryAcknowledgedRecordSurvivesPowerCuts) {
  const Sweep s = PowerCutSweep(300, /*lying=*/false);
  std::printf(
      "metadata log power cuts: %d (%llu checkpoints, %llu zone resets before them), "
      "acknowledged records checked: %llu, lost: %llu\n",
      s.cuts, static_cast<unsigned long long>(s.checkpoints),
      static_cast<unsigned long long>(s.zones_reset),
      static_cast<unsigned long long>(s.acknowledged_checked),
      static_cast<unsigned long long>(s.lost));
  EXPECT_GT(s.checkpoints, 100u) << "the cuts land among rolls and checkpoints";
  EXPECT_EQ(s.cuts, 300);
  EXPECT_GT(s.acknowledged_checked, 1000u);
  EXPECT_EQ(s.lost, 0u);
}

TEST(MetaLog, TheCheckerCatchesADeviceThatDoesNotFlush) {
  const Sweep s = PowerCutSweep(60, /*lying=*/true);
  EXPECT_GT(s.lost, 0u) << "with Sync a no-op, acknowledged records must be lost somewhere";
}

// Zone-by-zone content of a device, to prove that a refused Open wrote nothing.
std::vector<std::byte> Image(ZonedDevice& d) {
  std::vector<std::byte> all(d.info().capacity_bytes());
  EXPECT_TRUE(d.Read(0, all).ok());
  auto zones = d.ReportAllZones();
  for (const Zone& z : *zones) {
    const auto* p = reinterpret_cast<const std::byte*>(&z);
    all.insert(all.end(), p, p + sizeof z);
  }
  return all;
}

// Rewrites the superblock zone with two given copies.
void WriteSuperblocks(ZonedDevice& d, const std::vector<std::byte>& a,
                      const std::vector<std::byte>& b) {
  const uint64_t at = uint64_t(kLog.first_zone) * kZone;
  ASSERT_TRUE(d.ResetZone(at).ok());
  std::vector<std::byte> two = a;
  two.insert(two.end(), b.begin(), b.end());
  ASSERT_TRUE(d.Write(at, two).ok());
}

TEST(MetaLog, BadSuperblocksAreRefusedNamingTheStructureAndNothingIsWritten) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r);
    ASSERT_TRUE(o.Set(*log, 1, 2).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  std::vector<std::byte> sb(4096);
  ASSERT_TRUE(d->Read(uint64_t(kLog.first_zone) * kZone, sb).ok());
  auto bad = sb;
  bad[100] ^= std::byte{1};
  // One copy bad: the other serves.
  WriteSuperblocks(*d, bad, sb);
  {
    LogRecovery r;
    auto log = MetaLog::Open(*d, kLog, o, &r);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_EQ(r.records.size(), 1u);
  }
  // Both bad: corruption, naming the superblock and its offset; nothing written.
  WriteSuperblocks(*d, bad, bad);
  const auto before = Image(*d);
  LogRecovery r;
  auto log = MetaLog::Open(*d, kLog, o, &r);
  EXPECT_EQ(log.status().code(), Code::kCorruption);
  EXPECT_NE(log.status().message().find("superblock at 0x20000"), std::string::npos)
      << log.status().ToString();
  EXPECT_NE(log.status().message().find("checksum"), std::string::npos);
  EXPECT_EQ(Image(*d), before);
  // A newer format version: not supported.
  auto sbv = log_format::DecodeSuperblock(sb, "x");
  ASSERT_TRUE(sbv.ok());
  sbv->version = log_format::kVersion + 1;
  const auto newer = log_format::EncodeSuperblock(*sbv);
  WriteSuperblocks(*d, newer, newer);
  EXPECT_EQ(MetaLog::Open(*d, kLog, o, &r).status().code(), Code::kNotSupported);
  // Never formatted: corruption, not a crash.
  auto fresh = Mem();
  EXPECT_EQ(MetaLog::Open(*fresh, kLog, o, &r).status().code(), Code::kCorruption);
}

TEST(MetaLog, AGarbageTailIsIgnoredAndNeverAppendedAfter) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r);
    for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(o.Set(*log, i, i).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  // A torn record: a header whose payload never arrived, then a checksum failure.
  auto zones = d->ReportZones(uint64_t(kLog.first_zone + 1) * kZone, 4 * kZone);
  uint64_t wp = 0;
  for (const Zone& z : *zones)
    if (z.cond != ZoneCondition::kEmpty) wp = z.wp;
  std::vector<std::byte> junk;
  const uint64_t w[2] = {77, 77};
  log_format::AppendRecord(junk, 6, 1, std::as_bytes(std::span(w)));
  junk[30] ^= std::byte{0xff};
  junk.resize(4096);
  ASSERT_TRUE(d->Write(wp, junk).ok());
  {
    KvOwner o2;
    LogRecovery r;
    auto log = OpenLog(*d, o2, &r);
    EXPECT_EQ(r.records.size(), 5u) << "the bad record and what follows are not replayed";
    o2.kv = KvOwner::Rebuild(r);
    o2.applied = 5;
    ASSERT_TRUE(o2.Set(*log, 9, 9).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  KvOwner o3;
  LogRecovery r;
  OpenLog(*d, o3, &r);
  auto m = KvOwner::Rebuild(r);
  EXPECT_EQ(m.size(), 6u) << "the new record went to a fresh zone, after the good ones";
  EXPECT_EQ(m[9], 9u);
  EXPECT_EQ(m.count(77), 0u);
}

TEST(MetaLog, AFullLogThatCannotRollSaysNoSpaceAndLosesNothing) {
  auto d = Mem();
  const LogOptions small{.first_zone = 2, .zones = 3};
  ASSERT_TRUE(MetaLog::Format(*d, small, {}).ok());
  KvOwner o;
  o.padding = 3 * kZone;  // a checkpoint larger than the log
  LogRecovery r;
  auto log = OpenLog(*d, o, &r, small);
  Status last;
  uint64_t acked = 0;
  for (int i = 0; i < 2000 && last.ok(); ++i) {
    ASSERT_TRUE(o.Set(*log, i % 10, i).ok());
    last = log->Sync();
    if (last.ok()) acked = i + 1;
  }
  EXPECT_EQ(last.code(), Code::kNoSpace) << last.ToString();
  EXPECT_NE(last.message().find("metadata log is full"), std::string::npos) << last.ToString();
  log.reset();
  KvOwner o2;
  LogRecovery r2;
  OpenLog(*d, o2, &r2, small);
  auto m = KvOwner::Rebuild(r2);
  std::map<uint64_t, uint64_t> want;
  for (uint64_t i = 0; i < acked; ++i) want[i % 10] = i;
  for (const auto& [k, v] : want) EXPECT_GE(m[k], v) << "key " << k;
}

TEST(MetaLog, BadOptionsAreRefusedBeforeAnythingIsWritten) {
  auto d = Mem("&conv=1");
  const auto before = Image(*d);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 0, .zones = 2}, {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 14, .zones = 4}, {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 0, .zones = 4}, {}).code(), Code::kInvalidArgument)
      << "zone 0 is conventional";
  std::vector<std::byte> big(2000);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 2, .zones = 4}, big).code(), Code::kInvalidArgument);
  EXPECT_EQ(Image(*d), before);
}

}  // namespace
}  // namespace zgc
