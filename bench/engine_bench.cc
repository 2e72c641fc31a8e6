// engine_bench: the GC engine's own cost (Google Benchmark), on metadata-only
// mem: devices with 1k to 200k zones of 4 MiB (1024 blocks): accounting per
// update, victim selection alone, batch building, a whole collection, and the
// engine's memory per zone and per live extent (as counters).
//   engine_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "zgc/copy.h"
#include "zgc/gc.h"

namespace {

using namespace zgc;
constexpr uint64_t kBlock = 4096, kZoneBlocks = 1024;

struct NullOwner final : GcOwner {
  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override {
    return std::vector<bool>(moves.size(), true);
  }
};

// A device of `zones` zones, all but 8 written in 4 KiB extents, then a random
// quarter of the blocks dead, so that full zones spread over the index buckets.
struct Loaded {
  explicit Loaded(uint32_t zones, GcOptions options = {}) {
    dev = std::move(*OpenDevice("mem:?data=0&zone_size=4M&max_open=0&max_active=0&zones=" +
                                std::to_string(zones)));
    gc = std::move(*GcEngine::Create(*dev, owner, options));
    const uint64_t blocks = uint64_t(zones - 8) * kZoneBlocks;
    for (uint64_t i = 0; i < blocks; ++i) {
      auto a = gc->Allocate(kBlock);
      if (!a.ok()) break;
      (void)gc->OnWrite({a->offset, kBlock});
      written.push_back(a->offset);
    }
    std::mt19937_64 rng(5);
    for (size_t i = 0; i < written.size(); ++i)
      if (rng() % 4 == 0) (void)gc->OnInvalidate({written[i], kBlock});
  }
  NullOwner owner;
  std::unique_ptr<ZonedDevice> dev;
  std::unique_ptr<GcEngine> gc;
  std::vector<uint64_t> written;
};

// Google Benchmark calls a benchmark function several times while it sizes the
// run; a loaded device of 200k zones takes seconds to build, so it is built once.
Loaded& Device(uint32_t zones, uint32_t candidates = GcOptions{}.candidates) {
  static std::map<std::pair<uint32_t, uint32_t>, std::unique_ptr<Loaded>> cache;
  auto& l = cache[{zones, candidates}];
  if (!l) l = std::make_unique<Loaded>(zones, GcOptions{.candidates = candidates});
  return *l;
}

void Memory(benchmark::State& state, const Loaded& l) {
  const GcStats s = l.gc->Stats();
  state.counters["bytes/zone"] = double(s.zone_table_bytes) / double(l.dev->info().nr_zones);
  state.counters["bytes/extent"] = double(s.extent_index_bytes) / double(l.written.size() * 3 / 4);
}

void BM_Invalidate(benchmark::State& state) {
  Loaded& l = Device(static_cast<uint32_t>(state.range(0)));
  size_t i = 1;
  for (auto _ : state) {
    const uint64_t off = l.written[(i += 4) % l.written.size()];
    benchmark::DoNotOptimize(l.gc->OnInvalidate({off, kBlock}));
  }
  Memory(state, l);
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
  for (auto _ : state) {
    auto a = gc->Allocate(kBlock);
    if (!a.ok()) {
      state.SkipWithError("device full");
      break;
    }
    benchmark::DoNotOptimize(gc->OnWrite({a->offset, kBlock}));
  }
  state.SetLabel("Allocate + OnWrite");
}
BENCHMARK(BM_AllocateAndWrite)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(500000)
    ->Unit(benchmark::kNanosecond);

// Victim selection alone: the default policy, through the age index (the same
// choice as scoring every full zone).
void BM_PickVictim(benchmark::State& state) {
  Loaded& l = Device(static_cast<uint32_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(l.gc->PeekVictim());
  Memory(state, l);
  state.SetLabel("victim selection (default policy, age index)");
}
BENCHMARK(BM_PickVictim)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(200000)
    ->Unit(benchmark::kMicrosecond);

// The same choice by scoring every full zone (candidates above the zone count):
// in parallel with oneTBB. The baseline the index is measured against.
void BM_PickVictimScoringEveryZone(benchmark::State& state) {
  Loaded& l = Device(static_cast<uint32_t>(state.range(0)), 1u << 30);
  for (auto _ : state) benchmark::DoNotOptimize(l.gc->PeekVictim());
  state.SetLabel("every full zone scored");
}
BENCHMARK(BM_PickVictimScoringEveryZone)->Arg(10000)->Arg(200000)->Unit(benchmark::kMicrosecond);

// The older heuristic: the best of the 64 least-live full zones.
void BM_PickVictim64LeastLive(benchmark::State& state) {
  Loaded& l = Device(static_cast<uint32_t>(state.range(0)), 64);
  for (auto _ : state) benchmark::DoNotOptimize(l.gc->PeekVictim());
  state.SetLabel("64 least-live scored");
}
BENCHMARK(BM_PickVictim64LeastLive)->Arg(10000)->Arg(200000)->Unit(benchmark::kMicrosecond);

// Building one victim's batch: 768 scattered live 4 KiB extents planned into a
// destination zone under NVMe Simple Copy limits (the lab's QEMU namespace).
void BM_BuildBatch(benchmark::State& state) {
  std::vector<Extent> sources;
  std::mt19937 rng(2);
  for (uint64_t b = 0; b < kZoneBlocks; ++b)
    if (rng() % 4) sources.push_back({b * kBlock, kBlock});
  const std::vector<Destination> dests = {{64 * kZoneBlocks * kBlock, 65 * kZoneBlocks * kBlock}};
  const CopyLimits limits{
      .max_range_bytes = 128 * kBlock, .max_total_bytes = 128 * kBlock, .max_ranges = 128};
  for (auto _ : state) benchmark::DoNotOptimize(PlanCopy(sources, dests, limits, kBlock));
  state.SetLabel(std::to_string(sources.size()) + " extents");
}
BENCHMARK(BM_BuildBatch)->Unit(benchmark::kMicrosecond);

// One collection: victim choice plus the relocation of its live data.
void BM_CollectOnce(benchmark::State& state) {
  Loaded& l = Device(static_cast<uint32_t>(state.range(0)));
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
