#include "test/support/device_under_test.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

namespace zgc::testing {

namespace {
std::string g_uri;
}

const std::string& DeviceUri() { return g_uri; }

std::unique_ptr<ZonedDevice> OpenErasedDevice() {
  auto d = OpenDevice(g_uri);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  if (!d.ok()) return nullptr;
  Status s = (*d)->ResetAll();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok() ? std::move(*d) : nullptr;
}

int RunOnDevice(int argc, char** argv, const char* what) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--uri=", 6) == 0) g_uri = argv[i] + 6;
  if (g_uri.empty()) {
    std::fprintf(stderr, "usage: %s --uri=<device URI> (the device is erased)\n", argv[0]);
    return 2;
  }
  std::printf("%s: %s", what, g_uri.c_str());
  if (auto d = OpenDevice(g_uri); d.ok())
    std::printf(" (family %s)", std::string(DeviceFamilyName((*d)->info().family)).c_str());
  std::printf("\n");
  return RUN_ALL_TESTS();
}

}  // namespace zgc::testing
