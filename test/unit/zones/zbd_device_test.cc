// Bad input to the kernel backend. Real zoned devices are exercised by the lab
// (test/vm), which runs the conformance suite against them.
#include "src/zones/zbd_device.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "zgc/device.h"

namespace zgc {
namespace {

TEST(ZbdDevice, MissingDeviceIsNotFound) {
  auto d = OpenDevice("zbd:/dev/zgc-no-such-device");
  EXPECT_EQ(d.status().code(), Code::kNotFound);
  EXPECT_NE(d.status().message().find("/dev/zgc-no-such-device"), std::string::npos);
}

TEST(ZbdDevice, RegularFilesAndCharDevicesAreRefused) {
  const auto file = std::filesystem::temp_directory_path() / "zgc-zbd-test-file";
  { std::ofstream(file) << "data"; }
  auto d = OpenDevice("zbd:" + file.string());
  EXPECT_EQ(d.status().code(), Code::kNotSupported);
  EXPECT_NE(d.status().message().find("emu:"), std::string::npos) << "points to emu:";
  std::filesystem::remove(file);
  EXPECT_EQ(OpenDevice("zbd:/dev/null").status().code(), Code::kNotSupported);
}

TEST(ZbdDevice, UriWithoutPathOrWithParametersIsRefused) {
  EXPECT_EQ(OpenDevice("zbd:").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenDevice("zbd:/dev/nvme0n1?foo=1").status().code(), Code::kInvalidArgument);
}

TEST(ZbdDevice, NonZonedBlockDeviceIsRefused) {
  // Any regular (non-zoned) block device this machine has will do.
  for (const auto& e : std::filesystem::directory_iterator("/sys/block")) {
    std::ifstream zoned(e.path() / "queue/zoned");
    std::string model;
    std::getline(zoned, model);
    const std::string dev = "/dev/" + e.path().filename().string();
    if (model != "none" || !std::filesystem::exists(dev)) continue;
    const int fd = ::open(dev.c_str(), O_RDONLY);
    if (fd < 0) continue;
    ::close(fd);
    auto d = OpenDevice("zbd:" + dev);
    EXPECT_EQ(d.status().code(), Code::kNotSupported) << dev;
    EXPECT_NE(d.status().message().find("not a zoned block device"), std::string::npos);
    return;
  }
  GTEST_SKIP() << "no readable non-zoned block device on this machine";
}

}  // namespace
}  // namespace zgc
