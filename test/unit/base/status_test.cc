#include "zgc/status.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "src/base/errno_status.h"

namespace zgc {
namespace {

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesCodeMessageAndContext) {
  Status s = Status::ZoneState("write not at wp").WithContext("emu:/x");
  EXPECT_EQ(s.code(), Code::kZoneState);
  EXPECT_EQ(s.ToString(), "zone_state: emu:/x: write not at wp");
  Status copy = s;
  EXPECT_EQ(copy.message(), s.message());
}

TEST(Status, ErrnoMapsAtTheEdge) {
  EXPECT_EQ(ErrnoStatus(ENOENT, "open").code(), Code::kNotFound);
  EXPECT_EQ(ErrnoStatus(ETOOMANYREFS, "w").code(), Code::kTooManyOpenZones);
  EXPECT_EQ(ErrnoStatus(EOVERFLOW, "w").code(), Code::kTooManyActiveZones);
  EXPECT_EQ(ErrnoStatus(EIO, "w").code(), Code::kIoError);
  EXPECT_EQ(ErrnoStatus(EREMOTEIO, "w").code(), Code::kIoError);
  EXPECT_EQ(ErrnoStatus(ENOTTY, "ioctl").code(), Code::kNotSupported);
  EXPECT_EQ(ErrnoStatus(EIO, "w").sys_errno(), EIO);
  EXPECT_NE(ErrnoStatus(EIO, "write 0x0").message().find("write 0x0"), std::string::npos);
}

TEST(Status, NvmeStatusesMapToZoneCodes) {
  EXPECT_EQ(NvmeStatus(0x41BD, "c").code(), Code::kTooManyActiveZones);  // with DNR
  EXPECT_EQ(NvmeStatus(0x1BE, "c").code(), Code::kTooManyOpenZones);
  EXPECT_EQ(NvmeStatus(0x1BC, "c").code(), Code::kZoneState);
  EXPECT_EQ(NvmeStatus(0x4183, "c").code(), Code::kInvalidArgument);
  EXPECT_EQ(NvmeStatus(0x6, "c").code(), Code::kIoError);
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  Result<int> e = Status::NotFound("x");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace zgc
