// The metadata log alone: records, group commit, rolls and checkpoints,
// recovery after torn writes and power cuts (several per round, at every
// call of a short workload, inside recovery's own writes), corruption of
// every structure, sizing, the active-zone budget, read-only opens.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "src/base/breakage.h"
#include "src/base/crc32c.h"
#include "src/base/hex.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "src/zones/emulated_device.h"
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
  // Takes up where recovery left off.
  void Resume(const LogRecovery& r) {
    std::lock_guard lock(mu);
    kv = Rebuild(r);
    applied = !r.records.empty() ? r.records.back().seq : r.checkpoint ? r.checkpoint->last_seq : 0;
  }
  std::mutex mu;
  std::map<uint64_t, uint64_t> kv;
  uint64_t applied = 0;
  size_t padding = 0;     // bytes added to each snapshot
  size_t record_pad = 0;  // bytes added to each record (ignored on rebuild)
  int snapshots = 0;
};

std::unique_ptr<ZonedDevice> Mem(const std::string& extra = "",
                                 const std::string& geometry = "zone_size=64K&zones=16") {
  auto d = OpenDevice("mem:?" + geometry + "&max_open=0&max_active=0" + extra);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return std::move(*d);
}

// Up to 64 keys: 8 + 16 * 64 bytes of snapshot.
constexpr uint64_t kBound = 8 + 16 * 64;
const LogOptions kLog{.first_zone = 2, .zones = 5, .max_checkpoint_bytes = kBound};

