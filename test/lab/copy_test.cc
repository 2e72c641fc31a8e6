// Copy submission on any device: zgc_copy_test --uri=<device URI> (erases it).
// ctest runs it on emu: and mem:; the lab runs it on the kernel's ZNS namespaces
// (NVMe Simple Copy by ioctl and by io_uring) and on null_blk (read/write).
#include "zgc/copy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "test/support/device_under_test.h"
#include "zgc/fault_device.h"

namespace zgc {
namespace {

std::vector<std::byte> Pattern(uint64_t offset, size_t n) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::byte>(((offset + i) * 29 + ((offset + i) >> 9)) & 0xFF);
  return v;
}

// Claims copy ranges twice as long as the device takes: the device refuses the
// commands itself, a real failure for the Copier to recover from.
class OverstatedLimits final : public DeviceWrapper {
 public:
  explicit OverstatedLimits(ZonedDevice& d) : DeviceWrapper(d), info_(d.info()) {
    info_.copy.max_range_bytes *= 2;
    info_.copy.max_total_bytes *= 2;
  }
  const DeviceInfo& info() const override { return info_; }

 private:
  DeviceInfo info_;
};

class CopyOnDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = testing::OpenErasedDevice();
    ASSERT_TRUE(dev_);
    auto zones = dev_->ReportAllZones();
    for (const Zone& z : *zones)
      if (z.sequential()) seq_.push_back(z);
    ASSERT_GE(seq_.size(), 4u);
    // Sources: the first two sequential zones, written with a known pattern.
    const uint64_t lbs = dev_->info().logical_block_size;
    for (int k = 0; k < 2; ++k) {
      const Zone& z = seq_[k];
      const uint64_t fill = std::min<uint64_t>(z.capacity, 8 << 20) / lbs * lbs;
      for (uint64_t off = 0; off < fill; off += 1 << 20) {
        const uint64_t n = std::min<uint64_t>(1 << 20, fill - off);
        ASSERT_TRUE(dev_->Write(z.start + off, Pattern(z.start + off, n)).ok());
      }
      filled_.push_back({z.start, fill});
    }
  }
  void TearDown() override {
    if (dev_) {
      EXPECT_TRUE(dev_->ResetAll().ok());
    }
  }

  // Scattered, disjoint extents of 4 KiB..256 KiB from the source zones, shuffled.
  std::vector<Extent> Scattered(uint64_t seed, uint64_t want) {
    std::mt19937_64 rng(seed);
    const uint64_t lbs = dev_->info().logical_block_size;
    std::vector<Extent> out;
    uint64_t total = 0;
    for (const Extent& f : filled_) {
      for (uint64_t off = f.offset; off < f.end() && total < want;) {
        const uint64_t len = std::min<uint64_t>((1 + rng() % 64) * 4096, f.end() - off) / lbs * lbs;
        if (rng() % 3) {
          out.push_back({off, len});
          total += len;
        }
        off += len + (rng() % 4) * lbs;
      }
    }
    std::shuffle(out.begin(), out.end(), rng);
    return out;
  }
  static uint64_t Sum(const std::vector<Extent>& v) {
    uint64_t n = 0;
    for (const Extent& e : v) n += e.length;
    return n;
  }
  void VerifyPlan(const CopyPlan& plan) {
    for (const Placement& p : plan.placements) {
      std::vector<std::byte> got(p.length);
      ASSERT_TRUE(dev_->Read(p.destination, got).ok());
      ASSERT_TRUE(got == Pattern(p.source, p.length)) << "data at " << p.destination;
    }
  }
  Destination Dest(int k) const { return {seq_[k].start, seq_[k].start + seq_[k].capacity}; }

  std::unique_ptr<ZonedDevice> dev_;
  std::vector<Zone> seq_;
  std::vector<Extent> filled_;
};

TEST_F(CopyOnDevice, EveryAvailablePathCopiesByteForByte) {
  auto probe = Copier::Create(*dev_);
  ASSERT_TRUE(probe.ok());
  const std::vector<CopyPath> paths = (*probe)->chain();
  int k = 2;
  for (CopyPath path : paths) {
    SCOPED_TRACE(std::string(CopyPathName(path)));
    auto copier = Copier::Create(*dev_, CopyOptions{.path = path, .queue_depth = 4});
    ASSERT_TRUE(copier.ok()) << copier.status().ToString();
    const auto src = Scattered(k, 3 << 20);
    const Destination d = Dest(k);
    auto plan = (*copier)->Copy(src, std::span(&d, 1));
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    VerifyPlan(*plan);
    EXPECT_EQ(dev_->ReportZone(d.wp)->wp, d.wp + Sum(src)) << "write pointer advanced by the batch";
    EXPECT_EQ((*copier)->stats().of(path).bytes, Sum(src)) << "every byte by the path asked for";
    std::printf("path %-10s %4zu extents, %7.2f MiB, %3lu commands: verified\n",
                std::string(CopyPathName(path)).c_str(), src.size(), Sum(src) / 1048576.0,
                static_cast<unsigned long>((*copier)->stats().of(path).commands));
    if (++k == static_cast<int>(seq_.size())) break;
  }
}

