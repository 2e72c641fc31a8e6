// The file table's records, checkpoint and config: round trips, and damage
// refused without a change.
#include "plugins/rocksdb_zenfs/file_table.h"

#include <gtest/gtest.h>

namespace zgc::rocksdb_plugin {
namespace {

constexpr uint32_t kB = 4096;

TEST(FileTable, RecordsBuildTheTableAndTheCheckpointKeepsIt) {
  FileTable t(kB);
  FileTable::Effects fx;
  ASSERT_TRUE(t.Apply(kMkdir, FileTable::EncodeName("/db"), &fx).ok());
  ASSERT_TRUE(t.Apply(kCreate, FileTable::EncodeCreate(1, 7, Lifetime::kShort, "/db/a"), &fx).ok());
  const Extent e1{1 << 20, 2 * kB};
  ASSERT_TRUE(t.Apply(kExtents, FileTable::EncodeExtents(1, kB + 10, 8, 0, {&e1, 1}), &fx).ok());
  // A tail rewrite: keep the first block, the padded one goes.
  const Extent e2{2 << 20, 2 * kB};
  ASSERT_TRUE(
      t.Apply(kExtents, FileTable::EncodeExtents(1, 2 * kB + 5, 9, kB, {&e2, 1}), &fx).ok());
  ASSERT_EQ(fx.freed.size(), 1u);
  EXPECT_EQ(fx.freed[0], (Extent{(1 << 20) + kB, kB}));
  ASSERT_TRUE(t.Apply(kLink, FileTable::EncodeNames("/db/a", "/db/b"), &fx).ok());
  ASSERT_TRUE(t.Apply(kRename, FileTable::EncodeNames("/db/a", "/db/c"), &fx).ok());
  EXPECT_EQ(t.Find("/db/a"), nullptr);
  ASSERT_NE(t.Find("/db/b"), nullptr);
  EXPECT_EQ(t.Find("/db/b"), t.Find("/db/c"));
  EXPECT_EQ(t.Find("/db/c")->links, 2u);

  FileTable u(kB);
  ASSERT_TRUE(u.DecodeCheckpoint(t.EncodeCheckpoint()).ok());
  EXPECT_EQ(u.EncodeCheckpoint(), t.EncodeCheckpoint());
  auto c = u.Find("/db/c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->size, 2 * kB + 5);
  EXPECT_EQ(c->mtime, 9u);
  EXPECT_EQ(c->extents, (std::vector<Extent>{{1 << 20, kB}, e2}));
  EXPECT_EQ(u.dirs().count("/db"), 1u);

  // The last name goes: the file is dropped, its extents reported.
  fx = {};
  ASSERT_TRUE(u.Apply(kDelete, FileTable::EncodeName("/db/b"), &fx).ok());
  EXPECT_TRUE(fx.dropped.empty());
  ASSERT_TRUE(u.Apply(kDelete, FileTable::EncodeName("/db/c"), &fx).ok());
  ASSERT_EQ(fx.dropped.size(), 1u);
  EXPECT_EQ(fx.dropped[0]->extents.size(), 2u);
  EXPECT_TRUE(u.files().empty());
}

TEST(FileTable, DamagedRecordsAreCorruptionAndChangeNothing) {
  FileTable t(kB);
  ASSERT_TRUE(
      t.Apply(kCreate, FileTable::EncodeCreate(1, 7, Lifetime::kShort, "/a"), nullptr).ok());
  const auto before = t.EncodeCheckpoint();
  auto rec = FileTable::EncodeCreate(2, 7, Lifetime::kShort, "/b");
  rec.pop_back();  // a truncated name
  EXPECT_EQ(t.Apply(kCreate, rec, nullptr).code(), Code::kCorruption);
  const Extent odd{4096, 100};  // not whole blocks
  EXPECT_EQ(t.Apply(kExtents, FileTable::EncodeExtents(1, 100, 1, 0, {&odd, 1}), nullptr).code(),
            Code::kCorruption);
  const Extent e{4096, kB};  // a size its extents do not cover
  EXPECT_EQ(t.Apply(kExtents, FileTable::EncodeExtents(1, 2 * kB, 1, 0, {&e, 1}), nullptr).code(),
            Code::kCorruption);
  EXPECT_EQ(t.Apply(kExtents, FileTable::EncodeExtents(9, kB, 1, 0, {&e, 1}), nullptr).code(),
            Code::kCorruption);
  EXPECT_EQ(t.Apply(kDelete, FileTable::EncodeName("/nothing"), nullptr).code(), Code::kCorruption);
  EXPECT_EQ(t.Apply(kCreate, FileTable::EncodeCreate(1, 7, Lifetime::kShort, "/c"), nullptr).code(),
            Code::kCorruption);  // id in use
  EXPECT_EQ(t.Apply(0x42, {}, nullptr).code(), Code::kCorruption);
  EXPECT_EQ(t.EncodeCheckpoint(), before);

  auto cp = t.EncodeCheckpoint();
  for (size_t cut = 0; cut < cp.size(); ++cut) {
    FileTable u(kB);
    EXPECT_FALSE(u.DecodeCheckpoint(std::span(cp).first(cut)).ok()) << cut;
  }
}

TEST(FileTable, ConfigRoundTripsAndNamesWhatIsWrong) {
  DeviceInfo info;
  info.uri = "mem:";
  info.zone_size = 1 << 20;
  info.nr_zones = 64;
  FsConfig c{4096, 0, 4, 4};
  auto b = EncodeFsConfig(c);
  ASSERT_EQ(b.size(), kFsConfigBytes);
  auto d = DecodeFsConfig(b, info, 0, 4);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->data_first, 4u);
  auto bad = b;
  bad[0] ^= std::byte{1};
  EXPECT_EQ(DecodeFsConfig(bad, info, 0, 4).status().code(), Code::kCorruption);
  EXPECT_NE(DecodeFsConfig(bad, info, 0, 4).status().message().find("not a zgc RocksDB"),
            std::string::npos);
  bad = b;
  bad[8] = std::byte{3};  // version 3
  EXPECT_EQ(DecodeFsConfig(bad, info, 0, 4).status().code(), Code::kNotSupported);
  EXPECT_EQ(DecodeFsConfig(b, info, 0, 5).status().code(), Code::kCorruption);
  EXPECT_EQ(DecodeFsConfig(std::span(b).first(20), info, 0, 4).status().code(), Code::kCorruption);
  // Version 2 carries the knobs; version 1 (milestone 1: 32 bytes) has none.
  FsConfig k{4096, 0, 4, 4};
  k.knobs.low = 7;
  k.knobs.policy = VictimPolicy::kGreedy;
  d = DecodeFsConfig(EncodeFsConfig(k), info, 0, 4);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->knobs.low, 7u);
  EXPECT_EQ(d->knobs.policy, VictimPolicy::kGreedy);
  EXPECT_EQ(d->knobs.high, GcOptions().high_watermark);  // resolved
  auto v1 = std::vector<std::byte>(b.begin(), b.begin() + kFsConfigV1Bytes);
  v1[8] = std::byte{1};
  d = DecodeFsConfig(v1, info, 0, 4);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->knobs, GcKnobs());
  // A version 1 config of version 2's length, a knob out of range.
  bad = b;
  bad[8] = std::byte{1};
  EXPECT_EQ(DecodeFsConfig(bad, info, 0, 4).status().code(), Code::kCorruption);
  bad = b;
  bad[32] = std::byte{9};  // policy
  EXPECT_EQ(DecodeFsConfig(bad, info, 0, 4).status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace zgc::rocksdb_plugin
