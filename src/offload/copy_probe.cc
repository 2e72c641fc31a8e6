#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "src/base/errno_status.h"
#include "src/base/io_ring.h"
#include "src/offload/block_copy_backend.h"
#include "src/zones/nvme_passthru.h"
#include "src/zones/zbd_device.h"  // ReadBlockSysfs
#include "zgc/copy.h"

namespace zgc {

namespace {

// Errors a kernel without the feature answers with.
bool MeansAbsent(int err) {
  return err == ENOTTY || err == EINVAL || err == EOPNOTSUPP || err == EXDEV;
}

std::string Errno(int err) {
  return std::string(strerrorname_np(err) ? strerrorname_np(err) : "?") + " (" +
         std::strerror(err) + ")";
}

void ProbeBlkCopy(int fd, CopyProbe& out) {
  std::string why;
  for (const char* attr : {"queue/copy_max_bytes", "queue/max_copy_sectors"}) {
    const std::string v = ReadBlockSysfs(fd, attr);
    if (!v.empty() && v != "0") {
      out.blkcopy_max_bytes = std::strtoull(v.c_str(), nullptr, 10) << (attr[6] == 'm' ? 9 : 0);
      why = std::string(attr) + " = " + v;
    }
  }
  if (why.empty()) why = "no copy_max_bytes in sysfs";
  // Empty requests: a kernel that has the ioctl copies nothing; one that lacks it says so.
  BlkCopyRange rfc{};
  BlkCopyVec vec{};
  const struct {
    BlockCopyInterface interface;
    unsigned long nr;
    void* arg;
  } ioctls[] = {{BlockCopyInterface::kRfc128, kBlkCopyRequest, &rfc},
                {BlockCopyInterface::kRfc129, kBlkCopyRequestV2, &rfc},
                {BlockCopyInterface::kVectored143, kBlkCpyVecRequest, &vec}};
  for (const auto& io : ioctls) {
    if (::ioctl(fd, io.nr, io.arg) == 0) {
      out.blkcopy_interface = io.interface;  // the backend issues exactly this one
      break;
    }
    why += "; " + std::string(BlockCopyInterfaceName(io.interface)) + ": " + Errno(errno);
    if (!MeansAbsent(errno)) why += " (treated as absent)";
  }
  loff_t in = 0, o = 0;
  if (out.blkcopy_interface == BlockCopyInterface::kNone) {
    if (::copy_file_range(fd, &in, fd, &o, 0, 0) == 0) {
      // Zero-length copies can succeed without reaching the block layer: only
      // sysfs limits make this path real.
      if (out.blkcopy_max_bytes) out.blkcopy_interface = BlockCopyInterface::kCopyFileRange;
      why += "; copy_file_range: accepted a zero-length request";
    } else {
      why += "; copy_file_range: " + Errno(errno);
    }
  }
  if (out.blkcopy_interface == BlockCopyInterface::kNone || out.blkcopy_max_bytes == 0) {
    out.blkcopy_interface = BlockCopyInterface::kNone;
    out.blkcopy = {false, why};
  } else {
    out.blkcopy = {true, std::string(BlockCopyInterfaceName(out.blkcopy_interface)) + ", " +
                             std::to_string(out.blkcopy_max_bytes) + " B per command"};
  }
}

void ProbeNvme(const KernelDevice& kernel, const DeviceInfo& info, CopyProbe& out) {
  auto ns = NvmePassthru::Probe(kernel.fd, info.logical_block_size, kernel.path);
  if (!ns.ok()) {
    out.nvme = {false, ns.status().message()};
    return;
  }
  auto copy = ns->IdentifyCopy();
  if (!copy.ok()) {
    out.nvme = {false, copy.status().message()};
    return;
  }
  out.mssrl_blocks = copy->mssrl_blocks;
  out.mcl_blocks = copy->mcl_blocks;
  out.msrc = copy->msrc;
  out.nvme_limits = info.copy;
  out.nvme = {true, "ONCS.Copy set; MSSRL " + std::to_string(out.mssrl_blocks) + " blocks, MCL " +
                        std::to_string(out.mcl_blocks) + " blocks, MSRC " +
                        std::to_string(out.msrc) + " (" + std::to_string(out.msrc + 1) +
                        " ranges)"};
}

void ProbeGenericDevice(const std::string& block_path, CopyProbe& out) {
  // /dev/nvme0n1 -> /dev/ng0n1: the char device io_uring passthrough goes through.
  const std::string name = std::filesystem::path(block_path).filename();
  if (name.rfind("nvme", 0) != 0) return;
  const std::string ng = "/dev/ng" + name.substr(4);
  struct stat st;
  if (::stat(ng.c_str(), &st) == 0 && S_ISCHR(st.st_mode)) out.generic_device = ng;
  auto ring = IoRing::Create(4, IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
  out.io_uring_passthrough = ring.ok() && !out.generic_device.empty();
}

}  // namespace

Result<CopyProbe> ProbeCopy(ZonedDevice& device) {
  CopyProbe out;
  out.fallback = {true, "read + write through the host, always available"};
  const DeviceInfo& info = device.info();
  if (const KernelDevice* kernel = device.kernel_device()) {
    out.native = {false, "kernel devices have no native copy of zgc's"};
    ProbeBlkCopy(kernel->fd, out);
    ProbeNvme(*kernel, info, out);
    ProbeGenericDevice(kernel->path, out);
    return out;
  }
  out.blkcopy = {false, "not a kernel block device (" + info.backend + ":)"};
  out.nvme = {false, "not an NVMe namespace (" + info.backend + ":)"};
  if (info.copy.supported()) {
    out.native = {true, "emulated copy: " + std::to_string(info.copy.max_ranges) + " ranges, " +
                            std::to_string(info.copy.max_range_bytes) + " B per range, " +
                            std::to_string(info.copy.max_total_bytes) + " B per command"};
  } else {
    out.native = {false, "disabled on this device (copy=0)"};
  }
  return out;
}

}  // namespace zgc