std::unique_ptr<MetaLog> OpenLog(ZonedDevice& d, LogOwner& o, LogRecovery* r,
                                 LogOptions opt = kLog) {
  auto log = MetaLog::Open(d, opt, o, r);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

// The device's data and zone states, to prove that a call wrote nothing
// (an offline zone's data cannot be read: its state stands for it).
std::vector<std::byte> Image(ZonedDevice& d) {
  std::vector<std::byte> all(d.info().capacity_bytes());
  auto zones = d.ReportAllZones();
  for (const Zone& z : *zones) {
    if (z.cond != ZoneCondition::kOffline) {
      EXPECT_TRUE(d.Read(z.start, std::span(all).subspan(z.start, z.size)).ok());
    }
  }
  for (const Zone& z : *zones) {
    const auto* p = reinterpret_cast<const std::byte*>(&z);
    all.insert(all.end(), p, p + sizeof z);
  }
  return all;
}

// Open or closed zones among the log's zones: what it holds of the device's
// active-zone budget.
int ActiveZones(ZonedDevice& d, const LogOptions& o, uint32_t zones) {
  auto r = d.ReportZones(uint64_t(o.first_zone) * d.info().zone_size,
                         uint64_t(zones) * d.info().zone_size);
  int n = 0;
  for (const Zone& z : *r) n += z.active();
  return n;
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
  ASSERT_TRUE(r.checkpoint.has_value()) << "Format writes the first checkpoint";
  EXPECT_TRUE(r.checkpoint->data.empty());
  EXPECT_EQ(r.checkpoint->last_seq, 0u);
  EXPECT_EQ(r.zones, 5u);
  ASSERT_TRUE(log->Checkpoint().ok());  // the first write is a checkpoint; records follow it
  for (uint64_t i = 1; i <= 10; ++i) ASSERT_TRUE(o.Set(*log, i, i * 10).ok());
  ASSERT_TRUE(log->Sync().ok());
  log.reset();
  KvOwner o2;
  LogRecovery r2;
  auto again = OpenLog(*d, o2, &r2, {.first_zone = 2});  // the geometry from the superblock
  ASSERT_EQ(r2.records.size(), 10u);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(r2.records[i].seq, i + 1);
  EXPECT_EQ(KvOwner::Rebuild(r2), o.kv);
  EXPECT_EQ(again->Append(0, {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(again->Append(0xF0, {}).status().code(), Code::kInvalidArgument);
  std::vector<std::byte> huge(kZone);
  EXPECT_EQ(again->Append(1, huge).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(MetaLog::Open(*d, {.first_zone = 2, .zones = 6}, o2, &r2).status().code(),
            Code::kInvalidArgument);
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
      ASSERT_LE(ActiveZones(*d, kLog, 5), 1) << "the log holds one active zone";
    }
  }
  ASSERT_TRUE(log->Sync().ok());
  const LogStats st = log->Stats();
  EXPECT_GT(st.checkpoints, 10u);
  EXPECT_GT(st.zones_reset, 10u);
  EXPECT_LT(st.groups, st.records);
  EXPECT_EQ(st.checkpoint_zones, 1u);
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
  const LogOptions opt{.first_zone = 2, .max_checkpoint_bytes = 8 + 16 * 8000};
  ASSERT_TRUE(MetaLog::Format(*d, opt, {}).ok());
  KvOwner o;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r, opt);
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
  OpenLog(*d, o2, &r2, opt);
  EXPECT_EQ(KvOwner::Rebuild(r2), o.kv);
}

// Issue 17, item 3: a reopen consumes no log zone. The smallest log (3 log
// zones) opened, written and closed again and again, and cut short again and
// again, keeps taking writes.
TEST(MetaLog, AReopenConsumesNoZoneAndTheSmallestLogAlwaysRolls) {
  auto d = Mem("&cache=volatile");
  const LogOptions opt{.first_zone = 2, .zones = 4, .max_checkpoint_bytes = kBound};
  ASSERT_TRUE(MetaLog::Format(*d, opt, {}).ok());
  KvOwner o;
  uint64_t rolls = 0;
  for (int i = 0; i < 300; ++i) {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r, opt);
    ASSERT_TRUE(log) << i;
    o.Resume(r);
    ASSERT_TRUE(o.Set(*log, i % 40, i).ok());
    const Status s = log->Sync();
    ASSERT_TRUE(s.ok()) << "reopen " << i << ": " << s.ToString();
    rolls += log->Stats().checkpoints;
    ASSERT_LE(ActiveZones(*d, opt, 4), 1);
    if (i % 3 == 2) {
      ASSERT_TRUE(d->CutPower({PowerCutMode::kTear, uint64_t(i)}).ok());
    }
    ASSERT_TRUE(d->PowerOn().ok());
  }
  std::printf("300 reopens: %llu checkpoints\n", (unsigned long long)rolls);
  EXPECT_LT(rolls, 40u) << "a reopen appends after the tail instead of rolling";
}

// A power-cut model of the log: what was appended since the last recovery
// (in sequence order) and how much of it was acknowledged by Sync.
struct LogModel {
  std::map<uint64_t, uint64_t> base;                    // the state recovery gave
  std::vector<std::pair<uint64_t, uint64_t>> appended;  // since: key, value
  size_t acked = 0;

  // The recovered map equals the map after some prefix of at least `acked`
  // records of what was appended.
  bool Holds(const std::map<uint64_t, uint64_t>& got) const {
    std::map<uint64_t, uint64_t> m = base;
    for (size_t n = 0; n <= appended.size(); ++n) {
      if (n) m[appended[n - 1].first] = appended[n - 1].second;
      if (n >= acked && m == got) return true;
    }
    return false;
  }
};

struct Sweep {
  uint64_t rounds = 0, cuts = 0, acknowledged_checked = 0, lost = 0, unwritable = 0;
  uint64_t checkpoints = 0, zones_reset = 0;
  std::string first_failure;
};

// One round: format, then `cuts` times: open (recover), check the model,
// make sure the log takes a write, arm a cut (now and then inside the first
// calls after recovery), run appends and syncs until the power goes.
void CutRound(ZonedDevice& d, const LogOptions& opt, uint64_t seed, int cuts, Sweep& out,
              size_t pad) {
  if (!MetaLog::Format(d, opt, {}).ok() || !d.Sync().ok()) return;
  std::mt19937_64 rng(seed);
  LogModel model;
  ++out.rounds;
  for (int c = 0; c <= cuts; ++c) {
    KvOwner o;
    o.record_pad = pad;
    LogRecovery r;
    auto log = MetaLog::Open(d, opt, o, &r);
    auto fail = [&](const std::string& why) {
      if (out.first_failure.empty())
        out.first_failure =
            "seed " + std::to_string(seed) + " cut " + std::to_string(c) + ": " + why;
    };
    if (!log.ok()) {
      ++out.lost;
      fail(log.status().ToString());
      return;
    }
    const auto got = KvOwner::Rebuild(r);
    out.acknowledged_checked += model.acked;
    if (!model.Holds(got)) {
      ++out.lost;
      fail("recovered state is not a prefix holding every acknowledged record");
      return;
    }
    o.Resume(r);
    model = LogModel{got, {}, 0};
    if (c == cuts) {
      // The last recovery must take a write and a sync.
      auto seq = o.Set(**log, 1, 1);
      if (!seq.ok() || !(*log)->Sync().ok()) {
        ++out.unwritable;
        fail("the recovered log takes no write");
      }
      return;
    }
    const PowerCut cut{rng() % 2 ? PowerCutMode::kTear : PowerCutMode::kDrop, rng()};
    // A third of the cuts land in the first calls after recovery (the log's
    // repair, the resume record, the first roll).
    (void)d.ArmPowerCut(rng() % 3 == 0 ? 1 + rng() % 6 : 1 + rng() % 200, cut);
    for (int i = 0; i < 300; ++i) {
      const uint64_t k = rng() % 40, v = seed << 24 | uint64_t(c) << 12 | i;
      if (!o.Set(**log, k, v).ok()) break;
      model.appended.push_back({k, v});
      if (rng() % 4 == 0) {
        const Status s = (*log)->Sync();
        if (!s.ok()) {
          if (s.code() != Code::kPowerOff) {
            ++out.unwritable;
            fail("sync: " + s.ToString());
          }
          break;
        }
        model.acked = model.appended.size();
      }
    }
    out.checkpoints += (*log)->Stats().checkpoints;
    out.zones_reset += (*log)->Stats().zones_reset;
    (void)d.CutPower(cut);  // if the armed cut did not come
    log->reset();
    (void)d.PowerOn();
    ++out.cuts;
  }
}

// The geometries the log is swept on: 4 KiB and 512-byte blocks, capacity
// below the zone size, the smallest log, a checkpoint of several zones.
struct LogGeometryCase {
  const char* name;
  std::string geometry;
  LogOptions opt;
  size_t pad;  // record padding: rolls under the cuts
};
std::vector<LogGeometryCase> LogMatrix() {
  return {
      {"4k", "zone_size=64K&zones=16", kLog, 500},
      {"512", "lbs=512&zone_size=64K&zones=16", kLog, 300},
      {"cap", "lbs=512&zone_size=64K&zone_cap=40K&zones=16", kLog, 300},
      {"smallest",
       "zone_size=64K&zones=16",
       {.first_zone = 2, .zones = 4, .max_checkpoint_bytes = kBound},
       500},
      {"multizone",
       "lbs=512&zone_size=64K&zones=16",
       {.first_zone = 2, .zones = 10, .max_checkpoint_bytes = 3 * kZone},
       200},
  };
}

Sweep MultiCutSweep(int rounds, bool lying) {
  Sweep out;
  int i = 0;
  for (const LogGeometryCase& g : LogMatrix()) {
    for (int round = 0; round < rounds; ++round, ++i) {
      auto base = Mem("&cache=volatile", g.geometry);
      std::unique_ptr<ZonedDevice> dev =
          lying ? std::unique_ptr<ZonedDevice>(std::make_unique<LyingSyncDevice>(std::move(base)))
                : std::move(base);
      CutRound(*dev, g.opt, 1000 * i + 7, 4, out, g.pad);
    }
  }
  return out;
}

int Rounds(int fallback) {
  const char* e = std::getenv("ZGC_SWEEP_ROUNDS");
  return e ? std::max(1, std::atoi(e) / 5) : fallback;
}

TEST(MetaLog, EveryAcknowledgedRecordSurvivesSeveralCutsPerRoundOnEveryGeometry) {
  const int rounds = Rounds(60);
  const Sweep s = MultiCutSweep(rounds, /*lying=*/false);
  std::printf(
      "metadata log: %llu rounds on 5 geometries, %llu power cuts (4 a round, a third inside "
      "recovery's first calls), %llu checkpoints and %llu zone resets before them, "
      "acknowledged records checked %llu, lost %llu, unwritable %llu\n",
      (unsigned long long)s.rounds, (unsigned long long)s.cuts, (unsigned long long)s.checkpoints,
      (unsigned long long)s.zones_reset, (unsigned long long)s.acknowledged_checked,
      (unsigned long long)s.lost, (unsigned long long)s.unwritable);
  EXPECT_EQ(s.rounds, uint64_t(5 * rounds));
  EXPECT_EQ(s.cuts, 4 * s.rounds);
  EXPECT_GT(s.checkpoints, s.rounds) << "the cuts land among rolls and checkpoints";
  EXPECT_EQ(s.lost, 0u) << s.first_failure;
  EXPECT_EQ(s.unwritable, 0u) << s.first_failure;
}

TEST(MetaLog, TheCheckerCatchesADeviceThatDoesNotFlush) {
  const Sweep s = MultiCutSweep(6, /*lying=*/true);
  EXPECT_GT(s.lost, 0u) << "with Sync a no-op, acknowledged records must be lost somewhere";
}

// Broken on purpose: a log that rolls to records zones without keeping a
// checkpoint's zones free fills up for good; the sweep sees it.
TEST(MetaLog, TheCheckerCatchesALogThatRollsPastItsCheckpointReserve) {
  breakage::Scoped broken(breakage::log_ignores_checkpoint_reserve);
  Sweep s;
  for (int round = 0; round < 10; ++round) {
    auto d = Mem("&cache=volatile");
    CutRound(*d, kLog, round, 3, s, 500);
  }
  EXPECT_GT(s.unwritable + s.lost, 0u);
}

// Every mutating device call of a short fixed workload cut in turn (and,
// for the first calls after recovery, a second cut at each of them): every
// recovery holds what was acknowledged and takes writes.
TEST(MetaLog, ACutAtEveryCallOfAShortWorkloadAndAgainInsideRecovery) {
  auto workload = [](ZonedDevice& d, LogModel& model, const LogOptions& opt) {
    KvOwner o;
    o.record_pad = 900;
    LogRecovery r;
    auto log = MetaLog::Open(d, opt, o, &r);
    if (!log.ok()) return;
    o.Resume(r);
    model = LogModel{KvOwner::Rebuild(r), {}, 0};
    for (int i = 0; i < 150; ++i) {
      if (!o.Set(**log, i % 20, i + 1).ok()) return;
      model.appended.push_back({i % 20, i + 1});
      if (i % 3 == 2) {
        if (!(*log)->Sync().ok()) return;
        model.acked = model.appended.size();
      }
    }
  };
  const LogOptions opt{.first_zone = 2, .zones = 4, .max_checkpoint_bytes = kBound};
  uint64_t calls = 0;
  {
    auto d = Mem("&cache=volatile");
    ASSERT_TRUE(MetaLog::Format(*d, opt, {}).ok());
    LogModel m;
    const uint64_t before = d->PowerStatus()->calls[0];
    workload(*d, m, opt);
    calls = d->PowerStatus()->calls[0] + d->PowerStatus()->calls[size_t(IoPhase::kLogGroup)] +
            d->PowerStatus()->calls[size_t(IoPhase::kCheckpoint)] +
            d->PowerStatus()->calls[size_t(IoPhase::kRepair)] +
            d->PowerStatus()->calls[size_t(IoPhase::kZoneReset)] - before;
  }
  ASSERT_GT(calls, 30u);
  uint64_t runs = 0, bad = 0;
  std::string first;
  for (uint64_t k = 1; k <= calls; ++k) {
    for (const uint64_t second : {uint64_t(0), uint64_t(1), uint64_t(2), uint64_t(4)}) {
      auto d = Mem("&cache=volatile");
      ASSERT_TRUE(MetaLog::Format(*d, opt, {}).ok());
      LogModel model;
      ASSERT_TRUE(d->ArmPowerCut(k, {PowerCutMode::kTear, k}).ok());
      workload(*d, model, opt);
      (void)d->CutPower({PowerCutMode::kTear, k});
      (void)d->PowerOn();
      KvOwner o;
      LogRecovery r;
      auto check = [&](const char* when) {
        auto log = MetaLog::Open(*d, opt, o, &r);
        ++runs;
        if (!log.ok() || !model.Holds(KvOwner::Rebuild(r))) {
          if (!bad++)
            first = std::string(when) + " call " + std::to_string(k) + ": " +
                    (log.ok() ? "lost records" : log.status().ToString());
          return false;
        }
        return true;
      };
      if (!check("after a cut at")) continue;
      if (second) {
        // A second cut inside the recovery's first calls, then the workload again.
        ASSERT_TRUE(d->ArmPowerCut(second, {PowerCutMode::kDrop, k}).ok());
        workload(*d, model, opt);
        (void)d->CutPower({PowerCutMode::kDrop, k});
        (void)d->PowerOn();
        if (!check("after a second cut past")) continue;
      }
      o.Resume(r);
      auto log = MetaLog::Open(*d, opt, o, &r);
      ASSERT_TRUE(log.ok());
      o.Resume(r);
      if (!o.Set(**log, 99, 99).ok() || !(*log)->Sync().ok()) {
        if (!bad++) first = "unwritable after call " + std::to_string(k);
      }
    }
  }
  std::printf("exhaustive: %llu mutating calls, %llu recoveries checked, %llu failures\n",
              (unsigned long long)calls, (unsigned long long)runs, (unsigned long long)bad);
  EXPECT_EQ(bad, 0u) << first;
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
  EXPECT_EQ(d->ReportZone(uint64_t(kLog.first_zone) * kZone)->cond, ZoneCondition::kFull)
      << "the superblock zone is finished: it holds no active zone";
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
    EXPECT_EQ(KvOwner::Rebuild(r), o.kv);
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
  // Another format version: not supported, newer or older.
  auto sbv = log_format::DecodeSuperblock(sb, "x");
  ASSERT_TRUE(sbv.ok());
  for (uint32_t v : {log_format::kVersion + 1, 1u}) {
    sbv->version = v;
    const auto other = log_format::EncodeSuperblock(*sbv);
    WriteSuperblocks(*d, other, other);
    auto s = MetaLog::Open(*d, kLog, o, &r).status();
    EXPECT_EQ(s.code(), Code::kNotSupported) << s.ToString();
    EXPECT_NE(s.message().find(v > 2 ? "newer" : "older"), std::string::npos) << s.ToString();
  }
  sbv->version = log_format::kVersion;
  // CRC-valid absurd fields: corruption by name, never a size taken from them.
  auto absurd = [&](auto mutate, const char* what) {
    auto x = *sbv;
    mutate(x);
    const auto enc = log_format::EncodeSuperblock(x);
    WriteSuperblocks(*d, enc, enc);
    auto s = MetaLog::Open(*d, kLog, o, &r).status();
    EXPECT_EQ(s.code(), Code::kCorruption) << what << ": " << s.ToString();
  };
  absurd([](log_format::Superblock& x) { x.zones = 0xffffffff; }, "zones");
  absurd([](log_format::Superblock& x) { x.zone_size = 3; }, "zone size");
  absurd([](log_format::Superblock& x) { x.lbs = 4097; }, "lbs");
  absurd([](log_format::Superblock& x) { x.max_checkpoint_bytes = ~0ull; }, "checkpoint bound");
  absurd([](log_format::Superblock& x) { x.first_zone = 7; }, "first zone");
  // Never formatted: corruption, not a crash.
  auto fresh = Mem();
  EXPECT_EQ(MetaLog::Open(*fresh, kLog, o, &r).status().code(), Code::kCorruption);
}

// The zone holding the log's newest data, and its header.
uint64_t NewestZone(ZonedDevice& d, const LogOptions& opt) {
  uint64_t best = 0, best_epoch = 0;
  for (uint32_t k = 1; k < opt.zones; ++k) {
    const uint64_t at = uint64_t(opt.first_zone + k) * d.info().zone_size;
    if (d.ReportZone(at)->cond == ZoneCondition::kEmpty) continue;
    std::vector<std::byte> h(d.info().logical_block_size);
    EXPECT_TRUE(d.Read(at, h).ok());
    auto hdr = log_format::DecodeZoneHeader(h, "x");
    if (hdr.ok() && hdr->epoch > best_epoch) best = at, best_epoch = hdr->epoch;
  }
  return best;
}

// Issue 17, items 1 and 6: a flipped bit anywhere in the newest log zone's
// header (in steady state the only checkpoint) is corruption naming the
// zone, never an empty log; a newer header version is not supported; a
// CRC-valid predecessor at or above its own epoch is refused at once (it made
// Open loop). Nothing is written. Broken on purpose (a bad header taken for
// garbage) the same check fails.
TEST(MetaLog, ADamagedZoneHeaderIsCorruptionNamingTheZone) {
  auto mem = Mem();
  ZonedDevice& d = *mem;
  ASSERT_TRUE(MetaLog::Format(d, kLog, {}).ok());
  KvOwner o;
  {
    LogRecovery r;
    auto log = OpenLog(d, o, &r);
    for (int i = 0; i < 1500; ++i) {
      ASSERT_TRUE(o.Set(*log, i % 50, i).ok());
      if (i % 10 == 0) {
        ASSERT_TRUE(log->Sync().ok());
      }
    }
    ASSERT_TRUE(log->Checkpoint().ok());
  }
  const uint64_t zone = NewestZone(d, kLog);
  ASSERT_GT(zone, 0u);
  std::vector<std::byte> header(4096), data(kZone);
  ASSERT_TRUE(d.Read(zone, header).ok());
  const uint64_t wp = d.ReportZone(zone)->wp;
  // Rewrites the zone with its first block replaced (the rest as it was).
  auto rewrite = [&](const std::vector<std::byte>& first) {
    std::vector<std::byte> all(wp - zone);
    ASSERT_TRUE(d.Read(zone, all).ok());
    std::copy(first.begin(), first.end(), all.begin());
    ASSERT_TRUE(d.ResetZone(zone).ok());
    ASSERT_TRUE(d.Write(zone, all).ok());
  };
  int refused = 0;
  for (size_t byte : {0, 9, 13, 17, 25, 33, 41, 49, 57, 65}) {
    auto bad = header;
    bad[byte] ^= std::byte{0x10};
    rewrite(bad);
    const auto before = Image(d);
    LogRecovery r;
    auto log = MetaLog::Open(d, kLog, o, &r);
    EXPECT_EQ(log.status().code(), Code::kCorruption) << "byte " << byte;
    EXPECT_NE(log.status().message().find("zone header at " + Hex(zone)), std::string::npos)
        << log.status().ToString();
    EXPECT_EQ(Image(d), before) << "Open wrote to a device it refused";
    refused += log.status().code() == Code::kCorruption;
    // Broken on purpose: the same damage taken for garbage loses the log.
    {
      breakage::Scoped broken(breakage::log_takes_bad_header_for_garbage);
      KvOwner o2;
      LogRecovery r2;
      auto garbage = MetaLog::Open(d, kLog, o2, &r2);
      if (garbage.ok()) {
        EXPECT_NE(KvOwner::Rebuild(r2), o.kv) << "the checker must see the loss";
      }
    }
  }
  EXPECT_EQ(refused, 10);
  // A newer version, CRC recomputed: not supported.
  auto h = log_format::DecodeZoneHeader(header, "x");
  ASSERT_TRUE(h.ok());
  auto newer = log_format::EncodeZoneHeader(*h, 4096);
  PutLe<uint32_t>(&newer[8], log_format::kVersion + 1);
  PutLe<uint32_t>(&newer[64], Crc32c(0, newer.data(), 64));
  rewrite(newer);
  {
    LogRecovery r;
    auto log = MetaLog::Open(d, kLog, o, &r);
    EXPECT_EQ(log.status().code(), Code::kNotSupported) << log.status().ToString();
  }
  // Predecessor at or above the epoch: corruption, promptly.
  for (const uint64_t prev : {h->epoch, h->epoch + 5}) {
    auto x = *h;
    x.prev_epoch = prev;
    // Encode refuses nothing: the decoder is what guards.
    rewrite(log_format::EncodeZoneHeader(x, 4096));
    LogRecovery r;
    const auto t0 = std::chrono::steady_clock::now();
    auto log = MetaLog::Open(d, kLog, o, &r);
    EXPECT_EQ(log.status().code(), Code::kCorruption) << log.status().ToString();
    EXPECT_NE(log.status().message().find("predecessor"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  }
  rewrite(header);
  LogRecovery r;
  auto log = OpenLog(d, o, &r);
  EXPECT_EQ(KvOwner::Rebuild(r), o.kv) << "restored: every record";
}

// A torn tail is appended after (a resume record names where the garbage
// began), in the same zone: no roll; recovery then reads past the garbage.
// Damage below the write pointer, even in the last record, is corruption.
TEST(MetaLog, ATornTailIsAppendedAfterAndDamageBelowTheWritePointerIsCorruption) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r);
    for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(o.Set(*log, i, i).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  const uint64_t zone = NewestZone(*d, kLog);
  const uint64_t wp = d->ReportZone(zone)->wp;
  // A torn record: its header says 8 KiB, one block of it landed.
  std::vector<std::byte> torn;
  std::vector<std::byte> payload(8192, std::byte{7});
  log_format::AppendRecord(torn, 6, 1, payload);
  torn.resize(4096);
  ASSERT_TRUE(d->Write(wp, torn).ok());
  uint64_t checkpoints = 0;
  {
    KvOwner o2;
    LogRecovery r;
    auto log = OpenLog(*d, o2, &r);
    EXPECT_TRUE(r.torn_tail);
    EXPECT_EQ(KvOwner::Rebuild(r), o.kv) << "the torn record is not replayed";
    o2.Resume(r);
    ASSERT_TRUE(o2.Set(*log, 9, 9).ok());
    ASSERT_TRUE(log->Sync().ok());
    checkpoints = log->Stats().checkpoints;
  }
  EXPECT_EQ(checkpoints, 0u) << "appended in place, no roll";
  EXPECT_EQ(NewestZone(*d, kLog), zone);
  std::map<uint64_t, uint64_t> want;
  {
    KvOwner o3;
    LogRecovery r;
    OpenLog(*d, o3, &r);
    want = KvOwner::Rebuild(r);
    EXPECT_EQ(want.size(), 6u);
    EXPECT_EQ(want[9], 9u);
  }
  // Now damage the last, acknowledged record (record 6, key 9): a flipped
  // payload byte, a flipped length, zeroes. Each is corruption, never "torn".
  const uint64_t end = d->ReportZone(zone)->wp;
  std::vector<std::byte> all(end - zone);
  ASSERT_TRUE(d->Read(zone, all).ok());
  size_t at = all.size() - 4096;  // the last group's block: resume, record, pad
  auto restore = [&](const std::vector<std::byte>& z) {
    ASSERT_TRUE(d->ResetZone(zone).ok());
    ASSERT_TRUE(d->Write(zone, z).ok());
  };
  const size_t rec = at + log_format::RecordBytes(8);  // after the resume record
  for (size_t off : {rec + 8, rec + 40, rec + 0}) {
    auto bad = all;
    if (off == rec + 0) {
      std::fill(bad.begin() + rec, bad.begin() + rec + 64, std::byte{0});
    } else {
      bad[off] ^= std::byte{0x40};
    }
    restore(bad);
    const auto before = Image(*d);
    KvOwner o4;
    LogRecovery r;
    auto log = MetaLog::Open(*d, kLog, o4, &r);
    EXPECT_EQ(log.status().code(), Code::kCorruption) << "offset " << off - rec;
    EXPECT_NE(log.status().message().find("record at " + Hex(zone + rec)), std::string::npos)
        << log.status().ToString();
    EXPECT_EQ(Image(*d), before);
  }
  restore(all);
}

TEST(MetaLog, ASnapshotBeyondTheBoundFailsItsSyncAndLosesNothing) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r);
  ASSERT_TRUE(o.Set(*log, 1, 1).ok());
  ASSERT_TRUE(log->Sync().ok());
  o.padding = kBound;  // the owner breaks its promise
  ASSERT_TRUE(o.Set(*log, 2, 2).ok());
  const Status s = log->Checkpoint();
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_NE(s.message().find("larger than the bound"), std::string::npos);
  o.padding = 0;
  ASSERT_TRUE(log->Sync().ok());
  log.reset();
  KvOwner o2;
  LogRecovery r2;
  OpenLog(*d, o2, &r2);
  EXPECT_EQ(KvOwner::Rebuild(r2), o.kv);
}

