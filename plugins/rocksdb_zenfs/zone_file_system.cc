// ZoneFileSystem (zone_file_system.h): open, format, recovery, the name
// space, and the GC and log owner. The file handles are in zone_files.cc.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "plugins/rocksdb_zenfs/zone_files.h"
#include "plugins/rocksdb_zenfs/zone_fs_impl.h"
#include "src/base/hex.h"

namespace zgc::rocksdb_plugin {

using rocksdb::IOStatus;

namespace {

// The engine's unit: whole 4 KiB blocks on any device (a file's padded tail
// is one of them).
constexpr uint32_t kBlock = 4096;

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

class ZoneFileLock final : public rocksdb::FileLock {
 public:
  explicit ZoneFileLock(std::string name) : name(std::move(name)) {}
  const std::string name;
};

class ZoneDirectory final : public rocksdb::FSDirectory {
 public:
  explicit ZoneDirectory(ZoneFsImpl* fs) : fs_(fs) {}
  IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return Guarded([&] { return ToIOStatus(fs_->SyncLog()); });
  }
  IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return IOStatus::OK();
  }

 private:
  ZoneFsImpl* fs_;
};

}  // namespace

IOStatus ToIOStatus(const Status& s) {
  if (s.ok()) return IOStatus::OK();
  const std::string m = "zgc: " + s.ToString();
  switch (s.code()) {
    case Code::kNotFound:
      return IOStatus::PathNotFound(m);
    case Code::kInvalidArgument:
      return IOStatus::InvalidArgument(m);
    case Code::kNotSupported:
      return IOStatus::NotSupported(m);
    case Code::kCorruption:
      return IOStatus::Corruption(m);
    case Code::kNoSpace:
      return IOStatus::NoSpace(m);
    case Code::kBusy:
      return IOStatus::Busy(m);
    case Code::kAborted:
      return IOStatus::Aborted(m);
    default:
      return IOStatus::IOError(m);
  }
}

std::string NormalizePath(const std::string& path) {
  std::string out = "/";
  size_t i = 0;
  while (i < path.size()) {
    const size_t j = std::min(path.find('/', i), path.size());
    const std::string part = path.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (part == "..") {
        const size_t slash = out.rfind('/', out.size() - 2);
        out.resize(out.size() > 1 ? slash + 1 : 1);
      } else {
        out += part + "/";
      }
    }
    i = j + 1;
  }
  if (out.size() > 1) out.pop_back();
  return out;
}

Lifetime LifetimeFor(const std::string& name, rocksdb::Env::WriteLifeTimeHint hint) {
  switch (hint) {
    case rocksdb::Env::WLTH_SHORT:
      return Lifetime::kShort;
    case rocksdb::Env::WLTH_MEDIUM:
      return Lifetime::kMedium;
    case rocksdb::Env::WLTH_LONG:
      return Lifetime::kLong;
    case rocksdb::Env::WLTH_EXTREME:
      return Lifetime::kExtreme;
    default:
      break;
  }
  // No hint: the WAL dies first (apart from SSTs), tables live longer.
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".log")) return Lifetime::kShort;
  if (ends(".sst") || ends(".blob")) return Lifetime::kMedium;
  return Lifetime::kUnknown;
}

ZoneFsImpl::ZoneFsImpl(ZonedDevice& dev, std::unique_ptr<ZonedDevice> owned, const ZoneFsOptions& o,
                       const FsConfig& config)
    : dev_(dev),
      owned_(std::move(owned)),
      options_(o),
      config_(config),
      blk_(config.block_bytes),
      table_(config.block_bytes) {}

ZoneFsImpl::~ZoneFsImpl() {
  Status s = Close();
  if (std::getenv("ZGC_STATS")) {
    const ZoneFsStats st = Stats();
    std::fprintf(stderr,
                 "zgc: %s: files %llu, live %llu bytes; user %llu bytes, relocated %llu "
                 "(offload %llu, fallback %llu), WA %.3f, zones reset %llu, log %llu bytes%s%s\n",
                 dev_.info().uri.c_str(), (unsigned long long)st.files,
                 (unsigned long long)st.live_bytes, (unsigned long long)st.gc.user_bytes,
                 (unsigned long long)st.gc.relocated_bytes,
                 (unsigned long long)st.gc.offloaded_bytes,
                 (unsigned long long)st.gc.fallback_bytes, st.gc.write_amplification(),
                 (unsigned long long)st.gc.zones_reset, (unsigned long long)st.log.device_bytes,
                 s.ok() ? "" : "; close: ", s.ok() ? "" : s.ToString().c_str());
  }
  gc_.reset();
  log_.reset();
}

void ZoneFsImpl::SetLog(std::unique_ptr<MetaLog> log, std::unique_ptr<LogOwner> forwarder) {
  log_owner_ = std::move(forwarder);
  log_ = std::move(log);
}

// ---------------------------------------------------------------------------
// Open, format, recovery.

