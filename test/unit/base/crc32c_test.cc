#include "src/base/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace zgc {
namespace {

TEST(Crc32c, KnownValues) {
  // RFC 3720's check value: "123456789" -> 0xE3069283.
  EXPECT_EQ(Crc32c(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32cPortable(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c(0, nullptr, 0), 0u);
  const std::vector<unsigned char> zeros(32, 0);
  EXPECT_EQ(Crc32c(0, zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720 B.4
}

// The fast path equals the table at every length and alignment, and extends
// over pieces as over the whole.
TEST(Crc32c, TheFastPathEqualsTheTableAtEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::vector<unsigned char> b(4096 + 16);
  for (auto& c : b) c = static_cast<unsigned char>(rng());
  for (size_t off = 0; off < 9; ++off)
    for (size_t n = 0; n < 300; ++n)
      ASSERT_EQ(Crc32c(0, b.data() + off, n), Crc32cPortable(0, b.data() + off, n))
          << off << " " << n;
  const uint32_t whole = Crc32c(0, b.data(), 4096);
  EXPECT_EQ(Crc32c(Crc32c(0, b.data(), 1001), b.data() + 1001, 4096 - 1001), whole);
}

}  // namespace
}  // namespace zgc
