// A device whose Sync lies: it returns at once and flushes nothing. Crash
// checkers run on it to show that they catch the losses it causes.
#ifndef ZGC_TEST_SUPPORT_LYING_SYNC_DEVICE_H_
#define ZGC_TEST_SUPPORT_LYING_SYNC_DEVICE_H_

#include "zgc/device_wrapper.h"

namespace zgc {

class LyingSyncDevice final : public DeviceWrapper {
 public:
  using DeviceWrapper::DeviceWrapper;
  Status Sync() override { return Status::OK(); }
};

}  // namespace zgc

#endif  // ZGC_TEST_SUPPORT_LYING_SYNC_DEVICE_H_
