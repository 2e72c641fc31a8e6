#include "src/zones/emulated_device.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "src/zones/zone_rules.h"

namespace zgc {

EmulatedDevice::EmulatedDevice(DeviceInfo info, std::unique_ptr<ZoneStore> store,
                               std::vector<Zone> zones)
    : info_(std::move(info)),
      store_(std::move(store)),
      zones_(std::move(zones)),
      busy_(zones_.size(), 0) {
  if (info_.volatile_cache) cache_ = std::make_unique<VolatileCache>(info_, *store_, zones_);
  for (Zone& z : zones_) {
    if (z.open()) z.cond = z.wp == z.start ? ZoneCondition::kEmpty : ZoneCondition::kClosed;
    if (z.active()) ++nr_active_;
  }
}

EmulatedDevice::~EmulatedDevice() = default;

Status EmulatedDevice::Off() const {
  return Status::PowerOff(info_.uri + ": the power is off (a simulated power cut)");
}

Status EmulatedDevice::Mutating(std::unique_lock<std::mutex>& lock) {
  if (!powered_) return Off();
  const IoPhase phase = CurrentIoPhase();
  ++power_.calls[static_cast<size_t>(phase)];
  if (armed_ && (!armed_cut_.phase || *armed_cut_.phase == phase) && --armed_ == 0) {
    power_.last_cut_armed = true;
    power_.last_cut_phase = phase;
    ZGC_RETURN_IF_ERROR(PowerFails(lock, armed_cut_));
    return Off();
  }
  return Status::OK();
}

Status EmulatedDevice::PowerFails(std::unique_lock<std::mutex>& lock, const PowerCut& cut) {
  // Commands in flight complete first (their data is in the cache, not durable).
  WaitIdle(lock, 0, info_.nr_zones);
  powered_ = false;
  armed_ = 0;
  ++power_.cuts;
  ZGC_RETURN_IF_ERROR(cache_->Cut(cut, zones_));
  nr_open_ = 0;
  implicit_open_.clear();
  nr_active_ = static_cast<uint32_t>(
      std::count_if(zones_.begin(), zones_.end(), [](const Zone& z) { return z.active(); }));
  // The file (emu:) is left as the device would be found after the cut.
  for (uint32_t i = 0; i < zones_.size(); ++i) ZGC_RETURN_IF_ERROR(Save(i));
  return store_->Sync();
}

Status EmulatedDevice::CutPower(const PowerCut& cut) {
  std::unique_lock lock(mu_);
  if (!cache_) return NoVolatileCache();
  if (!powered_) return Status::OK();
  power_.last_cut_armed = false;
  power_.last_cut_phase = CurrentIoPhase();
  return PowerFails(lock, cut);
}

Status EmulatedDevice::ArmPowerCut(uint64_t nth_call, const PowerCut& cut) {
  std::unique_lock lock(mu_);
  if (!cache_) return NoVolatileCache();
  if (nth_call == 0)
    return Status::InvalidArgument("ArmPowerCut: the call to cut at counts from 1");
  armed_ = nth_call;
  armed_cut_ = cut;
  return Status::OK();
}

Status EmulatedDevice::DisarmPowerCut() {
  std::unique_lock lock(mu_);
  if (!cache_) return NoVolatileCache();
  armed_ = 0;
  return Status::OK();
}

Result<PowerState> EmulatedDevice::PowerStatus() {
  std::unique_lock lock(mu_);
  if (!cache_) return NoVolatileCache();
  PowerState s = power_;
  s.powered = powered_;
  s.armed = armed_ != 0;
  s.calls_to_cut = armed_;
  return s;
}

Status EmulatedDevice::PowerOn() {
  std::unique_lock lock(mu_);
  if (!cache_) return NoVolatileCache();
  powered_ = true;
  return Status::OK();
}

Result<std::vector<Zone>> EmulatedDevice::ReportZones(uint64_t offset, uint64_t length) {
  if (offset >= info_.capacity_bytes())
    return Status::OutOfRange(info_.uri + ": report from " + Hex(offset) +
                              " is past the device end");
  const uint64_t end = std::min(info_.capacity_bytes(), offset + std::max<uint64_t>(length, 1));
  std::lock_guard lock(mu_);
  if (!powered_) return Off();
  const auto first = zones_.begin() + offset / info_.zone_size;
  const auto last = zones_.begin() + (end + info_.zone_size - 1) / info_.zone_size;
  return std::vector<Zone>(first, last);
}

Status EmulatedDevice::ManageZones(ZoneAction action, uint64_t offset, uint64_t length) {
  ZGC_RETURN_IF_ERROR(CheckZoneRange(info_, offset, length));
  const uint32_t first = offset / info_.zone_size;
  const uint32_t count = length / info_.zone_size;
  // The kernel turns a reset of the whole device into reset-all, which skips
  // conventional zones; any other range is applied zone by zone.
  const bool reset_all = action == ZoneAction::kReset && count == info_.nr_zones;
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(Mutating(lock));
  WaitIdle(lock, first, count);
  for (uint32_t i = first; i < first + count; ++i) {
    if (reset_all && !zones_[i].sequential()) continue;
    ZGC_RETURN_IF_ERROR(CheckTransition(info_, action, zones_[i]));
  }
  for (uint32_t i = first; i < first + count; ++i) {
    if (reset_all && !zones_[i].sequential()) continue;
    ZGC_RETURN_IF_ERROR(Apply(action, i));
  }
  return Status::OK();
}

Status EmulatedDevice::Apply(ZoneAction action, uint32_t index) {
  switch (action) {
    case ZoneAction::kReset:
      return ResetZone(index);
    case ZoneAction::kOpen:
      return OpenZone(index, /*implicit=*/false);
    case ZoneAction::kClose:
      return CloseZone(index);
    case ZoneAction::kFinish:
      return FinishZone(index);
  }
  return Status::InvalidArgument("unknown zone action");
}

void EmulatedDevice::AutoCloseImplicit() {
  if (info_.max_open_zones == 0 || nr_open_ < info_.max_open_zones || implicit_open_.empty())
    return;
  // null_blk closes an implicitly open zone only while an active slot is free.
  if (info_.family == DeviceFamily::kNullBlk && info_.max_active_zones &&
      nr_active_ >= info_.max_active_zones)
    return;
  const uint32_t victim = implicit_open_.front();
  LeaveOpen(victim);
  zones_[victim].cond = ZoneCondition::kClosed;
  (void)Save(victim);  // a failed record write is caught by the next Save of this zone
}

void EmulatedDevice::LeaveOpen(uint32_t index) {
  Zone& z = zones_[index];
  if (!z.open()) return;
  --nr_open_;
  if (z.cond == ZoneCondition::kImplicitOpen)
    implicit_open_.erase(std::find(implicit_open_.begin(), implicit_open_.end(), index));
}

Status EmulatedDevice::OpenZone(uint32_t index, bool implicit) {
  Zone& z = zones_[index];
  switch (z.cond) {
    case ZoneCondition::kEmpty:
    case ZoneCondition::kClosed: {
      const uint32_t needs_active = z.cond == ZoneCondition::kEmpty ? 1 : 0;
      AutoCloseImplicit();
      if (info_.max_active_zones && nr_active_ + needs_active > info_.max_active_zones)
        return Status::TooManyActiveZones(info_.uri + ": opening " + DescribeZone(info_, z) +
                                          " exceeds the limit of " +
                                          std::to_string(info_.max_active_zones) + " active zones");
      if (info_.max_open_zones && nr_open_ + 1 > info_.max_open_zones)
        return Status::TooManyOpenZones(info_.uri + ": opening " + DescribeZone(info_, z) +
                                        " exceeds the limit of " +
                                        std::to_string(info_.max_open_zones) + " open zones");
      nr_active_ += needs_active;
      ++nr_open_;
      z.cond = implicit ? ZoneCondition::kImplicitOpen : ZoneCondition::kExplicitOpen;
      if (implicit) implicit_open_.push_back(index);
      return Save(index);
    }
    case ZoneCondition::kImplicitOpen:
      if (implicit) return Status::OK();
      LeaveOpen(index);
      ++nr_open_;
      z.cond = ZoneCondition::kExplicitOpen;
      return Save(index);
    case ZoneCondition::kExplicitOpen:
      return Status::OK();
    default:  // full (a ZBC no-op), read-only, offline
      return CheckTransition(info_, ZoneAction::kOpen, z);
  }
}

Status EmulatedDevice::CloseZone(uint32_t index) {
  Zone& z = zones_[index];
  if (!z.open()) return Status::OK();  // closed already, or a ZBC no-op; others were refused
  LeaveOpen(index);
  if (z.wp == z.start && info_.family != DeviceFamily::kNvmeZns) {
    // Nothing written: ZBC and null_blk return the zone to empty, freeing its
    // active resource; QEMU's ZNS keeps it closed.
    z.cond = ZoneCondition::kEmpty;
    --nr_active_;
  } else {
    z.cond = ZoneCondition::kClosed;
  }
  return Save(index);
}

Status EmulatedDevice::FinishZone(uint32_t index) {
  Zone& z = zones_[index];
  if (z.cond == ZoneCondition::kFull) return Status::OK();
  if (z.cond == ZoneCondition::kClosed && info_.family == DeviceFamily::kNullBlk) {
    // null_blk opens a closed zone on the way to full, so it needs an open slot.
    AutoCloseImplicit();
    if (info_.max_open_zones && nr_open_ >= info_.max_open_zones)
      return Status::TooManyOpenZones(info_.uri + ": finishing closed " + DescribeZone(info_, z) +
                                      " needs an open zone and " +
                                      std::to_string(info_.max_open_zones) + " are open");
  }
  if (cache_) cache_->BeforeFinish(index, z.wp);
  if (z.active()) --nr_active_;
  LeaveOpen(index);
  z.cond = ZoneCondition::kFull;
  z.wp = z.end();
  return Save(index);
}

Status EmulatedDevice::ResetZone(uint32_t index) {
  Zone& z = zones_[index];
  if (cache_) ZGC_RETURN_IF_ERROR(cache_->BeforeReset(index));
  if (z.active()) --nr_active_;
  LeaveOpen(index);
  const bool had_data = z.cond != ZoneCondition::kEmpty;
  z.cond = ZoneCondition::kEmpty;
  z.wp = z.start;
  ZGC_RETURN_IF_ERROR(Save(index));
  return had_data ? store_->Discard(z.start, z.size) : Status::OK();
}

void EmulatedDevice::WaitIdle(std::unique_lock<std::mutex>& lock, uint32_t first, uint32_t count) {
  idle_.wait(lock, [&] {
    return std::all_of(busy_.begin() + first, busy_.begin() + first + count,
                       [](uint8_t b) { return b == 0; });
  });
}

Status EmulatedDevice::Claim(uint32_t index, uint64_t offset) {
  if (busy_[index])
    return Status::ZoneState(info_.uri + ": write at " + Hex(offset) + " to " +
                             DescribeZone(info_, zones_[index]) +
                             ": another write to the zone is in flight (writes to a zone must "
                             "be issued one after the other)");
  busy_[index] = 1;
  return Status::OK();
}

Status EmulatedDevice::Complete(uint32_t index, uint64_t length, Status moved) {
  busy_[index] = 0;
  idle_.notify_all();
  if (!moved.ok()) return moved;
  Zone& z = zones_[index];
  if (!z.sequential()) return Status::OK();
  z.wp += length;
  if (z.wp == z.start + z.capacity) return FinishZone(index);
  return Save(index);
}

Status EmulatedDevice::WriteInZone(std::unique_lock<std::mutex>& lock, uint32_t index,
                                   uint64_t offset, std::span<const std::byte> data) {
  Zone& z = zones_[index];
  ZGC_RETURN_IF_ERROR(CheckWrite(info_, z, offset, data.size()));
  if (cache_ && !z.sequential()) ZGC_RETURN_IF_ERROR(cache_->BeforeOverwrite(offset, data.size()));
  ZGC_RETURN_IF_ERROR(Claim(index, offset));
  if (z.sequential() && (z.cond == ZoneCondition::kEmpty || z.cond == ZoneCondition::kClosed)) {
    if (Status s = OpenZone(index, /*implicit=*/true); !s.ok()) return Complete(index, 0, s);
  }
  lock.unlock();
  Status moved = store_->Write(offset, data);
  lock.lock();
  return Complete(index, data.size(), std::move(moved));
}

Status EmulatedDevice::Write(uint64_t offset, std::span<const std::byte> data) {
  ZGC_RETURN_IF_ERROR(CheckDataRange(info_, offset, data.size()));
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(Mutating(lock));
  while (!data.empty()) {
    const uint32_t index = offset / info_.zone_size;
    const size_t n = std::min<uint64_t>(data.size(), zones_[index].end() - offset);
    ZGC_RETURN_IF_ERROR(WriteInZone(lock, index, offset, data.first(n)));
    data = data.subspan(n);
    offset += n;
  }
  return Status::OK();
}

Result<uint64_t> EmulatedDevice::Append(uint64_t zone_start, std::span<const std::byte> data) {
  if (!info_.zone_append) return ZonedDevice::Append(zone_start, data);
  ZGC_RETURN_IF_ERROR(CheckAppend(info_, zone_start, data.size()));
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(Mutating(lock));
  const uint32_t index = zone_start / info_.zone_size;
  if (!zones_[index].sequential())
    return Status::ZoneState(info_.uri + ": append to conventional " +
                             DescribeZone(info_, zones_[index]));
  // Appends to one zone are ordered by the device: the next waits for this one.
  idle_.wait(lock, [&] { return busy_[index] == 0; });
  const uint64_t at = zones_[index].wp;
  ZGC_RETURN_IF_ERROR(WriteInZone(lock, index, at, data));
  return at;
}

// Where the data stored for a zone ends: reads beyond it return zeroes.
uint64_t EmulatedDevice::ReadableEnd(const Zone& z) {
  if (!z.sequential() || z.cond == ZoneCondition::kReadOnly) return z.end();
  if (z.cond == ZoneCondition::kFull) return z.start + z.capacity;
  return z.wp;
}

Status EmulatedDevice::Read(uint64_t offset, std::span<std::byte> data) {
  ZGC_RETURN_IF_ERROR(CheckDataRange(info_, offset, data.size()));
  while (!data.empty()) {
    const uint32_t index = offset / info_.zone_size;
    Zone z;
    {
      std::lock_guard lock(mu_);
      if (!powered_) return Off();
      z = zones_[index];
    }
    ZGC_RETURN_IF_ERROR(CheckRead(info_, z));
    const size_t n = std::min<uint64_t>(data.size(), z.end() - offset);
    // Blocks never written since the last reset read as zeroes.
    const uint64_t valid_end = ReadableEnd(z);
    const size_t stored = offset < valid_end ? std::min<uint64_t>(n, valid_end - offset) : 0;
    if (stored) ZGC_RETURN_IF_ERROR(store_->Read(offset, data.first(stored)));
    std::memset(data.data() + stored, 0, n - stored);
    data = data.subspan(n);
    offset += n;
  }
  return Status::OK();
}

Status EmulatedDevice::PlanReadable(uint64_t src, uint64_t dst, uint64_t n,
                                    std::vector<CopyPiece>& out) {
  while (n) {
    const Zone& z = zones_[src / info_.zone_size];
    ZGC_RETURN_IF_ERROR(CheckRead(info_, z));
    const uint64_t piece = std::min(n, z.end() - src);
    const uint64_t valid_end = ReadableEnd(z);
    const uint64_t stored = src < valid_end ? std::min(piece, valid_end - src) : 0;
    out.push_back({src, dst, piece, stored});
    src += piece, dst += piece, n -= piece;
  }
  return Status::OK();
}

Status EmulatedDevice::MovePieces(const std::vector<CopyPiece>& pieces) {
  static const std::vector<std::byte> kZeros(1 << 20);
  for (const CopyPiece& p : pieces) {
    if (p.stored) ZGC_RETURN_IF_ERROR(store_->Copy(p.src, p.dst, p.stored));
    for (uint64_t z0 = p.stored; z0 < p.length;) {
      const uint64_t k = std::min<uint64_t>(kZeros.size(), p.length - z0);
      ZGC_RETURN_IF_ERROR(store_->Write(p.dst + z0, std::span(kZeros.data(), k)));
      z0 += k;
    }
  }
  return Status::OK();
}

Status EmulatedDevice::Copy(std::span<const Extent> sources, uint64_t destination) {
  ZGC_ASSIGN_OR_RETURN(uint64_t total, CheckCopySources(info_, sources));
  ZGC_RETURN_IF_ERROR(CheckDataRange(info_, destination, total));
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(Mutating(lock));
  const uint32_t index = destination / info_.zone_size;
  Zone& z = zones_[index];
  if (!z.sequential())
    return Status::ZoneState(info_.uri + ": copy destination " + DescribeZone(info_, z) +
                             " is conventional (the copy command writes at a write pointer)");
  // The command is checked whole before anything moves: a refused copy writes nothing.
  if (Status rule = CheckWrite(info_, z, destination, total); !rule.ok()) {
    // QEMU's ZNS opens the destination zone before the copy's placement fails
    // (status 0x6, as the lab shows), so a misplaced copy leaves it implicitly open.
    if (info_.family == DeviceFamily::kNvmeZns &&
        (z.cond == ZoneCondition::kEmpty || z.cond == ZoneCondition::kClosed))
      (void)OpenZone(index, /*implicit=*/true);
    return rule;
  }
  std::vector<CopyPiece> pieces;
  uint64_t at = destination;
  for (const Extent& e : sources) {
    ZGC_RETURN_IF_ERROR(PlanReadable(e.offset, at, e.length, pieces));
    at += e.length;
  }
  ZGC_RETURN_IF_ERROR(Claim(index, destination));
  if (z.cond == ZoneCondition::kEmpty || z.cond == ZoneCondition::kClosed) {
    if (Status s = OpenZone(index, /*implicit=*/true); !s.ok()) return Complete(index, 0, s);
  }
  lock.unlock();
  Status moved = MovePieces(pieces);
  lock.lock();
  return Complete(index, total, std::move(moved));
}

Status EmulatedDevice::Sync() {
  std::unique_lock lock(mu_);
  ZGC_RETURN_IF_ERROR(Mutating(lock));
  ZGC_RETURN_IF_ERROR(store_->Sync());
  // What has completed is durable now; commands still in flight are not
  // (their write pointers move when they complete).
  if (cache_) cache_->Synced(zones_);
  return Status::OK();
}

Status EmulatedDevice::SetZoneCondition(uint32_t index, ZoneCondition cond) {
  if (index >= info_.nr_zones)
    return Status::OutOfRange(info_.uri + ": no zone " + std::to_string(index));
  if (cond != ZoneCondition::kReadOnly && cond != ZoneCondition::kOffline &&
      cond != ZoneCondition::kEmpty)
    return Status::InvalidArgument("SetZoneCondition takes read-only, offline or empty");
  std::unique_lock lock(mu_);
  WaitIdle(lock, index, 1);
  Zone& z = zones_[index];
  if (cond == ZoneCondition::kEmpty) {
    if (!z.sequential()) {
      z.cond = ZoneCondition::kNotWp;
      return Save(index);
    }
    z.cond = ZoneCondition::kFull;  // leave the degraded state through a reset
    z.wp = z.end();
    return ResetZone(index);
  }
  if (z.active()) --nr_active_;
  LeaveOpen(index);
  z.cond = cond;
  z.wp = z.end();
  return Save(index);
}

}  // namespace zgc
