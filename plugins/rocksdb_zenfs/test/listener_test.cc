// Death hints: the inputs of a running compaction (ZoneFsListener) are not
// relocated by the background GC; the same sequence without the hint
// relocates them. And the listener reaches the file system through the
// registry's wrapper and through a DB.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <chrono>
#include <thread>

#include "plugins/rocksdb_zenfs/zone_file_system.h"
#include "plugins/rocksdb_zenfs/zone_fs_listener.h"

namespace zgc::rocksdb_plugin {
namespace {

void WriteFile(ZoneFileSystem& fs, const std::string& name, size_t bytes) {
  std::unique_ptr<rocksdb::FSWritableFile> f;
  ASSERT_TRUE(fs.NewWritableFile(name, rocksdb::FileOptions(), &f, nullptr).ok());
  ASSERT_TRUE(f->Append(std::string(bytes, 'x'), rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(f->Sync(rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(f->Close(rocksdb::IOOptions(), nullptr).ok());
}

// One data zone holds a.sst (600 KiB) and g.sst (the rest); g is deleted
// and a WAL-like file takes zones until the background GC runs: that zone
// is its victim. With a.sst marked as a compaction's input the GC holds off
// until the compaction has deleted it, and then resets the zone without
// copying anything.
uint64_t RelocatedAroundCompaction(bool hinted) {
  auto dev = OpenDevice("mem:?zone_size=1M&zones=16");
  EXPECT_TRUE(dev.ok());
  uint32_t free_zones = 0;
  {
    auto fresh = ZoneFileSystem::Open(**dev, ZoneFsOptions());
    EXPECT_TRUE(fresh.ok());
    free_zones = (*fresh)->Stats().gc.free_zones;
  }
  // GC wakes once two more zones are taken than a.sst's and g.sst's.
  ZoneFsOptions fo;
  fo.knobs.low = free_zones - 2;
  fo.knobs.high = free_zones;
  auto opened = ZoneFileSystem::Open(**dev, fo);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<ZoneFileSystem> fs = *opened;
  auto listener = NewZoneFsListener(fs);
  EXPECT_NE(listener, nullptr);
  WriteFile(*fs, "/a.sst", 600 << 10);
  WriteFile(*fs, "/g.sst", 424 << 10);
  rocksdb::CompactionJobInfo ci;
  ci.input_files = {"/a.sst"};
  if (hinted) listener->OnCompactionBegin(nullptr, ci);
  EXPECT_TRUE(fs->DeleteFile("/g.sst", rocksdb::IOOptions(), nullptr).ok());
  WriteFile(*fs, "/w.log", 2 << 20);
  for (int i = 0; i < 30 && fs->Stats().gc.relocated_bytes == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const uint64_t during = fs->Stats().gc.relocated_bytes;
  if (hinted) {
    EXPECT_EQ(fs->Stats().compacting_files, 1u);
    EXPECT_GE(fs->Stats().deferrals, 1u);
    // The compaction ends and deletes its input: the zone is all garbage.
    EXPECT_TRUE(fs->DeleteFile("/a.sst", rocksdb::IOOptions(), nullptr).ok());
    listener->OnCompactionCompleted(nullptr, ci);
    EXPECT_EQ(fs->Stats().compacting_files, 0u);
    for (int i = 0; i < 100 && fs->Stats().gc.zones_reset == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT(fs->Stats().gc.zones_reset, 0u);
    EXPECT_EQ(fs->Stats().gc.relocated_bytes, 0u);
  }
  EXPECT_TRUE(fs->Check().ok()) << fs->Check().ToString();
  EXPECT_TRUE(fs->Close().ok());
  return during;
}

TEST(ZoneFsListener, CompactionInputsAreNotRelocated) {
  EXPECT_EQ(RelocatedAroundCompaction(true), 0u);
  EXPECT_GE(RelocatedAroundCompaction(false), uint64_t{600} << 10);
}

TEST(ZoneFsListener, FoundThroughWrappersAndFedByADb) {
  // Not a zgc file system: no listener.
  EXPECT_EQ(NewZoneFsListener(rocksdb::FileSystem::Default()), nullptr);
  auto dev = OpenDevice("mem:?zone_size=1M&zones=32");
  ASSERT_TRUE(dev.ok());
  auto opened = ZoneFileSystem::Open(**dev, ZoneFsOptions());
  ASSERT_TRUE(opened.ok());
  std::shared_ptr<ZoneFileSystem> fs = *opened;
  class Wrapper final : public rocksdb::FileSystemWrapper {
   public:
    using FileSystemWrapper::FileSystemWrapper;
    const char* Name() const override { return "wrapper"; }
  };
  auto wrapped = std::make_shared<Wrapper>(fs);
  auto listener = NewZoneFsListener(wrapped);
  ASSERT_NE(listener, nullptr);
  // A DB's compactions go through it and leave nothing marked.
  auto env = rocksdb::NewCompositeEnv(fs);
  rocksdb::Options o;
  o.env = env.get();
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 10;
  o.level0_file_num_compaction_trigger = 2;
  o.listeners.push_back(listener);
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (int i = 0; i < 5000; ++i)
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), std::to_string(i % 700), std::string(200, 'v')).ok());
  ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  EXPECT_EQ(fs->Stats().compacting_files, 0u);
  EXPECT_TRUE(fs->Check().ok());
}

}  // namespace
}  // namespace zgc::rocksdb_plugin