namespace {

LogOptions LogOptionsFor(const DeviceInfo& info) {
  LogOptions lo;
  lo.first_zone = info.nr_conventional_zones;
  lo.flush_before_write = true;
  return lo;
}

GcOptions EngineOptions(const FsConfig& c, GcOptions gc) {
  gc.first_zone = c.data_first;
  gc.zones = 0;
  gc.block_bytes = c.block_bytes;
  gc.owner_active_zones = 1;  // the log's open zone
  return gc;
}

Status Format(ZonedDevice& dev, const ZoneFsOptions& o) {
  const DeviceInfo& info = dev.info();
  if (info.logical_block_size > kBlock || kBlock % info.logical_block_size ||
      info.zone_size % kBlock)
    return Status::InvalidArgument(info.uri +
                                   ": the zgc file system needs a logical block size dividing "
                                   "4096 and zones of whole 4 KiB blocks");
  LogOptions lo = LogOptionsFor(info);
  lo.max_checkpoint_bytes =
      o.max_checkpoint_bytes
          ? o.max_checkpoint_bytes
          : std::clamp<uint64_t>(info.capacity_bytes() / 256, 256 << 10, 64ull << 20);
  FsConfig c;
  c.block_bytes = kBlock;
  c.log_first = lo.first_zone;
  // The config names the log's zones: sized first with a placeholder.
  ZGC_ASSIGN_OR_RETURN(c.log_zones, MetaLog::CheckFormat(dev, lo, EncodeFsConfig(c)));
  c.data_first = c.log_first + c.log_zones;
  lo.zones = c.log_zones;
  if (c.data_first >= info.nr_zones)
    return Status::InvalidArgument(info.uri + ": the metadata log takes " +
                                   std::to_string(c.log_zones) + " zones, the device has " +
                                   std::to_string(info.nr_zones));
  // The knobs given are stored, resolved; refuse what they or the engine
  // would, before anything is erased.
  GcOptions gc = o.gc;
  bool background = o.background_gc;
  uint32_t stall = o.stall_timeout_ms;
  o.knobs.ApplyTo(&gc, &background, &stall);
  ZGC_RETURN_IF_ERROR(GcKnobs::Validate(gc, stall, info.nr_zones - c.data_first));
  c.knobs = GcKnobs::Resolved(gc, background, stall);
  ZGC_RETURN_IF_ERROR(GcEngine::Check(dev, EngineOptions(c, gc)));
  const std::vector<std::byte> empty = FileTable(kBlock).EncodeCheckpoint();
  ZGC_RETURN_IF_ERROR(MetaLog::Format(dev, lo, EncodeFsConfig(c), empty));
  IoPhaseScope phase(IoPhase::kFormat);
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, dev.ReportAllZones());
  for (uint32_t z = c.data_first; z < info.nr_zones; ++z) {
    const Zone& zone = zones[z];
    if (zone.sequential() && zone.cond != ZoneCondition::kEmpty &&
        zone.cond != ZoneCondition::kOffline && zone.cond != ZoneCondition::kReadOnly)
      ZGC_RETURN_IF_ERROR(dev.ResetZone(zone.start));
  }
  return dev.Sync();
}

Result<std::shared_ptr<ZoneFileSystem>> OpenImpl(ZonedDevice& dev,
                                                 std::unique_ptr<ZonedDevice> owned,
                                                 const ZoneFsOptions& o) {
  const DeviceInfo& info = dev.info();
  if (o.force_format) {
    ZGC_RETURN_IF_ERROR(Format(dev, o));
  } else if (o.format_if_blank) {
    ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, dev.ReportAllZones());
    const bool blank = std::all_of(zones.begin(), zones.end(), [](const Zone& z) {
      return !z.sequential() || z.cond == ZoneCondition::kEmpty;
    });
    if (blank) ZGC_RETURN_IF_ERROR(Format(dev, o));
  }
  LogOptions lo = LogOptionsFor(info);
  // The log is opened with a forwarder: the table is rebuilt from what the
  // log recovered before anything can ask for a snapshot.
  struct Forwarder final : LogOwner {
    LogOwner* target = nullptr;
    Result<LogSnapshot> Snapshot() override {
      if (!target) return Status::Busy("zgc file system: the table is not recovered yet");
      return target->Snapshot();
    }
  };
  auto forwarder = std::make_unique<Forwarder>();
  LogRecovery rec;
  auto log = MetaLog::Open(dev, lo, *forwarder, &rec);
  if (!log.ok())
    return log.status().WithContext(info.uri + ": zgc file system: opening its metadata log");
  const std::string where =
      "the log superblock at " + Hex(uint64_t(lo.first_zone) * info.zone_size);
  auto config = DecodeFsConfig(rec.config, info, lo.first_zone, rec.zones);
  if (!config.ok()) return config.status().WithContext(where);
  // The knobs: the options', the stored ones over them, those given over
  // those (gc_knobs.h). Checked before anything is written.
  ZoneFsOptions eff = o;
  config->knobs.Overlay(o.knobs).ApplyTo(&eff.gc, &eff.background_gc, &eff.stall_timeout_ms);
  ZGC_RETURN_IF_ERROR(
      GcKnobs::Validate(eff.gc, eff.stall_timeout_ms, info.nr_zones - config->data_first));
  ZGC_RETURN_IF_ERROR(GcEngine::Check(dev, EngineOptions(*config, eff.gc)));
  auto fs = std::make_shared<ZoneFsImpl>(dev, std::move(owned), eff, *config);
  forwarder->target = fs.get();
  fs->SetLog(std::move(*log), std::move(forwarder));
  ZGC_RETURN_IF_ERROR(fs->Recover(rec, EngineOptions(*config, eff.gc)));
  return std::shared_ptr<ZoneFileSystem>(std::move(fs));
}

}  // namespace

Result<std::shared_ptr<ZoneFileSystem>> ZoneFileSystem::Open(ZonedDevice& device,
                                                             const ZoneFsOptions& options) {
  try {
    return OpenImpl(device, nullptr, options);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("zgc file system: open: ") + e.what());
  }
}

Result<std::shared_ptr<ZoneFileSystem>> ZoneFileSystem::Open(std::string_view device_uri,
                                                             const ZoneFsOptions& options) {
  try {
    GcKnobs knobs;
    ZGC_ASSIGN_OR_RETURN(std::string uri, GcKnobs::SplitUri(device_uri, &knobs));
    ZoneFsOptions o = options;
    o.knobs = o.knobs.Overlay(knobs);
    ZGC_ASSIGN_OR_RETURN(std::unique_ptr<ZonedDevice> dev, OpenDevice(uri));
    ZonedDevice& ref = *dev;
    return OpenImpl(ref, std::move(dev), o);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("zgc file system: open: ") + e.what());
  }
}

