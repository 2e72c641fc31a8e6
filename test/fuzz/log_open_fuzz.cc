// MetaLog::Open and Volume::Open, read-only, on a device image of a
// formatted log or volume whose zones the input rewrites (docs/FORMAT.md
// sections 2 and 3): what a damaged or hostile device holds.
//
// Input (layout in log_fuzz.h, OpenSetup and ZoneMode):
//   setup byte: a bare log or a volume, 512- or 4096-byte blocks, the
//     workload run before the image is rewritten, the log's first zone and
//     checkpoint bound. The device is small (8 or 12 zones of 64 KiB), so
//     everything Open may size is bounded by it.
//   then per device zone, in order: a control byte (keep, empty, write
//     blocks from the input and leave the zone open, closed or full), for a
//     written zone a block count byte and the blocks. A fix-up bit makes
//     the written superblock copies, zone header and records' checksums and
//     format ids right (the format id is random at each Format).
// Invariants: Open returns OK or kCorruption / kNotSupported naming the
// device; it writes nothing (the device's data and zone states are the same
// after); what it recovers is consistent (records in sequence after the
// checkpoint, owner types, inside the log's zones) and the same when opened
// again. A volume that opens passes Check or fails it saying why, reads
// whole (or says why not), refuses writes and closes without writing.
// With setup bit 6, what opened is then opened for writing: a log takes a
// record, a volume a block (and a flush), and the next open finds what was
// there before and the new record or block.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "test/fuzz/fuzz_check.h"
#include "test/fuzz/log_fuzz.h"
#include "zgc/device.h"
#include "zgc/log.h"
#include "zgc/volume.h"

namespace lf = zgc::log_format;
using zgc::fuzz::CheckFailure;
using zgc::fuzz::CheckStatus;

