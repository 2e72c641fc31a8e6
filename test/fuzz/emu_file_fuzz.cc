// OpenDevice("emu:<file>") on a file made from the input (docs/FORMAT.md
// section 1): it must be refused with a status that says why, leaving the
// file untouched, or open to a device whose zones are the file's, that takes
// a write, a reset and a sync (and, with cache=volatile, a power cut), and
// whose file then opens again to the same zones.
//
// Input: one flags byte, the 4096-byte header (zero-padded), then zone
// records (32 bytes each; the file holds what the input holds). The flags
// make the file right where random bytes almost never are:
//   bit 0: write the header magic           bit 1: write header bytes and data offset
//   bit 2: write the header CRC-32C         bit 3: write every record's CRC-32C
//   bit 4: size the file as the header asks (when it decodes and asks for
//          at most 16 MiB; the data is a hole)
//   bit 5: open with cache=volatile and cut the power before reopening
//          (bit 6: a torn cut, else a dropping one; bit 7: sync before it)
// Files live in $ZGC_FUZZ_TMPDIR, else /dev/shm, else the temp directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"
#include "src/zones/emu_file_format.h"
#include "test/fuzz/fuzz_check.h"
#include "zgc/device.h"

namespace ef = zgc::emu_format;
namespace fs = std::filesystem;
using zgc::fuzz::CheckFailure;
using zgc::fuzz::CheckStatus;