Status ZoneFsImpl::Recover(const LogRecovery& rec, const GcOptions& gco) {
  std::unique_lock lock(mu_);  // alone at Open
  const std::string& uri = dev_.info().uri;
  gco_ = gco;
  if (rec.checkpoint) {
    Status s = table_.DecodeCheckpoint(rec.checkpoint->data);
    if (!s.ok())
      return Status(s.code() == Code::kNotSupported ? s.code() : Code::kCorruption,
                    uri + ": file table checkpoint (up to record " +
                        std::to_string(rec.checkpoint->last_seq) + ", in the log zone at " +
                        Hex(rec.checkpoint_at) + "): " + s.message());
    last_seq_ = rec.checkpoint->last_seq;
  }
  for (const LogRecord& r : rec.records) {
    FileTable::Effects fx;
    Status s = table_.Apply(r.type, r.data, &fx);
    if (!s.ok())
      return Status::Corruption(uri + ": file system log record " + std::to_string(r.seq) +
                                " (type " + std::to_string(r.type) + ") at " + Hex(r.at) + ": " +
                                s.message());
    last_seq_ = r.seq;
  }
  // Every extent inside the data zones, within one zone, on no other's
  // blocks; the engine checks them against the write pointers.
  struct Owned {
    Extent e;
    uint64_t id;
  };
  std::vector<Owned> all;
  const uint64_t zs = dev_.info().zone_size;
  const uint64_t lo = uint64_t(config_.data_first) * zs, hi = dev_.info().capacity_bytes();
  for (const auto& [id, f] : table_.files()) {
    for (const Extent& e : f->extents) {
      if (e.offset < lo || e.end() > hi || e.offset / zs != (e.end() - 1) / zs)
        return Status::Corruption(uri + ": file " + std::to_string(id) + " extent " +
                                  Hex(e.offset) + "+" + Hex(e.length) +
                                  " is outside the data zones or spans zones");
      all.push_back({e, id});
    }
  }
  std::sort(all.begin(), all.end(),
            [](const Owned& a, const Owned& b) { return a.e.offset < b.e.offset; });
  std::vector<Extent> live;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i && all[i - 1].e.end() > all[i].e.offset)
      return Status::Corruption(uri + ": files " + std::to_string(all[i - 1].id) + " and " +
                                std::to_string(all[i].id) + " share device bytes at " +
                                Hex(all[i].e.offset));
    live.push_back(all[i].e);
    live_bytes_ += all[i].e.length;
  }
  auto gc = GcEngine::Resume(dev_, *this, gco, live);
  if (!gc.ok()) {
    const Status& s = gc.status();
    return s.code() == Code::kInvalidArgument
               ? Status::Corruption(uri +
                                    ": file system extents do not match the device: " + s.message())
               : s;
  }
  gc_ = std::move(*gc);
  return Status::OK();
}

Status ZoneFsImpl::Prepare() {
  std::lock_guard lock(prepare_mu_);
  if (prepared_) return Status::OK();
  ZGC_RETURN_IF_ERROR(Failed());
  ZGC_RETURN_IF_ERROR(Poison(log_->Repair()));
  ZGC_RETURN_IF_ERROR(Poison(gc_->Repair()));
  if (options_.background_gc) ZGC_RETURN_IF_ERROR(Poison(gc_->Start()));
  prepared_ = true;
  return Status::OK();
}

Status ZoneFsImpl::Failed() const {
  std::lock_guard lock(fail_mu_);
  return failed_;
}

Status ZoneFsImpl::Poison(Status s) {
  if (s.ok() || s.code() == Code::kNoSpace) return s;
  bool first = false;
  {
    std::lock_guard lock(fail_mu_);
    if (failed_.ok()) {
      first = true;
      failed_ = Status(s.code(), dev_.info().uri +
                                     ": zgc file system refuses changes after an error (reopen "
                                     "it to recover): " +
                                     s.message());
    }
  }
  if (first && gc_) gc_->Pause();
  return s;
}

Status ZoneFsImpl::Close() {
  std::lock_guard lock(prepare_mu_);
  if (closed_) return Status::OK();
  closed_ = true;
  if (!prepared_) return Status::OK();  // never changed: writes nothing
  Status s = gc_->Stop();
  ZGC_RETURN_IF_ERROR(Failed());
  ZGC_RETURN_IF_ERROR(Poison(log_->Sync()));
  ZGC_RETURN_IF_ERROR(Poison(log_->Checkpoint()));
  return s;
}

// ---------------------------------------------------------------------------
// The table's changes.

void ZoneFsImpl::Invalidate(const Extent& e) {
  live_bytes_ -= e.length;
  (void)Poison(gc_->OnInvalidate(e));
  {
    std::lock_guard lock(space_mu_);
    ++released_;
  }
  space_cv_.notify_all();
}

uint64_t ZoneFsImpl::PendingBytesLocked() const {
  uint64_t n = 0;
  for (const auto& f : zombies_) n += f->device_bytes();
  if (!compaction_threads_.count(std::this_thread::get_id()))
    for (const auto& f : compacting_) n += f->device_bytes();
  return n;
}

void ZoneFsImpl::SetCompacting(const std::vector<std::string>& names, bool on) {
  {
    std::unique_lock lock(mu_);
    for (const std::string& name : names) {
      auto node = table_.Find(NormalizePath(name));
      if (!node) continue;
      if (on)
        compacting_.insert(node);
      else
        compacting_.erase(node);
    }
    // RocksDB calls OnCompactionBegin and OnCompactionCompleted on the
    // compaction's thread: a writer on it never waits for compactions.
    const auto self = std::this_thread::get_id();
    if (on) {
      compaction_threads_.insert(self);
    } else if (auto it = compaction_threads_.find(self); it != compaction_threads_.end()) {
      compaction_threads_.erase(it);
    }
    // A compaction's deleted inputs are no longer its business.
    std::erase_if(compacting_, [](const auto& f) { return f->deleted || f->extents.empty(); });
    compacting_count_ = compacting_.size();
  }
  ReviewDeferral();
}