namespace {

bool Verbose() {
  static const bool v = std::getenv("ZGC_FUZZ_VERBOSE") != nullptr;
  return v;
}

// The device's data and zone states (kept in buffers reused from run to
// run: fresh half-megabyte vectors made page faults most of a run's time).
struct Image {
  std::vector<std::byte> data;
  std::vector<zgc::Zone> zones;
  void Take(zgc::ZonedDevice& d) {
    data.resize(d.info().capacity_bytes());
    const zgc::Status s = d.Read(0, data);
    FUZZ_CHECK_MSG(s.ok(), s.ToString());
    auto z = d.ReportAllZones();
    FUZZ_CHECK_MSG(z.ok(), z.status().ToString());
    zones = std::move(*z);
  }
  // memcmp: a byte loop here is instrumented for coverage, a compare a byte.
  bool operator==(const Image& o) const {
    return data.size() == o.data.size() && zones == o.zones &&
           std::memcmp(data.data(), o.data.data(), data.size()) == 0;
  }
};

// One device per geometry, reset at the start of each run (a new one each
// run cost its zeroed memory's page faults).
zgc::ZonedDevice& Device(const std::string& uri) {
  static std::map<std::string, std::unique_ptr<zgc::ZonedDevice>> devices;
  auto& dev = devices[uri];
  if (!dev) {
    auto opened = zgc::OpenDevice(uri);
    FUZZ_CHECK_MSG(opened.ok(), opened.status().ToString());
    dev = std::move(*opened);
  }
  const zgc::Status s = dev->ResetAll();
  FUZZ_CHECK_MSG(s.ok(), s.ToString());
  return *dev;
}

#define FUZZ_OK(expr)                                    \
  do {                                                   \
    const zgc::Status s_ = (expr);                       \
    FUZZ_CHECK_MSG(s_.ok(), #expr ": " + s_.ToString()); \
  } while (0)

// Rewrites the zones as the input says.
void Rewrite(zgc::ZonedDevice& dev, zgc::fuzz::Reader& in, const zgc::fuzz::OpenSetup& setup,
             uint32_t log_first, uint64_t format_id) {
  const zgc::DeviceInfo& info = dev.info();
  const uint32_t lbs = info.logical_block_size;
  for (uint32_t i = 0; i < info.nr_zones && in.size() > 0; ++i) {
    const uint8_t ctl = in.Byte();
    const int mode = ctl & 3;
    if (mode == zgc::fuzz::kKeep) continue;
    const uint64_t start = uint64_t(i) * info.zone_size;
    auto zone = dev.ReportZone(start);
    FUZZ_CHECK_MSG(zone.ok(), zone.status().ToString());
    const uint64_t max_blocks = zone->capacity / lbs;
    std::vector<std::byte> buf;
    if (mode != zgc::fuzz::kEmpty && (ctl & 16)) {
      // Patched: the zone's own blocks (a full zone's all), perhaps fewer,
      // with input bytes over them.
      const uint64_t had = zone->cond == zgc::ZoneCondition::kFull    ? max_blocks
                           : zone->cond == zgc::ZoneCondition::kEmpty ? 0
                                                                      : (zone->wp - start) / lbs;
      const uint8_t keep = in.Byte();
      const uint64_t n = keep ? std::min<uint64_t>(had, keep) : had;
      buf.resize(n * lbs);
      if (n) FUZZ_OK(dev.Read(start, buf));
      const size_t at = size_t(in.Byte() | in.Byte() << 8) * 8;
      const std::string_view rest = in.Rest();
      const size_t len = std::min<size_t>(in.Byte(), rest.size() ? rest.size() - 1 : 0);
      if (at < buf.size())
        zgc::fuzz::CopyPrefix(buf.data() + at, std::min(len, buf.size() - at), in.Rest());
      for (size_t k = 0; k < len; ++k) in.Byte();
    } else if (mode != zgc::fuzz::kEmpty) {
      const uint64_t n = in.Byte() % (max_blocks + 1);
      buf.resize(n * lbs);
      zgc::fuzz::CopyPrefix(buf.data(), buf.size(), in.Rest());
      for (size_t k = 0; k < buf.size() && in.size() > 0; ++k) in.Byte();
    }
    if (zone->cond != zgc::ZoneCondition::kEmpty) FUZZ_OK(dev.ResetZone(start));
    if (mode == zgc::fuzz::kEmpty) continue;
    const uint64_t n = buf.size() / lbs;
    if (ctl & 4) {
      const std::span<std::byte> b(buf);
      const size_t sb = setup.sb_bytes();
      if (i == log_first) {
        if (b.size() >= sb) zgc::fuzz::FixSuperblock(b.first(sb), format_id);
        if (b.size() >= 2 * sb) zgc::fuzz::FixSuperblock(b.subspan(sb, sb), format_id);
      } else if (b.size() >= lbs) {
        zgc::fuzz::FixZoneHeader(b.first(lbs), format_id);
        zgc::fuzz::FixRecordChecksums(b, lbs);
      }
    }
    if (n) FUZZ_OK(dev.Write(start, buf));
    if ((ctl & 8) && n > 0 && n < max_blocks) FUZZ_OK(dev.CloseZone(start));
    if (mode == zgc::fuzz::kWriteFinish && n < max_blocks) FUZZ_OK(dev.FinishZone(start));
  }
  FUZZ_OK(dev.Sync());
}

// A failed open of a damaged image: the codes Open documents for what a
// device holds (kInvalidArgument is for options, which are right here), and
// a message that names the device.
void CheckRefusal(const zgc::Status& s, const zgc::DeviceInfo& info) {
  CheckFailure(s);
  FUZZ_CHECK_MSG(s.code() == zgc::Code::kCorruption || s.code() == zgc::Code::kNotSupported,
                 s.ToString());
  FUZZ_CHECK_MSG(s.message().find(info.uri) != std::string::npos, s.ToString());
}

bool SameRecords(const std::vector<zgc::LogRecord>& a, const std::vector<zgc::LogRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].seq != b[i].seq || a[i].type != b[i].type || a[i].data != b[i].data ||
        a[i].at != b[i].at)
      return false;
  return true;
}

