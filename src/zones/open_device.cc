#include "src/zones/emulated_factory.h"
#include "src/zones/zbd_device.h"
#include "zgc/device.h"

namespace zgc {

Result<std::unique_ptr<ZonedDevice>> OpenDevice(std::string_view text) {
  ZGC_ASSIGN_OR_RETURN(Uri uri, Uri::Parse(text));
  if (uri.scheme() == "emu") return OpenEmuDevice(uri);
  if (uri.scheme() == "mem") return OpenMemDevice(uri);
  if (uri.scheme() == "zbd") return OpenZbdDevice(uri);
  return Status::InvalidArgument("device URI '" + uri.text() + "': unknown scheme '" +
                                 uri.scheme() + ":' (expected zbd:, emu: or mem:)");
}

}  // namespace zgc
