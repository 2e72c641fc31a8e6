// nbdkit-zgc-plugin.so: serves a zgc::Volume over NBD through nbdkit
// (Debian's nbdkit 1.32, plugin API version 2). nbdkit owns the protocol; this
// file maps its callbacks onto the volume and its errors onto errno values.
//
//   nbdkit [-f] [-U SOCKET] ./nbdkit-zgc-plugin.so uri=emu:/var/tmp/z.img
//       [spare=0.2] [format=auto|force|never] [readonly=true] [policy=NAME] [rate=SIZE]
//
// Contract (what a client sees):
// - 4 KiB minimum and preferred block size; a request not aligned to 4 KiB
//   fails with EINVAL (clients honouring the advertised block size never send
//   one). nbdkit refuses requests past the end itself.
// - Writes with FUA are durable when they complete (the volume's FUA);
//   NBD_CMD_FLUSH is the volume's Flush, a barrier for every write completed
//   before it on any connection: the volume is one object shared by every
//   connection, so multi-conn is advertised.
// - Trim and write-zeroes are the volume's (blocks read back as zeroes);
//   with FUA they are followed by a Flush. Fast zero is supported: zeroing
//   is a map change, never a data write.
// - Errors reach the client as errno values (src/base/errno_status.h:
//   ENOSPC for a full volume, EROFS for a read-only one, EINVAL, EIO) with
//   the volume's message in nbdkit's log; the server keeps serving. After a
//   device error the volume is read-only (include/zgc/volume.h) and every
//   later write fails with that error until the server is restarted.
// - The volume is opened (recovered, or formatted if the device is blank) in
//   after_fork, so its threads belong to the serving process; a refusal
//   there stops nbdkit before it serves anything. At shutdown (SIGTERM,
//   SIGINT) cleanup flushes, checkpoints and closes it.
//
// Thread safety: NBDKIT_THREAD_MODEL_PARALLEL. Every callback may run on any
// of nbdkit's threads at once; the volume is thread-safe. No C++ exception
// crosses into nbdkit: each callback catches everything and reports EIO.
#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <span>
#include <string>

#include "src/base/errno_status.h"
#include "src/daemon/volume_service.h"

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

namespace {

using zgc::Status;
using zgc::daemon::ServiceOptions;
using zgc::daemon::VolumeService;

ServiceOptions g_options;
std::unique_ptr<VolumeService> g_service;
// Any non-null pointer: the connection's handle (every connection shares the volume).
int g_handle;

int Fail(const Status& s) {
  nbdkit_error("%s", s.ToString().c_str());
  nbdkit_set_error(zgc::StatusErrno(s));
  return -1;
}

// Runs a callback body, turning an escaping exception (std::bad_alloc) into EIO.
template <typename F>
int Guard(F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    nbdkit_error("zgc: %s", e.what());
  } catch (...) {
    nbdkit_error("zgc: unknown exception");
  }
  nbdkit_set_error(EIO);
  return -1;
}

int Check(const Status& s) { return s.ok() ? 0 : Fail(s); }

zgc::Volume& Vol() { return g_service->volume(); }

int ZgcConfig(const char* key, const char* value) {
  return Guard([&] { return Check(g_options.Set(key, value)); });
}

int ZgcConfigComplete() {
  return Guard([&] { return Check(g_options.Validate()); });
}

int ZgcAfterFork() {
  return Guard([&] {
    auto service = VolumeService::Start(g_options);
    if (!service.ok()) return Fail(service.status());
    g_service = std::move(*service);
    std::fprintf(stderr, "zgc: %s %s, %llu bytes\n", g_options.uri.c_str(),
                 g_service->formatted() ? "formatted" : "opened",
                 static_cast<unsigned long long>(Vol().size()));
    return 0;
  });
}

void ZgcCleanup() {
  Guard([&] {
    if (!g_service) return 0;
    // The run's figures, for the log (zgc-daemon's status comes later).
    const zgc::GcStats g = Vol().Stats().gc;
    Status s = g_service->Stop();
    std::fprintf(stderr,
                 "zgc: closed %s: user %.1f MiB, relocated %.1f MiB (offload %.1f, fallback "
                 "%.1f), write amplification %.3f, zones reset %llu\n",
                 g_options.uri.c_str(), g.user_bytes / 1048576.0, g.relocated_bytes / 1048576.0,
                 g.offloaded_bytes / 1048576.0, g.fallback_bytes / 1048576.0,
                 g.write_amplification(), static_cast<unsigned long long>(g.zones_reset));
    if (!s.ok()) nbdkit_error("zgc: closing %s: %s", g_options.uri.c_str(), s.ToString().c_str());
    g_service.reset();
    return 0;
  });
}

