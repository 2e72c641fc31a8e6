#include "src/zones/uri.h"

#include <gtest/gtest.h>

namespace zgc {
namespace {

TEST(ParseSize, AcceptsBinarySuffixes) {
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("64K"), 64u << 10);
  EXPECT_EQ(*ParseSize("60M"), 60u << 20);
  EXPECT_EQ(*ParseSize("60MiB"), 60u << 20);
  EXPECT_EQ(*ParseSize("1G"), 1ull << 30);
  EXPECT_EQ(*ParseSize("2T"), 2ull << 40);
  EXPECT_EQ(*ParseSize("0x100000"), 1u << 20);
  EXPECT_EQ(ParseSize("0xZZ").status().code(), Code::kInvalidArgument);
}

TEST(ParseSize, RejectsGarbage) {
  for (const char* bad : {"", "M", "12Q", "1.5G", "-1", "99999999999999999999", "16777216T", "4KX"})
    EXPECT_EQ(ParseSize(bad).status().code(), Code::kInvalidArgument) << bad;
}

TEST(Uri, SplitsSchemePathAndParameters) {
  auto u = Uri::Parse("emu:/tmp/a.img?zone_size=64M&zones=8");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme(), "emu");
  EXPECT_EQ(u->path(), "/tmp/a.img");
  EXPECT_EQ(*u->Size("zone_size", 0), 64u << 20);
  EXPECT_EQ(*u->Count("zones", 0), 8u);
  EXPECT_EQ(*u->Count("conv", 3), 3u);
  EXPECT_TRUE(u->CheckAllUsed().ok());
}

TEST(Uri, NamesTheProblem) {
  EXPECT_EQ(Uri::Parse("/dev/nvme0n1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Uri::Parse("emu:/a?x=1&x=2").status().code(), Code::kInvalidArgument);
  auto u = Uri::Parse("emu:/a?zone_sise=64M");
  ASSERT_TRUE(u.ok());
  Status s = u->CheckAllUsed();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("zone_sise"), std::string::npos);
  auto v = Uri::Parse("emu:/a?zones=many");
  EXPECT_NE(v->Count("zones", 1).status().message().find("zones"), std::string::npos);
  EXPECT_EQ(Uri::Parse("mem:?data=maybe")->Flag("data", true).status().code(),
            Code::kInvalidArgument);
}

// Found by test/fuzz/parse_size_fuzz (regressions/parse_size_fuzz/): digits
// too large for 64 bits before a unit were refused naming the digits alone,
// as "not a non-negative integer".
TEST(ParseSize, TooLargeNamesTheWholeText) {
  for (const char* big : {"167771677775165177775677T", "99999999999999999999", "18446744073709551616K"}) {
    Status s = ParseSize(big).status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << big;
    EXPECT_NE(s.message().find(std::string("'") + big + "'"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("too large"), std::string::npos) << s.ToString();
  }
}

TEST(OpenDevice, RejectsUnknownSchemesAndParameters) {
  EXPECT_EQ(OpenDevice("nvme:/dev/nvme0n1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenDevice("mem:?zone_sise=1M").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenDevice("mem:/path").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenDevice("emu:").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenDevice("").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace zgc
