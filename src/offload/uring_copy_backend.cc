#include "src/offload/uring_copy_backend.h"

#include <fcntl.h>
#include <linux/nvme_ioctl.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "src/base/errno_status.h"
#include "src/offload/uring_command_runner.h"

namespace zgc {

Result<std::unique_ptr<UringCopyBackend>> UringCopyBackend::Create(
    const DeviceInfo& info, const std::string& generic_device, uint32_t queue_depth) {
  if (generic_device.empty() || !info.copy.supported())
    return Status::NotSupported(info.uri + ": no NVMe generic device with Simple Copy");
  UniqueFd fd(::open(generic_device.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "open " + generic_device);
  ZGC_ASSIGN_OR_RETURN(NvmePassthru ns,
                       NvmePassthru::Probe(fd.get(), info.logical_block_size, generic_device));
  const uint32_t qd = std::max(queue_depth, 1u);
  ZGC_ASSIGN_OR_RETURN(std::unique_ptr<IoRing> ring,
                       IoRing::Create(qd, IORING_SETUP_SQE128 | IORING_SETUP_CQE32));
  return std::unique_ptr<UringCopyBackend>(new UringCopyBackend(
      std::move(fd), ns, std::move(ring), info.copy, info.zone_size, qd, generic_device));
}

std::vector<Status> UringCopyBackend::Run(std::span<const CopyCommand> commands) {
  std::vector<uint64_t> zones(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) zones[i] = commands[i].destination / zone_size_;
  std::vector<AlignedBuffer> ranges(commands.size());
  UringCommandRunner runner(ring_->get(), queue_depth_, name_);
  auto prep = [&](io_uring_sqe* sqe, size_t i) {
    const NvmePassthru::Command c =
        ns_.EncodeCopy(commands[i].sources, commands[i].destination, ranges[i]);
    std::memset(sqe, 0, 2 * sizeof(*sqe));  // a 128-byte SQE
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = fd_.get();
    sqe->cmd_op = NVME_URING_CMD_IO;
    auto* u = reinterpret_cast<nvme_uring_cmd*>(sqe->cmd);
    u->opcode = c.opcode;
    u->nsid = c.nsid;
    u->addr = c.addr;
    u->data_len = c.data_len;
    u->cdw10 = c.cdw10;
    u->cdw11 = c.cdw11;
    u->cdw12 = c.cdw12;
  };
  auto finish = [&](const io_uring_cqe& cqe, size_t i) {
    const std::string what = name_ + ": copy to " + std::to_string(commands[i].destination);
    return cqe.res < 0   ? ErrnoStatus(-cqe.res, what)
           : cqe.res > 0 ? NvmeStatus(cqe.res, what)
                         : Status::OK();
  };
  std::vector<Status> out = runner.Run(zones, prep, finish);
  if (runner.ring_broken()) {
    // The device may still read the range lists of abandoned commands: keep
    // them for the backend's life, and start over on a new ring.
    for (size_t i : runner.abandoned()) graveyard_.push_back(std::move(ranges[i]));
    auto fresh = IoRing::Create(queue_depth_, IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
    if (fresh.ok()) {
      // The old ring is kept too: exiting it would wait for the commands.
      broken_rings_.push_back(std::move(ring_));
      ring_ = std::move(*fresh);
    }
  }
  return out;
}

}  // namespace zgc
