// zgc::Uri::Parse and its typed accessors on any text, and zgc::OpenDevice on
// mem: URIs: a small device built from the input's geometry is opened and
// driven through one write, read, append, copy, finish, reset and sync (and
// a power cut, with cache=volatile).
//
// Invariants: Parse splits the text as documented (scheme before the first
// ':', path up to the first '?'); an accessor's value agrees with ParseSize
// of the raw text; a refusal is kInvalidArgument with a message; a device
// reports the geometry its URI asked for. emu: and zbd: URIs are parsed but
// never opened (files and devices are emu_file_fuzz's business, or nobody's).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "src/zones/emu_geometry.h"
#include "src/zones/uri.h"
#include "test/fuzz/fuzz_check.h"
#include "zgc/device.h"

namespace {

using zgc::Code;
using zgc::fuzz::CheckFailure;
using zgc::fuzz::CheckStatus;

// Keys the emulated devices read, and one nobody reads.
const char* const kKeys[] = {"lbs",     "zone_size",      "zone_cap", "zones",       "conv",
                             "max_open", "max_active",    "append_max", "copy",      "copy_max_range",
                             "copy_max", "copy_ranges",   "family",   "data",        "cache",
                             "create",   "x"};

// Devices larger than this (with data=1) or with more zones are not opened:
// each execution must stay small and fast. The limits of what OpenDevice
// accepts are what src/zones/emu_geometry.cc enforces.
constexpr uint64_t kMaxOpenBytes = 64ull << 20;
constexpr uint32_t kMaxOpenZones = 4096;

void CheckAccessors(std::string_view text, const zgc::Uri& uri) {
  FUZZ_CHECK(uri.text() == text);
  const size_t colon = text.find(':');
  FUZZ_CHECK(colon != std::string_view::npos && colon > 0);
  FUZZ_CHECK(uri.scheme() == text.substr(0, colon));
  FUZZ_CHECK(uri.path().find('?') == std::string::npos);
  FUZZ_CHECK(text.substr(colon + 1).substr(0, uri.path().size()) == uri.path());
  for (const char* key : kKeys) {
    const bool has = uri.Has(key);
    auto raw = uri.Text(key, "fallback");
    FUZZ_CHECK(raw.ok());
    if (!has) FUZZ_CHECK(*raw == "fallback");
    auto size = uri.Size(key, 12345);
    auto count = uri.Count(key, 54321);
    auto flag = uri.Flag(key, true);
    if (!has) {
      FUZZ_CHECK(size.ok() && *size == 12345);
      FUZZ_CHECK(count.ok() && *count == 54321);
      FUZZ_CHECK(flag.ok() && *flag);
      continue;
    }
    // Size is ParseSize of the value; a plain count is a size without units.
    auto parsed = zgc::ParseSize(*raw);
    FUZZ_CHECK(size.ok() == parsed.ok());
    if (size.ok()) FUZZ_CHECK(*size == *parsed);
    if (count.ok()) FUZZ_CHECK(size.ok() && *size == *count);
    if (!size.ok()) {
      CheckFailure(size.status());
      FUZZ_CHECK(size.status().code() == Code::kInvalidArgument);
      FUZZ_CHECK(size.status().message().find(key) != std::string::npos);
    }
    if (!count.ok()) {
      CheckFailure(count.status());
      FUZZ_CHECK(count.status().code() == Code::kInvalidArgument);
    }
    if (!flag.ok()) {
      CheckFailure(flag.status());
      FUZZ_CHECK(flag.status().code() == Code::kInvalidArgument);
    }
  }
  // Every key is used now, unless the URI has one that is not in kKeys.
  CheckStatus(uri.CheckAllUsed());
}

// Drives a freshly opened device through each kind of call once.
void Exercise(zgc::ZonedDevice& dev, const zgc::EmuGeometry& g, bool keep_data, uint64_t seed) {
  const zgc::DeviceInfo& info = dev.info();
  FUZZ_CHECK(info.logical_block_size == g.lbs);
  FUZZ_CHECK(info.zone_size == g.zone_size && info.zone_capacity == g.zone_cap);
  FUZZ_CHECK(info.nr_zones == g.nr_zones && info.nr_conventional_zones == g.nr_conv);
  FUZZ_CHECK(info.stores_data == keep_data);
  auto zones = dev.ReportAllZones();
  FUZZ_CHECK_MSG(zones.ok(), zones.status().ToString());
  FUZZ_CHECK(zones->size() == g.nr_zones);
  for (uint32_t i = 0; i < g.nr_zones; ++i) {
    const zgc::Zone& z = (*zones)[i];
    FUZZ_CHECK(z.start == uint64_t(i) * g.zone_size && z.size == g.zone_size);
    FUZZ_CHECK(z.sequential() == (i >= g.nr_conv));
    FUZZ_CHECK(z.cond == (z.sequential() ? zgc::ZoneCondition::kEmpty : zgc::ZoneCondition::kNotWp));
  }
  const uint64_t lbs = g.lbs;
  const uint64_t first = uint64_t(g.nr_conv) * g.zone_size;  // the first sequential zone
  std::vector<std::byte> block(lbs), back(lbs);
  for (uint64_t i = 0; i < lbs; ++i) block[i] = std::byte(seed + i * 7);
  // One block at the write pointer of an empty zone always fits (no zone is
  // open or active yet).
  zgc::Status s = dev.Write(first, block);
  FUZZ_CHECK_MSG(s.ok(), s.ToString());
  s = dev.Read(first, back);
  FUZZ_CHECK_MSG(s.ok(), s.ToString());
  if (keep_data) FUZZ_CHECK(back == block);
  auto z = dev.ReportZone(first);
  FUZZ_CHECK(z.ok());
  FUZZ_CHECK(z->wp == first + lbs || (g.zone_cap == lbs && z->cond == zgc::ZoneCondition::kFull));
  // A write not at the write pointer is refused.
  CheckFailure(dev.Write(first, block));
  if (info.zone_append && info.max_append_bytes >= lbs) {
    auto at = dev.Append(first, block);
    if (at.ok())
      FUZZ_CHECK(*at == first + lbs);
    else
      CheckFailure(at.status());
  }
  if (info.copy.supported() && g.nr_zones - g.nr_conv >= 2) {
    const zgc::Extent src{first, lbs};
    CheckStatus(dev.Copy({&src, 1}, first + g.zone_size));
  }
  if (g.nr_conv > 0) {
    CheckStatus(dev.Write(0, block));
    CheckStatus(dev.Read(0, back));
  }
  CheckStatus(dev.FinishZone(first));
  CheckStatus(dev.Sync());
  if (info.volatile_cache) {
    CheckStatus(dev.ResetZone(first));
    const zgc::PowerCut cut{seed & 1 ? zgc::PowerCutMode::kTear : zgc::PowerCutMode::kDrop, seed};
    s = dev.CutPower(cut);
    FUZZ_CHECK_MSG(s.ok(), s.ToString());
    FUZZ_CHECK(dev.ReportAllZones().status().code() == Code::kPowerOff);
    s = dev.PowerOn();
    FUZZ_CHECK_MSG(s.ok(), s.ToString());
  }
  s = dev.ResetAll();
  CheckStatus(s);
  zones = dev.ReportAllZones();
  FUZZ_CHECK_MSG(zones.ok(), zones.status().ToString());
  for (const zgc::Zone& zone : *zones) {
    FUZZ_CHECK(zone.wp >= zone.start && zone.wp <= zone.end());
    if (s.ok() && zone.sequential()) FUZZ_CHECK(zone.cond == zgc::ZoneCondition::kEmpty);
  }
}

void TryOpenMem(std::string_view text) {
  auto uri = zgc::Uri::Parse(text);
  if (!uri.ok() || uri->scheme() != "mem") return;
  // What OpenMemDevice will decide, read beforehand from a copy of the URI.
  auto g = zgc::EmuGeometry::FromUri(*uri, zgc::EmuGeometry::Defaults(zgc::EmuGeometry().lbs));
  auto keep_data = uri->Flag("data", true);
  if (g.ok() && keep_data.ok()) {
    if (g->nr_zones > kMaxOpenZones) return;
    if (*keep_data && g->zone_size * g->nr_zones > kMaxOpenBytes) return;
  }
  auto dev = zgc::OpenDevice(text);
  if (!g.ok() || !keep_data.ok()) {
    // A geometry the parser refuses must never make a device.
    FUZZ_CHECK(!dev.ok());
    FUZZ_CHECK(dev.status().code() == Code::kInvalidArgument);
  }
  if (!dev.ok()) {
    CheckFailure(dev.status());
    return;
  }
  uint64_t seed = 0;
  for (char c : text) seed = seed * 131 + static_cast<unsigned char>(c);
  Exercise(**dev, *g, *keep_data, seed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  return zgc::fuzz::Guard([&] {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto uri = zgc::Uri::Parse(text);
    if (!uri.ok()) {
      CheckFailure(uri.status());
      FUZZ_CHECK(uri.status().code() == Code::kInvalidArgument);
      return;
    }
    CheckAccessors(text, *uri);
    TryOpenMem(text);
  });
}
