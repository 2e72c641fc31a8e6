// The emu: file: persistence across close and reopen, and refusal (without a
// byte changed) of files that are corrupt, truncated, foreign or in use.
#include "src/zones/file_zone_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "src/zones/emu_file_format.h"
#include "zgc/device.h"

namespace zgc {
namespace {

namespace fs = std::filesystem;

class EmuFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("zgc-emu-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "dev.img").string();
    uri_ = "emu:" + path_ + "?zone_size=1M&zone_cap=768K&zones=8&conv=1&max_open=3&max_active=4";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<ZonedDevice> Open(const std::string& uri) {
    auto d = OpenDevice(uri);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(*d) : nullptr;
  }
  std::string Contents() {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void Poke(uint64_t offset, char value) {
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(value);
  }
  // Opening must fail with `code` and leave the file exactly as it was.
  void ExpectRefused(Code code, const std::string& says) {
    const std::string before = Contents();
    auto d = OpenDevice("emu:" + path_);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), code) << d.status().ToString();
    EXPECT_NE(d.status().message().find(says), std::string::npos) << d.status().ToString();
    EXPECT_EQ(Contents(), before) << "a refused file must not be modified";
  }

  fs::path dir_;
  std::string path_, uri_;
};

std::vector<std::byte> Bytes(size_t n, uint8_t v) {
  return std::vector<std::byte>(n, std::byte{v});
}

TEST_F(EmuFile, StateAndDataSurviveReopen) {
  ASSERT_TRUE(CreateEmulatedDevice(uri_).ok());
  const uint64_t Z = 1 << 20;
  {
    auto d = Open("emu:" + path_);
    ASSERT_TRUE(d->Write(Z, Bytes(8192, 1)).ok());           // zone 1: implicitly open
    ASSERT_TRUE(d->Write(2 * Z, Bytes(768 << 10, 2)).ok());  // zone 2: full
    ASSERT_TRUE(d->OpenZone(3 * Z).ok());                    // zone 3: open, empty
    ASSERT_TRUE(d->Write(0, Bytes(4096, 9)).ok());           // conventional
  }
  auto d = Open("emu:" + path_);
  EXPECT_EQ(d->info().zone_capacity, 768u << 10);
  // A reopen is a power cycle: open zones come back closed (or empty if unwritten).
  EXPECT_EQ(d->ReportZone(Z)->cond, ZoneCondition::kClosed);
  EXPECT_EQ(d->ReportZone(Z)->wp, Z + 8192);
  EXPECT_EQ(d->ReportZone(2 * Z)->cond, ZoneCondition::kFull);
  EXPECT_EQ(d->ReportZone(3 * Z)->cond, ZoneCondition::kEmpty);
  std::vector<std::byte> buf(8192);
  ASSERT_TRUE(d->Read(Z, buf).ok());
  EXPECT_EQ(buf, Bytes(8192, 1));
  ASSERT_TRUE(d->Read(0, std::span(buf).first(4096)).ok());
  EXPECT_EQ(std::vector<std::byte>(buf.begin(), buf.begin() + 4096), Bytes(4096, 9));
  // Closed zones still hold active resources after the power cycle.
  ASSERT_TRUE(d->Write(Z + 8192, Bytes(4096, 1)).ok());
}

TEST_F(EmuFile, CreateRefusesAnExistingFile) {
  { std::ofstream(path_) << "precious"; }
  Status s = CreateEmulatedDevice(uri_);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("already exists"), std::string::npos);
  EXPECT_EQ(Contents(), "precious");
  ExpectRefused(Code::kCorruption, "too short");
}

TEST_F(EmuFile, MissingFileIsNotFoundUnlessCreateIsAsked) {
  auto d = OpenDevice("emu:" + path_);
  EXPECT_EQ(d.status().code(), Code::kNotFound);
  EXPECT_NE(d.status().message().find(path_), std::string::npos);
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_EQ(
      OpenDevice("emu:" + (dir_ / "no/such/dir/x.img").string() + "?create=1").status().code(),
      Code::kNotFound);
  EXPECT_TRUE(Open(uri_ + "&create=1") != nullptr);
  EXPECT_TRUE(fs::exists(path_));
}

TEST_F(EmuFile, ForeignFileIsRefused) {
  { std::ofstream(path_) << std::string(8192, 'x'); }
  ExpectRefused(Code::kCorruption, "bad magic");
}

TEST_F(EmuFile, CorruptHeaderIsRefused) {
  ASSERT_TRUE(CreateEmulatedDevice(uri_).ok());
  Poke(20, 0x7F);  // inside the zone size field
  ExpectRefused(Code::kCorruption, "header checksum");
}

TEST_F(EmuFile, CorruptZoneRecordIsRefused) {
  ASSERT_TRUE(CreateEmulatedDevice(uri_).ok());
  Poke(emu_format::kHeaderBytes + 3 * emu_format::kRecordBytes + 1, 0x10);
  ExpectRefused(Code::kCorruption, "zone 3 record");
}

TEST_F(EmuFile, TruncatedFileIsRefused) {
  ASSERT_TRUE(CreateEmulatedDevice(uri_).ok());
  fs::resize_file(path_, fs::file_size(path_) - 4096);
  ExpectRefused(Code::kCorruption, "truncated");
}

TEST_F(EmuFile, GeometryMismatchIsRefused) {
  ASSERT_TRUE(CreateEmulatedDevice(uri_).ok());
  auto d = OpenDevice("emu:" + path_ + "?zones=16");
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  EXPECT_NE(d.status().message().find("zones=16"), std::string::npos);
  EXPECT_TRUE(Open(uri_) != nullptr) << "the same geometry is accepted";
}

