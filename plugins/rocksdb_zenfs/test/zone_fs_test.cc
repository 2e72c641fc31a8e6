// RocksDB through the zgc file system on mem: devices: the DB API, reopen of
// the DB and of the file system, GC over several passes of the device,
// power cuts (the volatile cache) and damaged metadata.
#include <gtest/gtest.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/object_registry.h>

#include <map>
#include <random>

#include "plugins/rocksdb_zenfs/file_table.h"
#include "plugins/rocksdb_zenfs/zone_file_system.h"
#include "zgc/log.h"

namespace zgc::rocksdb_plugin {
namespace {

std::unique_ptr<ZonedDevice> Dev(const std::string& uri) {
  auto d = OpenDevice(uri);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(*d) : nullptr;
}

// A DB on a file system on a device the test keeps.
struct Db {
  std::shared_ptr<ZoneFileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> db;

  rocksdb::Status Open(ZonedDevice& dev, const ZoneFsOptions& fo = {},
                       void (*tune)(rocksdb::Options*) = nullptr) {
    auto f = ZoneFileSystem::Open(dev, fo);
    if (!f.ok()) return rocksdb::Status::IOError(f.status().ToString());
    fs = *f;
    env = rocksdb::NewCompositeEnv(fs);
    rocksdb::Options o;
    o.env = env.get();
    o.create_if_missing = true;
    o.compression = rocksdb::kNoCompression;
    o.write_buffer_size = 256 << 10;
    o.target_file_size_base = 256 << 10;
    o.max_bytes_for_level_base = 1 << 20;
    o.max_background_jobs = 2;
    if (tune) tune(&o);
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, "/db", &raw);
    db.reset(raw);
    return s;
  }
  // Closes the DB, then the file system; the file system's own close status.
  Status Close() {
    if (db) (void)db->Close();
    db.reset();
    env.reset();
    Status s = fs ? fs->Close() : Status::OK();
    fs.reset();
    return s;
  }
  ~Db() { (void)Close(); }
};

std::string Key(int i) {
  char b[16];
  std::snprintf(b, sizeof(b), "k%08d", i);
  return b;
}
std::string Value(int i, int gen, size_t n = 200) {
  std::string v = std::to_string(i) + "/" + std::to_string(gen) + "/";
  while (v.size() < n) v += static_cast<char>('a' + (i * 7 + gen + v.size()) % 26);
  return v;
}

TEST(ZoneFs, PutGetIterateDeleteFlushCompactReopen) {
  auto dev = Dev("mem:?zone_size=1M&zones=64");
  {
    Db d;
    ASSERT_TRUE(d.Open(*dev).ok());
    for (int i = 0; i < 5000; ++i)
      ASSERT_TRUE(d.db->Put(rocksdb::WriteOptions(), Key(i), Value(i, 0)).ok());
    for (int i = 0; i < 5000; i += 3)
      ASSERT_TRUE(d.db->Delete(rocksdb::WriteOptions(), Key(i)).ok());
    ASSERT_TRUE(d.db->Flush(rocksdb::FlushOptions()).ok());
    ASSERT_TRUE(d.db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
    std::string v;
    ASSERT_TRUE(d.db->Get(rocksdb::ReadOptions(), Key(1), &v).ok());
    EXPECT_EQ(v, Value(1, 0));
    EXPECT_TRUE(d.db->Get(rocksdb::ReadOptions(), Key(3), &v).IsNotFound());
    ASSERT_TRUE(d.Close().ok());
  }
  for (int round = 0; round < 2; ++round) {  // the DB and the file system reopened
    Db d;
    ASSERT_TRUE(d.Open(*dev).ok());
    std::unique_ptr<rocksdb::Iterator> it(d.db->NewIterator(rocksdb::ReadOptions()));
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) {
      const int i = std::stoi(it->key().ToString().substr(1));
      ASSERT_NE(i % 3, 0);
      ASSERT_EQ(it->value().ToString(), Value(i, 0));
    }
    ASSERT_TRUE(it->status().ok());
    it.reset();
    EXPECT_EQ(n, 5000 - 1667);
    EXPECT_TRUE(d.fs->Check().ok()) << d.fs->Check().ToString();
    ASSERT_TRUE(d.Close().ok());
  }
}

TEST(ZoneFs, FilesDirectoriesLinksLocksAndReopen) {
  auto dev = Dev("mem:?zone_size=1M&zones=32");
  rocksdb::IOOptions io;
  {
    auto fs = ZoneFileSystem::Open(*dev, {});
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    auto& f = **fs;
    ASSERT_TRUE(f.CreateDir("/d", io, nullptr).ok());
    EXPECT_FALSE(f.CreateDir("/d", io, nullptr).ok());
    ASSERT_TRUE(f.CreateDirIfMissing("/d", io, nullptr).ok());
    std::unique_ptr<rocksdb::FSWritableFile> w;
    ASSERT_TRUE(f.NewWritableFile("/d/a", {}, &w, nullptr).ok());
    std::string data;
    for (int i = 0; i < 3000; ++i) data += Value(i, 1, 37);
    ASSERT_TRUE(w->Append(data.substr(0, 5000), io, nullptr).ok());
    ASSERT_TRUE(w->Sync(io, nullptr).ok());  // a padded tail
    ASSERT_TRUE(w->Append(data.substr(5000), io, nullptr).ok());
    // Read while writing: the buffer is visible.
    std::unique_ptr<rocksdb::FSRandomAccessFile> r;
    ASSERT_TRUE(f.NewRandomAccessFile("/d/a", {}, &r, nullptr).ok());
    std::string scratch(data.size(), '\0');
    rocksdb::Slice got;
    ASSERT_TRUE(r->Read(0, data.size(), io, &got, scratch.data(), nullptr).ok());
    EXPECT_EQ(got.ToString(), data);
    ASSERT_TRUE(w->Close(io, nullptr).ok());
    ASSERT_TRUE(r->Read(4000, 3000, io, &got, scratch.data(), nullptr).ok());
    EXPECT_EQ(got.ToString(), data.substr(4000, 3000));
    uint64_t size = 0;
    ASSERT_TRUE(f.GetFileSize("/d/a", io, &size, nullptr).ok());
    EXPECT_EQ(size, data.size());
    ASSERT_TRUE(f.LinkFile("/d/a", "/d/b", io, nullptr).ok());
    ASSERT_TRUE(f.RenameFile("/d/a", "/d/c", io, nullptr).ok());
    EXPECT_TRUE(f.FileExists("/d/a", io, nullptr).IsNotFound());
    std::vector<std::string> kids;
    ASSERT_TRUE(f.GetChildren("/d", io, &kids, nullptr).ok());
    EXPECT_EQ(kids, (std::vector<std::string>{"b", "c"}));
    bool is_dir = false;
    ASSERT_TRUE(f.IsDirectory("/d", io, &is_dir, nullptr).ok());
    EXPECT_TRUE(is_dir);
    uint64_t mtime = 0;
    ASSERT_TRUE(f.GetFileModificationTime("/d/c", io, &mtime, nullptr).ok());
    EXPECT_GT(mtime, 1600000000u);
    rocksdb::FileLock* lock = nullptr;
    ASSERT_TRUE(f.LockFile("/d/LOCK", io, &lock, nullptr).ok());
    rocksdb::FileLock* again = nullptr;
    EXPECT_FALSE(f.LockFile("/d/LOCK", io, &again, nullptr).ok());
    ASSERT_TRUE(f.UnlockFile(lock, io, nullptr).ok());
    uint64_t free_before = 0;
    ASSERT_TRUE(f.GetFreeSpace("/d", io, &free_before, nullptr).ok());
    EXPECT_GT(free_before, 16u << 20);
    // Appending to an existing file continues it.
    ASSERT_TRUE(f.ReopenWritableFile("/d/c", {}, &w, nullptr).ok());
    ASSERT_TRUE(w->Append("tail", io, nullptr).ok());
    ASSERT_TRUE(w->Sync(io, nullptr).ok());
    ASSERT_TRUE(w->Close(io, nullptr).ok());
    std::unique_ptr<rocksdb::FSDirectory> dir;
    ASSERT_TRUE(f.NewDirectory("/d", io, &dir, nullptr).ok());
    ASSERT_TRUE(dir->Fsync(io, nullptr).ok());
    EXPECT_TRUE(f.Check().ok()) << f.Check().ToString();
  }
  {
    auto fs = ZoneFileSystem::Open(*dev, {});
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    auto& f = **fs;
    std::string data;
    for (int i = 0; i < 3000; ++i) data += Value(i, 1, 37);
    data += "tail";
    for (const char* name : {"/d/b", "/d/c"}) {
      std::unique_ptr<rocksdb::FSSequentialFile> r;
      ASSERT_TRUE(f.NewSequentialFile(name, {}, &r, nullptr).ok());
      std::string scratch(data.size() + 100, '\0');
      rocksdb::Slice got;
      ASSERT_TRUE(r->Read(scratch.size(), io, &got, scratch.data(), nullptr).ok());
      EXPECT_EQ(got.ToString(), data) << name;
    }
    uint64_t links = 0;
    ASSERT_TRUE(f.NumFileLinks("/d/b", io, &links, nullptr).ok());
    EXPECT_EQ(links, 2u);
    ASSERT_TRUE(f.DeleteFile("/d/b", io, nullptr).ok());
    ASSERT_TRUE(f.DeleteFile("/d/c", io, nullptr).ok());
    EXPECT_FALSE(f.DeleteDir("/nothing", io, nullptr).ok());
    ASSERT_TRUE(f.DeleteDir("/d", io, nullptr).ok());
    EXPECT_EQ(f.Stats().live_bytes, 0u);
    EXPECT_TRUE(f.Check().ok()) << f.Check().ToString();
  }
}

// Overwrites many times the device's capacity: GC reclaims zones (the
// engine's resets) and every key reads back its last value.
TEST(ZoneFs, OverwriteRunReclaimsZonesAndKeepsEveryValue) {
  auto dev = Dev("mem:?zone_size=1M&zones=32");
  const uint64_t capacity = dev->info().capacity_bytes();
  constexpr int kKeys = 3000;
  std::map<int, int> gen;
  Db d;
  ASSERT_TRUE(d.Open(*dev).ok());
  std::mt19937 rng(42);
  uint64_t written = 0;
  int op = 0;
  while (written < 4 * capacity) {
    const int i = static_cast<int>(rng() % kKeys);
    const int g = ++op;
    const std::string v = Value(i, g, 1000);
    ASSERT_TRUE(d.db->Put(rocksdb::WriteOptions(), Key(i), v).ok()) << op;
    gen[i] = g;
    written += v.size() + 16;
  }
  ASSERT_TRUE(d.db->Flush(rocksdb::FlushOptions()).ok());
  const ZoneFsStats st = d.fs->Stats();
  EXPECT_GT(st.gc.zones_reset, 2 * dev->info().nr_zones) << "GC reclaimed too little";
  // Reopen everything and read each key.
  ASSERT_TRUE(d.Close().ok());
  ASSERT_TRUE(d.Open(*dev).ok());
  for (const auto& [i, g] : gen) {
    std::string v;
    ASSERT_TRUE(d.db->Get(rocksdb::ReadOptions(), Key(i), &v).ok()) << i;
    ASSERT_EQ(v, Value(i, g, 1000)) << i;
  }
  EXPECT_TRUE(d.fs->Check().ok()) << d.fs->Check().ToString();
  std::printf("overwrite: %llu user bytes, %llu relocated, device WA %.2f, %llu zones reset\n",
              (unsigned long long)st.gc.user_bytes, (unsigned long long)st.gc.relocated_bytes,
              st.gc.write_amplification(), (unsigned long long)st.gc.zones_reset);
}

// Power cuts: synced writes (overwrites of a small key space, so that GC
// relocates WAL and table extents) until an armed cut fires; after each
// cut the DB opens on the same device and every key has the value of its
// last acknowledged write (or of the one the cut interrupted). Several cuts
// per round: the next cut may land in recovery's own writes.
TEST(ZoneFs, PowerCutsKeepEverySyncedWrite) {
  constexpr int kKeys = 400;
  const uint64_t points[] = {1, 3, 17, 60, 150, 400, 1100, 2500, 9000, 30000, 60000};
  int cuts = 0, opened_after_cut = 0;
  uint64_t relocated = 0, writes = 0;
  for (uint64_t round = 0; round < 4; ++round) {
    auto dev = Dev("mem:?zone_size=1M&zones=16&cache=volatile");
    std::map<int, int> acked;    // key -> generation of its last acknowledged write
    std::map<int, int> pending;  // key -> generation a cut interrupted
    int g = 0;
    std::mt19937 rng(static_cast<uint32_t>(round));
    for (int cut = 0; cut < 3; ++cut) {
      const uint64_t n = points[(round * 3 + cut * 4) % std::size(points)] + rng() % 7;
      ASSERT_TRUE(dev->ArmPowerCut(n, {PowerCutMode::kTear, round * 10 + cut}).ok());
      {
        Db d;
        rocksdb::Status s =
            d.Open(*dev, {}, [](rocksdb::Options* o) { o->paranoid_checks = true; });
        if (s.ok()) {
          rocksdb::WriteOptions wo;
          wo.sync = true;
          for (int w = 0; w < 20000; ++w) {
            const int i = static_cast<int>(rng() % kKeys);
            const int gen = ++g;
            if (!d.db->Put(wo, Key(i), Value(i, gen, 700)).ok()) {
              pending[i] = gen;
              break;
            }
            acked[i] = gen;
            pending.erase(i);
            ++writes;
          }
          relocated += d.fs->Stats().gc.relocated_bytes;
        }
        // The cut has fired (or the run was long enough): drop everything.
        (void)dev->CutPower({PowerCutMode::kTear, round * 100 + cut});
        d.db.reset();
        d.env.reset();
        d.fs.reset();
      }
      ++cuts;
      ASSERT_TRUE(dev->PowerOn().ok());
      Db d;
      rocksdb::Status s = d.Open(*dev);
      ASSERT_TRUE(s.ok()) << "round " << round << " cut " << cut << ": " << s.ToString();
      ++opened_after_cut;
      for (const auto& [i, gen] : acked) {
        std::string v;
        ASSERT_TRUE(d.db->Get(rocksdb::ReadOptions(), Key(i), &v).ok()) << i;
        auto p = pending.find(i);
        if (p != pending.end() && v == Value(i, p->second, 700)) {
          acked[i] = p->second;  // the interrupted write landed
          continue;
        }
        ASSERT_EQ(v, Value(i, gen, 700)) << "round " << round << " cut " << cut << " key " << i;
      }
      for (const auto& [i, gen] : pending) {
        if (acked.count(i)) continue;
        std::string v;
        if (d.db->Get(rocksdb::ReadOptions(), Key(i), &v).ok()) acked[i] = gen;
      }
      pending.clear();
      ASSERT_TRUE(d.Close().ok());
      ASSERT_TRUE(dev->Sync().ok());
    }
  }
  EXPECT_EQ(opened_after_cut, cuts);
  EXPECT_GT(relocated, 0u) << "no cut landed while GC had relocated data";
  std::printf("power cuts: %d, %llu acknowledged writes, %llu bytes relocated before cuts\n", cuts,
              (unsigned long long)writes, (unsigned long long)relocated);
}

// A device holding a log whose owner config is not this plugin's, or a
// damaged record: Open fails with a clear error and writes nothing.
std::vector<std::byte> Image(ZonedDevice& dev) {
  std::vector<std::byte> img(dev.info().capacity_bytes());
  EXPECT_TRUE(dev.Read(0, img).ok());
  auto zones = dev.ReportAllZones();
  for (const Zone& z : *zones) {
    const auto* p = reinterpret_cast<const std::byte*>(&z.wp);
    img.insert(img.end(), p, p + sizeof(z.wp));
    img.push_back(static_cast<std::byte>(z.cond));
  }
  return img;
}

struct NoOwner final : LogOwner {
  Result<LogSnapshot> Snapshot() override { return Status::Busy("test owner: no checkpoints"); }
};

TEST(ZoneFs, ForeignConfigIsRefusedAndNothingIsWritten) {
  auto dev = Dev("mem:?zone_size=1M&zones=16");
  LogOptions lo;
  lo.max_checkpoint_bytes = 64 << 10;
  std::vector<std::byte> config(40, std::byte{0x5a});  // someone else's
  ASSERT_TRUE(MetaLog::Format(*dev, lo, config).ok());
  const auto before = Image(*dev);
  auto fs = ZoneFileSystem::Open(*dev, {});
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.status().code(), Code::kCorruption);
  EXPECT_NE(fs.status().message().find("not a zgc RocksDB file system"), std::string::npos)
      << fs.status().ToString();
  EXPECT_EQ(Image(*dev), before);