TEST_F(CopyOnDevice, APartialCopyIsFinishedByTheNextPath) {
  if (!dev_->info().copy.supported()) GTEST_SKIP() << "no copy command";
  FaultDevice fault(*dev_);
  // The second command copies 3 blocks for real and then reports a failure.
  fault.AddRule(
      {.op = FaultOp::kCopy, .nth = 2, .short_bytes = 3 * dev_->info().logical_block_size});
  const CopyPath device_path = dev_->info().backend == "zbd" ? CopyPath::kNvme : CopyPath::kNative;
  auto copier = Copier::Create(fault, CopyOptions{.path = device_path});
  ASSERT_TRUE(copier.ok()) << copier.status().ToString();
  const auto src = Scattered(7, 2 << 20);
  const Destination d = Dest(2);
  auto plan = (*copier)->Copy(src, std::span(&d, 1));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  VerifyPlan(*plan);
  const CopyStats s = (*copier)->stats();
  EXPECT_EQ(s.recovered_bytes, 3 * dev_->info().logical_block_size);
  EXPECT_GT(s.fallback_bytes(), 0u);
  EXPECT_EQ(s.offloaded_bytes() + s.fallback_bytes(), Sum(src));
}

TEST_F(CopyOnDevice, DeviceRefusalsAreFinishedByReadWriteAndDemoted) {
  auto probe = ProbeCopy(*dev_);
  if (!probe.ok() || !probe->io_uring_passthrough)
    GTEST_SKIP() << "needs NVMe io_uring passthrough";
  OverstatedLimits liar(*dev_);
  auto copier = Copier::Create(liar, CopyOptions{.path = CopyPath::kNvmeUring, .demote_after = 2});
  ASSERT_TRUE(copier.ok()) << copier.status().ToString();
  std::vector<Extent> src;  // ranges the device cannot take in one piece
  const uint64_t too_long = dev_->info().copy.max_range_bytes * 2;
  for (const Extent& f : filled_)
    for (uint64_t off = f.offset; off + too_long <= f.end() && src.size() < 6; off += 2 * too_long)
      src.push_back({off, too_long});
  const Destination d = Dest(2);
  auto plan = (*copier)->Copy(src, std::span(&d, 1));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  VerifyPlan(*plan);
  const CopyStats s = (*copier)->stats();
  // The device refuses the first command; the rest of that zone is not attempted
  // on io_uring and goes down the chain (the ioctl path refuses too, then read/write).
  EXPECT_EQ(s.of(CopyPath::kNvmeUring).failures, 1u) << "the device refused";
  EXPECT_GE(s.of(CopyPath::kNvme).failures, 2u);
  EXPECT_EQ(s.of(CopyPath::kNvmeUring).bytes, 0u) << "and wrote nothing";
  EXPECT_EQ(s.fallback_bytes(), Sum(src));
  EXPECT_GE(s.demotions, 1u);
  std::printf(
      "refused by the device: %lu commands; finished by read/write: %.2f MiB; demotions %lu\n",
      static_cast<unsigned long>(s.of(CopyPath::kNvmeUring).failures),
      s.fallback_bytes() / 1048576.0, static_cast<unsigned long>(s.demotions));
}

TEST_F(CopyOnDevice, AMisplacedDestinationIsRefusedBeforeAnythingMoves) {
  auto copier = Copier::Create(*dev_);
  ASSERT_TRUE(copier.ok());
  const uint64_t lbs = dev_->info().logical_block_size;
  ASSERT_TRUE(dev_->Write(seq_[2].start, Pattern(seq_[2].start, lbs)).ok());
  const Destination stale{seq_[2].start, seq_[2].start + seq_[2].capacity};
  auto plan = (*copier)->Copy(Scattered(3, 1 << 20), std::span(&stale, 1));
  EXPECT_EQ(plan.status().code(), Code::kZoneState);
  EXPECT_EQ(dev_->ReportZone(seq_[2].start)->wp, seq_[2].start + lbs);
}

}  // namespace
}  // namespace zgc

int main(int argc, char** argv) { return zgc::testing::RunOnDevice(argc, argv, "copy tests"); }