namespace {

constexpr uint64_t kMaxFileBytes = 16ull << 20;

// ZGC_FUZZ_VERBOSE=1: say what each input did (for seeds and reproducing).
bool Verbose() {
  static const bool v = std::getenv("ZGC_FUZZ_VERBOSE") != nullptr;
  return v;
}

const std::string& FilePath() {
  static const std::string path = [] {
    std::string base;
    if (const char* d = std::getenv("ZGC_FUZZ_TMPDIR"); d && *d)
      base = d;
    else if (fs::is_directory("/dev/shm"))
      base = "/dev/shm";
    else
      base = fs::temp_directory_path().string();
    std::string dir = base + "/zgc-emu-fuzz-XXXXXX";
    FUZZ_CHECK_MSG(::mkdtemp(dir.data()) != nullptr, dir);
    static std::string to_remove = dir;
    std::atexit([] { fs::remove_all(to_remove); });
    return dir + "/dev.img";
  }();
  return path;
}

uint32_t RecordCrc(uint32_t index, const unsigned char* r) {
  unsigned char idx[4];
  zgc::PutLe<uint32_t>(idx, index);
  return zgc::Crc32c(zgc::Crc32c(0, idx, 4), r, ef::kRecordBytes - 4);
}

void WriteFile(const std::string& path, const std::vector<unsigned char>& bytes, uint64_t size) {
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  FUZZ_CHECK_MSG(fd >= 0, path);
  FUZZ_CHECK(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  FUZZ_CHECK(::ftruncate(fd, static_cast<off_t>(size)) == 0);
  ::close(fd);
}

// What the file holds in [0, n) and its size.
std::pair<std::vector<unsigned char>, uint64_t> ReadFile(const std::string& path, size_t n) {
  std::vector<unsigned char> out(n);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  struct stat st;
  FUZZ_CHECK(::fstat(fd, &st) == 0);
  const ssize_t r = ::pread(fd, out.data(), n, 0);
  FUZZ_CHECK(r >= 0);
  out.resize(static_cast<size_t>(r));
  ::close(fd);
  return {out, static_cast<uint64_t>(st.st_size)};
}

// The zone as a reopened device reports it: open zones come back closed (or empty).
zgc::Zone AfterReopen(zgc::Zone z) {
  if (z.open()) z.cond = z.wp == z.start ? zgc::ZoneCondition::kEmpty : zgc::ZoneCondition::kClosed;
  return z;
}

std::vector<zgc::Zone> ReportAll(zgc::ZonedDevice& dev) {
  auto zones = dev.ReportAllZones();
  FUZZ_CHECK_MSG(zones.ok(), zones.status().ToString());
  return std::move(*zones);
}

void Run(const uint8_t* data, size_t size) {
  zgc::fuzz::Reader in(data, size);
  const uint8_t flags = in.Byte();
  const std::string_view rest = in.Rest();
  std::vector<unsigned char> bytes(std::max<size_t>(rest.size(), ef::kHeaderBytes), 0);
  std::memcpy(bytes.data(), rest.data(), rest.size());
  unsigned char* h = bytes.data();
  if (flags & 1) std::memcpy(h, "ZGCEMU\r\n", 8);
  if (flags & 2) {
    zgc::EmuGeometry g;
    g.nr_zones = zgc::GetLe<uint32_t>(h + 32);
    zgc::PutLe<uint64_t>(h + 72, ef::kHeaderBytes);
    zgc::PutLe<uint64_t>(h + 80, ef::DataOffset(g));
  }
  if (flags & 4) zgc::PutLe<uint32_t>(h + 4092, zgc::Crc32c(0, h, 4092));
  if (flags & 8) {
    for (uint64_t i = 0; ef::kHeaderBytes + (i + 1) * ef::kRecordBytes <= bytes.size(); ++i) {
      unsigned char* r = h + ef::kHeaderBytes + i * ef::kRecordBytes;
      zgc::PutLe<uint32_t>(r + 28, RecordCrc(static_cast<uint32_t>(i), r));
    }
  }
  ef::HeaderBlock header;
  std::memcpy(header.data(), h, header.size());
  const auto geometry = ef::DecodeHeader(header, "input");
  uint64_t file_bytes = bytes.size();
  if ((flags & 16) && geometry.ok() && ef::FileBytes(*geometry) <= kMaxFileBytes &&
      ef::FileBytes(*geometry) >= bytes.size())
    file_bytes = ef::FileBytes(*geometry);

  const std::string& path = FilePath();
  WriteFile(path, bytes, file_bytes);
  const bool volatile_cache = flags & 32;
  const std::string uri = "emu:" + path + (volatile_cache ? "?cache=volatile" : "");

  auto opened = zgc::OpenDevice(uri);
  if (Verbose())
    std::fprintf(stderr, "emu_file_fuzz: %llu-byte file: %s\n",
                 static_cast<unsigned long long>(file_bytes), opened.status().ToString().c_str());
  if (!opened.ok()) {
    CheckFailure(opened.status());
    FUZZ_CHECK_MSG(opened.status().code() == zgc::Code::kCorruption, opened.status().ToString());
    // Refused without a byte changed.
    const auto [after, after_size] = ReadFile(path, bytes.size());
    FUZZ_CHECK(after_size == file_bytes);
    FUZZ_CHECK(after == bytes);
    return;
  }
  // Opened: the header decoded, and the device is the file's.
  FUZZ_CHECK(geometry.ok());
  const zgc::EmuGeometry& g = *geometry;
  FUZZ_CHECK(file_bytes == ef::FileBytes(g));
  auto dev = std::move(*opened);
  const zgc::DeviceInfo& info = dev->info();
  FUZZ_CHECK(info.nr_zones == g.nr_zones && info.zone_size == g.zone_size);
  FUZZ_CHECK(info.logical_block_size == g.lbs && info.family == g.family);
  std::vector<zgc::Zone> zones = ReportAll(*dev);
  FUZZ_CHECK(zones.size() == g.nr_zones);
  for (uint32_t i = 0; i < g.nr_zones; ++i) {
    ef::Record rec{};
    const uint64_t at = ef::kHeaderBytes + uint64_t(i) * ef::kRecordBytes;
    if (at + ef::kRecordBytes <= bytes.size()) std::memcpy(rec.data(), h + at, rec.size());
    auto z = ef::DecodeRecord(g, i, rec, "input");
    FUZZ_CHECK(z.ok());
    FUZZ_CHECK(zones[i] == AfterReopen(*z));
  }

  // One block written at the write pointer of the first zone that can take
  // it (the open and active limits may refuse: the file's zones hold them).
  const uint64_t lbs = g.lbs;
  std::vector<std::byte> block(lbs, std::byte{0x5a}), back(lbs);
  for (const zgc::Zone& z : zones) {
    const bool writable = !z.sequential()
                              ? z.cond == zgc::ZoneCondition::kNotWp
                              : (z.cond == zgc::ZoneCondition::kEmpty ||
                                 z.cond == zgc::ZoneCondition::kClosed) &&
                                    z.wp + lbs <= z.start + z.capacity;
    if (!writable) continue;
    const uint64_t at = z.sequential() ? z.wp : z.start;
    zgc::Status s = dev->Write(at, block);
    CheckStatus(s);
    if (s.ok()) {
      s = dev->Read(at, back);
      FUZZ_CHECK_MSG(s.ok(), s.ToString());
      FUZZ_CHECK(back == block);
    }
    break;
  }
  // Reset the first full or closed zone.
  for (const zgc::Zone& z : zones) {
    if (z.sequential() &&
        (z.cond == zgc::ZoneCondition::kFull || z.cond == zgc::ZoneCondition::kClosed)) {
      zgc::Status s = dev->ResetZone(z.start);
      FUZZ_CHECK_MSG(s.ok(), s.ToString());
      break;
    }
  }
  if (!volatile_cache || (flags & 128)) CheckStatus(dev->Sync());
  if (volatile_cache) {
    const zgc::PowerCut cut{flags & 64 ? zgc::PowerCutMode::kTear : zgc::PowerCutMode::kDrop,
                            size};
    zgc::Status s = dev->CutPower(cut);
    FUZZ_CHECK_MSG(s.ok(), s.ToString());
    s = dev->PowerOn();
    FUZZ_CHECK_MSG(s.ok(), s.ToString());
  }
  zones = ReportAll(*dev);
  dev.reset();

  // What the device left opens again, to the same zones.
  auto again = zgc::OpenDevice("emu:" + path);
  FUZZ_CHECK_MSG(again.ok(), again.status().ToString());
  const std::vector<zgc::Zone> reopened = ReportAll(**again);
  FUZZ_CHECK(reopened.size() == zones.size());
  for (size_t i = 0; i < zones.size(); ++i) FUZZ_CHECK(reopened[i] == AfterReopen(zones[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A header and up to 4096 zone records.
  if (size > 1 + ef::kHeaderBytes + 4096 * ef::kRecordBytes) return 0;
  return zgc::fuzz::Guard([&] { Run(data, size); });
}