  // A newer version of our own config: not supported, nothing written.
  auto dev2 = Dev("mem:?zone_size=1M&zones=16");
  auto ours = EncodeFsConfig({4096, 0, 0, 0});
  ours[8] = std::byte{9};
  ASSERT_TRUE(MetaLog::Format(*dev2, lo, ours).ok());
  const auto before2 = Image(*dev2);
  fs = ZoneFileSystem::Open(*dev2, {});
  EXPECT_EQ(fs.status().code(), Code::kNotSupported) << fs.status().ToString();
  EXPECT_EQ(Image(*dev2), before2);
}

TEST(ZoneFs, DamagedRecordIsRefusedAndNothingIsWritten) {
  auto dev = Dev("mem:?zone_size=1M&zones=16");
  {
    Db d;
    ASSERT_TRUE(d.Open(*dev).ok());
    ASSERT_TRUE(d.db->Put(rocksdb::WriteOptions(), "a", "b").ok());
    ASSERT_TRUE(d.Close().ok());
  }
  {
    // A record of the plugin's type whose payload is cut short, appended
    // through the log (so the log's own checksum is right).
    NoOwner owner;
    LogRecovery rec;
    LogOptions lo;
    auto log = MetaLog::Open(*dev, lo, owner, &rec);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    const std::vector<std::byte> bad(5, std::byte{1});
    ASSERT_TRUE((*log)->Append(kExtents, bad).ok());
    ASSERT_TRUE((*log)->Sync().ok());
  }
  const auto before = Image(*dev);
  auto fs = ZoneFileSystem::Open(*dev, {});
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.status().code(), Code::kCorruption);
  EXPECT_NE(fs.status().message().find("log record"), std::string::npos) << fs.status().ToString();
  EXPECT_EQ(Image(*dev), before);
}

TEST(ZoneFs, RegisteredForZgcUris) {
  std::shared_ptr<rocksdb::FileSystem> fs;
  rocksdb::ConfigOptions co;
  rocksdb::Status s =
      rocksdb::FileSystem::CreateFromString(co, "id=zgc://mem:?zone_size=1M&zones=16", &fs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_NE(fs, nullptr);
  EXPECT_TRUE(fs->CreateDirIfMissing("/x", {}, nullptr).ok());
  s = rocksdb::FileSystem::CreateFromString(co, "id=zgc://mem:?zone_size=banana", &fs);
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace zgc::rocksdb_plugin
