#include "src/volume/map_record.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "src/base/little_endian.h"

namespace zgc {
namespace {

using map_record::Entry;

std::map<uint64_t, uint64_t> Apply(uint8_t type, std::span<const std::byte> p, Status* status) {
  std::map<uint64_t, uint64_t> m;
  *status = map_record::Decode(type, p, [&](uint64_t lba, uint64_t pba1) {
    m[lba] = pba1;
    return Status::OK();
  });
  return m;
}

// Random changes (writes, trims, rewrites of the same block) encode to runs
// whose meaning is the changes applied in order.
TEST(MapRecord, RunsMeanTheChangesAppliedInOrder) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Entry> in;
    std::map<uint64_t, uint64_t> want;
    uint32_t next_pba = 1 + rng() % 1000;
    const int n = 1 + rng() % 300;
    for (int i = 0; i < n; ++i) {
      const uint32_t lba = rng() % 64, run = 1 + rng() % 4;
      const bool trim = rng() % 8 == 0;
      for (uint32_t k = 0; k < run; ++k) {
        const uint32_t p1 = trim ? 0 : next_pba++;
        in.push_back({lba + k, p1});
        want[lba + k] = p1;
      }
    }
    std::vector<Entry> copy = in;
    const auto rec = map_record::EncodeRuns(copy);
    Status s;
    EXPECT_EQ(Apply(map_record::kRuns, rec, &s), want);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

// A 4 KiB write costs 4 bytes of record plus 8 per run of device blocks.
TEST(MapRecord, SixtyFourWritesToTwoZonesAreAboutFourBytesEach) {
  std::vector<Entry> in;
  std::mt19937 rng(1);
  for (uint32_t i = 0; i < 64; ++i)
    in.push_back({static_cast<uint32_t>(rng() % 100000), (i % 2 ? 1000u : 5000u) + i / 2});
  EXPECT_EQ(map_record::EncodeRuns(in).size(), 64u * 4 + 2 * 8);
}

TEST(MapRecord, MalformedRecordsAreCorruptionAndApplyNothing) {
  std::vector<Entry> in = {{1, 10}, {2, 11}, {3, 0}};
  auto rec = map_record::EncodeRuns(in);
  Status s;
  for (size_t cut = 1; cut < rec.size(); ++cut) {
    if (cut == 12) continue;  // the unmap run of one block ends here: a whole record
    auto m = Apply(map_record::kRuns, std::span(rec).first(cut), &s);
    EXPECT_EQ(s.code(), Code::kCorruption) << cut;
    EXPECT_TRUE(m.empty()) << cut;
  }
  std::vector<std::byte> empty_run(8);
  PutLe<uint32_t>(&empty_run[0], 5);
  Apply(map_record::kRuns, empty_run, &s);
  EXPECT_EQ(s.code(), Code::kCorruption);
  std::vector<std::byte> wraps(12);
  PutLe<uint32_t>(&wraps[0], 0xffffffffu);
  PutLe<uint32_t>(&wraps[4], 2);
  wraps.resize(16);
  Apply(map_record::kRuns, wraps, &s);
  EXPECT_EQ(s.code(), Code::kCorruption);
  Apply(9, rec, &s);
  EXPECT_EQ(s.code(), Code::kCorruption);
  Apply(map_record::kPairs32, std::span(rec).first(12), &s);
  EXPECT_EQ(s.code(), Code::kCorruption);
}

TEST(MapRecord, OldPairRecordsDecode) {
  std::vector<std::byte> p32(16), p64(16);
  PutLe<uint32_t>(&p32[0], 4);
  PutLe<uint32_t>(&p32[4], 40);
  PutLe<uint32_t>(&p32[8], 4);
  PutLe<uint32_t>(&p32[12], 0);
  PutLe<uint64_t>(&p64[0], 7);
  PutLe<uint64_t>(&p64[8], 70);
  Status s;
  EXPECT_EQ(Apply(map_record::kPairs32, p32, &s), (std::map<uint64_t, uint64_t>{{4, 0}}));
  EXPECT_EQ(Apply(map_record::kPairs64, p64, &s), (std::map<uint64_t, uint64_t>{{7, 70}}));
  EXPECT_TRUE(s.ok());
}

}  // namespace
}  // namespace zgc