bool SameRecovery(const zgc::LogRecovery& a, const zgc::LogRecovery& b) {
  return a.config == b.config && a.checkpoint.has_value() == b.checkpoint.has_value() &&
         (!a.checkpoint ||
          (a.checkpoint->last_seq == b.checkpoint->last_seq &&
           a.checkpoint->data == b.checkpoint->data && a.checkpoint_at == b.checkpoint_at)) &&
         SameRecords(a.records, b.records) && a.zones == b.zones &&
         a.max_checkpoint_bytes == b.max_checkpoint_bytes && a.torn_tail == b.torn_tail;
}

uint64_t LastSeq(const zgc::LogRecovery& r) {
  return !r.records.empty() ? r.records.back().seq : r.checkpoint ? r.checkpoint->last_seq : 0;
}

// Setup bit 6, after a read-only open that succeeded: the log opened for
// writing recovers the same, takes a record, and the next open finds what
// was recovered (or a checkpoint of the owner's covering it) and the record.
void ContinueLog(zgc::ZonedDevice& dev, const zgc::fuzz::OpenSetup& setup,
                 const zgc::LogRecovery& was) {
  const uint64_t snapshot = std::min<uint64_t>(was.max_checkpoint_bytes, 64);
  zgc::fuzz::FuzzLogOwner owner(snapshot);
  owner.last_seq = LastSeq(was);
  zgc::LogOptions lo;
  lo.first_zone = setup.first_zone;
  uint64_t seq = 0;
  const std::vector<std::byte> payload(24, std::byte{0x77});
  {
    zgc::LogRecovery rec;
    auto log = zgc::MetaLog::Open(dev, lo, owner, &rec);
    FUZZ_CHECK_MSG(log.ok(), "read-write after read-only: " + log.status().ToString());
    FUZZ_CHECK(SameRecovery(rec, was));
    auto appended = (*log)->Append(7, payload);
    FUZZ_CHECK_MSG(appended.ok(), appended.status().ToString());
    seq = *appended;
    FUZZ_CHECK(seq == LastSeq(was) + 1);
    owner.last_seq = seq;
    const zgc::Status synced = (*log)->Sync();
    if (Verbose()) std::fprintf(stderr, "log_open_fuzz: sync: %s\n", synced.ToString().c_str());
    if (!synced.ok()) {
      // A log with no room to roll says so (and a damaged one may have none).
      CheckFailure(synced);
      return;
    }
  }
  zgc::fuzz::FuzzLogOwner unused(0);
  lo.read_only = true;
  zgc::LogRecovery now;
  auto log = zgc::MetaLog::Open(dev, lo, unused, &now);
  FUZZ_CHECK_MSG(log.ok(), "reopen after a sync: " + log.status().ToString());
  FUZZ_CHECK(LastSeq(now) == seq);
  FUZZ_CHECK(now.checkpoint.has_value());
  const auto snap = owner.Snapshot();
  if (now.checkpoint->last_seq == seq) {
    // A checkpoint of the owner's state after the record.
    FUZZ_CHECK(now.checkpoint->data == snap->data);
    FUZZ_CHECK(now.records.empty());
    return;
  }
  // The checkpoint recovered before, its records, and the new one.
  FUZZ_CHECK_MSG(was.checkpoint && now.checkpoint->last_seq == was.checkpoint->last_seq,
                 "checkpoint up to " + std::to_string(now.checkpoint->last_seq));
  FUZZ_CHECK(now.checkpoint->data == was.checkpoint->data);
  FUZZ_CHECK(now.records.size() == was.records.size() + 1);
  for (size_t i = 0; i < was.records.size(); ++i)
    FUZZ_CHECK(now.records[i].seq == was.records[i].seq &&
               now.records[i].type == was.records[i].type &&
               now.records[i].data == was.records[i].data);
  const zgc::LogRecord& last = now.records.back();
  FUZZ_CHECK(last.seq == seq && last.type == 7 && last.data == payload);
}

