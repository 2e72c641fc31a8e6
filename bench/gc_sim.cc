// gc_sim: write amplification of the GC engine's policies, driving the real
// engine on a metadata-only mem: device (no data is stored).
//   gc_sim [--zones 64] [--zone-blocks 16384] [--sf 0.1,0.2,0.3] [--workloads ...]
//          [--policies ...] [--warm 2] [--measure 3] [--csv out.csv]
// Steady state: the logical space is written once, then `warm` times over, then
// WA is measured over `measure` more overwrites. The analytical value for greedy
// on uniform random writes is α/(α + W(−α·e^−α)), α = 1/(1−Sf).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "zgc/gc.h"

namespace {

using namespace zgc;
constexpr uint64_t kBlock = 4096;

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

// Logical block to write next.
class Workload {
 public:
  Workload(const std::string& name, uint64_t n, uint64_t seed) : name_(name), n_(n), rng_(seed) {
    if (name == "uniform") return;
    if (name == "hot80/20" || name == "hot90/10") {
      hot_share_ = name == "hot80/20" ? 0.8 : 0.9;
      hot_size_ = name == "hot80/20" ? n / 5 : n / 10;
      return;
    }
    const double s = name == "zipf0.8" ? 0.8 : 1.0;
    cdf_.resize(n);
    double sum = 0;
    for (uint64_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / std::pow(double(i + 1), s));
    for (double& c : cdf_) c /= sum;
    // Ranks are scattered over the address space so hot blocks do not cluster.
    perm_.resize(n);
    for (uint64_t i = 0; i < n; ++i) perm_[i] = i;
    std::shuffle(perm_.begin(), perm_.end(), rng_);
  }
  uint64_t Next() {
    std::uniform_real_distribution<double> u(0, 1);
    if (!cdf_.empty())
      return perm_[std::lower_bound(cdf_.begin(), cdf_.end(), u(rng_)) - cdf_.begin()];
    if (hot_size_) {
      return u(rng_) < hot_share_ ? rng_() % hot_size_ : hot_size_ + rng_() % (n_ - hot_size_);
    }
    return rng_() % n_;
  }

 private:
  std::string name_;
  uint64_t n_;
  std::mt19937_64 rng_;
  double hot_share_ = 0;
  uint64_t hot_size_ = 0;
  std::vector<double> cdf_;
  std::vector<uint64_t> perm_;
};

// The owner: a logical-to-physical block map.
class SimOwner final : public GcOwner {
 public:
  SimOwner(uint64_t logical, uint64_t physical) : l2p_(logical, 0), p2l_(physical, 0) {}
  Result<std::vector<bool>> Relocate(std::span<const Move> moves) override {
    std::vector<bool> ok(moves.size(), true);
    for (size_t i = 0; i < moves.size(); ++i) {
      for (uint64_t b = 0; b < moves[i].from.length / kBlock; ++b) {
        const uint64_t from = moves[i].from.offset / kBlock + b, to = moves[i].to / kBlock + b;
        const uint64_t lba = p2l_[from];
        if (lba == 0 || l2p_[lba - 1] != from + 1) continue;  // no longer live here
        l2p_[lba - 1] = to + 1;
        p2l_[to] = lba;
        p2l_[from] = 0;
      }
    }
    return ok;
  }
  // Maps lba to block; returns the block it replaces (+1), 0 if none.
  uint64_t Map(uint64_t lba, uint64_t block) {
    const uint64_t old = l2p_[lba];
    if (old) p2l_[old - 1] = 0;
    l2p_[lba] = block + 1;
    p2l_[block] = lba + 1;
    return old;
  }
  uint64_t Where(uint64_t lba) const { return l2p_[lba]; }

