#include "zgc/fault_device.h"

#include <algorithm>

namespace zgc {

size_t FaultDevice::AddRule(FaultRule rule) {
  std::lock_guard lock(mu_);
  rules_.push_back(Armed{std::move(rule)});
  return rules_.size() - 1;
}

void FaultDevice::ClearRules() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

uint64_t FaultDevice::Injected(size_t index) const {
  std::lock_guard lock(mu_);
  return index < rules_.size() ? rules_[index].injected : 0;
}

uint64_t FaultDevice::Seen(size_t index) const {
  std::lock_guard lock(mu_);
  return index < rules_.size() ? rules_[index].seen : 0;
}

std::optional<FaultRule> FaultDevice::Match(FaultOp op, uint64_t offset, uint64_t length) {
  const uint64_t zone_size = info().zone_size;
  const uint64_t first = offset / zone_size;
  const uint64_t last = (offset + std::max<uint64_t>(length, 1) - 1) / zone_size;
  std::lock_guard lock(mu_);
  std::optional<FaultRule> fire;
  for (Armed& a : rules_) {
    if (a.rule.op != op && a.rule.op != FaultOp::kAny) continue;
    if (a.rule.zone && (*a.rule.zone < first || *a.rule.zone > last)) continue;
    ++a.seen;
    const bool hit = a.rule.sticky ? a.seen >= a.rule.nth : a.seen == a.rule.nth;
    if (hit && !fire) {
      ++a.injected;
      fire = a.rule;
    }
  }
  return fire;
}

Result<std::vector<Zone>> FaultDevice::ReportZones(uint64_t offset, uint64_t length) {
  if (auto f = Match(FaultOp::kReport, offset, length)) return f->status;
  return DeviceWrapper::ReportZones(offset, length);
}

Status FaultDevice::ManageZones(ZoneAction action, uint64_t offset, uint64_t length) {
  if (auto f = Match(FaultOp::kManage, offset, length)) return f->status;
  return DeviceWrapper::ManageZones(action, offset, length);
}

Status FaultDevice::Read(uint64_t offset, std::span<std::byte> data) {
  if (auto f = Match(FaultOp::kRead, offset, data.size())) return f->status;
  return DeviceWrapper::Read(offset, data);
}

Status FaultDevice::Write(uint64_t offset, std::span<const std::byte> data) {
  if (auto f = Match(FaultOp::kWrite, offset, data.size())) {
    const uint64_t lbs = info().logical_block_size;
    const uint64_t landed = std::min<uint64_t>(f->short_bytes / lbs * lbs, data.size());
    if (landed) ZGC_RETURN_IF_ERROR(DeviceWrapper::Write(offset, data.first(landed)));
    return f->status;
  }
  return DeviceWrapper::Write(offset, data);
}

Result<uint64_t> FaultDevice::Append(uint64_t zone_start, std::span<const std::byte> data) {
  if (auto f = Match(FaultOp::kAppend, zone_start, data.size())) {
    const uint64_t lbs = info().logical_block_size;
    const uint64_t landed = std::min<uint64_t>(f->short_bytes / lbs * lbs, data.size());
    if (landed) {
      auto r = DeviceWrapper::Append(zone_start, data.first(landed));
      if (!r.ok()) return r;
    }
    return f->status;
  }
  return DeviceWrapper::Append(zone_start, data);
}

Status FaultDevice::Copy(std::span<const Extent> sources, uint64_t destination) {
  uint64_t total = 0;
  for (const Extent& e : sources) total += e.length;
  if (auto f = Match(FaultOp::kCopy, destination, total)) {
    // A copy that dies part way leaves a prefix of its sources at the destination.
    const uint64_t lbs = info().logical_block_size;
    uint64_t left = std::min<uint64_t>(f->short_bytes / lbs * lbs, total);
    std::vector<Extent> prefix;
    for (const Extent& e : sources) {
      if (!left) break;
      prefix.push_back({e.offset, std::min(left, e.length)});
      left -= prefix.back().length;
    }
    if (!prefix.empty()) ZGC_RETURN_IF_ERROR(DeviceWrapper::Copy(prefix, destination));
    return f->status;
  }
  return DeviceWrapper::Copy(sources, destination);
}

Status FaultDevice::Sync() {
  if (auto f = Match(FaultOp::kSync, 0, 0)) return f->status;
  return DeviceWrapper::Sync();
}

}  // namespace zgc
