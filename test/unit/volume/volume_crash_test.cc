// zgc::Volume under power cuts: several cuts per round, each round going on
// from the recovered volume, over the geometry matrix (test/support/
// volume_matrix.h); a cut at every mutating call of a short workload, and at
// every pair of a cut there and a second one inside the recovery's first
// writes. After every recovery: fsck passes, every acknowledged block reads
// back, the volume takes a write and a Flush. Each checker is shown to fail
// when its property is broken on purpose.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>

#include "src/base/breakage.h"
#include "test/support/block_model.h"
#include "test/support/lying_sync_device.h"
#include "test/support/volume_matrix.h"
#include "test/support/watchdog.h"

namespace zgc {
namespace {

using testing::BlockCounts;
using testing::BlockModel;
using testing::VolumeCase;
using testing::Watchdog;

struct Sweep {
  uint64_t rounds = 0, cuts = 0, checked = 0, lost = 0, bad = 0;
  uint64_t unwritable = 0, errors = 0, fsck = 0, reopen = 0, format = 0;
  std::string first;
  void Fail(uint64_t& counter, const std::string& what) {
    ++counter;
    if (first.empty()) first = what;
  }
  uint64_t failures() const { return lost + bad + unwritable + errors + fsck + reopen + format; }
  void Add(const Sweep& o) {
    rounds += o.rounds, cuts += o.cuts, checked += o.checked, lost += o.lost, bad += o.bad;
    unwritable += o.unwritable, errors += o.errors, fsck += o.fsck, reopen += o.reopen;
    format += o.format;
    if (first.empty()) first = o.first;
  }
  std::string Summary() const {
    char b[512];
    std::snprintf(b, sizeof b,
                  "%llu rounds, %llu cuts, %llu blocks checked, lost %llu, torn or foreign %llu, "
                  "unwritable %llu, errors %llu, fsck failures %llu, reopen failures %llu, "
                  "refused formats %llu",
                  (unsigned long long)rounds, (unsigned long long)cuts, (unsigned long long)checked,
                  (unsigned long long)lost, (unsigned long long)bad, (unsigned long long)unwritable,
                  (unsigned long long)errors, (unsigned long long)fsck, (unsigned long long)reopen,
                  (unsigned long long)format);
    return b;
  }
};

bool PoweredOff(ZonedDevice& d) {
  auto s = d.PowerStatus();
  return s.ok() && !s->powered;
}

// The volume after a recovery: opened, checked, every block verified (what
// was read becomes the models' durable state). Null on a failure (counted).
std::unique_ptr<Volume> Recover(ZonedDevice& d, const VolumeOptions& o,
                                std::vector<BlockModel>& models, Sweep& out,
                                const std::string& where) {
  auto v = Volume::Open(d, o);
  if (!v.ok()) {
    out.Fail(out.reopen, where + ": reopen: " + v.status().ToString());
    return nullptr;
  }
  if (Status c = (*v)->Check(); !c.ok()) out.Fail(out.fsck, where + ": " + c.ToString());
  for (BlockModel& m : models) {
    BlockCounts c;
    if (Status r = m.Verify(**v, c, /*settle=*/true); !r.ok()) {
      out.Fail(out.errors, where + ": read: " + r.ToString());
      return nullptr;
    }
    out.checked += c.checked, out.lost += c.lost, out.bad += c.bad;
    if (c.lost + c.bad && out.first.empty()) out.first = where + ": " + c.first;
  }
  return std::move(*v);
}

// A recovered volume must take a write and a Flush.
void MustTakeAWrite(Volume& v, BlockModel& m, Sweep& out, const std::string& where) {
  const uint64_t lba = m.lo();
  m.Issued(lba, 0);
  Status s = v.Trim(lba * testing::kBlock, testing::kBlock);
  std::mt19937_64 rng(lba);
  for (int i = 0; s.ok() && i < 3; ++i) {
    s = m.Step(v, rng);
    if (s.code() == Code::kNoSpace) break;
  }
  if (s.ok()) s = v.Flush();
  if (s.ok())
    m.Flushed();
  else
    out.Fail(out.unwritable, where + ": the recovered volume takes no write: " + s.ToString());
}

std::vector<BlockModel> Models(uint64_t blocks, int writers) {
  std::vector<BlockModel> models;
  for (int w = 0; w < writers; ++w)
    models.emplace_back(blocks * w / writers, blocks * (w + 1) / writers, uint64_t(w) << 40);
  return models;
}

// One round: format, then `cuts` times recover, (every other time) check
// that it takes a write, arm a cut (every other time among the recovery's
// first calls), run the writers until the power goes.
Sweep MultiCutRound(const VolumeCase& vc, uint64_t seed, int cuts, bool lying, Watchdog* wd) {
  Sweep out;
  auto base = OpenDevice("mem:?" + vc.geometry + "&cache=volatile");
  if (!base.ok()) {
    out.Fail(out.format, vc.name + ": " + base.status().ToString());
    return out;
  }
  std::unique_ptr<ZonedDevice> dev =
      lying ? std::unique_ptr<ZonedDevice>(std::make_unique<LyingSyncDevice>(std::move(*base)))
            : std::move(*base);
  if (Status f = Volume::Format(*dev, vc.options); !f.ok()) {
    out.Fail(out.format, vc.name + ": Format: " + f.ToString());
    return out;
  }
  ++out.rounds;
  std::mt19937_64 rng(seed);
  std::vector<BlockModel> models;
  for (int c = 0; c <= cuts; ++c) {
    const std::string where =
        vc.name + " seed " + std::to_string(seed) + " cut " + std::to_string(c);
    if (wd) wd->Progress(where + ": recovery");
    auto v = Recover(*dev, vc.options, models, out, where);
    if (!v) return out;
    if (models.empty()) models = Models(v->size() / testing::kBlock, vc.writers);
    const bool aim_at_recovery = c % 2 == 0;
    if (!aim_at_recovery || c == cuts) MustTakeAWrite(*v, models[0], out, where);
    if (c == cuts) {
      if (Status s = v->Close(); !s.ok()) out.Fail(out.errors, where + ": Close: " + s.ToString());
      return out;
    }
    const PowerCut cut{rng() % 2 ? PowerCutMode::kTear : PowerCutMode::kDrop, rng()};
    (void)dev->ArmPowerCut(aim_at_recovery ? 1 + rng() % 8 : 1 + rng() % 500, cut);
    std::vector<std::thread> threads;
    std::mutex out_mu;
    for (int w = 0; w < vc.writers; ++w) {
      threads.emplace_back([&, w] {
        std::mt19937_64 r(seed * 131 + c * 7 + w);
        for (int i = 0; i < 300; ++i) {
          Status s = models[w].Step(*v, r);
          if (wd && i % 16 == 0) wd->Progress(where + ": writer " + std::to_string(w));
          if (s.ok()) continue;
          if (!PoweredOff(*dev)) {
            std::lock_guard lock(out_mu);
            out.Fail(out.errors, where + ": writer " + std::to_string(w) + ": " + s.ToString());
          }
          return;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    (void)dev->CutPower(cut);  // if the armed cut has not come
    if (wd) wd->Progress(where + ": closing after the cut");
    v.reset();
    (void)dev->PowerOn();
    ++out.cuts;
  }
  return out;
}

int Rounds(int fallback) {
  const char* e = std::getenv("ZGC_SWEEP_ROUNDS");
  return e ? std::max(1, std::atoi(e) / 20) : fallback;
}

TEST(VolumeCrash, SeveralCutsPerRoundOnEveryGeometryLoseNothing) {
  const int rounds = Rounds(12);
  Watchdog wd(std::chrono::seconds(120));
  Sweep all;
  for (const VolumeCase& vc : testing::VolumeMatrix()) {
    Sweep s;
    for (int r = 0; r < rounds; ++r) s.Add(MultiCutRound(vc, 1000 + r, 4, false, &wd));
    std::printf("%-15s %s\n", vc.name.c_str(), s.Summary().c_str());
    all.Add(s);
  }
  std::printf("all: %s\n", all.Summary().c_str());
  EXPECT_EQ(all.rounds, uint64_t(rounds) * testing::VolumeMatrix().size());
  EXPECT_EQ(all.cuts, 4 * all.rounds);
  EXPECT_EQ(all.failures(), 0u) << all.first;
}

TEST(VolumeCrash, TheCheckerCatchesADeviceThatDoesNotFlush) {
  Sweep s;
  for (int r = 0; r < 10; ++r)
    s.Add(MultiCutRound(testing::VolumeMatrix()[0], r, 3, true, nullptr));
  EXPECT_GT(s.lost + s.bad + s.fsck + s.reopen, 0u) << s.Summary();
}

// Broken on purpose: a log that rolls past its checkpoint reserve fills up
// after a few rounds of cuts on the smallest log; the sweep sees it.
TEST(VolumeCrash, TheCheckerCatchesALogThatRollsPastItsCheckpointReserve) {
  breakage::Scoped broken(breakage::log_ignores_checkpoint_reserve);
  VolumeCase vc{"small-log", "zone_size=64K&zones=40&max_open=0&max_active=0",
                testing::Opts(false)};
  Sweep s;
  for (int r = 0; r < 20 && !s.failures(); ++r) s.Add(MultiCutRound(vc, r, 4, false, nullptr));
  EXPECT_GT(s.unwritable + s.errors + s.lost + s.reopen, 0u) << s.Summary();
}

// A fixed single-threaded workload (background GC off: one call order) on a
// fresh volume: its mutating device calls, counted.
struct Fixed {
  VolumeCase vc;
  int steps;
};

Status RunFixed(Volume& v, BlockModel& m, int steps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < steps; ++i) ZGC_RETURN_IF_ERROR(m.Step(v, rng));
  return Status::OK();
}

uint64_t MutatingCalls(ZonedDevice& d) {
  uint64_t n = 0;
  // The status is a temporary: keep it alive across the loop.
  const auto status = d.PowerStatus();
  for (uint64_t c : status->calls) n += c;
  return n;
}

// A cut at every mutating call of the workload (torn), then recovery; and at
// a sample of them, a second cut at each of the recovery's first calls.
Sweep EveryCall(const Fixed& f, uint64_t pair_stride, uint64_t second_cuts) {
  Sweep out;
  auto fresh = [&] {
    auto d = OpenDevice("mem:?" + f.vc.geometry + "&cache=volatile");
    EXPECT_TRUE(d.ok());
    EXPECT_TRUE(Volume::Format(**d, f.vc.options).ok());
    return std::move(*d);
  };
  uint64_t calls = 0;
  {
    auto d = fresh();
    const uint64_t before = MutatingCalls(*d);
    auto v = Volume::Open(*d, f.vc.options);
    EXPECT_TRUE(v.ok());
    BlockModel m(0, (*v)->size() / testing::kBlock);
    EXPECT_TRUE(RunFixed(**v, m, f.steps, 5).ok());
    calls = MutatingCalls(*d) - before;
    const VolumeStats st = (*v)->Stats();
    EXPECT_GT(st.gc.zones_reset, 3u) << f.vc.name << ": the workload collects";
    EXPECT_GE(st.log.checkpoints + st.log.zones_finished, 1u) << f.vc.name << ": and rolls the log";
  }
  const char* stride_env = std::getenv("ZGC_SWEEP_STRIDE");  // sanitizer builds sample
  const uint64_t stride = stride_env ? std::max(1, std::atoi(stride_env)) : 1;
  for (uint64_t k = 1; k <= calls; k += stride) {
    const uint64_t seconds = k % pair_stride == 0 ? second_cuts : 0;
    for (uint64_t j = 0; j <= seconds; ++j) {
      auto d = fresh();
      const std::string where = f.vc.name + " call " + std::to_string(k) +
                                (j ? " then " + std::to_string(j) : std::string());
      std::vector<BlockModel> models;
      {
        auto v = Volume::Open(*d, f.vc.options);
        if (!v.ok()) {
          out.Fail(out.reopen, where + ": " + v.status().ToString());
          continue;
        }
        models = Models((*v)->size() / testing::kBlock, 1);
        EXPECT_TRUE(d->ArmPowerCut(k, {PowerCutMode::kTear, k}).ok());
        (void)RunFixed(**v, models[0], f.steps, 5);
        (void)d->CutPower({PowerCutMode::kTear, k});
      }
      (void)d->PowerOn();
      ++out.rounds, ++out.cuts;
      auto v = Recover(*d, f.vc.options, models, out, where);
      if (!v) continue;
      if (j) {
        // The second cut, at the j-th call of the recovery's first writes.
        EXPECT_TRUE(d->ArmPowerCut(j, {PowerCutMode::kDrop, j}).ok());
        (void)RunFixed(*v, models[0], 40, 9);
        (void)d->CutPower({PowerCutMode::kDrop, j});
        v.reset();
        (void)d->PowerOn();
        ++out.cuts;
        v = Recover(*d, f.vc.options, models, out, where);
        if (!v) continue;
      }
      MustTakeAWrite(*v, models[0], out, where);
    }
  }
  std::printf("%-12s %llu mutating calls: %s\n", f.vc.name.c_str(), (unsigned long long)calls,
              out.Summary().c_str());
  return out;
}

TEST(VolumeCrash, ACutAtEveryCallOfAShortWorkloadAndPairsInsideRecovery) {
  const Fixed cases[] = {
      {{"4k", "zone_size=64K&zones=24&max_open=0&max_active=0", testing::Opts(false)}, 260},
      {{"512-ragged", "lbs=512&zone_size=16K&zone_cap=15872&zones=40&max_open=0&max_active=0",
        testing::Opts(false)},
       260},
  };
  Sweep all;
  for (const Fixed& f : cases) all.Add(EveryCall(f, 7, 10));
  EXPECT_EQ(all.failures(), 0u) << all.first;
}

}  // namespace
}  // namespace zgc