// Issue 17, item 4: Format sizes the log from the checkpoint's bound (2K + 1
// log zones for a checkpoint of K zones), refuses fewer, and records it in
// the superblock for Open.
TEST(MetaLog, FormatSizesTheLogFromTheCheckpointBound) {
  auto d = Mem();
  auto n = MetaLog::CheckFormat(*d, {.first_zone = 1, .max_checkpoint_bytes = 1000}, {});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 4u) << "K = 1: the superblock's and 3";
  n = MetaLog::CheckFormat(*d, {.first_zone = 1, .max_checkpoint_bytes = 3 * kZone}, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 10u) << "K = 4 (a zone holds a little less than 64 KiB): 1 + 9";
  const auto before = Image(*d);
  auto s =
      MetaLog::Format(*d, {.first_zone = 1, .zones = 5, .max_checkpoint_bytes = 3 * kZone}, {});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("needs at least 10"), std::string::npos) << s.ToString();
  s = MetaLog::Format(*d, {.first_zone = 1, .max_checkpoint_bytes = 20 * kZone}, {});
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << "more zones than the device has";
  EXPECT_EQ(Image(*d), before);
  ASSERT_TRUE(MetaLog::Format(*d, {.first_zone = 1, .max_checkpoint_bytes = 3 * kZone}, {}).ok());
  KvOwner o;
  o.padding = 3 * kZone - 8 - 16 * 5;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r, {.first_zone = 1});
  ASSERT_TRUE(log);
  EXPECT_EQ(r.zones, 10u);
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(o.Set(*log, i % 5, i).ok());
    ASSERT_TRUE(log->Sync().ok()) << i;
  }
  EXPECT_GT(log->Stats().checkpoints, 2u);
  EXPECT_EQ(log->Stats().checkpoint_zones, 4u);
}

