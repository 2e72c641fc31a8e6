// Builds EmulatedDevices for emu: and mem: URIs.
#ifndef ZGC_SRC_ZONES_EMULATED_FACTORY_H_
#define ZGC_SRC_ZONES_EMULATED_FACTORY_H_

#include <memory>

#include "src/zones/uri.h"
#include "zgc/device.h"

namespace zgc {

// mem:?zone_size=..&zone_cap=..&zones=..&conv=..&max_open=..&max_active=..&lbs=..&data=0|1
Result<std::unique_ptr<ZonedDevice>> OpenMemDevice(const Uri& uri);
// emu:/path?<same geometry>&create=1. Opens an existing file (geometry parameters,
// when given, must match it) or, with create=1, creates a missing one.
Result<std::unique_ptr<ZonedDevice>> OpenEmuDevice(const Uri& uri);

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_EMULATED_FACTORY_H_
