// log_format::Parse, AppendRecord and PadToBlock (docs/FORMAT.md section 2:
// record framing).
//
// Input: one flags byte, then bytes.
//   bit 0: logical blocks of 4096 bytes, else 512
//   bit 1: fix the checksums of every record header at an 8-byte position
//          (log_fuzz.h FixRecordChecksums) before parsing
// 1. The bytes are parsed at every 8-byte position (the only places the
//    zone parser asks about): a record lies inside them and re-encodes to
//    the same bytes, a short pad runs to a block's end, a torn record is one
//    the bytes cut, and nothing else is taken.
// 2. The same bytes, read as a program, build a log (RoundTrip: records
//    appended with AppendRecord, PadToBlock between); parsed back from the
//    start they are the same records, in order, with pads and short pads
//    between, and nothing else.
#include <cstring>
#include <string>
#include <vector>

#include "src/base/crc32c.h"
#include "src/base/little_endian.h"
#include "src/meta/log_format.h"
#include "test/fuzz/fuzz_check.h"
#include "test/fuzz/log_fuzz.h"

namespace lf = zgc::log_format;

namespace {

void ParseEverywhere(std::span<const std::byte> b, size_t block) {
  for (size_t pos = 0; pos <= b.size(); pos += 8) {
    const lf::Parsed p = lf::Parse(b, pos, block);
    const size_t left = b.size() - pos;
    switch (p.kind) {
      case lf::Parsed::kRecord: {
        const lf::ParsedRecord& r = p.record;
        FUZZ_CHECK(p.size == r.size && r.size == lf::RecordBytes(r.payload.size()));
        FUZZ_CHECK(r.size <= left && r.size % 8 == 0);
        FUZZ_CHECK(r.payload.data() == b.data() + pos + lf::kRecordHeader);
        // The header and payload as AppendRecord writes them (the padding
        // after the payload is not checked).
        std::vector<std::byte> again;
        lf::AppendRecord(again, r.seq, r.type, r.payload);
        FUZZ_CHECK(again.size() == r.size);
        FUZZ_CHECK(std::memcmp(again.data(), &b[pos], lf::kRecordHeader + r.payload.size()) == 0);
        break;
      }
      case lf::Parsed::kShortPad:
        FUZZ_CHECK(p.size > 0 && p.size < lf::kRecordHeader && p.size % 8 == 0);
        FUZZ_CHECK(p.size <= left && (pos + p.size) % block == 0);
        for (size_t i = pos; i < pos + p.size; i += 8)
          FUZZ_CHECK(zgc::GetLe<uint64_t>(&b[i]) == lf::kShortPad);
        break;
      case lf::Parsed::kTorn:
        // Cut by the end: too short for a header, or an intact header
        // announcing more than is left.
        if (left >= lf::kRecordHeader) {
          FUZZ_CHECK(zgc::GetLe<uint32_t>(&b[pos]) == lf::kRecordMagic);
          FUZZ_CHECK(zgc::GetLe<uint32_t>(&b[pos + 24]) == zgc::Crc32c(0, &b[pos], 24));
          FUZZ_CHECK(lf::RecordBytes(zgc::GetLe<uint32_t>(&b[pos + 8])) > left);
          FUZZ_CHECK(p.record.size == lf::RecordBytes(zgc::GetLe<uint32_t>(&b[pos + 8])));
        }
        break;
      case lf::Parsed::kBad:
        FUZZ_CHECK(!p.why.empty());
        break;
    }
  }
}

struct Built {
  uint64_t seq;
  uint8_t type;
  std::vector<std::byte> payload;
};

// Appends records and pads as the input says: per step an op byte (bit 0:
// pad to the block; else type = op, a length byte (x 8, plus op's low bits)
// and the payload's bytes from the input, zero past its end).
void RoundTrip(zgc::fuzz::Reader in, size_t block) {
  std::vector<std::byte> log;
  std::vector<Built> built;
  uint64_t seq = 1 + in.Byte();
  for (int step = 0; step < 64 && in.size() > 0; ++step) {
    const uint8_t op = in.Byte();
    if (op & 1) {
      lf::PadToBlock(log, block);
      FUZZ_CHECK(log.size() % block == 0);
      continue;
    }
    const size_t len = size_t(in.Byte()) * 8 + (op >> 5);
    Built r{seq++, static_cast<uint8_t>(op >> 1), std::vector<std::byte>(len)};
    const std::string_view rest = in.Rest();
    zgc::fuzz::CopyPrefix(r.payload.data(), len, rest);
    for (size_t i = 0; i < len; ++i) in.Byte();
    const size_t before = log.size();
    lf::AppendRecord(log, r.seq, r.type, r.payload);
    FUZZ_CHECK(log.size() == before + lf::RecordBytes(len));
    built.push_back(std::move(r));
  }
  lf::PadToBlock(log, block);
  FUZZ_CHECK(log.size() % block == 0);

  size_t pos = 0, next = 0;
  while (pos < log.size()) {
    const lf::Parsed p = lf::Parse(log, pos, block);
    FUZZ_CHECK_MSG(p.kind == lf::Parsed::kRecord || p.kind == lf::Parsed::kShortPad, p.why);
    FUZZ_CHECK(p.size > 0);
    // PadToBlock's pad records have sequence number 0, which no built
    // record has.
    if (p.kind == lf::Parsed::kRecord && p.record.seq == 0) {
      FUZZ_CHECK(p.record.type == lf::kPad);
    } else if (p.kind == lf::Parsed::kRecord) {
      FUZZ_CHECK(next < built.size());
      const Built& want = built[next++];
      FUZZ_CHECK(p.record.seq == want.seq && p.record.type == want.type);
      FUZZ_CHECK(p.record.payload.size() == want.payload.size());
      FUZZ_CHECK(std::equal(want.payload.begin(), want.payload.end(), p.record.payload.begin()));
    }
    pos += p.size;
  }
  FUZZ_CHECK(pos == log.size());
  FUZZ_CHECK(next == built.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (64 << 10) + 1) return 0;  // Parse is linear per position
  return zgc::fuzz::Guard([&] {
    zgc::fuzz::Reader in(data, size);
    const uint8_t flags = in.Byte();
    const size_t block = (flags & 1) ? 4096 : 512;
    const std::string_view rest = in.Rest();
    std::vector<std::byte> b(rest.size());
    zgc::fuzz::CopyPrefix(b.data(), b.size(), rest);
    if (flags & 2) zgc::fuzz::FixRecordChecksums(b, 0);
    ParseEverywhere(b, block);
    RoundTrip(in, block);
  });
}