TEST(MetaLog, BadOptionsAreRefusedBeforeAnythingIsWritten) {
  auto d = Mem("&conv=1");
  const auto before = Image(*d);
  for (uint32_t zones : {1u, 2u, 3u})
    EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 1, .zones = zones}, {}).code(),
              Code::kInvalidArgument);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 14, .zones = 4}, {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 1, .zones = 0xffffffff}, {}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 0xffffffff, .zones = 4}, {}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 0, .zones = 4}, {}).code(), Code::kInvalidArgument)
      << "zone 0 is conventional";
  std::vector<std::byte> big(2000);
  EXPECT_EQ(MetaLog::Format(*d, {.first_zone = 2, .zones = 4}, big).code(), Code::kInvalidArgument);
  EXPECT_EQ(Image(*d), before);
}

// Opened read-only, the log writes nothing and says so.
TEST(MetaLog, AReadOnlyOpenWritesNothing) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r);
    for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(o.Set(*log, i, i).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  const auto before = Image(*d);
  LogOptions ro = kLog;
  ro.read_only = true;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r, ro);
  EXPECT_EQ(KvOwner::Rebuild(r), o.kv);
  EXPECT_EQ(log->Append(1, {}).status().code(), Code::kPermission);
  EXPECT_EQ(log->Checkpoint().code(), Code::kPermission);
  EXPECT_EQ(log->Repair().code(), Code::kPermission);
  EXPECT_TRUE(log->Sync().ok()) << "nothing to make durable";
  log.reset();
  EXPECT_EQ(Image(*d), before);
}

