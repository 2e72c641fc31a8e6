#include <gtest/gtest.h>

#include <filesystem>

#include "zgc/copy.h"
#include "zgc/fault_device.h"

namespace zgc {
namespace {

constexpr uint64_t kB = 4096, kZone = 1 << 20;  // kB: one 4 KiB block

std::vector<std::byte> Pattern(uint64_t offset, size_t n) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::byte>(((offset + i) * 7 + ((offset + i) >> 12)) & 0xFF);
  return v;
}

class CopierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open(
        "mem:?zone_size=1M&zones=8&max_open=0&max_active=0&copy_max_range=16K&copy_max=64K&copy_"
        "ranges=4");
  }
  void Open(const std::string& uri) {
    auto d = OpenDevice(uri);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    fault_ = std::make_unique<FaultDevice>(std::move(*d));
    ASSERT_TRUE(fault_->Write(0, Pattern(0, kZone)).ok());  // zone 0: the sources
  }
  std::vector<Extent> Scattered() const {
    return {{40 * kB, 3 * kB},
            {4 * kB, 20 * kB},
            {100 * kB, kB},
            {200 * kB, 50 * kB},
            {120 * kB, 8 * kB}};
  }
  void Verify(const CopyPlan& plan) {
    for (const Placement& p : plan.placements) {
      std::vector<std::byte> got(p.length);
      ASSERT_TRUE(fault_->Read(p.destination, got).ok());
      EXPECT_TRUE(got == Pattern(p.source, p.length)) << "at " << p.destination;
    }
  }
  uint64_t Total() const {
    uint64_t n = 0;
    for (const Extent& e : Scattered()) n += e.length;
    return n;
  }
  std::unique_ptr<FaultDevice> fault_;
  const Destination dest_{kZone, 2 * kZone};
};

TEST_F(CopierTest, NativePathCopiesEverythingAndSaysWhere) {
  auto copier = Copier::Create(*fault_);
  ASSERT_TRUE(copier.ok()) << copier.status().ToString();
  EXPECT_EQ((*copier)->chain(), (std::vector<CopyPath>{CopyPath::kNative, CopyPath::kReadWrite}));
  auto plan = (*copier)->Copy(Scattered(), std::span(&dest_, 1));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Verify(*plan);
  const CopyStats s = (*copier)->stats();
  EXPECT_EQ(s.of(CopyPath::kNative).bytes, Total());
  EXPECT_EQ(s.fallback_bytes(), 0u);
  EXPECT_EQ(s.host_bytes_read, 0u) << "offload moves no data through the host";
  EXPECT_EQ(fault_->ReportZone(kZone)->wp, kZone + Total());
}

TEST_F(CopierTest, ReadWritePathWhenAsked) {
  auto copier =
      Copier::Create(*fault_, CopyOptions{.path = CopyPath::kReadWrite, .queue_depth = 3});
  ASSERT_TRUE(copier.ok());
  auto plan = (*copier)->Copy(Scattered(), std::span(&dest_, 1));
  ASSERT_TRUE(plan.ok());
  Verify(*plan);
  EXPECT_EQ((*copier)->stats().fallback_bytes(), Total());
  EXPECT_EQ((*copier)->stats().host_bytes_read, Total());
}

TEST_F(CopierTest, AbsentPathIsNotSupportedWithTheReason) {
  auto copier = Copier::Create(*fault_, CopyOptions{.path = CopyPath::kNvme});
  EXPECT_EQ(copier.status().code(), Code::kNotSupported);
  EXPECT_NE(copier.status().message().find("not an NVMe namespace"), std::string::npos);
}

// Regression: a CopyPath past the table (7, 200: options that came from
// outside) was looked up by index in the name table, reading past it
// (UBSan), both by CopyPathName and by Create's refusal message.
TEST_F(CopierTest, APathPastTheTableIsNamedQuestionMarkAndRefused) {
  EXPECT_EQ(CopyPathName(CopyPath::kReadWrite), "rw");
  for (const int bad : {5, 7, 200, 255}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(CopyPathName(static_cast<CopyPath>(bad)), "?");
    auto copier = Copier::Create(*fault_, CopyOptions{.path = static_cast<CopyPath>(bad)});
    EXPECT_EQ(copier.status().code(), Code::kInvalidArgument) << copier.status().ToString();
    EXPECT_NE(copier.status().message().find(fault_->info().uri + ": copy path " +
                                             std::to_string(bad) + " is not one of"),
              std::string::npos)
        << copier.status().ToString();
  }
}

