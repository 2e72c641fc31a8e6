// For test binaries that run against any device: `binary --uri=<URI> [gtest flags]`.
#ifndef ZGC_TEST_SUPPORT_DEVICE_UNDER_TEST_H_
#define ZGC_TEST_SUPPORT_DEVICE_UNDER_TEST_H_

#include <memory>
#include <string>

#include "zgc/device.h"

namespace zgc::testing {

// The URI given with --uri.
const std::string& DeviceUri();

// Opens the device under test and resets every sequential zone (gtest ASSERTs on
// failure, so call it from SetUp and check for null).
std::unique_ptr<ZonedDevice> OpenErasedDevice();

// main() of such a binary: parses --uri, names the device and its family, runs
// the tests. Returns 2 with a usage line when --uri is missing.
int RunOnDevice(int argc, char** argv, const char* what);

}  // namespace zgc::testing

#endif  // ZGC_TEST_SUPPORT_DEVICE_UNDER_TEST_H_
