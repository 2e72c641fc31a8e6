#include "zgc/status.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "src/base/errno_status.h"
#include "src/base/retry.h"

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
  // Regression: EINTR meant "cancelled"; call sites retry it, a stray one is an I/O error.
  EXPECT_EQ(ErrnoStatus(EINTR, "w").code(), Code::kIoError);
  EXPECT_EQ(ErrnoStatus(ECANCELED, "w").code(), Code::kAborted);
}

TEST(Status, InterruptedCallsAreRetried) {
  int calls = 0;
  const int r = RetryOnEintr([&] {
    if (++calls < 3) {
      errno = EINTR;
      return -1;
    }
    return 0;
  });
  EXPECT_EQ(r, 0);
  EXPECT_EQ(calls, 3);
  calls = 0;
  EXPECT_EQ(RetryOnEintr([&] {
              ++calls;
              errno = EIO;
              return -1;
            }),
            -1);
  EXPECT_EQ(calls, 1) << "other errors are not retried";
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

// Regression: built from an OK Status, a Result held neither value nor error
// when assertions were off (NDEBUG), and ZGC_ASSIGN_OR_RETURN returned OK.
TEST(Result, FromAnOkStatusIsAnInternalErrorInEveryBuild) {
  Result<int> r = Status::OK();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(CodeName(Code::kInternal), "internal");
  auto f = []() -> Status {
    ZGC_ASSIGN_OR_RETURN(int v, Result<int>(Status::OK()));
    (void)v;
    return Status::OK();
  };
  EXPECT_EQ(f().code(), Code::kInternal);
}

}  // namespace
}  // namespace zgc
