// Helpers shared by the metadata log's fuzz targets (log_*_fuzz.cc) and
// make_seeds: checksum fix-ups that let mutations get past the CRCs of the
// log's structures (docs/FORMAT.md section 2), and the device, format and
// workload behind log_open_fuzz (so that its seeds are made the same way).
#ifndef ZGC_TEST_FUZZ_LOG_FUZZ_H_
#define ZGC_TEST_FUZZ_LOG_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "zgc/device.h"
#include "zgc/log.h"
#include "zgc/volume.h"

namespace zgc::fuzz {

namespace lf = log_format;

// Makes every record header found at an 8-byte position from `from` right:
// the payload CRC (when the payload fits in `b`) and the header CRC. A record
// that fits is stepped over whole, so that magic-like bytes in its payload
// stay as they are.
inline void FixRecordChecksums(std::span<std::byte> b, size_t from) {
  for (size_t pos = from; pos + lf::kRecordHeader <= b.size();) {
    std::byte* p = &b[pos];
    if (GetLe<uint32_t>(p) != lf::kRecordMagic) {
      pos += 8;
      continue;
    }
    const uint64_t len = GetLe<uint32_t>(p + 8);
    const bool fits = lf::kRecordHeader + len <= b.size() - pos;
    if (fits) PutLe<uint32_t>(p + 12, Crc32c(0, p + lf::kRecordHeader, len));
    PutLe<uint32_t>(p + 24, Crc32c(0, p, 24));
    pos += fits ? lf::RecordBytes(len) : 8;
  }
}

// A zone header block: its format id (if given) and CRC, when it has the magic.
inline void FixZoneHeader(std::span<std::byte> b, std::optional<uint64_t> format_id) {
  if (b.size() < lf::kZoneHeader || GetLe<uint64_t>(&b[0]) != lf::kZoneMagic) return;
  if (format_id) PutLe<uint64_t>(&b[16], *format_id);
  PutLe<uint32_t>(&b[64], Crc32c(0, b.data(), 64));
}

// A superblock copy of b.size() bytes: its format id (if given) and CRC,
// when it has the magic.
inline void FixSuperblock(std::span<std::byte> b, std::optional<uint64_t> format_id) {
  if (b.size() < lf::kSuperblockHeader + 4 || GetLe<uint64_t>(&b[0]) != lf::kSuperMagic) return;
  if (format_id) PutLe<uint64_t>(&b[40], *format_id);
  PutLe<uint32_t>(&b[b.size() - 4], Crc32c(0, b.data(), b.size() - 4));
}

// log_open_fuzz's setup, from its first input byte:
//   bit 0: a volume (Volume::Format), else a bare log (MetaLog::Format)
//   bit 1: 512-byte logical blocks, else 4096
//   bits 2-3: the workload before the image is overwritten (0: none, 1: a
//             few records, 2: more and a checkpoint, 3: enough to roll the
//             log through its zones and checkpoint several times)
//   bit 4: bare log: first zone 1, else 0
//   bit 5: bare log: a checkpoint bound of 96 KiB (2 zones), else 1 KiB
//   bit 6: after the read-only open, open for writing and write (see
//          log_open_fuzz.cc)
struct OpenSetup {
  bool volume = false;
  uint32_t lbs = 4096;
  int workload = 0;
  uint32_t first_zone = 0;
  uint64_t checkpoint_bound = 1024;
  bool then_write = false;

  static OpenSetup FromFlags(uint8_t f) {
    OpenSetup s;
    s.volume = f & 1;
    s.lbs = (f & 2) ? 512 : 4096;
    s.workload = (f >> 2) & 3;
    s.then_write = f & 64;
    if (!s.volume) {
      s.first_zone = (f & 16) ? 1 : 0;
      s.checkpoint_bound = (f & 32) ? 96 << 10 : 1024;
    }
    return s;
  }
  // Zones of 64 KiB: 8 for a log, 12 for a volume (the fewest it formats on).
  std::string Uri() const {
    return std::string("mem:?zone_size=64K&zones=") + (volume ? "12" : "8") +
           "&max_open=0&max_active=0" + (lbs == 512 ? "&lbs=512" : "");
  }
  uint32_t sb_bytes() const { return lbs > 4096 ? lbs : 4096; }
};

// A log owner whose snapshot is `bytes` long: the sequence number in front,
// then its low byte repeated.
class FuzzLogOwner final : public LogOwner {
 public:
  explicit FuzzLogOwner(uint64_t bytes) : bytes_(bytes) {}
  Result<LogSnapshot> Snapshot() override {
    LogSnapshot s;
    s.last_seq = last_seq;
    s.data.assign(bytes_, std::byte(last_seq));
    if (s.data.size() >= 8) PutLe<uint64_t>(s.data.data(), last_seq);
    return s;
  }
  uint64_t last_seq = 0;

