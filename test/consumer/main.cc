// Uses the public API only: opens a device, writes, reads back, runs GC.
#include <zgc/device.h>
#include <zgc/gc.h>

#include <cstdio>
#include <span>
#include <vector>

namespace {

class Owner final : public zgc::GcOwner {
 public:
  zgc::Result<std::vector<bool>> Relocate(std::span<const zgc::Move> moves) override {
    return std::vector<bool>(moves.size(), true);
  }
};

}  // namespace

int main() {
  auto dev = zgc::OpenDevice("mem:?zone_size=1M&zones=16");
  if (!dev.ok()) return std::printf("%s\n", dev.status().ToString().c_str()), 1;
  std::vector<std::byte> block(4096, std::byte{7}), back(4096);
  if (!(*dev)->Write(0, block).ok() || !(*dev)->Read(0, back).ok() || back != block) return 1;
  if (!(*dev)->ResetAll().ok()) return 1;
  Owner owner;
  auto gc = zgc::GcEngine::Create(**dev, owner, {});
  if (!gc.ok()) return std::printf("%s\n", gc.status().ToString().c_str()), 1;
  auto a = (*gc)->Allocate(4096);
  if (!a.ok() || !(*dev)->Write(a->offset, block).ok() || !(*gc)->OnWrite({a->offset, 4096}).ok())
    return 1;
  std::printf("consumer ok: %llu live bytes\n",
              static_cast<unsigned long long>((*gc)->LiveBytes(0)));
  return 0;
}
