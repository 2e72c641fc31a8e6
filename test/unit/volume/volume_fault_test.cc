// zgc::Volume under device faults, over the geometry matrix: a fixed
// workload (open, writes with GC collections, log rolls and checkpoints,
// close) on a device that fails one call — each index in turn — once
// returning an error, once landing one sector of a write, append or copy
// first, once landing all of it and then failing. The operation that meets
// the fault fails and every later change fails too (the volume is
// read-only); then the power is cut, the volume reopened (nothing
// acknowledged lost, fsck passes, it takes writes), cut again and reopened a
// second time.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "test/support/block_model.h"
#include "test/support/volume_matrix.h"
#include "zgc/fault_device.h"

namespace zgc {
namespace {

using testing::BlockCounts;
using testing::BlockModel;
using testing::VolumeCase;

struct Tally {
  uint64_t calls = 0, runs = 0, hit = 0, failed = 0, checked = 0, lost = 0, bad = 0, fsck = 0,
           reopen = 0, after = 0, unwritable = 0;
  std::string first;
  void Note(uint64_t& counter, const std::string& what, uint64_t n = 1) {
    counter += n;
    if (first.empty() && n) first = what;
  }
};

std::unique_ptr<FaultDevice> Fresh(const VolumeCase& vc) {
  auto d = OpenDevice("mem:?" + vc.geometry + "&cache=volatile");
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  auto fd = std::make_unique<FaultDevice>(std::move(*d));
  EXPECT_TRUE(Volume::Format(*fd, vc.options).ok());
  EXPECT_TRUE(fd->Sync().ok());
  return fd;
}

struct Outcome {
  bool failed = false;
  int wrote_after_error = 0;
  VolumeStats stats;
};

// The workload: open, `ops` steps, close.
Outcome Run(ZonedDevice& d, const VolumeOptions& o, BlockModel& m, int ops,
            std::vector<BlockModel>* models) {
  Outcome out;
  auto vol = Volume::Open(d, o);
  if (!vol.ok()) return out.failed = true, out;
  if (m.hi() == 0) {
    m = BlockModel(0, (*vol)->size() / testing::kBlock);
    if (models) models->clear();
  }
  std::mt19937_64 rng(42);
  for (int i = 0; i < ops; ++i) {
    const bool ok = m.Step(**vol, rng).ok();
    if (!ok) out.failed = true;
    if (ok && out.failed) ++out.wrote_after_error;
  }
  out.stats = (*vol)->Stats();
  const bool closed = (*vol)->Close().ok();
  if (closed && out.failed) ++out.wrote_after_error;
  if (closed) m.Flushed();
  return out;
}

// Reopens after a cut: verify (settling the model), fsck. False on failure.
bool Reopen(ZonedDevice& d, const VolumeOptions& o, BlockModel& m, Tally& t,
            const std::string& where, std::unique_ptr<Volume>* keep) {
  auto v = Volume::Open(d, o);
  if (!v.ok()) {
    t.Note(t.reopen, where + ": reopen: " + v.status().ToString());
    return false;
  }
  if (Status c = (*v)->Check(); !c.ok()) t.Note(t.fsck, where + ": " + c.ToString());
  BlockCounts c;
  if (!m.Verify(**v, c, /*settle=*/true).ok()) {
    t.Note(t.reopen, where + ": read failed");
    return false;
  }
  t.checked += c.checked;
  t.Note(t.lost, where + ": " + c.first, c.lost);
  t.Note(t.bad, where + ": " + c.first, c.bad);
  if (keep) *keep = std::move(*v);
  return true;
}

Tally Sweep(const VolumeCase& vc, int ops, uint64_t stride) {
  Tally t;
  VolumeOptions o = vc.options;
  o.background_gc = false;  // one call order
  {
    auto fd = Fresh(vc);
    const size_t counter = fd->AddRule({.op = FaultOp::kAny, .nth = ~0ull});
    BlockModel m(0, 0);
    const Outcome out = Run(*fd, o, m, ops, nullptr);
    EXPECT_FALSE(out.failed) << vc.name;
    t.calls = fd->Seen(counter);
    EXPECT_GT(out.stats.gc.zones_reset, 5u) << vc.name << ": the workload collects";
  }
  const uint64_t lbs = OpenDevice("mem:?" + vc.geometry).value()->info().logical_block_size;
  for (uint64_t k = 1; k <= t.calls; k += stride) {
    for (const uint64_t short_bytes : {uint64_t(0), lbs, ~uint64_t(0)}) {
      const std::string where = vc.name + " call " + std::to_string(k) + " short " +
                                std::to_string(short_bytes == ~uint64_t(0) ? -1 : int64_t(short_bytes));
      auto fd = Fresh(vc);
      const size_t rule = fd->AddRule(
          {.op = FaultOp::kAny,
           .nth = k,
           .status = Status::IoError("injected fault at call " + std::to_string(k)),
           .short_bytes = short_bytes});
      BlockModel m(0, 0);
      const Outcome out = Run(*fd, o, m, ops, nullptr);
      ++t.runs;
      t.hit += fd->Injected(rule) > 0;
      t.failed += out.failed;
      t.Note(t.after, where + ": a change accepted after the error", out.wrote_after_error);
      fd->ClearRules();
      if (m.hi() == 0) continue;  // the first Open met the fault: nothing to check
      // The power goes; two recoveries, with writes and another cut between.
      (void)fd->CutPower({PowerCutMode::kTear, k});
      (void)fd->PowerOn();
      std::unique_ptr<Volume> v;
      if (!Reopen(*fd, o, m, t, where + " (first reopen)", &v)) continue;
      std::mt19937_64 rng(k);
      Status s;
      for (int i = 0; i < 20 && s.ok(); ++i) s = m.Step(*v, rng);
      if (s.ok()) s = v->Flush();
      if (s.ok()) m.Flushed();
      if (!s.ok()) t.Note(t.unwritable, where + ": after the first reopen: " + s.ToString());
      for (int i = 0; i < 10; ++i) (void)m.Step(*v, rng);
      (void)fd->CutPower({PowerCutMode::kDrop, k});
      v.reset();
      (void)fd->PowerOn();
      Reopen(*fd, o, m, t, where + " (second reopen)", nullptr);
    }
  }
  return t;
}

int Stride(int fallback) {
  const char* e = std::getenv("ZGC_SWEEP_STRIDE");
  return e ? std::max(1, std::atoi(e)) * fallback : fallback;
}

TEST(VolumeFault, EveryDeviceCallFailingInTurnOverTheMatrixLosesNothing) {
  // Exhaustive on the first geometry; every few calls on the others (small
  // devices, so that a short workload collects and rolls the log).
  const std::vector<std::pair<VolumeCase, int>> cases = {
      {{"4k", "zone_size=64K&zones=24&max_open=0&max_active=0", testing::Opts(false)}, 1},
      {{"512-ragged", "lbs=512&zone_size=32K&zone_cap=31744&zones=24&max_open=0&max_active=0",
        testing::Opts(false)},
       5},
      {{"limits-3", "zone_size=64K&zones=24&max_open=3&max_active=3", testing::Opts(false)}, 5},
      {{"conv-log8", "zone_size=64K&zones=28&conv=2&max_open=0&max_active=0",
        testing::Opts(false, 8)},
       5},
      {{"zbc-greedy", "family=zbc&zone_size=64K&zones=24&conv=1&max_open=8&max_active=0",
        testing::Opts(false, 0, VictimPolicy::kGreedy)},
       7},
  };
  Tally all;
  for (const auto& [vc, stride] : cases) {
    const Tally t = Sweep(vc, 300, Stride(stride));
    std::printf(
        "%-11s %llu device calls, %llu runs, faults fired %llu, runs that saw an error %llu, "
        "blocks checked %llu, lost %llu, torn or foreign %llu, fsck failures %llu, reopen "
        "failures %llu, unwritable %llu, changes accepted after an error %llu\n",
        vc.name.c_str(), (unsigned long long)t.calls, (unsigned long long)t.runs,
        (unsigned long long)t.hit, (unsigned long long)t.failed, (unsigned long long)t.checked,
        (unsigned long long)t.lost, (unsigned long long)t.bad, (unsigned long long)t.fsck,
        (unsigned long long)t.reopen, (unsigned long long)t.unwritable,
        (unsigned long long)t.after);
    EXPECT_EQ(t.hit, t.runs) << vc.name << ": every index is a call of the workload";
    EXPECT_EQ(t.lost + t.bad + t.fsck + t.reopen + t.unwritable + t.after, 0u)
        << vc.name << ": " << t.first;
    all.runs += t.runs;
  }
}

}  // namespace
}  // namespace zgc