void* ZgcOpen(int /*readonly*/) {
  if (!g_service) {
    nbdkit_error("zgc: no volume is open");
    return nullptr;
  }
  return &g_handle;
}

int64_t ZgcGetSize(void*) { return static_cast<int64_t>(Vol().size()); }

int ZgcBlockSize(void*, uint32_t* minimum, uint32_t* preferred, uint32_t* maximum) {
  *minimum = zgc::Volume::kBlock;
  *preferred = zgc::Volume::kBlock;
  *maximum = 0xffffffff;
  return 0;
}

int ZgcCanWrite(void*) { return g_options.read_only ? 0 : 1; }
int ZgcYes(void*) { return 1; }
int ZgcNo(void*) { return 0; }
int ZgcCanFua(void*) { return NBDKIT_FUA_NATIVE; }

int ZgcPread(void*, void* buf, uint32_t count, uint64_t offset, uint32_t /*flags*/) {
  return Guard([&] {
    return Check(Vol().Read(offset, std::span<std::byte>(static_cast<std::byte*>(buf), count)));
  });
}

int ZgcPwrite(void*, const void* buf, uint32_t count, uint64_t offset, uint32_t flags) {
  return Guard([&] {
    return Check(Vol().Write(offset,
                             std::span<const std::byte>(static_cast<const std::byte*>(buf), count),
                             (flags & NBDKIT_FLAG_FUA) != 0));
  });
}

int ZgcFlush(void*, uint32_t /*flags*/) {
  return Guard([&] { return Check(Vol().Flush()); });
}

// FUA on trim and zero: the change is durable when the reply goes out.
int FlushIfFua(uint32_t flags) { return (flags & NBDKIT_FLAG_FUA) ? Check(Vol().Flush()) : 0; }

int ZgcTrim(void*, uint32_t count, uint64_t offset, uint32_t flags) {
  return Guard([&] {
    if (Status s = Vol().Trim(offset, count); !s.ok()) return Fail(s);
    return FlushIfFua(flags);
  });
}

int ZgcZero(void*, uint32_t count, uint64_t offset, uint32_t flags) {
  return Guard([&] {
    if (Status s = Vol().WriteZeroes(offset, count); !s.ok()) return Fail(s);
    return FlushIfFua(flags);
  });
}

struct nbdkit_plugin MakePlugin() {
  struct nbdkit_plugin p = {};
  p.name = "zgc";
  p.longname = "zgc: a zoned device as a block volume, compacted in the background";
  p.version = "0.1.0";
  p.description = "Serves a zgc::Volume on a zoned device (NVMe ZNS, SMR, null_blk, emu:)";
  p.config = ZgcConfig;
  p.config_complete = ZgcConfigComplete;
  p.config_help =
      "uri=<URI>           (required) the zoned device: zbd:/dev/nvme0n2, emu:/path, mem:?...\n"
      "spare=<FRACTION>    the spare share when the device is formatted (0.2)\n"
      "format=auto|force|never  format a blank device (auto), erase any (force), or never\n"
      "readonly=true       open the volume read-only: it is never written\n"
      "policy=NAME         GC victim policy: default, greedy, cost-benefit, windowed\n"
      "rate=SIZE           GC relocation limit in bytes per second (0: none)";
  p.magic_config_key = "uri";
  p.after_fork = ZgcAfterFork;
  p.cleanup = ZgcCleanup;
  p.open = ZgcOpen;
  p.get_size = ZgcGetSize;
  p.block_size = ZgcBlockSize;
  p.can_write = ZgcCanWrite;
  p.can_flush = ZgcYes;
  p.is_rotational = ZgcNo;
  p.can_trim = ZgcCanWrite;
  p.can_zero = ZgcCanWrite;
  p.can_fast_zero = ZgcCanWrite;
  p.can_fua = ZgcCanFua;
  p.can_multi_conn = ZgcYes;
  p.pread = ZgcPread;
  p.pwrite = ZgcPwrite;
  p.flush = ZgcFlush;
  p.trim = ZgcTrim;
  p.zero = ZgcZero;
  return p;
}

struct nbdkit_plugin plugin = MakePlugin();

}  // namespace

NBDKIT_REGISTER_PLUGIN(plugin)