TEST_F(CopierTest, PartialCopyKeepsThePrefixAndFinishesByReadWrite) {
  fault_->AddRule({.op = FaultOp::kCopy, .nth = 2, .short_bytes = 3 * kB});
  auto copier = Copier::Create(*fault_);
  auto plan = (*copier)->Copy(Scattered(), std::span(&dest_, 1));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Verify(*plan);
  const CopyStats s = (*copier)->stats();
  EXPECT_EQ(s.of(CopyPath::kNative).failures, 1u);
  EXPECT_EQ(s.recovered_bytes, 3 * kB);
  EXPECT_GT(s.fallback_bytes(), 0u);
  EXPECT_EQ(s.of(CopyPath::kNative).bytes + s.fallback_bytes(), Total()) << "nothing counted twice";
  EXPECT_EQ(fault_->ReportZone(kZone)->wp, kZone + Total());
}

TEST_F(CopierTest, APathThatKeepsFailingIsDemoted) {
  fault_->AddRule({.op = FaultOp::kCopy, .sticky = true});
  auto copier = Copier::Create(*fault_, CopyOptions{.demote_after = 2});
  for (int round = 0; round < 2; ++round) {
    const Destination d{(1 + round) * kZone, (2 + round) * kZone};
    auto plan = (*copier)->Copy(Scattered(), std::span(&d, 1));
    ASSERT_TRUE(plan.ok());
    Verify(*plan);
  }
  EXPECT_EQ((*copier)->stats().demotions, 1u);
  EXPECT_EQ((*copier)->chain(), (std::vector<CopyPath>{CopyPath::kReadWrite}));
  EXPECT_EQ((*copier)->stats().fallback_bytes(), 2 * Total());
}

TEST_F(CopierTest, WhenEveryPathFailsNothingIsClaimed) {
  fault_->AddRule({.op = FaultOp::kCopy, .sticky = true});
  fault_->AddRule({.op = FaultOp::kWrite, .zone = 1, .sticky = true, .short_bytes = 2 * kB});
  auto copier = Copier::Create(*fault_);
  auto plan = (*copier)->Copy(Scattered(), std::span(&dest_, 1));
  EXPECT_EQ(plan.status().code(), Code::kIoError);
  // The device holds exactly the prefix that landed; the source is intact.
  const uint64_t wp = fault_->ReportZone(kZone)->wp;
  EXPECT_EQ(wp, kZone + 2 * kB);
  std::vector<std::byte> got(2 * kB);
  ASSERT_TRUE(fault_->Read(kZone, got).ok());
  EXPECT_TRUE(got == Pattern(40 * kB, 2 * kB));
}

TEST_F(CopierTest, DestinationMustBeTheWritePointer) {
  ASSERT_TRUE(fault_->Write(kZone, Pattern(0, kB)).ok());
  auto copier = Copier::Create(*fault_);
  auto plan = (*copier)->Copy(Scattered(), std::span(&dest_, 1));
  EXPECT_EQ(plan.status().code(), Code::kZoneState);
  EXPECT_EQ(fault_->ReportZone(kZone)->wp, kZone + kB) << "nothing written";
}

// Regression (lab, nvme0n2): sources adjacent across a zone boundary must not
// become one copy range; the device refuses ranges that cross zones.
TEST_F(CopierTest, SourcesAdjacentAcrossAZoneBoundaryCopyWithoutFailures) {
  ASSERT_TRUE(fault_->Write(kZone, Pattern(kZone, kZone)).ok());
  auto copier = Copier::Create(*fault_);
  const std::vector<Extent> src = {{kZone - 8 * kB, 8 * kB}, {kZone, 8 * kB}};
  const Destination d{3 * kZone, 4 * kZone};
  auto plan = (*copier)->Copy(src, std::span(&d, 1));
  ASSERT_TRUE(plan.ok());
  Verify(*plan);
  EXPECT_EQ((*copier)->stats().of(CopyPath::kNative).failures, 0u);
  EXPECT_EQ((*copier)->stats().of(CopyPath::kNative).bytes, 16 * kB);
}

TEST_F(CopierTest, SpillsIntoTheNextDestinationOnAnEmuFile) {
  const auto path =
      std::filesystem::temp_directory_path() / ("zgc-copier-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  Open("emu:" + path.string() + "?create=1&zone_size=1M&zones=8&max_open=0&max_active=0");
  auto copier = Copier::Create(*fault_);
  const Destination dests[] = {{kZone + 32 * kB, kZone + 64 * kB},
                               {2 * kZone, 2 * kZone + 64 * kB}};
  ASSERT_TRUE(fault_->Write(kZone, Pattern(0, 32 * kB)).ok());
  auto plan = (*copier)->Copy(Scattered(), dests);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Verify(*plan);
  EXPECT_EQ(fault_->ReportZone(kZone)->wp, kZone + 64 * kB) << "the first destination is filled";
  EXPECT_EQ(fault_->ReportZone(2 * kZone)->wp, 2 * kZone + Total() - 32 * kB);
  fault_.reset();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace zgc
