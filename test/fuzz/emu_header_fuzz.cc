// emu_format::DecodeHeader (docs/FORMAT.md section 1) on any 4096-byte block.
//
// Input: one flags byte, then the block (zero-padded or cut to 4096 bytes).
// So that mutations get past the magic and the checksum, the flags can make
// the block right in those places before it is decoded:
//   bit 0: write the magic      bit 1: write header bytes and data offset
//   bit 2: write the CRC-32C (last, over the block as it then is)
// Invariants: a refusal is kCorruption naming the file; an accepted geometry
// validates, is within the limits a URI may ask for (FromUri takes it as it
// is), and re-encodes to the
// same bytes (all of them when the unspecified bytes [92, 4092) are zero).
#include <cstring>
#include <string>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"
#include "src/zones/emu_file_format.h"
#include "src/zones/emu_geometry.h"
#include "src/zones/uri.h"
#include "test/fuzz/fuzz_check.h"

namespace ef = zgc::emu_format;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t flags = in.Byte();
    ef::HeaderBlock b{};
    const std::string_view rest = in.Rest();
    std::memcpy(b.data(), rest.data(), std::min(rest.size(), b.size()));
    if (flags & 1) std::memcpy(b.data(), "ZGCEMU\r\n", 8);
    if (flags & 2) {
      zgc::EmuGeometry g;
      g.nr_zones = zgc::GetLe<uint32_t>(&b[32]);
      zgc::PutLe<uint64_t>(&b[72], ef::kHeaderBytes);
      zgc::PutLe<uint64_t>(&b[80], ef::DataOffset(g));
    }
    if (flags & 4) zgc::PutLe<uint32_t>(&b[4092], zgc::Crc32c(0, b.data(), 4092));

    const std::string file = "fuzz.img";
    auto g = ef::DecodeHeader(b, file);
    if (!g.ok()) {
      zgc::fuzz::CheckFailure(g.status());
      FUZZ_CHECK(g.status().code() == zgc::Code::kCorruption);
      FUZZ_CHECK(g.status().message().find(file) != std::string::npos);
      return;
    }
    zgc::Status valid = g->Validate();
    FUZZ_CHECK_MSG(valid.ok(), valid.ToString());
    // The limits the URI parser holds a new device to (emu_geometry.cc):
    // at most 2^22 zones and 1 PiB. A file must not get past them either,
    // or sizes computed from it overflow.
    FUZZ_CHECK_MSG(g->nr_zones <= (1u << 22), std::to_string(g->nr_zones) + " zones");
    const unsigned __int128 bytes = static_cast<unsigned __int128>(g->zone_size) * g->nr_zones;
    FUZZ_CHECK(bytes <= (static_cast<unsigned __int128>(1) << 50));
    FUZZ_CHECK(ef::FileBytes(*g) == ef::DataOffset(*g) + g->zone_size * g->nr_zones);
    FUZZ_CHECK(ef::DataOffset(*g) % ef::kDataAlign == 0);
    FUZZ_CHECK(ef::DataOffset(*g) >= ef::kHeaderBytes + ef::kRecordBytes * g->nr_zones);

    // And a URI naming no parameter opens it: every limit FromUri holds a
    // parameter to, a header is held to as well (else the file is refused
    // as a bad parameter that nobody gave).
    auto uri = zgc::Uri::Parse("emu:" + file);
    auto reread = zgc::EmuGeometry::FromUri(*uri, *g);
    FUZZ_CHECK_MSG(reread.ok(), reread.status().ToString());
    FUZZ_CHECK(*reread == *g);

    const ef::HeaderBlock again = ef::EncodeHeader(*g);
    // Every defined field round-trips.
    FUZZ_CHECK(std::memcmp(again.data(), b.data(), 92) == 0);
    bool reserved_zero = true;
    for (size_t i = 92; i < 4092; ++i) reserved_zero &= b[i] == 0;
    if (reserved_zero) FUZZ_CHECK(again == b);
    auto g2 = ef::DecodeHeader(again, file);
    FUZZ_CHECK(g2.ok() && *g2 == *g);
  });
}