// --- Issue 17, the second outsider's findings -----------------------------

// The log zones holding data, with their headers, oldest epoch first.
std::vector<std::pair<uint64_t, log_format::ZoneHeader>> LogZones(ZonedDevice& d,
                                                                  const LogOptions& opt) {
  std::vector<std::pair<uint64_t, log_format::ZoneHeader>> out;
  for (uint32_t k = 1; k < opt.zones; ++k) {
    const uint64_t at = uint64_t(opt.first_zone + k) * d.info().zone_size;
    if (d.ReportZone(at)->cond == ZoneCondition::kEmpty) continue;
    std::vector<std::byte> h(d.info().logical_block_size);
    EXPECT_TRUE(d.Read(at, h).ok());
    auto hdr = log_format::DecodeZoneHeader(h, "x");
    if (hdr.ok()) out.push_back({at, *hdr});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.second.epoch < b.second.epoch; });
  return out;
}

// A zone's written bytes, and a rewrite of them (reset, then written back;
// a zone that was full is finished again).
std::vector<std::byte> ZoneBytes(ZonedDevice& d, uint64_t zone) {
  const Zone z = *d.ReportZone(zone);
  std::vector<std::byte> all(z.cond == ZoneCondition::kFull ? z.capacity : z.wp - z.start);
  EXPECT_TRUE(d.Read(zone, all).ok());
  return all;
}
void RewriteZone(ZonedDevice& d, uint64_t zone, const std::vector<std::byte>& all) {
  const bool full = d.ReportZone(zone)->cond == ZoneCondition::kFull;
  ASSERT_TRUE(d.ResetZone(zone).ok());
  ASSERT_TRUE(d.Write(zone, all).ok());
  if (full && all.size() < d.ReportZone(zone)->capacity) {
    ASSERT_TRUE(d.FinishZone(zone).ok());
  }
}
// Re-signs a record header (its checksum over the first 24 bytes) and,
// when `payload` is set, its payload checksum.
void Resign(std::vector<std::byte>& b, size_t at, bool payload) {
  if (payload) {
    const uint32_t len = GetLe<uint32_t>(&b[at + 8]);
    PutLe<uint32_t>(&b[at + 12], Crc32c(0, &b[at + log_format::kRecordHeader], len));
  }
  PutLe<uint32_t>(&b[at + 24], Crc32c(0, &b[at], 24));
}
// The offsets of the records (of any type) in a zone's bytes.
std::vector<size_t> RecordsIn(const std::vector<std::byte>& b, uint32_t lbs) {
  std::vector<size_t> at;
  for (size_t pos = lbs; pos < b.size();) {
    const auto p = log_format::Parse(b, pos, lbs);
    if (p.kind == log_format::Parsed::kShortPad) {
      pos += p.size;
      continue;
    }
    if (p.kind != log_format::Parsed::kRecord) break;
    at.push_back(pos);
    pos += p.size;
  }
  return at;
}

