// map_record::Decode and EncodeRuns (src/volume/map_record.h; docs/FORMAT.md
// section 3, map records).
//
// Input: a type byte (taken as is: 1, 2 and 3 are map records, anything else
// is refused), a byte k, then the payload.
// 1. Decode of the payload: a refusal is kCorruption and called `apply` for
//    nothing; an accepted record called it once per entry (pairs: payload /
//    pair size; runs: the sum of the counts), runs in 32 bits; when `apply`
//    fails at its k-th call (k > 0), Decode returns that failure.
// 2. The payload read as u32 pairs {lba, pba1} (lba kept small so blocks
//    repeat) is encoded by EncodeRuns; decoding it applies to the same map
//    as the entries applied in order, and its size is 8 bytes a run plus 4
//    a surviving block.
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "src/base/little_endian.h"
#include "src/volume/map_record.h"
#include "test/fuzz/fuzz_check.h"

namespace mr = zgc::map_record;

namespace {

void DecodeAsGiven(uint8_t type, uint8_t k, std::span<const std::byte> p) {
  uint64_t calls = 0;
  zgc::Status s = mr::Decode(type, p, [&](uint64_t lba, uint64_t pba1) {
    ++calls;
    FUZZ_CHECK(lba <= 0xffffffffull || type == mr::kPairs64);
    FUZZ_CHECK(pba1 <= 0xffffffffull || type == mr::kPairs64);
    return zgc::Status::OK();
  });
  if (!s.ok()) {
    zgc::fuzz::CheckFailure(s);
    FUZZ_CHECK_MSG(s.code() == zgc::Code::kCorruption, s.ToString());
    FUZZ_CHECK_MSG(calls == 0, std::to_string(calls) + " entries of a malformed record applied");
    return;
  }
  FUZZ_CHECK(type == mr::kPairs64 || type == mr::kPairs32 || type == mr::kRuns);
  uint64_t entries = 0;
  if (type == mr::kRuns) {
    for (size_t at = 0; at < p.size();) {
      FUZZ_CHECK(p.size() - at >= 8);
      const uint64_t pba1 = zgc::GetLe<uint32_t>(&p[at]), count = zgc::GetLe<uint32_t>(&p[at + 4]);
      FUZZ_CHECK(count > 0 && (p.size() - at - 8) / 4 >= count);
      FUZZ_CHECK(pba1 == 0 || pba1 + count - 1 <= 0xffffffffull);
      entries += count;
      at += 8 + 4 * count;
    }
  } else {
    entries = p.size() / (type == mr::kPairs64 ? 16 : 8);
  }
  FUZZ_CHECK(calls == entries);

  // The caller's failure at its k-th call stops the decode with it.
  if (k == 0 || k > entries) return;
  uint64_t n = 0;
  s = mr::Decode(type, p, [&](uint64_t, uint64_t) {
    return ++n == k ? zgc::Status::OutOfRange("stop here") : zgc::Status::OK();
  });
  FUZZ_CHECK(s.code() == zgc::Code::kOutOfRange && s.message() == "stop here" && n == k);
}

void RoundTrip(std::span<const std::byte> p) {
  std::vector<mr::Entry> entries;
  for (size_t i = 0; i + 8 <= p.size() && entries.size() < 4096; i += 8) {
    const uint32_t lba = zgc::GetLe<uint32_t>(&p[i]);
    // Small block numbers so that blocks repeat, and some large ones.
    entries.push_back({lba & 0x80000000u ? lba : lba % 64, zgc::GetLe<uint32_t>(&p[i + 4])});
  }
  std::map<uint32_t, uint32_t> want;
  for (const mr::Entry& e : entries) want[e.lba] = e.pba1;

  std::vector<mr::Entry> reordered = entries;
  const std::vector<std::byte> runs = mr::EncodeRuns(reordered);
  FUZZ_CHECK(reordered.size() == want.size());
  size_t nruns = 0;
  for (size_t i = 0; i < reordered.size(); ++i) {
    // Unmapped blocks (sorted first) form one run; mapped ones a run per
    // stretch of consecutive device blocks.
    const uint64_t prev = i ? reordered[i - 1].pba1 : 0, cur = reordered[i].pba1;
    if (i == 0 || (cur != 0 && (prev == 0 || cur != prev + 1))) ++nruns;
  }
  FUZZ_CHECK(runs.size() == 8 * nruns + 4 * want.size());

  std::map<uint32_t, uint32_t> got;
  uint64_t calls = 0;
  zgc::Status s = mr::Decode(mr::kRuns, runs, [&](uint64_t lba, uint64_t pba1) {
    ++calls;
    FUZZ_CHECK(lba <= 0xffffffffull && pba1 <= 0xffffffffull);
    got[static_cast<uint32_t>(lba)] = static_cast<uint32_t>(pba1);
    return zgc::Status::OK();
  });
  FUZZ_CHECK_MSG(s.ok(), s.ToString());
  FUZZ_CHECK(calls == want.size());  // one entry per block survives
  FUZZ_CHECK(got == want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (64 << 10)) return 0;
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t type = in.Byte();
    const uint8_t k = in.Byte();
    const std::string_view rest = in.Rest();
    const std::span<const std::byte> p(reinterpret_cast<const std::byte*>(rest.data()),
                                       rest.size());
    DecodeAsGiven(type, k, p);
    RoundTrip(p);
  });
}
