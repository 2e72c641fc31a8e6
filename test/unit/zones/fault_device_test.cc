#include "zgc/fault_device.h"

#include <gtest/gtest.h>

namespace zgc {
namespace {

std::vector<std::byte> Bytes(size_t n) { return std::vector<std::byte>(n, std::byte{7}); }

std::unique_ptr<FaultDevice> Wrapped() {
  auto inner = OpenDevice("mem:?zone_size=1M&zones=4&max_open=0&max_active=0");
  EXPECT_TRUE(inner.ok());
  return std::make_unique<FaultDevice>(std::move(*inner));
}

TEST(FaultDevice, FailsTheNthMatchingCallOnly) {
  auto d = Wrapped();
  const size_t r = d->AddRule({.op = FaultOp::kWrite, .nth = 2, .status = Status::IoError("boom")});
  EXPECT_TRUE(d->Write(0, Bytes(4096)).ok());
  EXPECT_EQ(d->Write(4096, Bytes(4096)).code(), Code::kIoError);
  EXPECT_EQ(d->ReportZone(0)->wp, 4096u) << "a failed write leaves nothing";
  EXPECT_TRUE(d->Write(4096, Bytes(4096)).ok());
  EXPECT_EQ(d->Injected(r), 1u);
}

TEST(FaultDevice, StickyRulesAndZoneFilters) {
  auto d = Wrapped();
  d->AddRule({.op = FaultOp::kRead, .zone = 1, .nth = 1, .sticky = true});
  std::vector<std::byte> buf(4096);
  EXPECT_TRUE(d->Read(0, buf).ok());
  EXPECT_EQ(d->Read(1 << 20, buf).code(), Code::kIoError);
  EXPECT_EQ(d->Read(1 << 20, buf).code(), Code::kIoError);
  EXPECT_TRUE(d->Read(2 << 20, buf).ok());
}

TEST(FaultDevice, ShortWriteLandsAPrefix) {
  auto d = Wrapped();
  d->AddRule({.op = FaultOp::kWrite, .short_bytes = 8192 + 100});
  EXPECT_EQ(d->Write(0, Bytes(16384)).code(), Code::kIoError);
  EXPECT_EQ(d->ReportZone(0)->wp, 8192u) << "whole blocks of the prefix landed";
}

TEST(FaultDevice, WrapsZoneManagementAndSync) {
  auto d = Wrapped();
  d->AddRule({.op = FaultOp::kManage, .status = Status::Busy("x")});
  d->AddRule({.op = FaultOp::kSync});
  EXPECT_EQ(d->ResetZone(0).code(), Code::kBusy);
  EXPECT_EQ(d->Sync().code(), Code::kIoError);
  EXPECT_TRUE(d->ResetZone(0).ok());
  EXPECT_EQ(d->info().nr_zones, 4u);
}

}  // namespace
}  // namespace zgc