// Reset by hand (zgc reset), the zone holding the only checkpoint leaves a
// log with none. It opened as freshly formatted (every record gone, fsck
// "consistent"); Format now writes the first checkpoint before the
// superblock, so a log without one is damage, refused by name, and nothing
// is written. Right after Format too.
TEST(MetaLog, ALogWhoseOnlyCheckpointZoneWasResetIsCorruption) {
  for (bool used : {false, true}) {
    auto d = Mem();
    ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
    KvOwner o;
    if (used) {
      LogRecovery r;
      auto log = OpenLog(*d, o, &r);
      for (uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(o.Set(*log, i, i).ok());
      ASSERT_TRUE(log->Checkpoint().ok());
      for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(o.Set(*log, i, 100 + i).ok());
      ASSERT_TRUE(log->Sync().ok());
    }
    auto zones = LogZones(*d, kLog);
    ASSERT_EQ(zones.size(), 1u) << "the checkpoint and its records share one zone";
    ASSERT_TRUE(d->ResetZone(zones[0].first).ok());
    const auto before = Image(*d);
    KvOwner o2;
    LogRecovery r;
    auto log = MetaLog::Open(*d, kLog, o2, &r);
    EXPECT_EQ(log.status().code(), Code::kCorruption) << log.status().ToString();
    EXPECT_NE(log.status().message().find("no complete checkpoint"), std::string::npos)
        << log.status().ToString();
    EXPECT_EQ(Image(*d), before);
  }
}

// A checkpoint spanning two zones, forged with valid checksums so that it
// reads as one a cut left incomplete: the predecessor of its second zone
// changed, its first zone's epoch set to 2^64 - 1, a chunk's length run
// past its full zone's end. Each opened as an empty log (0 keys) whose first
// write then reset the zones; each is now corruption, and nothing is written.
TEST(MetaLog, AForgedIncompleteCheckpointIsCorruptionNotAnEmptyLog) {
  const LogOptions opt{.first_zone = 2, .zones = 6, .max_checkpoint_bytes = 100 << 10};
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, opt, {}).ok());
  KvOwner o;
  o.padding = 90 << 10;  // a snapshot of two zones
  {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r, opt);
    for (uint64_t i = 0; i < 30; ++i) ASSERT_TRUE(o.Set(*log, i, i).ok());
    ASSERT_TRUE(log->Checkpoint().ok());
    ASSERT_TRUE(o.Set(*log, 1, 1000).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  auto zones = LogZones(*d, opt);
  ASSERT_EQ(zones.size(), 2u);
  ASSERT_EQ(zones[0].second.kind, log_format::ZoneKind::kCheckpoint);
  ASSERT_EQ(zones[1].second.kind, log_format::ZoneKind::kContinued);
  const uint64_t first = zones[0].first, second = zones[1].first;
  const auto first_bytes = ZoneBytes(*d, first), second_bytes = ZoneBytes(*d, second);
  ASSERT_EQ(d->ReportZone(first)->cond, ZoneCondition::kFull);
  auto expect_refused = [&](const std::string& what) {
    const auto before = Image(*d);
    KvOwner o2;
    LogRecovery r;
    auto log = MetaLog::Open(*d, opt, o2, &r);
    EXPECT_EQ(log.status().code(), Code::kCorruption) << what << ": " << log.status().ToString();
    EXPECT_EQ(Image(*d), before) << what;
  };
  auto with_header = [&](uint64_t zone, std::vector<std::byte> bytes,
                         const log_format::ZoneHeader& h) {
    const auto hb = log_format::EncodeZoneHeader(h, d->info().logical_block_size);
    std::copy(hb.begin(), hb.end(), bytes.begin());
    RewriteZone(*d, zone, bytes);
  };
  {
    auto h = zones[1].second;
    h.prev_epoch = zones[0].second.epoch - 1;  // an older zone's (gone), valid on its own
    ASSERT_GT(h.prev_epoch, 0u);
    with_header(second, second_bytes, h);
    expect_refused("the continuation's predecessor changed");
    RewriteZone(*d, second, second_bytes);
  }
  {
    auto h = zones[0].second;
    h.epoch = ~0ull;
    with_header(first, first_bytes, h);
    expect_refused("the first zone's epoch set to 2^64 - 1");
    RewriteZone(*d, first, first_bytes);
  }
  {
    auto b = first_bytes;
    const auto at = RecordsIn(b, d->info().logical_block_size);
    ASSERT_FALSE(at.empty());
    const size_t last = at.back();
    PutLe<uint32_t>(&b[last + 8], uint32_t(b.size() - last));  // reaches past the end
    Resign(b, last, false);
    RewriteZone(*d, first, b);
    expect_refused("a chunk run past its full zone's end");
    RewriteZone(*d, first, first_bytes);
  }
  KvOwner o3;
  LogRecovery r;
  auto log = OpenLog(*d, o3, &r, opt);
  EXPECT_EQ(KvOwner::Rebuild(r), o.kv) << "restored: every key";
}

