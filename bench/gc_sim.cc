// gc_sim: write amplification of the GC engine's policies, driving the real
// engine on a metadata-only mem: device (no data is stored).
//   gc_sim [--zones 256] [--zone-blocks 16384] [--sf 0.1,0.2,0.3] [--workloads ...]
//          [--policies ...] [--warm 2] [--measure 2] [--seed 1] [--seeds 1]
//          [--csv out.csv] [--plot out.png]
// Steady state: the logical space is written once, then `warm` times over, then
// WA is measured over `measure` more overwrites. Policies run in parallel
// (oneTBB), each on its own engine and device. The analytical value for greedy
// on uniform random writes is α/(α + W(−α·e^−α)), α = 1/(1−Sf).
// --seeds N runs every cell on N traces (seeds seed..seed+N−1) and reports the
// mean WA (the CSV also its standard deviation): a placement is chaotic, a
// change of one decision early in a run moves a single run's WA by ±0.5 %, so
// differences smaller than that are judged over seeds, not on one trace.
// The oracles are the engine with the default's victim choice, told more than
// any online policy can know, through WriteHint::dies_at and GcOwner::DiesAt:
//   oracle[:K]  every write's and every relocated block's death time (the future);
//   rates[:K]   every block's share of the writes, as an expected death time
//               (what a perfect learner of a stationary workload could know:
//               on hot/cold workloads, the hot set); only for stationary workloads.
// K: user and GC placement classes each (default: the default policy's).
// "floor" is the lowest WA any oracle reaches in the run, "rate" the lowest a
// rates oracle reaches.
#include <tbb/parallel_for.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "bench/sim_trace.h"
#include "zgc/gc.h"

namespace {

using namespace zgc;
constexpr uint64_t kBlock = 4096;
constexpr uint64_t kNeverDies = std::numeric_limits<uint64_t>::max() / 4;

// Lambert W, principal branch, for x in (-1/e, 0).
double LambertW0(double x) {
  double w = -0.5;
  for (int i = 0; i < 100; ++i) {
    const double e = std::exp(w), f = w * e - x;
    w -= f / (e * (w + 1) - (w + 2) * f / (2 * w + 2));
  }
  return w;
}

double GreedyClosedForm(double sf) {
  const double a = 1.0 / (1.0 - sf);
  return a / (a + LambertW0(-a * std::exp(-a)));
}

// What an oracle run knows about each block.
enum class Knows : uint8_t {
  kNothing,  // the online policies
  kFuture,   // when each block's current version dies
  kRates,    // each block's share of the writes (what a perfect online learner could know)
};

// The owner: a logical-to-physical block map, and (for the oracles) when each
// block's current version dies.
class SimOwner final : public GcOwner {
 public:
  SimOwner(uint64_t logical, uint64_t physical, Knows knows, const std::vector<double>* share)
      : l2p_(logical, 0), p2l_(physical, 0), knows_(knows), share_(share) {
    if (knows == Knows::kFuture) dies_.assign(logical, 0);
  }
  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override {
    for (const Move& m : moves) {
      for (uint64_t b = 0; b < m.from.length / kBlock; ++b) {
        const uint64_t from = m.from.offset / kBlock + b, to = m.to / kBlock + b;
        const uint64_t lba = p2l_[from];
        if (lba == 0 || l2p_[lba - 1] != from + 1) continue;  // no longer live here
        l2p_[lba - 1] = to + 1;
        p2l_[to] = lba;
        p2l_[from] = 0;
      }
    }
    return std::vector<bool>(moves.size(), true);
  }
  uint64_t DiesAt(const Extent& e) override {
    const uint64_t lba = p2l_[e.offset / kBlock];
    if (!lba) return 0;
    if (knows_ == Knows::kFuture) return dies_[lba - 1];
    // Writes are memoryless: whatever its age, a block is expected to live
    // 1/share more writes.
    if (knows_ == Knows::kRates) return ExpectedDeath(lba - 1);
    return 0;
  }
  // Expected death, in the engine's clock, of `lba` written now.
  uint64_t ExpectedDeath(uint64_t lba) const {
    const double writes = 1.0 / (*share_)[lba];
    return now_ + static_cast<uint64_t>(std::min(writes, 1e15) * double(kBlock));
  }
  // The engine's clock after the write being made; during the fill, the fill's
  // end (the workload, and so the rates, start there).
  void Tick(uint64_t now) { now_ = now; }
  // Maps lba to block; returns the block it replaces (+1), 0 if none.
  uint64_t Map(uint64_t lba, uint64_t block, uint64_t dies_at) {
    const uint64_t old = l2p_[lba];
    if (old) p2l_[old - 1] = 0;
    l2p_[lba] = block + 1;
    p2l_[block] = lba + 1;
    if (knows_ == Knows::kFuture) dies_[lba] = dies_at;
    return old;
  }
  uint64_t Where(uint64_t lba) const { return l2p_[lba]; }