void ZoneFsImpl::HoldForReview() {
  if (!compacting_count_) return;
  std::lock_guard review(defer_mu_);
  if (deferred_) return;
  gc_->Pause();
  deferred_ = true;
}

void ZoneFsImpl::ReviewDeferral() {
  std::lock_guard review(defer_mu_);
  if (!compacting_count_ && !deferred_) return;
  bool running;
  {
    std::lock_guard lock(prepare_mu_);
    running = prepared_ && !closed_ && options_.background_gc;
  }
  bool hold = false;
  if (running && Failed().ok()) {
    auto victim = gc_->PeekVictim();
    if (victim.ok()) {
      const uint64_t zs = dev_.info().zone_size;
      std::shared_lock lock(mu_);
      for (const auto& f : compacting_)
        for (const Extent& e : f->extents) hold = hold || e.offset / zs == *victim;
    }
  }
  if (hold) {
    if (!holding_) ++deferrals_;
    holding_ = true;
    if (!deferred_) gc_->Pause();
    deferred_ = true;
  } else {
    holding_ = false;
    if (deferred_ && Failed().ok()) gc_->Resume();
    deferred_ = false;
  }
}

// A compaction's input dies when the compaction ends: "now" is as close as
// the engine's clock (user bytes written) can say, and puts it with the
// shortest-lived GC data should a writer's collection move it.
uint64_t ZoneFsImpl::DiesAt(const Extent& x) {
  std::shared_lock lock(mu_);
  for (const auto& f : compacting_)
    for (const Extent& e : f->extents)
      if (e.offset < x.end() && x.offset < e.end())
        return std::max<uint64_t>(1, gc_->Stats().user_bytes);
  return 0;
}

Status ZoneFsImpl::Throttle() {
  if (options_.slowdown_free_share <= 0) return Status::OK();
  auto max = GcEngine::MaxLiveBytes(dev_, gco_);
  if (!max.ok()) return Status::OK();
  const double slow = options_.slowdown_free_share * double(*max), stop = slow / 2;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto limit = std::chrono::milliseconds(options_.stall_timeout_ms);
  Status s;
  for (bool first = true;; first = false) {
    double free;
    {
      std::shared_lock lock(mu_);
      free = double(*max) - double(live_bytes_);
    }
    if (free >= slow || (free >= stop && !first)) break;
    if (free < stop && Clock::now() - start >= limit) {
      // The last of the space is kept for compactions (whose outputs need
      // room before their inputs die) and for recovery (a reopen flushes
      // the WAL): the DB stops with a clean NoSpace and can be reopened.
      ++no_space_;
      s = Status::NoSpace(dev_.info().uri + ": zgc file system: " +
                          std::to_string(static_cast<uint64_t>(std::max(free, 0.0))) +
                          " bytes free, below the " + std::to_string(static_cast<uint64_t>(stop)) +
                          " kept for compactions and recovery; nothing was let go in " +
                          std::to_string(options_.stall_timeout_ms) + " ms");
      break;
    }
    // Between the two marks, a delay growing to 20 ms per buffer as free
    // space falls; below the lower one, wait until space is let go.
    const auto wait =
        free >= stop
            ? std::chrono::microseconds(static_cast<int64_t>(20000 * (slow - free) / (slow - stop)))
            : std::chrono::microseconds(20000);
    if (first) ++stalls_;
    std::unique_lock lock(space_mu_);
    const uint64_t seen = released_;
    space_cv_.wait_for(lock, wait, [&] { return released_ != seen; });
  }
  stall_us_ += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
  return s;
}

Status ZoneFsImpl::MakeRoom(uint64_t n) {
  using Clock = std::chrono::steady_clock;
  const auto timeout = std::chrono::milliseconds(options_.stall_timeout_ms);
  // With nothing on its way a writer still waits this long: RocksDB deletes
  // a compaction's inputs just after it installs the outputs, and another
  // job's write may land in between.
  const auto grace = std::min<Clock::duration>(timeout, std::chrono::milliseconds(100));
  const auto start = Clock::now();
  auto since = start;  // the last release seen (or the start)
  uint64_t seen;
  {
    std::lock_guard lock(space_mu_);
    seen = released_;
  }
  bool stalled = false;
  Status s;
  for (auto wait = std::chrono::milliseconds(1);; wait = std::min(2 * wait, decltype(wait)(100))) {
    s = gc_->Reserve(n);
    if (s.code() != Code::kNoSpace) break;
    uint64_t pending;
    {
      std::shared_lock lock(mu_);
      pending = PendingBytesLocked();
    }
    const auto now = Clock::now();
    if (now - since >= (pending ? timeout : grace)) break;
    stalled = true;
    std::unique_lock lock(space_mu_);
    space_cv_.wait_for(lock, wait, [&] { return released_ != seen; });
    if (released_ != seen) seen = released_, since = Clock::now();
  }
  if (stalled) {
    ++stalls_;
    stall_us_ += static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
  }
  if (s.code() == Code::kNoSpace) {
    ++no_space_;
    return s.WithContext(
        "zgc file system: nothing reclaimable after waiting " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()) +
        " ms");
  }
  return Poison(s);
}

void ZoneFsImpl::LetGo(FileTable::Effects& fx) {
  for (const Extent& e : fx.freed) Invalidate(e);
  for (auto& node : fx.dropped) {
    if (node->handles) {
      zombies_.insert(node);
      continue;
    }
    for (const Extent& e : node->extents) Invalidate(e);
    node->extents.clear();
  }
}