// A pad record holds zeros under sequence 0. Retyping the last record to a
// pad (header checksum fixed) dropped that acknowledged record silently; a
// pad with data in it was taken too. Both are corruption now.
TEST(MetaLog, APadRecordWithDataOrARetypedRecordIsCorruption) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r);
    for (uint64_t i = 0; i < 6; ++i) {
      ASSERT_TRUE(o.Set(*log, i, i).ok());
      ASSERT_TRUE(log->Sync().ok());
    }
  }
  const uint64_t zone = LogZones(*d, kLog).back().first;
  const auto bytes = ZoneBytes(*d, zone);
  const uint32_t lbs = d->info().logical_block_size;
  const auto at = RecordsIn(bytes, lbs);
  size_t last_data = 0, a_pad = 0;
  for (size_t pos : at) {
    const uint8_t type = uint8_t(bytes[pos + 4]);
    if (type == 1) last_data = pos;
    if (type == log_format::kPad && !a_pad) a_pad = pos;
  }
  ASSERT_GT(last_data, 0u);
  ASSERT_GT(a_pad, 0u);
  auto expect_refused = [&](const std::string& what) {
    const auto before = Image(*d);
    KvOwner o2;
    LogRecovery r;
    auto log = MetaLog::Open(*d, kLog, o2, &r);
    EXPECT_EQ(log.status().code(), Code::kCorruption) << what << ": " << log.status().ToString();
    EXPECT_NE(log.status().message().find("pad"), std::string::npos) << log.status().ToString();
    EXPECT_EQ(Image(*d), before) << what;
  };
  {
    auto b = bytes;
    b[last_data + 4] = std::byte{log_format::kPad};
    Resign(b, last_data, false);
    RewriteZone(*d, zone, b);
    expect_refused("the last record retyped to a pad");
  }
  {
    auto b = bytes;
    ASSERT_GT(GetLe<uint32_t>(&b[a_pad + 8]), 0u);
    b[a_pad + log_format::kRecordHeader] = std::byte{0x5a};
    Resign(b, a_pad, true);
    RewriteZone(*d, zone, b);
    expect_refused("a pad with data");
  }
  RewriteZone(*d, zone, bytes);
  KvOwner o3;
  LogRecovery r;
  auto log = OpenLog(*d, o3, &r);
  EXPECT_EQ(KvOwner::Rebuild(r), o.kv);
}