 private:
  std::vector<uint64_t> l2p_, p2l_, dies_;
  Knows knows_;
  const std::vector<double>* share_;
  uint64_t now_ = 0;
};

struct Config {
  uint32_t zones = 256;
  uint64_t zone_blocks = 16384;
  double warm = 2, measure = 2;
  uint32_t seeds = 1;  // traces per cell, seeds seed..seed+seeds-1
  uint64_t seed = 1;
  int user_classes = GcOptions{}.user_classes;  // the default policy's
  int gc_classes = GcOptions{}.gc_classes;
};

struct PolicyRun {
  std::string name;
  VictimPolicy policy;
  Knows knows = Knows::kNothing;
  int classes = 0;  // oracles: user and GC classes each; 0: the default policy's
  PlacementPolicy placement = PlacementPolicy::kLifetime;
  bool oracle() const { return knows != Knows::kNothing; }
  // The default policy itself (not an oracle, not SepBIT's placement on its victims).
  bool is_default() const {
    return !oracle() && policy == VictimPolicy::kDefault && placement == PlacementPolicy::kLifetime;
  }
};

struct Outcome {
  double wa = 0;
  double seconds = 0;
  std::string error;
  bool applicable = true;  // false: a rates oracle on a workload without fixed rates
};

uint32_t LogicalBlocks(const Config& c, double sf) {
  // Spare factor over the zones user data can use (the GC reserve is not spare).
  const uint64_t usable = (c.zones - GcOptions{}.reserve_zones) * c.zone_blocks;
  return static_cast<uint32_t>(double(usable) * (1.0 - sf));
}

Outcome Simulate(const sim::Trace& trace, const PolicyRun& run, const Config& c, double sf) {
  const auto t0 = std::chrono::steady_clock::now();
  std::ostringstream uri;
  uri << "mem:?data=0&zone_size=" << c.zone_blocks * kBlock << "&zones=" << c.zones
      << "&max_open=0&max_active=0";
  auto dev = OpenDevice(uri.str());
  if (!dev.ok()) return {0, 0, dev.status().ToString()};
  GcOptions opt;
  opt.policy = run.policy;
  opt.placement = run.placement;
  if (run.oracle()) {
    opt.user_classes = static_cast<uint8_t>(run.classes ? run.classes : c.user_classes);
    opt.gc_classes = static_cast<uint8_t>(run.classes ? run.classes : c.gc_classes);
  } else if (run.policy != VictimPolicy::kDefault) {
    // The baselines: one user class and one GC class. That is two logs, not
    // one: the engine never mixes user writes and relocated data in a zone.
    opt.user_classes = opt.gc_classes = 1;
  } else if (run.placement == PlacementPolicy::kSepBit) {
    // SepBIT: two user classes split at l, GC data by age at 4l and 16l.
    opt.user_classes = 2;
    opt.gc_classes = 3;
  } else {
    opt.user_classes = static_cast<uint8_t>(c.user_classes);
    opt.gc_classes = static_cast<uint8_t>(c.gc_classes);
  }
  const uint64_t logical = LogicalBlocks(c, sf);
  opt.logical_bytes = logical * kBlock;  // as a volume tells its size
  if (run.knows == Knows::kRates && trace.share.empty()) return {.applicable = false};
  SimOwner owner(logical, uint64_t(c.zones) * c.zone_blocks, run.knows, &trace.share);
  auto engine = GcEngine::Create(**dev, owner, opt);
  if (!engine.ok()) return {0, 0, engine.status().ToString()};
  GcEngine& gc = **engine;
  const std::vector<std::byte> block(kBlock);
  auto write = [&](uint64_t i) -> Status {
    const uint64_t lba = trace.lba[i];
    const uint64_t old = owner.Where(lba);
    WriteHint hint;
    if (old) hint.replaces = Extent{(old - 1) * kBlock, kBlock};
    // Write next[i] kills this one, right after its own OnWrite.
    const uint64_t dies =
        trace.next[i] == sim::Trace::kNever ? kNeverDies : (uint64_t(trace.next[i]) + 1) * kBlock;
    owner.Tick((std::max<uint64_t>(i, logical) + 1) * kBlock);
    if (run.knows == Knows::kFuture) hint.dies_at = dies;
    if (run.knows == Knows::kRates) hint.dies_at = owner.ExpectedDeath(lba);
    ZGC_ASSIGN_OR_RETURN(Allocation a, gc.Allocate(kBlock, hint));
    ZGC_RETURN_IF_ERROR((*dev)->Write(a.offset, block));
    ZGC_RETURN_IF_ERROR(gc.OnWrite({a.offset, kBlock}));
    // Allocate may have collected and moved the old version: Map returns where it is now.
    const uint64_t now_at = owner.Map(lba, a.offset / kBlock, dies);
    if (now_at) ZGC_RETURN_IF_ERROR(gc.OnInvalidate({(now_at - 1) * kBlock, kBlock}));
    return Status::OK();
  };
  const uint64_t measured_from = logical + static_cast<uint64_t>(c.warm * logical);
  GcStats before;
  for (uint64_t i = 0; i < trace.lba.size(); ++i) {
    if (i == measured_from) before = gc.Stats();
    if (Status s = write(i); !s.ok()) return {0, 0, s.ToString()};
  }
  const GcStats after = gc.Stats();
  const double user = double(after.user_bytes - before.user_bytes);
  Outcome out;
  out.wa = (user + double(after.relocated_bytes - before.relocated_bytes)) / user;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

// A gnuplot bar chart: one panel per spare factor, workloads on x, a bar per policy.
bool Plot(const std::string& png, const std::vector<std::string>& workloads,
          const std::vector<double>& sfs, const std::vector<PolicyRun>& runs,
          const std::vector<std::vector<std::vector<double>>>& wa) {
  const std::string dat = png + ".dat", gp = png + ".gp";
  std::ofstream d(dat);
  for (size_t s = 0; s < sfs.size(); ++s) {
    d << "# Sf " << sfs[s] << "\nworkload";
    for (const PolicyRun& r : runs) d << ' ' << r.name;
    d << '\n';
    for (size_t w = 0; w < workloads.size(); ++w) {
      d << workloads[w];
      for (size_t p = 0; p < runs.size(); ++p) d << ' ' << wa[w][s][p];
      d << '\n';
    }
    d << "\n\n";
  }
  d.close();
  std::ofstream g(gp);
  g << "set terminal pngcairo size 1400," << 360 * sfs.size() << " font ',10'\n"
    << "set output '" << png << "'\nset multiplot layout " << sfs.size() << ",1\n"
    << "set style data histograms\nset style histogram clustered gap 1\n"
    << "set style fill solid 0.8 border -1\nset ylabel 'write amplification'\n"
    << "set key outside right\nset grid ytics\nset yrange [0:*]\n";
  for (size_t s = 0; s < sfs.size(); ++s) {
    g << "set title 'Sf = " << sfs[s] << " (greedy closed form " << GreedyClosedForm(sfs[s])
      << ")'\nplot ";
    for (size_t p = 0; p < runs.size(); ++p)
      g << (p ? ", " : "") << "'" << dat << "' index " << s << " using " << p + 2
        << (p ? "" : ":xtic(1)") << " title columnheader";
    g << '\n';
  }
  g << "unset multiplot\n";
  g.close();
  return std::system(("gnuplot '" + gp + "'").c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gc_sim: write amplification of the GC engine's policies"};
  Config c;
  std::string sfs_text = "0.1,0.2,0.3", workloads_text,
              policies_text =
                  "greedy,cost-benefit,windowed,sepbit,default,oracle,oracle:4,rates,rates:4",
              csv, png;
  for (const std::string& w : sim::WorkloadNames())
    workloads_text += (workloads_text.empty() ? "" : ",") + w;
  app.add_option("--zones", c.zones)->capture_default_str();
  app.add_option("--zone-blocks", c.zone_blocks, "4 KiB blocks per zone")->capture_default_str();
  app.add_option("--sf", sfs_text, "Spare factors")->capture_default_str();
  app.add_option("--workloads", workloads_text)->capture_default_str();
  app.add_option("--policies", policies_text)->capture_default_str();
  app.add_option("--warm", c.warm, "Overwrites of the logical space before measuring")
      ->capture_default_str();
  app.add_option("--measure", c.measure, "Overwrites measured")->capture_default_str();
  app.add_option("--seed", c.seed)->capture_default_str();
  app.add_option("--seeds", c.seeds, "Traces per cell (mean WA over seeds seed, seed+1, ...)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--user-classes", c.user_classes, "The default policy's user classes")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  app.add_option("--gc-classes", c.gc_classes, "The default policy's GC classes")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  app.add_option("--csv", csv, "Also write CSV");
  app.add_option("--plot", png, "Also draw a PNG with gnuplot");
  CLI11_PARSE(app, argc, argv);

  std::vector<PolicyRun> runs;
  for (const std::string& p : Split(policies_text)) {
    // oracle[:K] knows the future, rates[:K] each block's rate; K classes of each kind.
    const std::string kind = p.substr(0, p.find(':'));
    if (kind == "oracle" || kind == "rates") {
      const int k = p.size() > kind.size() ? std::atoi(p.c_str() + kind.size() + 1) : 0;
      if (k < 0 || k > 8 || (p.size() > kind.size() && k == 0)) {
        std::fprintf(stderr, "gc_sim: '%s': classes must be 1..8\n", p.c_str());
        return 2;
      }
      runs.push_back(
          {p, VictimPolicy::kDefault, kind == "oracle" ? Knows::kFuture : Knows::kRates, k});
      continue;
    }
    if (p == "sepbit") {
      // SepBIT's placement (classes as the default's) on the default's victims.
      runs.push_back({p, VictimPolicy::kDefault, Knows::kNothing, 0, PlacementPolicy::kSepBit});
      continue;
    }
    bool found = false;
    for (VictimPolicy v : {VictimPolicy::kGreedy, VictimPolicy::kCostBenefit,
                           VictimPolicy::kWindowedGreedy, VictimPolicy::kDefault})
      if (p == VictimPolicyName(v)) runs.push_back({p, v}), found = true;
    if (!found) {
      std::fprintf(stderr, "gc_sim: unknown policy '%s'\n", p.c_str());
      return 2;
    }
  }
  const std::vector<std::string> workloads = Split(workloads_text);
  std::vector<double> sfs;
  for (const std::string& s : Split(sfs_text)) sfs.push_back(std::stod(s));
  std::ofstream out;
  if (!csv.empty()) {
    out.open(csv);
    out << "workload,sf,policy,wa,greedy_closed_form,seconds,seeds,wa_sd\n";
  }
  std::printf("gc_sim: %u zones x %lu blocks of 4 KiB; WA over %.0f overwrites after %.0f", c.zones,
              static_cast<unsigned long>(c.zone_blocks), c.measure, c.warm + 1);
  if (c.seeds > 1)
    std::printf("; mean of %u seeds from %lu", c.seeds, static_cast<unsigned long>(c.seed));
  std::printf("\n");
  std::printf("%-15s %5s %8s", "workload", "Sf", "closed");
  for (const PolicyRun& r : runs) std::printf(" %12s", r.name.c_str());
  std::printf(" %9s %9s %9s\n", "def/best", "def/rate", "def/floor");
  std::vector<std::vector<std::vector<double>>> table(
      workloads.size(),
      std::vector<std::vector<double>>(sfs.size(), std::vector<double>(runs.size())));
  for (size_t w = 0; w < workloads.size(); ++w) {
    for (size_t s = 0; s < sfs.size(); ++s) {
      const double sf = sfs[s];
      std::vector<sim::Trace> traces;
      for (uint32_t k = 0; k < c.seeds; ++k) {
        auto trace =
            sim::MakeTrace(workloads[w], LogicalBlocks(c, sf), c.warm + c.measure, c.seed + k);
        if (!trace.ok()) {
          std::fprintf(stderr, "gc_sim: %s\n", trace.status().ToString().c_str());
          return 2;
        }
        traces.push_back(std::move(*trace));
      }
      // Every (seed, policy) pair is its own engine and device: all in parallel.
      std::vector<std::vector<Outcome>> each(runs.size(), std::vector<Outcome>(c.seeds));
      tbb::parallel_for(size_t(0), runs.size() * c.seeds, [&](size_t i) {
        each[i / c.seeds][i % c.seeds] = Simulate(traces[i % c.seeds], runs[i / c.seeds], c, sf);
      });
      std::vector<Outcome> results(runs.size());
      std::vector<double> sd(runs.size());
      for (size_t p = 0; p < runs.size(); ++p) {
        Outcome& r = results[p];
        for (const Outcome& o : each[p]) {
          if (!o.error.empty() || !o.applicable) {
            r = o;
            break;
          }
          r.wa += o.wa / c.seeds;
          r.seconds += o.seconds;
        }
        if (!r.error.empty() || !r.applicable) continue;
        double var = 0;
        for (const Outcome& o : each[p]) var += (o.wa - r.wa) * (o.wa - r.wa);
        sd[p] = c.seeds > 1 ? std::sqrt(var / (c.seeds - 1)) : 0;
      }
      std::printf("%-15s %5.2f %8.3f", workloads[w].c_str(), sf, GreedyClosedForm(sf));
      // floor: the lowest WA any oracle reaches; rate: the best a rate-knowing one does.
      double best_baseline = 0, def = 0, floor = 0, rate = 0;
      for (size_t p = 0; p < runs.size(); ++p) {
        const Outcome& o = results[p];
        if (!o.error.empty()) {
          std::printf("\ngc_sim: %s %s: %s\n", workloads[w].c_str(), runs[p].name.c_str(),
                      o.error.c_str());
          return 1;
        }
        table[w][s][p] = o.wa;
        if (!o.applicable) {
          std::printf(" %12s", "-");
          continue;
        }
        std::printf(" %12.3f", o.wa);
        if (runs[p].oracle()) {
          if (!floor || o.wa < floor) floor = o.wa;
          if (runs[p].knows == Knows::kRates && (!rate || o.wa < rate)) rate = o.wa;
        } else if (runs[p].is_default()) {
          def = o.wa;
        } else if (!best_baseline || o.wa < best_baseline) {
          best_baseline = o.wa;
        }
        if (out)
          out << workloads[w] << ',' << sf << ',' << runs[p].name << ',' << o.wa << ','
              << GreedyClosedForm(sf) << ',' << o.seconds << ',' << c.seeds << ',' << sd[p] << '\n';
      }
      auto ratio = [](double a, double b) {
        if (a && b) {
          std::printf(" %9.3f", a / b);
        } else {
          std::printf(" %9s", "-");
        }
      };
      ratio(def, best_baseline);
      ratio(def, rate);
      ratio(def, floor);
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  if (!png.empty() && !Plot(png, workloads, sfs, runs, table)) {
    std::fprintf(stderr, "gc_sim: gnuplot failed to draw %s\n", png.c_str());
    return 1;
  }
  return 0;
}