Status ZoneFsImpl::Commit(uint8_t type, std::vector<std::byte> payload, FileNode* node) {
  FileTable::Effects fx;
  Status s = table_.Apply(type, payload, &fx);
  if (!s.ok())
    return Status::Internal("zgc file system: a record it made does not apply: " + s.message());
  auto seq = log_->Append(type, payload);
  LetGo(fx);
  if (!seq.ok()) return Poison(seq.status());
  last_seq_ = *seq;
  if (node) node->last_seq = *seq;
  return Status::OK();
}

Status ZoneFsImpl::SyncLog() {
  ZGC_RETURN_IF_ERROR(Failed());
  if (!prepared_) {
    std::lock_guard lock(prepare_mu_);
    if (!prepared_) return Status::OK();  // nothing changed since Open
  }
  return Poison(log_->Sync());
}

void ZoneFsImpl::ReleaseHandle(const std::shared_ptr<FileNode>& node) {
  std::unique_lock lock(mu_);
  if (--node->handles || !node->deleted) return;
  if (zombies_.erase(node)) {
    for (const Extent& e : node->extents) Invalidate(e);
    node->extents.clear();
  }
}

Result<std::shared_ptr<FileNode>> ZoneFsImpl::CreateFile(const std::string& name,
                                                         Lifetime lifetime) {
  ZGC_RETURN_IF_ERROR(Failed());
  ZGC_RETURN_IF_ERROR(Prepare());
  std::unique_lock lock(mu_);
  if (!DirExistsLocked(Parent(name)))
    return Status::NotFound("zgc file system: no directory " + Parent(name) + " for " + name);
  if (table_.dirs().count(name))
    return Status::InvalidArgument("zgc file system: " + name + " is a directory");
  const uint64_t id = table_.NextId();
  ZGC_RETURN_IF_ERROR(Commit(kCreate, FileTable::EncodeCreate(id, Now(), lifetime, name), nullptr));
  auto node = table_.Find(name);
  node->last_seq = last_seq_;
  node->handles = 1;
  node->writing = true;
  return node;
}

bool ZoneFsImpl::DirExistsLocked(const std::string& dir) const {
  if (dir.empty() || dir == "/" || table_.dirs().count(dir)) return true;
  // A directory is also implied by the files under it.
  auto it = table_.names().lower_bound(dir + "/");
  return it != table_.names().end() && it->first.compare(0, dir.size() + 1, dir + "/") == 0;
}

// ---------------------------------------------------------------------------
// rocksdb::FileSystem.

IOStatus ZoneFsImpl::NewSequentialFile(const std::string& fname, const rocksdb::FileOptions&,
                                       std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                       rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::unique_lock lock(mu_);
    auto node = table_.Find(name);
    if (!node) return IOStatus::PathNotFound("zgc: no file " + name);
    ++node->handles;
    *result = std::make_unique<ZoneSequentialFile>(this, node);
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::NewRandomAccessFile(const std::string& fname, const rocksdb::FileOptions&,
                                         std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                         rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::unique_lock lock(mu_);
    auto node = table_.Find(name);
    if (!node) return IOStatus::PathNotFound("zgc: no file " + name);
    ++node->handles;
    *result = std::make_unique<ZoneRandomAccessFile>(this, node);
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::NewWritableFile(const std::string& fname, const rocksdb::FileOptions&,
                                     std::unique_ptr<rocksdb::FSWritableFile>* result,
                                     rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    auto node = CreateFile(name, LifetimeFor(name, rocksdb::Env::WLTH_NOT_SET));
    if (!node.ok()) return ToIOStatus(node.status());
    // The WAL is the foreground's: its writes are the ones to slow.
    (*node)->foreground = name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
    *result = std::make_unique<ZoneWritableFile>(this, *node);
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSWritableFile>* result,
                                        rocksdb::IODebugContext* dbg) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::shared_ptr<FileNode> node;
    {
      std::unique_lock lock(mu_);
      node = table_.Find(name);
      if (node) {
        if (node->writing) return IOStatus::Busy("zgc: " + name + " is open for writing");
        ++node->handles;
      }
    }
    if (!node) return NewWritableFile(fname, o, result, dbg);
    Status s = Prepare();
    if (s.ok()) {
      // The writer continues from the last whole block: the tail block's
      // bytes are read back into its buffer, and its next write rewrites it.
      const uint64_t size = node->logical_size;
      const uint64_t start = size / blk_ * blk_;
      std::string tail(size - start, '\0');
      if (!tail.empty()) {
        auto n = ReadAt(*node, start, tail.size(), tail.data());
        s = n.ok() ? Status::OK() : n.status();
      }
      if (s.ok()) {
        std::lock_guard w(node->wmu);
        std::unique_lock lock(mu_);
        node->buf_start = start;
        node->buf = std::move(tail);
        node->dirty = false;
        node->writing = true;
      }
    }
    if (!s.ok()) {
      ReleaseHandle(node);
      return ToIOStatus(s);
    }
    *result = std::make_unique<ZoneWritableFile>(this, node);
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                       const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) {
  // Zones are not overwritten in place: reuse is a delete and a new file.
  IOStatus s = DeleteFile(old_fname, o.io_options, dbg);
  if (!s.ok() && !s.IsPathNotFound()) return s;
  return NewWritableFile(fname, o, result, dbg);
}

IOStatus ZoneFsImpl::NewRandomRWFile(const std::string&, const rocksdb::FileOptions&,
                                     std::unique_ptr<rocksdb::FSRandomRWFile>*,
                                     rocksdb::IODebugContext*) {
  return IOStatus::NotSupported("zgc: random read-write files (zones are written in order)");
}

IOStatus ZoneFsImpl::NewDirectory(const std::string&, const rocksdb::IOOptions&,
                                  std::unique_ptr<rocksdb::FSDirectory>* result,
                                  rocksdb::IODebugContext*) {
  return Guarded([&] {
    *result = std::make_unique<ZoneDirectory>(this);
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::FileExists(const std::string& fname, const rocksdb::IOOptions&,
                                rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::shared_lock lock(mu_);
    if (table_.Find(name) || table_.dirs().count(name)) return IOStatus::OK();
    return IOStatus::NotFound("zgc: no file " + name);
  });
}

IOStatus ZoneFsImpl::GetChildren(const std::string& dir, const rocksdb::IOOptions&,
                                 std::vector<std::string>* result, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string d = NormalizePath(dir);
    const std::string prefix = d == "/" ? "/" : d + "/";
    std::shared_lock lock(mu_);
    if (!DirExistsLocked(d)) return IOStatus::PathNotFound("zgc: no directory " + d);
    std::set<std::string> children;
    auto add = [&](const std::string& path) {
      if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix)) return;
      const std::string rest = path.substr(prefix.size());
      children.insert(rest.substr(0, rest.find('/')));
    };
    for (auto it = table_.names().lower_bound(prefix);
         it != table_.names().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      add(it->first);
    for (const std::string& sub : table_.dirs()) add(sub);
    result->assign(children.begin(), children.end());
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::DeleteFile(const std::string& fname, const rocksdb::IOOptions&,
                                rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    Status s = Failed();
    if (s.ok()) s = Prepare();
    if (!s.ok()) return ToIOStatus(s);
    // The deletion may make a zone holding a compaction's inputs the next
    // victim: the background GC waits while that is decided.
    HoldForReview();
    std::unique_lock lock(mu_);
    if (!table_.Find(name)) {
      lock.unlock();
      ReviewDeferral();
      return IOStatus::PathNotFound("zgc: no file " + name);
    }
    s = Commit(kDelete, FileTable::EncodeName(name), nullptr);
    lock.unlock();
    ReviewDeferral();
    return ToIOStatus(s);
  });
}