void OpenLog(zgc::ZonedDevice& dev, const zgc::fuzz::OpenSetup& setup) {
  const zgc::DeviceInfo& info = dev.info();
  zgc::fuzz::FuzzLogOwner owner(0);
  zgc::LogOptions lo;
  lo.first_zone = setup.first_zone;
  lo.read_only = true;
  zgc::LogRecovery rec;
  static Image before, after;
  before.Take(dev);
  {
    auto log = zgc::MetaLog::Open(dev, lo, owner, &rec);
    if (Verbose())
      std::fprintf(stderr, "log_open_fuzz: log: %s\n", log.status().ToString().c_str());
    if (!log.ok()) {
      CheckRefusal(log.status(), info);
    } else {
      // What was recovered holds together.
      FUZZ_CHECK(rec.zones >= 4 && uint64_t(setup.first_zone) + rec.zones <= info.nr_zones);
      FUZZ_CHECK(rec.config.size() <= lf::kMaxConfig);
      const uint64_t log_begin = uint64_t(setup.first_zone + 1) * info.zone_size;
      const uint64_t log_end = uint64_t(setup.first_zone + rec.zones) * info.zone_size;
      uint64_t next = rec.checkpoint        ? rec.checkpoint->last_seq + 1
                      : rec.records.empty() ? 1
                                            : rec.records.front().seq;
      if (rec.checkpoint) {
        FUZZ_CHECK(rec.checkpoint_at >= log_begin && rec.checkpoint_at < log_end);
        FUZZ_CHECK(rec.checkpoint_at % info.zone_size == 0);
      } else {
        FUZZ_CHECK(rec.records.empty());  // records follow a checkpoint
      }
      for (const zgc::LogRecord& r : rec.records) {
        FUZZ_CHECK_MSG(r.seq == next, std::to_string(r.seq) + " after " + std::to_string(next - 1));
        ++next;
        FUZZ_CHECK(r.type >= 1 && r.type <= zgc::kMaxLogRecordType);
        FUZZ_CHECK(r.at >= log_begin && r.at + lf::kRecordHeader + r.data.size() <= log_end);
      }
      const zgc::LogStats st = (*log)->Stats();
      FUZZ_CHECK(st.zones == rec.zones);
      FUZZ_CHECK(st.durable_seq == next - 1);
      // Read-only: nothing that writes is taken.
      auto appended = (*log)->Append(1, std::vector<std::byte>(8));
      FUZZ_CHECK(!appended.ok() && appended.status().code() == zgc::Code::kPermission);
      FUZZ_CHECK((*log)->Repair().code() == zgc::Code::kPermission);
      FUZZ_CHECK((*log)->Checkpoint().code() == zgc::Code::kPermission);
      FUZZ_OK((*log)->Sync());  // nothing queued: nothing to do
      // A second open recovers the same.
      zgc::LogRecovery again;
      auto log2 = zgc::MetaLog::Open(dev, lo, owner, &again);
      FUZZ_CHECK_MSG(log2.ok(), log2.status().ToString());
      FUZZ_CHECK(SameRecovery(rec, again));
    }
  }
  after.Take(dev);
  FUZZ_CHECK_MSG(after == before, "a read-only open changed the device");
  if (setup.then_write && rec.zones != 0) ContinueLog(dev, setup, rec);
}