 private:
  std::vector<uint64_t> l2p_, p2l_;
};

struct Outcome {
  double wa = 0;
  double seconds = 0;
  uint64_t writes = 0;
  std::string error;
};

Outcome Simulate(const std::string& workload, VictimPolicy policy, double sf, uint32_t zones,
                 uint64_t zone_blocks, double warm, double measure, uint64_t seed) {
  Outcome out;
  std::ostringstream uri;
  uri << "mem:?data=0&zone_size=" << zone_blocks * kBlock << "&zones=" << zones
      << "&max_open=0&max_active=0";
  auto dev = OpenDevice(uri.str());
  if (!dev.ok()) return {0, 0, 0, dev.status().ToString()};
  GcOptions opt;
  opt.policy = policy;
  opt.separate_lifetimes = policy == VictimPolicy::kDefault;
  const uint64_t physical = zones * zone_blocks;
  // Spare factor over the zones user data can use (the GC reserve is not spare).
  const uint64_t usable = (zones - opt.reserve_zones) * zone_blocks;
  const uint64_t logical = static_cast<uint64_t>(usable * (1.0 - sf));
  SimOwner owner(logical, physical);
  auto engine = GcEngine::Create(**dev, owner, opt);
  if (!engine.ok()) return {0, 0, 0, engine.status().ToString()};
  GcEngine& gc = **engine;
  Workload w(workload, logical, seed);
  const std::vector<std::byte> block(kBlock);
  auto write = [&](uint64_t lba) -> Status {
    const uint64_t old = owner.Where(lba);
    std::optional<Extent> replaces;
    if (old) replaces = Extent{(old - 1) * kBlock, kBlock};
    ZGC_ASSIGN_OR_RETURN(Allocation a, gc.Allocate(kBlock, Lifetime::kUnknown, replaces));
    ZGC_RETURN_IF_ERROR((*dev)->Write(a.offset, block));
    ZGC_RETURN_IF_ERROR(gc.OnWrite({a.offset, kBlock}));
    // Allocate may have collected and moved the old version: Map returns where it is now.
    const uint64_t now_at = owner.Map(lba, a.offset / kBlock);
    if (now_at) ZGC_RETURN_IF_ERROR(gc.OnInvalidate({(now_at - 1) * kBlock, kBlock}));
    return Status::OK();
  };
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t lba = 0; lba < logical; ++lba)
    if (Status s = write(lba); !s.ok()) return {0, 0, 0, s.ToString()};
  for (uint64_t i = 0; i < static_cast<uint64_t>(warm * logical); ++i)
    if (Status s = write(w.Next()); !s.ok()) return {0, 0, 0, s.ToString()};
  const GcStats before = gc.Stats();
  const uint64_t n = static_cast<uint64_t>(measure * logical);
  for (uint64_t i = 0; i < n; ++i)
    if (Status s = write(w.Next()); !s.ok()) return {0, 0, 0, s.ToString()};
  const GcStats after = gc.Stats();
  const double user = double(after.user_bytes - before.user_bytes);
  out.wa = (user + double(after.relocated_bytes - before.relocated_bytes)) / user;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.writes = logical + static_cast<uint64_t>(warm * logical) + n;
  return out;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gc_sim: write amplification of the GC engine's policies"};
  uint32_t zones = 64;
  uint64_t zone_blocks = 16384, seed = 1;
  double warm = 2, measure = 3;
  std::string sfs = "0.1,0.2,0.3", workloads = "uniform,hot80/20,hot90/10,zipf0.8,zipf1.0",
              policies = "greedy,cost-benefit,windowed,default", csv;
  app.add_option("--zones", zones)->capture_default_str();
  app.add_option("--zone-blocks", zone_blocks, "4 KiB blocks per zone")->capture_default_str();
  app.add_option("--sf", sfs, "Spare factors")->capture_default_str();
  app.add_option("--workloads", workloads)->capture_default_str();
  app.add_option("--policies", policies)->capture_default_str();
  app.add_option("--warm", warm, "Overwrites of the logical space before measuring")
      ->capture_default_str();
  app.add_option("--measure", measure, "Overwrites measured")->capture_default_str();
  app.add_option("--seed", seed)->capture_default_str();
  app.add_option("--csv", csv, "Also write CSV");
  CLI11_PARSE(app, argc, argv);

  std::vector<VictimPolicy> pols;
  for (const std::string& p : Split(policies)) {
    bool found = false;
    for (VictimPolicy v : {VictimPolicy::kGreedy, VictimPolicy::kCostBenefit,
                           VictimPolicy::kWindowedGreedy, VictimPolicy::kDefault})
      if (p == VictimPolicyName(v)) pols.push_back(v), found = true;
    if (!found) {
      std::fprintf(stderr, "gc_sim: unknown policy %s\n", p.c_str());
      return 2;
    }
  }
  std::ofstream out;
  if (!csv.empty()) {
    out.open(csv);
    out << "workload,sf,policy,wa,greedy_closed_form,seconds\n";
  }
  std::printf(
      "gc_sim: %u zones x %lu blocks of 4 KiB; WA measured over %.0f overwrites after %.0f\n",
      zones, static_cast<unsigned long>(zone_blocks), measure, warm);
  std::printf("%-10s %5s %10s", "workload", "Sf", "closed");
  for (VictimPolicy p : pols) std::printf(" %13s", std::string(VictimPolicyName(p)).c_str());
  std::printf(" %14s\n", "default/greedy");
  for (const std::string& wl : Split(workloads)) {
    for (const std::string& sf_text : Split(sfs)) {
      const double sf = std::stod(sf_text);
      std::printf("%-10s %5.2f %10.3f", wl.c_str(), sf, GreedyClosedForm(sf));
      double greedy = 0, def = 0;
      for (VictimPolicy p : pols) {
        const Outcome o = Simulate(wl, p, sf, zones, zone_blocks, warm, measure, seed);
        if (!o.error.empty()) {
          std::printf("\ngc_sim: %s %s: %s\n", wl.c_str(), std::string(VictimPolicyName(p)).c_str(),
                      o.error.c_str());
          return 1;
        }
        std::printf(" %13.3f", o.wa);
        std::fflush(stdout);
        if (p == VictimPolicy::kGreedy) greedy = o.wa;
        if (p == VictimPolicy::kDefault) def = o.wa;
        if (out)
          out << wl << ',' << sf << ',' << VictimPolicyName(p) << ',' << o.wa << ','
              << GreedyClosedForm(sf) << ',' << o.seconds << '\n';
      }
      if (greedy && def) std::printf(" %14.3f", def / greedy);
      std::printf("\n");
    }
  }
  return 0;
}