IOStatus ZoneFsImpl::CreateDir(const std::string& dirname, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) {
  return Guarded([&] {
    const std::string name = NormalizePath(dirname);
    {
      std::shared_lock lock(mu_);
      if (DirExistsLocked(name)) return IOStatus::IOError("zgc: " + name + " exists");
    }
    return CreateDirIfMissing(dirname, o, dbg);
  });
}

IOStatus ZoneFsImpl::CreateDirIfMissing(const std::string& dirname, const rocksdb::IOOptions&,
                                        rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(dirname);
    {
      std::shared_lock lock(mu_);
      if (table_.Find(name)) return IOStatus::IOError("zgc: " + name + " is a file");
      if (table_.dirs().count(name) || name == "/") return IOStatus::OK();
    }
    Status s = Failed();
    if (s.ok()) s = Prepare();
    if (!s.ok()) return ToIOStatus(s);
    std::unique_lock lock(mu_);
    if (table_.dirs().count(name)) return IOStatus::OK();
    return ToIOStatus(Commit(kMkdir, FileTable::EncodeName(name), nullptr));
  });
}

IOStatus ZoneFsImpl::DeleteDir(const std::string& dirname, const rocksdb::IOOptions&,
                               rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(dirname);
    Status s = Failed();
    if (s.ok()) s = Prepare();
    if (!s.ok()) return ToIOStatus(s);
    std::unique_lock lock(mu_);
    auto it = table_.names().lower_bound(name + "/");
    if (it != table_.names().end() && it->first.compare(0, name.size() + 1, name + "/") == 0)
      return IOStatus::IOError("zgc: directory " + name + " is not empty");
    if (!table_.dirs().count(name)) return IOStatus::PathNotFound("zgc: no directory " + name);
    return ToIOStatus(Commit(kRmdir, FileTable::EncodeName(name), nullptr));
  });
}

IOStatus ZoneFsImpl::GetFileSize(const std::string& fname, const rocksdb::IOOptions&,
                                 uint64_t* size, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::shared_lock lock(mu_);
    auto node = table_.Find(name);
    if (!node) return IOStatus::PathNotFound("zgc: no file " + name);
    *size = node->logical_size;
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::GetFileModificationTime(const std::string& fname, const rocksdb::IOOptions&,
                                             uint64_t* mtime, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::shared_lock lock(mu_);
    auto node = table_.Find(name);
    if (!node) return IOStatus::PathNotFound("zgc: no file " + name);
    *mtime = node->mtime;
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::RenameFile(const std::string& src, const std::string& target,
                                const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string from = NormalizePath(src), to = NormalizePath(target);
    Status s = Failed();
    if (s.ok()) s = Prepare();
    if (!s.ok()) return ToIOStatus(s);
    std::unique_lock lock(mu_);
    if (!table_.Find(from)) return IOStatus::PathNotFound("zgc: no file " + from);
    if (table_.dirs().count(to)) return IOStatus::IOError("zgc: " + to + " is a directory");
    return ToIOStatus(Commit(kRename, FileTable::EncodeNames(from, to), nullptr));
  });
}

IOStatus ZoneFsImpl::LinkFile(const std::string& src, const std::string& target,
                              const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string from = NormalizePath(src), to = NormalizePath(target);
    Status s = Failed();
    if (s.ok()) s = Prepare();
    if (!s.ok()) return ToIOStatus(s);
    std::unique_lock lock(mu_);
    if (!table_.Find(from)) return IOStatus::PathNotFound("zgc: no file " + from);
    if (table_.Find(to) || table_.dirs().count(to))
      return IOStatus::IOError("zgc: link target " + to + " exists");
    return ToIOStatus(Commit(kLink, FileTable::EncodeNames(from, to), nullptr));
  });
}

