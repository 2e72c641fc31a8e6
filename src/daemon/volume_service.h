// zgc::daemon::VolumeService: one zoned device served as a zgc::Volume by the
// nbdkit plugin (and zgc-daemon's checks) — the device opened by URI, the
// volume recovered if the device holds one, formatted if the device is blank,
// anything else refused.
//
// Contract:
// - ServiceOptions::Set takes the plugin's `key=value` config (uri, spare,
//   format, policy, rate, readonly); a bad key or value is kInvalidArgument
//   naming it, before any device is opened.
// - Start: a device whose sequential zones are all empty is formatted (the
//   volume sized by `spare`); a device holding a volume is opened and
//   recovered; any other device is refused (kInvalidArgument naming the
//   device and what Open said) and nothing is written — unless
//   format=force, which erases it. format=never refuses a blank device too.
//   Errors: those of OpenDevice, Volume::Format and Volume::Open.
// - Stop flushes, checkpoints and closes the volume (Volume::Close) and
//   returns its error; the destructor stops it if Stop was not called.
//
// Thread safety: Start and Stop from one thread; volume() may be used from
// any thread between them (Volume's own rules apply).
#ifndef ZGC_SRC_DAEMON_VOLUME_SERVICE_H_
#define ZGC_SRC_DAEMON_VOLUME_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "zgc/device.h"
#include "zgc/gc.h"
#include "zgc/status.h"
#include "zgc/volume.h"

namespace zgc::daemon {

enum class FormatMode : uint8_t {
  kIfBlank,  // format=auto (the default)
  kForce,    // format=force: erase whatever the device holds
  kNever,    // format=never: open a volume or fail
};

struct ServiceOptions {
  std::string uri;
  double spare = 0.2;  // the volume's spare share when it is formatted
  FormatMode format = FormatMode::kIfBlank;
  bool read_only = false;
  VictimPolicy policy = VictimPolicy::kDefault;
  uint64_t rate_limit = 0;  // GC bytes per second, 0: unlimited

  // One config parameter. kInvalidArgument for an unknown key or a bad value.
  Status Set(std::string_view key, std::string_view value);
  // kInvalidArgument if no uri was given.
  Status Validate() const;
  // The volume's options from these.
  VolumeOptions ToVolumeOptions() const;
};

class VolumeService {
 public:
  static Result<std::unique_ptr<VolumeService>> Start(const ServiceOptions& options);
  ~VolumeService();
  VolumeService(const VolumeService&) = delete;
  VolumeService& operator=(const VolumeService&) = delete;

  Volume& volume() { return *volume_; }
  const ServiceOptions& options() const { return options_; }
  bool formatted() const { return formatted_; }  // Start formatted the device
  Status Stop();

 private:
  VolumeService(ServiceOptions options, std::unique_ptr<ZonedDevice> device,
                std::unique_ptr<Volume> volume, bool formatted);

  ServiceOptions options_;
  std::unique_ptr<ZonedDevice> device_;
  std::unique_ptr<Volume> volume_;
  bool formatted_ = false;
  bool stopped_ = false;
};

}  // namespace zgc::daemon

#endif  // ZGC_SRC_DAEMON_VOLUME_SERVICE_H_