void OpenVolume(zgc::ZonedDevice& dev, const zgc::fuzz::OpenSetup& setup) {
  zgc::VolumeOptions o;
  o.read_only = true;
  o.background_gc = false;
  static Image before, after;
  before.Take(dev);
  std::vector<std::byte> all;
  bool readable = false;
  {
    auto v = zgc::Volume::Open(dev, o);
    if (Verbose())
      std::fprintf(stderr, "log_open_fuzz: volume: %s\n", v.status().ToString().c_str());
    if (!v.ok()) {
      CheckRefusal(v.status(), dev.info());
    } else {
      const uint64_t size = (*v)->size();
      FUZZ_CHECK(size > 0 && size % zgc::Volume::kBlock == 0);
      FUZZ_CHECK(size <= dev.info().capacity_bytes());
      const zgc::Status check = (*v)->Check();
      if (Verbose()) std::fprintf(stderr, "log_open_fuzz: check: %s\n", check.ToString().c_str());
      CheckStatus(check);
      all.resize(size);
      const zgc::Status read = (*v)->Read(0, all);
      CheckStatus(read);
      readable = check.ok() && read.ok();
      FUZZ_CHECK((*v)->Write(0, std::span(all).first(zgc::Volume::kBlock)).code() ==
                 zgc::Code::kPermission);
      FUZZ_CHECK((*v)->Flush().code() == zgc::Code::kPermission);
      FUZZ_OK((*v)->Close());
    }
  }
  after.Take(dev);
  FUZZ_CHECK_MSG(after == before, "a read-only open changed the device");
  if (!setup.then_write || !readable) return;

  // Setup bit 6: opened for writing, the volume takes a block and a flush,
  // and the next open reads what it read before with that block.
  o.read_only = false;
  const uint64_t lba = (all.size() / zgc::Volume::kBlock) / 2;
  std::vector<std::byte> block(zgc::Volume::kBlock, std::byte{0x6b});
  {
    auto v = zgc::Volume::Open(dev, o);
    FUZZ_CHECK_MSG(v.ok(), "read-write after read-only: " + v.status().ToString());
    zgc::Status s = (*v)->Write(lba * zgc::Volume::kBlock, block);
    if (s.ok()) s = (*v)->Flush();
    if (s.ok()) s = (*v)->Close();
    if (Verbose()) std::fprintf(stderr, "log_open_fuzz: write: %s\n", s.ToString().c_str());
    if (!s.ok()) {
      CheckFailure(s);
      return;
    }
  }
  o.read_only = true;
  auto v = zgc::Volume::Open(dev, o);
  FUZZ_CHECK_MSG(v.ok(), "reopen after a flush: " + v.status().ToString());
  const zgc::Status check = (*v)->Check();
  FUZZ_CHECK_MSG(check.ok(), check.ToString());
  std::vector<std::byte> now(all.size());
  FUZZ_OK((*v)->Read(0, now));
  std::copy(block.begin(), block.end(), all.begin() + lba * zgc::Volume::kBlock);
  FUZZ_CHECK_MSG(now == all, "the volume lost or changed blocks");
}

void Run(const uint8_t* data, size_t size) {
  zgc::fuzz::Reader in(data, size);
  const auto setup = zgc::fuzz::OpenSetup::FromFlags(in.Byte());
  zgc::ZonedDevice& dev = Device(setup.Uri());
  FUZZ_OK(zgc::fuzz::FormatAndLoad(dev, setup));

  // The log as formatted: its format id, for the fix-ups.
  const uint32_t log_first = setup.volume ? dev.info().nr_conventional_zones : setup.first_zone;
  std::vector<std::byte> copy(setup.sb_bytes());
  FUZZ_OK(dev.Read(uint64_t(log_first) * dev.info().zone_size, copy));
  auto sb = lf::DecodeSuperblock(copy, "as formatted");
  FUZZ_CHECK_MSG(sb.ok(), sb.status().ToString());

  Rewrite(dev, in, setup, log_first, sb->format_id);
  if (setup.volume)
    OpenVolume(dev, setup);
  else
    OpenLog(dev, setup);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Past 1 MiB the input holds more than the device (768 KiB at most).
  if (size > (1 << 20)) return 0;
  return zgc::fuzz::Guard([&] { Run(data, size); });
}