// Misuse refused: Sync of a record never appended (it returned OK), Format
// with read_only set (it formatted) or a checkpoint bound of 0 (accepted).
TEST(MetaLog, MisuseIsRefused) {
  auto d = Mem();
  const auto before = Image(*d);
  LogOptions ro = kLog;
  ro.read_only = true;
  EXPECT_EQ(MetaLog::Format(*d, ro, {}).code(), Code::kInvalidArgument);
  LogOptions zero = kLog;
  zero.max_checkpoint_bytes = 0;
  EXPECT_EQ(MetaLog::Format(*d, zero, {}).code(), Code::kInvalidArgument);
  std::vector<std::byte> big(kBound + 1);
  EXPECT_EQ(MetaLog::Format(*d, kLog, {}, big).code(), Code::kInvalidArgument)
      << "a first checkpoint past the bound";
  EXPECT_EQ(Image(*d), before);
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r);
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(o.Set(*log, i, i).ok());
  auto s = log->Sync(1000000);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(log->Sync(3).ok());
}

// A log zone the device reports read-only or offline (the superblock's
// too): a clear error naming the device and the zone, read-only or not,
// never "invalid argument", and nothing written.
TEST(MetaLog, AReadOnlyOrOfflineLogZoneIsAnIoErrorNamingTheDevice) {
  for (ZoneCondition cond : {ZoneCondition::kReadOnly, ZoneCondition::kOffline}) {
    for (uint32_t zone : {kLog.first_zone, kLog.first_zone + 1}) {
      auto d = Mem();
      ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
      ASSERT_TRUE(static_cast<EmulatedDevice&>(*d).SetZoneCondition(zone, cond).ok());
      const auto before = Image(*d);
      for (bool read_only : {false, true}) {
        LogOptions opt = kLog;
        opt.read_only = read_only;
        KvOwner o;
        LogRecovery r;
        auto log = MetaLog::Open(*d, opt, o, &r);
        EXPECT_EQ(log.status().code(), Code::kIoError) << log.status().ToString();
        EXPECT_NE(log.status().message().find(d->info().uri), std::string::npos)
            << log.status().ToString();
        EXPECT_NE(log.status().message().find("zone " + std::to_string(zone)), std::string::npos)
            << log.status().ToString();
      }
      EXPECT_EQ(Image(*d), before);
    }
  }
}

// Outsider round 3: once the Sync that made a checkpoint durable returns, no
// older log is left on the device for a cut to keep (its zones' resets are
// synced too). Before, the older chain stayed until the next Sync, and a
// cut in that window followed by the loss of the newest zone (a reset by
// hand) opened the older checkpoint: acknowledged records gone, "consistent".
TEST(MetaLog, NoOlderLogOutlivesTheSyncOfACheckpoint) {
  auto d = Mem("&cache=volatile");
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  uint64_t seen = 0, cuts = 0;
  LogRecovery r;
  auto log = OpenLog(*d, o, &r);
  ASSERT_TRUE(log);
  o.Resume(r);
  for (int i = 0; i < 600 && cuts < 6; ++i) {
    ASSERT_TRUE(o.Set(*log, i % 40, i).ok());
    ASSERT_TRUE(log->Sync().ok());
    if (log->Stats().checkpoints == seen) continue;
    seen = log->Stats().checkpoints;
    log.reset();
    ASSERT_TRUE(d->CutPower({PowerCutMode::kDrop, uint64_t(i)}).ok());
    ASSERT_TRUE(d->PowerOn().ok());
    ++cuts;
    const auto zones = LogZones(*d, kLog);
    ASSERT_FALSE(zones.empty());
    uint64_t newest = 0;
    for (const auto& [at, h] : zones)
      if (h.kind == log_format::ZoneKind::kCheckpoint) newest = std::max(newest, h.epoch);
    for (const auto& [at, h] : zones)
      EXPECT_GE(h.epoch, newest) << "cut " << cuts << ": an older log zone at " << Hex(at)
                                 << " (epoch " << h.epoch << ") survived the checkpoint";
    log = OpenLog(*d, o, &r);
    ASSERT_TRUE(log);
    o.Resume(r);
    seen = log->Stats().checkpoints;
  }
  EXPECT_EQ(cuts, 6u);
}

// Outsider round 3: a tail zone finished under the log (a ZNS controller, or
// `blkzone finish`) reads zeroes past its last record; it opened as damaged
// ("no record magic"). Its log ends there: every record is kept, the next
// write rolls to a fresh zone, and a read-only open writes nothing.
TEST(MetaLog, ATailZoneFinishedUnderTheLogEndsItsLog) {
  auto d = Mem();
  ASSERT_TRUE(MetaLog::Format(*d, kLog, {}).ok());
  KvOwner o;
  {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r);
    ASSERT_TRUE(log);
    o.Resume(r);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(o.Set(*log, i, 100 + i).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  const auto zones = LogZones(*d, kLog);
  ASSERT_FALSE(zones.empty());
  const uint64_t tail = zones.back().first;
  ASSERT_TRUE(d->FinishZone(tail).ok());
  const auto before = Image(*d);
  {
    LogOptions ro = kLog;
    ro.read_only = true;
    LogRecovery r;
    auto log = OpenLog(*d, o, &r, ro);
    ASSERT_TRUE(log);
    EXPECT_EQ(KvOwner::Rebuild(r).size(), 5u);
  }
  EXPECT_EQ(Image(*d), before) << "a read-only open wrote";
  for (int round = 0; round < 2; ++round) {
    LogRecovery r;
    auto log = OpenLog(*d, o, &r);
    ASSERT_TRUE(log);
    o.Resume(r);
    const auto kv = KvOwner::Rebuild(r);
    EXPECT_EQ(kv.size(), 5u + round);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(kv.at(i), uint64_t(100 + i));
    ASSERT_TRUE(o.Set(*log, 10 + round, 7).ok());
    ASSERT_TRUE(log->Sync().ok()) << "the log rolls past the finished zone";
  }
}

}  // namespace
}  // namespace zgc