IOStatus ZoneFsImpl::NumFileLinks(const std::string& fname, const rocksdb::IOOptions&,
                                  uint64_t* count, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::shared_lock lock(mu_);
    auto node = table_.Find(name);
    if (!node) return IOStatus::PathNotFound("zgc: no file " + name);
    *count = node->links;
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::AreFilesSame(const std::string& first, const std::string& second,
                                  const rocksdb::IOOptions&, bool* same, rocksdb::IODebugContext*) {
  return Guarded([&] {
    std::shared_lock lock(mu_);
    auto a = table_.Find(NormalizePath(first)), b = table_.Find(NormalizePath(second));
    if (!a || !b) return IOStatus::PathNotFound("zgc: no file " + (a ? second : first));
    *same = a == b;
    return IOStatus::OK();
  });
}

// Locks are the process's: the device belongs to one process at a time.
IOStatus ZoneFsImpl::LockFile(const std::string& fname, const rocksdb::IOOptions&,
                              rocksdb::FileLock** lock, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    std::unique_lock l(mu_);
    if (!locks_.insert(name).second)
      return IOStatus::IOError("zgc: lock " + name + " is held (by this process)");
    *lock = new ZoneFileLock(name);
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions&,
                                rocksdb::IODebugContext*) {
  return Guarded([&] {
    auto* l = static_cast<ZoneFileLock*>(lock);
    {
      std::unique_lock m(mu_);
      locks_.erase(l->name);
    }
    delete l;
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::GetTestDirectory(const rocksdb::IOOptions& o, std::string* path,
                                      rocksdb::IODebugContext* dbg) {
  *path = "/zgc-test";
  return CreateDirIfMissing(*path, o, dbg);
}

IOStatus ZoneFsImpl::GetAbsolutePath(const std::string& db_path, const rocksdb::IOOptions&,
                                     std::string* output_path, rocksdb::IODebugContext*) {
  return Guarded([&] {
    *output_path = NormalizePath(db_path);
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::IsDirectory(const std::string& path, const rocksdb::IOOptions&, bool* is_dir,
                                 rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(path);
    std::shared_lock lock(mu_);
    if (table_.Find(name)) {
      *is_dir = false;
      return IOStatus::OK();
    }
    if (!DirExistsLocked(name)) return IOStatus::PathNotFound("zgc: no " + name);
    *is_dir = true;
    return IOStatus::OK();
  });
}

// Free space counts what GC can reclaim: what the engine can keep live
// (capacity less its reserve and working zone) less what files hold.
IOStatus ZoneFsImpl::GetFreeSpace(const std::string&, const rocksdb::IOOptions&, uint64_t* diskfree,
                                  rocksdb::IODebugContext*) {
  return Guarded([&] {
    auto max = GcEngine::MaxLiveBytes(dev_, gco_);
    if (!max.ok()) return ToIOStatus(max.status());
    std::shared_lock lock(mu_);
    *diskfree = *max > live_bytes_ ? *max - live_bytes_ : 0;
    return IOStatus::OK();
  });
}

IOStatus ZoneFsImpl::NewLogger(const std::string& fname, const rocksdb::IOOptions&,
                               std::shared_ptr<rocksdb::Logger>* result, rocksdb::IODebugContext*) {
  return Guarded([&] {
    const std::string name = NormalizePath(fname);
    auto node = CreateFile(name, Lifetime::kLong);
    if (!node.ok()) return ToIOStatus(node.status());
    *result = std::make_shared<ZoneLogger>(this, *node);
    return IOStatus::OK();
  });
}

// ---------------------------------------------------------------------------
// The GC and log owner.

Result<std::vector<bool>> ZoneFsImpl::Relocate(std::span<const Move> moves) {
  ZGC_RETURN_IF_ERROR(Failed());
  std::vector<bool> ok(moves.size(), true);
  if (moves.empty()) return ok;
  std::vector<Move> sorted(moves.begin(), moves.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const Move& a, const Move& b) { return a.from.offset < b.from.offset; });
  const uint64_t zs = dev_.info().zone_size;
  // Where a device byte range now is: pieces of the moved parts at their
  // new places, the rest where it was.
  auto remap = [&](const Extent& e, std::vector<Extent>* out) {
    bool changed = false;
    uint64_t at = e.offset;
    auto it = std::upper_bound(sorted.begin(), sorted.end(), at,
                               [](uint64_t v, const Move& m) { return v < m.from.offset; });
    if (it != sorted.begin()) --it;
    auto push = [&](Extent p) {
      if (!out->empty() && out->back().end() == p.offset && p.offset % zs)
        out->back().length += p.length;
      else
        out->push_back(p);
    };
    for (; at < e.end(); ++it) {
      if (it == sorted.end() || it->from.offset >= e.end()) {
        push({at, e.end() - at});
        break;
      }
      if (it->from.end() <= at) continue;
      if (it->from.offset > at) push({at, it->from.offset - at}), at = it->from.offset;
      const uint64_t end = std::min(e.end(), it->from.end());
      push({it->to + (at - it->from.offset), end - at});
      changed = true;
      at = end;
    }
    return changed;
  };
  {
    std::unique_lock lock(mu_);
    auto move_file = [&](FileNode& f, bool record) -> Status {
      std::vector<Extent> next;
      bool changed = false;
      for (const Extent& e : f.extents) changed |= remap(e, &next);
      if (!changed) return Status::OK();
      f.extents = std::move(next);
      if (!record) return Status::OK();
      // A record with keep 0 and every extent: the file's new places.
      auto payload = FileTable::EncodeExtents(f.id, f.size, f.mtime, 0, f.extents);
      auto seq = log_->Append(kExtents, payload);
      if (!seq.ok()) return Poison(seq.status());
      last_seq_ = f.last_seq = *seq;
      return Status::OK();
    };
    for (const auto& [id, f] : table_.files()) ZGC_RETURN_IF_ERROR(move_file(*f, true));
    for (const auto& f : zombies_) ZGC_RETURN_IF_ERROR(move_file(*f, false));
  }
  // Durable before the victim may be reset (the log flushes the copies
  // before it writes the records).
  IoPhaseScope phase(IoPhase::kRelocate);
  ZGC_RETURN_IF_ERROR(Poison(log_->Sync()));
  return ok;
}

Status ZoneFsImpl::BeforeReset(uint32_t) {
  ZGC_RETURN_IF_ERROR(Failed());
  // Deletions and tail rewrites that let the zone's data go are durable
  // before it is reset; the exclusive lock waits for reads inside it.
  ZGC_RETURN_IF_ERROR(Poison(log_->Sync()));
  std::unique_lock lock(mu_);
  return Status::OK();
}

Result<LogSnapshot> ZoneFsImpl::Snapshot() {
  std::shared_lock lock(mu_);
  LogSnapshot s;
  s.last_seq = last_seq_;
  s.data = table_.EncodeCheckpoint();
  return s;
}

Status ZoneFsImpl::CollectOnce() {
  ZGC_RETURN_IF_ERROR(Failed());
  ZGC_RETURN_IF_ERROR(Prepare());
  return gc_->CollectOnce();
}

std::vector<ZoneFileInfo> ZoneFsImpl::ListFiles() const {
  std::shared_lock lock(mu_);
  std::map<uint64_t, ZoneFileInfo> by_id;
  for (const auto& [id, f] : table_.files()) {
    ZoneFileInfo& i = by_id[id];
    i.id = id;
    i.size = f->logical_size;
    i.mtime = f->mtime;
    i.lifetime = f->lifetime;
    i.extents = f->extents;
  }
  for (const auto& [name, id] : table_.names()) by_id[id].names.push_back(name);
  std::vector<ZoneFileInfo> out;
  for (auto& [id, i] : by_id) out.push_back(std::move(i));
  return out;
}

std::vector<std::string> ZoneFsImpl::ListDirs() const {
  std::shared_lock lock(mu_);
  return {table_.dirs().begin(), table_.dirs().end()};
}

GcKnobs ZoneFsImpl::Knobs() const {
  return GcKnobs::Resolved(gco_, options_.background_gc, options_.stall_timeout_ms);
}

ZoneFsStats ZoneFsImpl::Stats() const {
  ZoneFsStats s;
  s.gc = gc_->Stats();
  s.log = log_->Stats();
  s.data_zones = dev_.info().nr_zones - config_.data_first;
  auto max = GcEngine::MaxLiveBytes(dev_, gco_);
  s.max_live_bytes = max.ok() ? *max : 0;
  s.stalls = stalls_;
  s.stall_seconds = double(stall_us_) / 1e6;
  s.no_space_errors = no_space_;
  s.deferrals = deferrals_;
  auto zones = dev_.ReportAllZones();
  std::shared_lock lock(mu_);
  if (zones.ok()) {
    uint64_t written = 0;
    for (uint32_t z = config_.data_first; z < zones->size(); ++z) {
      const Zone& zone = (*zones)[z];
      if (!zone.sequential()) continue;
      written += zone.cond == ZoneCondition::kFull ? zone.capacity : zone.wp - zone.start;
    }
    s.reclaimable_bytes = written > live_bytes_ ? written - live_bytes_ : 0;
  }
  s.compacting_files = compacting_.size();
  s.files = table_.files().size();
  s.live_bytes = live_bytes_;
  for (const auto& [id, f] : table_.files()) s.logical_bytes += f->logical_size;
  return s;
}

Status ZoneFsImpl::Check() {
  std::shared_lock lock(mu_);
  ZGC_ASSIGN_OR_RETURN(std::vector<Zone> zones, dev_.ReportAllZones());
  std::vector<uint64_t> per_zone(zones.size());
  std::vector<Extent> all;
  const uint64_t zs = dev_.info().zone_size;
  auto check = [&](const FileNode& f) -> Status {
    for (const Extent& e : f.extents) {
      const uint64_t z = e.offset / zs;
      auto bad = [&](const std::string& why) {
        return Status::Corruption(dev_.info().uri + ": fsck: file " + std::to_string(f.id) +
                                  " extent " + Hex(e.offset) + "+" + Hex(e.length) + ": " + why);
      };
      if (z < config_.data_first || z >= zones.size() || (e.end() - 1) / zs != z)
        return bad("outside the data zones or across zones");
      const Zone& zone = zones[z];
      const uint64_t written =
          zone.cond == ZoneCondition::kFull ? zone.start + zone.capacity : zone.wp;
      if (e.end() > written) return bad("past its zone's write pointer " + Hex(written));
      per_zone[z] += e.length;
      all.push_back(e);
    }
    return Status::OK();
  };
  for (const auto& [id, f] : table_.files()) ZGC_RETURN_IF_ERROR(check(*f));
  for (const auto& f : zombies_) ZGC_RETURN_IF_ERROR(check(*f));
  std::sort(all.begin(), all.end(),
            [](const Extent& a, const Extent& b) { return a.offset < b.offset; });
  for (size_t i = 1; i < all.size(); ++i)
    if (all[i - 1].end() > all[i].offset)
      return Status::Corruption(dev_.info().uri + ": fsck: two extents share " +
                                Hex(all[i].offset));
  for (uint32_t z = config_.data_first; z < zones.size(); ++z)
    if (gc_->LiveBytes(z) != per_zone[z])
      return Status::Corruption(dev_.info().uri + ": fsck: zone " + std::to_string(z) +
                                ": the engine counts " + std::to_string(gc_->LiveBytes(z)) +
                                " live bytes, the files " + std::to_string(per_zone[z]));
  return Status::OK();
}

}  // namespace zgc::rocksdb_plugin
