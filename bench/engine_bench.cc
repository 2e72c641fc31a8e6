// engine_bench: the GC engine's own cost (Google Benchmark), on metadata-only
// mem: devices with 1k to 200k zones of 4 MiB (1024 blocks).
//   engine_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <random>

#include "zgc/gc.h"

namespace {

using namespace zgc;
constexpr uint64_t kBlock = 4096, kZoneBlocks = 1024;

struct NullOwner final : GcOwner {
  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override {
    return std::vector<bool>(moves.size(), true);
  }
};

// A device of `zones` zones, `fill` of it written in 4 KiB extents, every 4th dead.
struct Loaded {
  explicit Loaded(uint32_t zones) {
    dev = std::move(*OpenDevice("mem:?data=0&zone_size=4M&max_open=0&max_active=0&zones=" +
                                std::to_string(zones)));
    gc = std::move(*GcEngine::Create(*dev, owner, GcOptions{.policy = VictimPolicy::kGreedy}));
    const uint64_t blocks = uint64_t(zones - 8) * kZoneBlocks;
    for (uint64_t i = 0; i < blocks; ++i) {
      auto a = gc->Allocate(kBlock);
      if (!a.ok()) break;
      (void)gc->OnWrite({a->offset, kBlock});
      written.push_back(a->offset);
    }
    for (size_t i = 0; i < written.size(); i += 4) (void)gc->OnInvalidate({written[i], kBlock});
  }
  NullOwner owner;
  std::unique_ptr<ZonedDevice> dev;
  std::unique_ptr<GcEngine> gc;
  std::vector<uint64_t> written;
};

void BM_Invalidate(benchmark::State& state) {
  Loaded l(static_cast<uint32_t>(state.range(0)));
  std::mt19937_64 rng(1);
  size_t i = 1;
  for (auto _ : state) {
    // Invalidate then re-validate the same block: an accounting update each.
    const uint64_t off = l.written[(i += 4) % l.written.size()];
    benchmark::DoNotOptimize(l.gc->OnInvalidate({off, kBlock}));
  }
  state.SetLabel("per OnInvalidate");
}
BENCHMARK(BM_Invalidate)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(200000)
    ->Unit(benchmark::kNanosecond);

void BM_AllocateAndWrite(benchmark::State& state) {
  const uint32_t zones = static_cast<uint32_t>(state.range(0));
  auto dev =
      OpenDevice("mem:?data=0&zone_size=4M&max_open=0&max_active=0&zones=" + std::to_string(zones));
  NullOwner owner;
  auto gc = std::move(*GcEngine::Create(**dev, owner, GcOptions{}));
  uint64_t n = 0;  // 500k blocks fit the smallest device (992k blocks)
  for (auto _ : state) {
    auto a = gc->Allocate(kBlock);
    if (!a.ok()) {
      state.SkipWithError("device full");
      break;
    }
    benchmark::DoNotOptimize(gc->OnWrite({a->offset, kBlock}));
    ++n;
  }
  state.SetLabel("Allocate + OnWrite");
}
BENCHMARK(BM_AllocateAndWrite)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(500000)
    ->Unit(benchmark::kNanosecond);

// One collection: victim choice plus the relocation of its live 3/4 (768 blocks).
void BM_CollectOnce(benchmark::State& state) {
  Loaded l(static_cast<uint32_t>(state.range(0)));
  for (auto _ : state) {
    if (!l.gc->CollectOnce().ok()) {
      state.SkipWithError("nothing to collect");
      break;
    }
  }
  state.SetLabel("victim choice + relocation of ~768 blocks");
}
BENCHMARK(BM_CollectOnce)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(200000)
    ->Iterations(64)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
