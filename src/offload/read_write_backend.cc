#include "src/offload/read_write_backend.h"

#include <deque>
#include <future>

#include "src/base/aligned_buffer.h"

namespace zgc {

namespace {

struct Gathered {
  Status status;
  AlignedBuffer data;
};

// Reads a command's sources, in order, into one aligned buffer.
Gathered Gather(ZonedDevice& device, const CopyCommand& c) {
  Gathered g{Status::OK(), AlignedBuffer(c.length())};
  if (!g.data.valid()) {
    g.status = Status::NoSpace("out of memory for a copy buffer");
    return g;
  }
  uint64_t at = 0;
  for (const Extent& e : c.sources) {
    g.status = device.Read(e.offset, g.data.span().subspan(at, e.length));
    if (!g.status.ok()) return g;
    at += e.length;
  }
  return g;
}

}  // namespace

std::vector<Status> ReadWriteBackend::Run(std::span<const CopyCommand> commands) {
  // Reads run ahead on worker threads, at most queue_depth commands' worth of
  // buffers; writes go in order on this thread, so each zone sees them in order.
  std::deque<std::future<Gathered>> ahead;
  size_t next = 0;
  auto fill = [&] {
    while (next < commands.size() && ahead.size() < queue_depth_) {
      const CopyCommand* c = &commands[next++];
      ahead.push_back(pool_.Submit([this, c] { return Gather(device_, *c); }));
    }
  };
  std::vector<Status> out =
      RunInOrder(commands, device_.info().zone_size, [&](const CopyCommand& c) -> Status {
        // RunInOrder skips commands of failed zones: drop their reads as well.
        while (true) {
          fill();
          const CopyCommand* front = &commands[next - ahead.size()];
          Gathered g = ahead.front().get();
          ahead.pop_front();
          if (front != &c) continue;  // a skipped command's read
          if (!g.status.ok()) return g.status;
          return device_.Write(c.destination, g.data.span());
        }
      });
  // Reads still ahead belong to commands RunInOrder skipped: the futures'
  // destructors do not wait for pool tasks, so wait here (they reference
  // `commands`, which the caller owns).
  for (auto& f : ahead) f.wait();
  return out;
}

}  // namespace zgc
