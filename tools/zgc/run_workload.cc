#include "tools/zgc/run_workload.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace zgc::cli {

Status UnitPicker::CheckKind(const std::string& kind) {
  if (kind == "uniform" || kind == "hot" || kind == "zipf") return Status::OK();
  return Status::InvalidArgument("workload '" + kind + "' is not one of uniform, hot, zipf");
}

Result<UnitPicker> UnitPicker::Create(const std::string& kind, uint64_t units, uint64_t seed) {
  ZGC_RETURN_IF_ERROR(CheckKind(kind));
  if (units == 0) return Status::InvalidArgument("the workload has no units to write");
  UnitPicker p(units, seed);
  if (kind == "uniform") return p;
  if (kind == "hot") {
    p.hot_ = std::max<uint64_t>(units / 5, 1);
    return p;
  }
  if (kind == "zipf") {
    p.cdf_.resize(units);
    double sum = 0;
    for (uint64_t i = 0; i < units; ++i) p.cdf_[i] = (sum += 1.0 / double(i + 1));
    for (double& c : p.cdf_) c /= sum;
    p.perm_.resize(units);
    std::iota(p.perm_.begin(), p.perm_.end(), 0u);
    std::shuffle(p.perm_.begin(), p.perm_.end(), p.rng_);
  }
  return p;
}

uint64_t UnitPicker::Next() {
  if (!cdf_.empty()) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    const size_t r = std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
    return perm_[std::min(r, perm_.size() - 1)];
  }
  if (hot_ && hot_ < units_) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < 0.8
               ? rng_() % hot_
               : hot_ + rng_() % (units_ - hot_);
  }
  return rng_() % units_;
}

RunWorkload::RunWorkload(ZonedDevice& device, uint64_t units, uint64_t unit_bytes)
    : dev_(device),
      unit_bytes_(unit_bytes),
      lbs_(device.info().logical_block_size),
      where_(units, 0),
      version_(units, 0),
      owner_of_(device.info().nr_zones * device.info().zone_size / unit_bytes, 0),
      buf_(unit_bytes) {}

// Each logical block: unit, version, device offset it was written to, and its
// index in the unit. A relocated block keeps its original offset stamp: the
// check is against the unit's history, so the stamp records where it was born.
void RunWorkload::Stamp(uint64_t unit, uint64_t version, uint64_t offset) {
  for (uint64_t b = 0; b < unit_bytes_; b += lbs_) {
    const uint64_t words[4] = {unit, version, offset, b / lbs_};
    std::memcpy(buf_.data() + b, words, sizeof words);
  }
}

Status RunWorkload::Write(uint64_t unit) {
  WriteHint hint;
  {
    std::lock_guard lock(mu_);
    if (where_[unit]) hint.replaces = Extent{where_[unit] - 1, unit_bytes_};
  }
  // Not under the owner's lock: Allocate may collect, which calls Relocate.
  ZGC_ASSIGN_OR_RETURN(Allocation a, gc_->Allocate(unit_bytes_, hint));
  if (a.length != unit_bytes_)
    return Status::InvalidArgument(
        fmt::format("allocation of {:#x} bytes came back {:#x} (the unit "
                    "size divides the zone capacity)",
                    unit_bytes_, a.length));
  std::lock_guard lock(mu_);
  const uint64_t version = version_[unit] + 1;
  Stamp(unit, version, a.offset);
  ZGC_RETURN_IF_ERROR(dev_.Write(a.offset, buf_));
  const uint64_t old = where_[unit];  // looked up again: GC may have moved it
  version_[unit] = version;
  where_[unit] = a.offset + 1;
  owner_of_[a.offset / unit_bytes_] = unit + 1;
  ZGC_RETURN_IF_ERROR(gc_->OnWrite({a.offset, unit_bytes_}));
  if (old) {
    owner_of_[(old - 1) / unit_bytes_] = 0;
    ZGC_RETURN_IF_ERROR(gc_->OnInvalidate({old - 1, unit_bytes_}));
  }
  return Status::OK();
}

Result<std::vector<bool>> RunWorkload::Relocate(std::span<const Move> moves) {
  std::lock_guard lock(mu_);
  std::vector<bool> ok(moves.size(), true);
  for (size_t i = 0; i < moves.size(); ++i) {
    // Moves are whole units here (units are written whole and die whole), but
    // a batch may merge neighbours into one move.
    for (uint64_t off = 0; off < moves[i].from.length; off += unit_bytes_) {
      const uint64_t from = moves[i].from.offset + off, to = moves[i].to + off;
      const uint64_t unit = owner_of_[from / unit_bytes_];
      if (!unit || where_[unit - 1] != from + 1) continue;  // died during the copy
      where_[unit - 1] = to + 1;
      owner_of_[to / unit_bytes_] = unit;
      owner_of_[from / unit_bytes_] = 0;
    }
  }
  return ok;
}

Result<uint64_t> RunWorkload::Verify() {
  std::lock_guard lock(mu_);
  uint64_t verified = 0;
  for (uint64_t unit = 0; unit < where_.size(); ++unit) {
    if (!where_[unit]) continue;
    const uint64_t at = where_[unit] - 1;
    ZGC_RETURN_IF_ERROR(dev_.Read(at, buf_));
    for (uint64_t b = 0; b < unit_bytes_; b += lbs_) {
      uint64_t w[4];
      std::memcpy(w, buf_.data() + b, sizeof w);
      if (w[0] != unit || w[1] != version_[unit] || w[3] != b / lbs_)
        return Status::Corruption(fmt::format(
            "{}: unit {} at {:#x}, block {}: holds unit {} version {} block {}, expected "
            "version {}",
            dev_.info().uri, unit, at, b / lbs_, w[0], w[1], w[3], version_[unit]));
    }
    verified += unit_bytes_;
  }
  return verified;
}

}  // namespace zgc::cli
