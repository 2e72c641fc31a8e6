#include "src/offload/uring_copy_backend.h"

#include <fcntl.h>
#include <linux/nvme_ioctl.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "src/base/errno_status.h"

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
  std::vector<Status> out(commands.size(), Status::Aborted("not attempted"));
  // Per destination zone, the commands in order; one in flight per zone.
  std::map<uint64_t, std::vector<size_t>> by_zone;
  for (size_t i = 0; i < commands.size(); ++i)
    by_zone[commands[i].destination / zone_size_].push_back(i);
  std::map<uint64_t, size_t> cursor;  // zone -> next position in by_zone[zone]
  std::vector<AlignedBuffer> ranges(commands.size());
  io_uring* ring = ring_->get();
  size_t in_flight = 0;
  std::vector<uint64_t> ready;  // zones whose next command can go
  for (auto& [zone, list] : by_zone) ready.push_back(zone);

  auto submit = [&](uint64_t zone) -> bool {
    const size_t i = by_zone[zone][cursor[zone]];
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (!sqe) return false;
    const NvmePassthru::Command c =
        ns_.EncodeCopy(commands[i].sources, commands[i].destination, ranges[i]);
    std::memset(sqe, 0, 2 * sizeof(*sqe));  // a 128-byte SQE
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = fd_.get();
    sqe->cmd_op = NVME_URING_CMD_IO;
    sqe->user_data = i;
    auto* u = reinterpret_cast<nvme_uring_cmd*>(sqe->cmd);
    u->opcode = c.opcode;
    u->nsid = c.nsid;
    u->addr = c.addr;
    u->data_len = c.data_len;
    u->cdw10 = c.cdw10;
    u->cdw11 = c.cdw11;
    u->cdw12 = c.cdw12;
    ++in_flight;
    return true;
  };

  while (!ready.empty() || in_flight) {
    while (!ready.empty() && in_flight < queue_depth_) {
      if (!submit(ready.back())) break;
      ready.pop_back();
    }
    int ret = io_uring_submit_and_wait(ring, 1);
    if (ret < 0 && ret != -EINTR) {
      // The ring itself failed: nothing more can be learned about what is in flight.
      const Status s = ErrnoStatus(-ret, name_ + ": io_uring submit");
      for (Status& o : out)
        if (o.code() == Code::kAborted) o = s;
      return out;
    }
    io_uring_cqe* cqe;
    while (io_uring_peek_cqe(ring, &cqe) == 0) {
      const size_t i = cqe->user_data;
      const int res = cqe->res;
      io_uring_cqe_seen(ring, cqe);
      --in_flight;
      const std::string what = name_ + ": copy to " + std::to_string(commands[i].destination);
      out[i] = res < 0 ? ErrnoStatus(-res, what) : res > 0 ? NvmeStatus(res, what) : Status::OK();
      const uint64_t zone = commands[i].destination / zone_size_;
      // A failed command stops its zone; the Copier recovers it from the write pointer.
      if (out[i].ok() && ++cursor[zone] < by_zone[zone].size()) ready.push_back(zone);
    }
  }
  return out;
}

}  // namespace zgc
