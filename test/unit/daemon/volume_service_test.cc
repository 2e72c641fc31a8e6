#include "src/daemon/volume_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace zgc::daemon {
namespace {

namespace fs = std::filesystem;

class VolumeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zgc-service-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Uri(const std::string& name, bool create) const {
    return "emu:" + dir_ + "/" + name + (create ? "?create=1&zone_size=1M&zones=24" : "");
  }
  std::string Bytes(const std::string& name) const {
    std::ifstream f(dir_ + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  std::string dir_;
};

TEST(ServiceOptions, EveryKeyAndBadValuesAreNamed) {
  ServiceOptions o;
  EXPECT_EQ(o.Validate().code(), Code::kInvalidArgument);  // no uri
  ASSERT_TRUE(o.Set("uri", "mem:?zones=8").ok());
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_EQ(o.Set("uri", "mem:").code(), Code::kInvalidArgument);  // a second one
  EXPECT_TRUE(o.Set("spare", "0.3").ok());
  EXPECT_DOUBLE_EQ(o.spare, 0.3);
  for (const char* v : {"0", "1", "-0.1", "nan", "inf", "0.2x", ""})
    EXPECT_EQ(o.Set("spare", v).code(), Code::kInvalidArgument) << v;
  EXPECT_TRUE(o.Set("format", "force").ok());
  EXPECT_EQ(o.format, FormatMode::kForce);
  EXPECT_EQ(o.Set("format", "yes").code(), Code::kInvalidArgument);
  EXPECT_TRUE(o.Set("policy", "greedy").ok());
  EXPECT_EQ(o.policy, VictimPolicy::kGreedy);
  EXPECT_EQ(o.Set("policy", "fifo").code(), Code::kInvalidArgument);
  EXPECT_TRUE(o.Set("rate", "64M").ok());
  EXPECT_EQ(o.rate_limit, 64u << 20);
  EXPECT_EQ(o.Set("rate", "2T").code(), Code::kInvalidArgument);
  EXPECT_EQ(o.Set("rate", "fast").code(), Code::kInvalidArgument);
  EXPECT_TRUE(o.Set("readonly", "true").ok());
  EXPECT_EQ(o.Validate().code(), Code::kInvalidArgument);  // force + readonly
  Status s = o.Set("colour", "blue");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("colour"), std::string::npos);
}

TEST_F(VolumeServiceTest, ABlankDeviceIsFormattedThenOpenedWithItsData) {
  ServiceOptions o;
  ASSERT_TRUE(o.Set("uri", Uri("a.img", true)).ok());
  std::vector<std::byte> block(Volume::kBlock, std::byte{0x5a}), back(Volume::kBlock);
  {
    auto s = VolumeService::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE((*s)->formatted());
    ASSERT_TRUE((*s)->volume().Write(8192, block).ok());
    ASSERT_TRUE((*s)->Stop().ok());
  }
  ServiceOptions again;
  ASSERT_TRUE(again.Set("uri", Uri("a.img", false)).ok());
  ASSERT_TRUE(again.Set("format", "never").ok());
  auto s = VolumeService::Start(again);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE((*s)->formatted());
  ASSERT_TRUE((*s)->volume().Read(8192, back).ok());
  EXPECT_EQ(back, block);
}

TEST_F(VolumeServiceTest, ABlankDeviceIsRefusedByFormatNeverAndReadOnly) {
  ASSERT_TRUE(OpenDevice(Uri("b.img", true)).ok());  // creates it, blank
  for (const char* key : {"format", "readonly"}) {
    ServiceOptions o;
    ASSERT_TRUE(o.Set("uri", Uri("b.img", false)).ok());
    ASSERT_TRUE(o.Set(key, std::string(key) == "format" ? "never" : "true").ok());
    const std::string before = Bytes("b.img");
    auto s = VolumeService::Start(o);
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument) << key;
    EXPECT_NE(s.status().message().find("blank"), std::string::npos) << s.status().ToString();
    EXPECT_EQ(Bytes("b.img"), before) << key;
  }
}

TEST_F(VolumeServiceTest, ADeviceHoldingSomethingElseIsRefusedUntouchedUnlessForced) {
  {
    auto dev = OpenDevice(Uri("c.img", true));
    ASSERT_TRUE(dev.ok());
    std::vector<std::byte> data(Volume::kBlock, std::byte{1});
    const uint64_t zone = (*dev)->info().zone_size;
    ASSERT_TRUE((*dev)->Write(3 * zone, data).ok());
    ASSERT_TRUE((*dev)->Sync().ok());
  }
  ServiceOptions o;
  ASSERT_TRUE(o.Set("uri", Uri("c.img", false)).ok());
  const std::string before = Bytes("c.img");
  auto s = VolumeService::Start(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("holds no zgc volume"), std::string::npos)
      << s.status().ToString();
  EXPECT_NE(s.status().message().find("nothing was written"), std::string::npos);
  EXPECT_EQ(Bytes("c.img"), before);
  ASSERT_TRUE(o.Set("format", "force").ok());
  auto forced = VolumeService::Start(o);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_TRUE((*forced)->formatted());
}

TEST_F(VolumeServiceTest, AMissingDeviceIsNotFound) {
  ServiceOptions o;
  ASSERT_TRUE(o.Set("uri", Uri("missing.img", false)).ok());
  EXPECT_EQ(VolumeService::Start(o).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace zgc::daemon
