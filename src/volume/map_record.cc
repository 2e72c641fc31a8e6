#include "src/volume/map_record.h"

#include <algorithm>

#include "src/base/little_endian.h"

namespace zgc::map_record {

std::vector<std::byte> EncodeRuns(std::vector<Entry>& entries) {
  // The last entry of each block: a stable sort by block keeps their order.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.lba < b.lba; });
  size_t n = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && entries[i + 1].lba == entries[i].lba) continue;
    entries[n++] = entries[i];
  }
  entries.resize(n);
  // Then by device block: consecutive ones (a write's blocks, a relocated
  // zone's) form one run; unmapped blocks (pba1 0) come first, as one run.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.pba1 != b.pba1 ? a.pba1 < b.pba1 : a.lba < b.lba;
  });
  std::vector<std::byte> out;
  out.reserve(entries.size() * 4 + 64);
  for (size_t i = 0; i < entries.size();) {
    size_t j = i + 1;
    if (entries[i].pba1 == 0) {
      while (j < entries.size() && entries[j].pba1 == 0) ++j;
    } else {
      while (j < entries.size() && entries[j].pba1 == entries[i].pba1 + (j - i)) ++j;
    }
    const size_t at = out.size();
    out.resize(at + 8 + 4 * (j - i));
    PutLe<uint32_t>(&out[at], entries[i].pba1);
    PutLe<uint32_t>(&out[at + 4], static_cast<uint32_t>(j - i));
    for (size_t k = i; k < j; ++k) PutLe<uint32_t>(&out[at + 8 + 4 * (k - i)], entries[k].lba);
    i = j;
  }
  return out;
}

namespace {

Status Malformed(const char* why) {
  return Status::Corruption(std::string("volume map record: ") + why);
}

}  // namespace

Status Decode(uint8_t type, std::span<const std::byte> p,
              const std::function<Status(uint64_t lba, uint64_t pba1)>& apply) {
  if (type == kPairs64 || type == kPairs32) {
    const size_t pair = type == kPairs64 ? 16 : 8;
    if (p.size() % pair) return Malformed("not whole pairs");
    for (size_t i = 0; i < p.size(); i += pair) {
      const uint64_t lba = pair == 16 ? GetLe<uint64_t>(&p[i]) : GetLe<uint32_t>(&p[i]);
      const uint64_t pba1 = pair == 16 ? GetLe<uint64_t>(&p[i + 8]) : GetLe<uint32_t>(&p[i + 4]);
      ZGC_RETURN_IF_ERROR(apply(lba, pba1));
    }
    return Status::OK();
  }
  if (type != kRuns) return Malformed("unknown record type");
  // The whole record is checked before anything of it is applied.
  for (size_t at = 0; at < p.size();) {
    if (p.size() - at < 8) return Malformed("a run header is cut short");
    const uint64_t pba1 = GetLe<uint32_t>(&p[at]), count = GetLe<uint32_t>(&p[at + 4]);
    if (count == 0) return Malformed("an empty run");
    if ((p.size() - at - 8) / 4 < count) return Malformed("a run is cut short");
    if (pba1 && pba1 + count - 1 > 0xffffffffull) return Malformed("a run past 32 bits");
    at += 8 + 4 * count;
  }
  for (size_t at = 0; at < p.size();) {
    const uint64_t pba1 = GetLe<uint32_t>(&p[at]), count = GetLe<uint32_t>(&p[at + 4]);
    for (uint64_t k = 0; k < count; ++k)
      ZGC_RETURN_IF_ERROR(apply(GetLe<uint32_t>(&p[at + 8 + 4 * k]), pba1 ? pba1 + k : 0));
    at += 8 + 4 * count;
  }
  return Status::OK();
}

}  // namespace zgc::map_record