TEST_F(EmuFile, SecondOpenIsBusy) {
  ASSERT_TRUE(CreateEmulatedDevice(uri_).ok());
  auto first = Open("emu:" + path_);
  auto second = OpenDevice("emu:" + path_);
  EXPECT_EQ(second.status().code(), Code::kBusy);
}

TEST_F(EmuFile, DirectoryAndDeviceNodesAreNotFiles) {
  EXPECT_EQ(OpenDevice("emu:" + dir_.string()).status().code(), Code::kNotSupported);
  EXPECT_EQ(OpenDevice("emu:/dev/null").status().code(), Code::kNotSupported);
}

TEST_F(EmuFile, ResetPunchesTheZoneData) {
  ASSERT_TRUE(CreateEmulatedDevice(uri_).ok());
  auto d = Open("emu:" + path_);
  const uint64_t Z = 1 << 20;
  ASSERT_TRUE(d->Write(Z, Bytes(768 << 10, 3)).ok());
  ASSERT_TRUE(d->ResetZone(Z).ok());
  ASSERT_TRUE(d->Write(Z, Bytes(4096, 4)).ok());
  d.reset();
  // Past the new write pointer the file holds zeroes, not the old generation.
  const std::string c = Contents();
  const uint64_t data = emu_format::kDataAlign;
  EXPECT_EQ(c[data + Z], 4);
  EXPECT_EQ(c[data + Z + 8192], 0);
}

// Found by test/fuzz/emu_header_fuzz (regressions/emu_header_fuzz/): a header
// may not bring more zones than a URI may ask for (2^22). 2^28 + 1 zones of
// 64 GiB made zone_size * zones wrap to 64 GiB, past the 1 PiB check, and the
// zone table of a (sparse) file that size was read whole: 8 GiB.
TEST(EmuFormat, HeaderWithTooManyZonesIsRefused) {
  for (uint32_t zones : {(1u << 28) + 1, (1u << 22) + 1, ~0u}) {
    EmuGeometry g = EmuGeometry::Defaults(4096);
    g.zone_size = g.zone_cap = zones == (1u << 22) + 1 ? 4096 : 64ull << 30;
    g.nr_zones = zones;
    g.max_open = g.max_active = 0;
    EXPECT_EQ(g.Validate().code(), Code::kInvalidArgument) << zones;
    auto decoded = emu_format::DecodeHeader(emu_format::EncodeHeader(g), "x.img");
    ASSERT_FALSE(decoded.ok()) << zones;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption);
    EXPECT_NE(decoded.status().message().find("zones=" + std::to_string(zones)), std::string::npos)
        << decoded.status().ToString();
  }
  EmuGeometry most = EmuGeometry::Defaults(4096);
  most.zone_size = most.zone_cap = 4096;
  most.nr_zones = 1u << 22;
  EXPECT_TRUE(emu_format::DecodeHeader(emu_format::EncodeHeader(most), "x.img").ok());
}

TEST_F(EmuFile, CreateRefusesTooManyZones) {
  EmulatedGeometry g;
  g.zone_size = 4096;
  g.zones = (1u << 22) + 1;
  Status s = CreateEmulatedDevice(path_, g);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  EXPECT_FALSE(fs::exists(path_));
}

// Found by test/fuzz/emu_file_fuzz (regressions/emu_file_fuzz/): a header
// with a value only FromUri limited (append_max over 1G, lbs over 64K, copy
// byte limits without copy ranges) decoded, and the file was then refused
// as a bad URI parameter nobody gave, as kInvalidArgument, not kCorruption.
TEST(EmuFormat, HeaderBeyondTheUriLimitsIsCorrupt) {
  EmuGeometry base = EmuGeometry::Defaults(4096);
  base.zone_size = base.zone_cap = 1 << 20;
  base.nr_zones = 4;
  base.max_open = base.max_active = 4;
  EmuGeometry append = base, lbs = base, copy = base;
  append.append_max = (1u << 30) + 4096;
  lbs = EmuGeometry::Defaults(1u << 17);
  lbs.zone_size = lbs.zone_cap = 1 << 20, lbs.nr_zones = 4, lbs.max_open = lbs.max_active = 4;
  lbs.append_max = 1u << 17;
  copy.copy_ranges = 0;
  for (const EmuGeometry* g : {&append, &lbs, &copy}) {
    auto decoded = emu_format::DecodeHeader(emu_format::EncodeHeader(*g), "x.img");
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), Code::kCorruption) << decoded.status().ToString();
  }
  EXPECT_TRUE(emu_format::DecodeHeader(emu_format::EncodeHeader(base), "x.img").ok());
}

// copy_ranges=0 kept the default copy byte limits in the file, and reopening
// it (even the creating call) compared them with the zeroes copy=0 implies.
TEST_F(EmuFile, NoCopyRangesCreatesAFileThatOpens) {
  const std::string uri = "emu:" + path_ + "?zone_size=1M&zones=4&copy_ranges=0";
  auto created = OpenDevice(uri + "&create=1");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE((*created)->info().copy.supported());
  EXPECT_EQ((*created)->info().copy.max_range_bytes, 0u);
  created->reset();
  EXPECT_TRUE(Open("emu:" + path_) != nullptr);
  EXPECT_TRUE(Open(uri) != nullptr);
}

}  // namespace
}  // namespace zgc