 private:
  uint64_t bytes_;
};

// Formats the device as `s` says and runs its workload. Returns what failed
// (the setup is the harness's: a failure is a bug in the target or zgc).
inline Status FormatAndLoad(ZonedDevice& dev, const OpenSetup& s) {
  if (s.volume) {
    VolumeOptions o;
    o.background_gc = false;
    ZGC_RETURN_IF_ERROR(Volume::Format(dev, o));
    if (s.workload == 0) return Status::OK();
    ZGC_ASSIGN_OR_RETURN(std::unique_ptr<Volume> v, Volume::Open(dev, o));
    const uint64_t blocks = v->size() / Volume::kBlock;
    const int writes = s.workload == 1 ? 4 : s.workload == 2 ? 40 : 400;
    std::vector<std::byte> block(Volume::kBlock);
    for (int i = 0; i < writes; ++i) {
      const uint64_t lba = (uint64_t(i) * 7) % blocks;
      std::memset(block.data(), i + 1, block.size());
      ZGC_RETURN_IF_ERROR(v->Write(lba * Volume::kBlock, block));
      if (i % 3 == 2 && s.workload >= 2)
        ZGC_RETURN_IF_ERROR(v->Trim(((lba + 5) % blocks) * Volume::kBlock, Volume::kBlock));
      if (i % 16 == 15) ZGC_RETURN_IF_ERROR(v->Flush());
    }
    ZGC_RETURN_IF_ERROR(v->Flush());
    return v->Close();
  }
  LogOptions lo;
  lo.first_zone = s.first_zone;
  lo.max_checkpoint_bytes = s.checkpoint_bound;
  ZGC_RETURN_IF_ERROR(MetaLog::Format(dev, lo, std::vector<std::byte>(16, std::byte{0x43})));
  if (s.workload == 0) return Status::OK();
  // Snapshots of most of the bound (a 96 KiB one spans two zones).
  FuzzLogOwner owner(s.checkpoint_bound - s.checkpoint_bound / 8);
  ZGC_ASSIGN_OR_RETURN(std::unique_ptr<MetaLog> log, MetaLog::Open(dev, lo, owner, nullptr));
  const int records = s.workload == 1 ? 3 : s.workload == 2 ? 20 : 120;
  const size_t payload = s.workload == 1 ? 40 : 1500;
  for (int i = 0; i < records; ++i) {
    std::vector<std::byte> rec(payload + i % 13, std::byte(i));
    ZGC_ASSIGN_OR_RETURN(owner.last_seq, log->Append(uint8_t(1 + i % 4), rec));
    if (i % 5 == 4) ZGC_RETURN_IF_ERROR(log->Sync());
  }
  ZGC_RETURN_IF_ERROR(log->Sync());
  if (s.workload >= 2) ZGC_RETURN_IF_ERROR(log->Checkpoint());
  if (s.workload == 3) {
    // Records after the last checkpoint, synced.
    for (int i = 0; i < 7; ++i) {
      std::vector<std::byte> rec(100, std::byte(i));
      ZGC_ASSIGN_OR_RETURN(owner.last_seq, log->Append(5, rec));
    }
    ZGC_RETURN_IF_ERROR(log->Sync());
  }
  return Status::OK();
}

// The per-zone control byte of log_open_fuzz (after the setup byte, one per
// device zone in order; zones past the input's end are kept):
//   bits 0-1: 0 keep the zone as the workload left it; 1 reset it (empty);
//             2 reset it and write blocks from the input (then open or
//             closed, or full if they fill it); 3 the same, then finish it
//   bit 2: fix the written bytes' checksums and format ids (superblock
//          copies in the log's first zone, else a zone header and records)
//   bit 3: close the zone after writing (modes 2 and 3)
//   bit 4: patch (modes 2 and 3): the zone's own blocks are written back
//          instead, with input bytes over some of them
// Modes 2 and 3 are followed by a block count byte (taken modulo the zone's
// blocks + 1), then that many logical blocks (zero-padded past the input);
// patched, by a byte k (keep the zone's first k blocks; 0: all of them, a
// full zone's being its capacity), a u16 offset in 8-byte units, a length
// byte and that many bytes to write there.
enum ZoneMode : uint8_t { kKeep = 0, kEmpty = 1, kWrite = 2, kWriteFinish = 3 };

}  // namespace zgc::fuzz

#endif  // ZGC_TEST_FUZZ_LOG_FUZZ_H_
