// zgcfs: the zgc RocksDB file system's tool (plugins/rocksdb_zenfs/README.md):
// mkfs, ls, df, zones, gc, fsck, dump --json, backup, restore. Each command
// takes the device URI, with the file system's gc_ knobs among its
// parameters where they apply (mkfs stores them, the others use them for
// this run). Exit codes: 0 done, 1 refused or failed, 2 usage.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "plugins/rocksdb_zenfs/zone_file_system.h"

namespace zgc::rocksdb_plugin {
namespace {

using Runner = std::function<int()>;

int Fail(const Status& s) {
  fmt::print(stderr, "zgcfs: {}\n", s.ToString());
  return s.code() == Code::kInvalidArgument ? 2 : 1;
}
int Fail(const rocksdb::IOStatus& s) {
  fmt::print(stderr, "zgcfs: {}\n", s.ToString());
  return s.IsInvalidArgument() ? 2 : 1;
}

// Opens the file system on the device without formatting a blank one and,
// unless `gc` (the gc command), without background GC: what reads need.
Result<std::shared_ptr<ZoneFileSystem>> OpenFs(const std::string& uri) {
  ZoneFsOptions o;
  o.format_if_blank = false;
  o.knobs.background = false;
  return ZoneFileSystem::Open(uri, o);
}

const char* LifetimeName(Lifetime l) {
  static constexpr const char* kNames[] = {"unknown", "short", "medium", "long", "extreme"};
  return kNames[static_cast<int>(l)];
}

int Mkfs(const std::string& uri, bool force) {
  GcKnobs knobs;
  auto device_uri = GcKnobs::SplitUri(uri, &knobs);
  if (!device_uri.ok()) return Fail(device_uri.status());
  auto dev = OpenDevice(*device_uri);
  if (!dev.ok()) return Fail(dev.status());
  auto zones = (*dev)->ReportAllZones();
  if (!zones.ok()) return Fail(zones.status());
  const bool blank = std::all_of(zones->begin(), zones->end(), [](const Zone& z) {
    return !z.sequential() || z.cond == ZoneCondition::kEmpty;
  });
  if (!blank && !force) {
    // Say what is there: our file system, or something else.
    ZoneFsOptions probe;
    probe.format_if_blank = false;
    auto fs = ZoneFileSystem::Open(**dev, probe);
    const std::string what =
        fs.ok() ? "a zgc file system" : "data (" + fs.status().ToString() + ")";
    fmt::print(stderr, "zgcfs: {} holds {}: not formatted (--force formats it; nothing written)\n",
               *device_uri, what);
    return 1;
  }
  ZoneFsOptions o;
  o.force_format = true;
  o.knobs = knobs;
  auto fs = ZoneFileSystem::Open(**dev, o);
  if (!fs.ok()) return Fail(fs.status());
  const ZoneFsStats st = (*fs)->Stats();
  fmt::print("formatted {}: {} data zones from zone {}, {} bytes for files; {}\n", *device_uri,
             st.data_zones, (*fs)->FirstDataZone(), st.max_live_bytes,
             (*fs)->StoredKnobs().ToString());
  Status s = (*fs)->Close();
  return s.ok() ? 0 : Fail(s);
}

int Ls(const std::string& uri, bool json) {
  auto fs = OpenFs(uri);
  if (!fs.ok()) return Fail(fs.status());
  std::map<std::string, const ZoneFileInfo*> by_name;
  const auto files = (*fs)->ListFiles();
  for (const auto& f : files)
    for (const auto& n : f.names) by_name[n] = &f;
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [n, f] : by_name)
      out.push_back({{"name", n}, {"id", f->id}, {"size", f->size}, {"mtime", f->mtime}});
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  for (const auto& d : (*fs)->ListDirs()) fmt::print("{:>12}  {}/\n", "-", d);
  for (const auto& [n, f] : by_name)
    fmt::print("{:>12}  {}  (file {}, {} extents)\n", f->size, n, f->id, f->extents.size());
  return 0;
}

nlohmann::json DfJson(ZoneFileSystem& fs) {
  const ZoneFsStats st = fs.Stats();
  uint64_t free = 0;
  (void)fs.GetFreeSpace("/", rocksdb::IOOptions(), &free, nullptr);
  const double amp = st.logical_bytes
                         ? double(st.live_bytes + st.reclaimable_bytes) / double(st.logical_bytes)
                         : 1.0;
  return {{"free_bytes", free},
          {"used_bytes", st.live_bytes},
          {"logical_bytes", st.logical_bytes},
          {"reclaimable_bytes", st.reclaimable_bytes},
          {"max_live_bytes", st.max_live_bytes},
          {"space_amplification", amp},
          {"files", st.files},
          {"data_zones", st.data_zones},
          {"free_zones", st.gc.free_zones}};
}

int Df(const std::string& uri, bool json) {
  auto fs = OpenFs(uri);
  if (!fs.ok()) return Fail(fs.status());
  const nlohmann::json d = DfJson(**fs);
  if (json) {
    fmt::print("{}\n", d.dump(2));
    return 0;
  }
  fmt::print(
      "free {} bytes (reclaimable included), used {} (files {}: {} logical), reclaimable {}, "
      "space amplification {:.3f}; {} of {} data zones free\n",
      d["free_bytes"].get<uint64_t>(), d["used_bytes"].get<uint64_t>(), d["files"].get<uint64_t>(),
      d["logical_bytes"].get<uint64_t>(), d["reclaimable_bytes"].get<uint64_t>(),
      d["space_amplification"].get<double>(), d["free_zones"].get<uint32_t>(),
      d["data_zones"].get<uint64_t>());
  return 0;
}

// The reverse map: for each data zone, its state and the files in it.
nlohmann::json ZonesJson(ZoneFileSystem& fs, ZonedDevice& dev, Status* s) {
  nlohmann::json out = nlohmann::json::array();
  auto zones = dev.ReportAllZones();
  if (!zones.ok()) {
    *s = zones.status();
    return out;
  }
  const uint64_t zs = dev.info().zone_size;
  std::map<uint32_t, std::map<std::string, uint64_t>> files_in;
  for (const auto& f : fs.ListFiles())
    for (const Extent& e : f.extents)
      files_in[static_cast<uint32_t>(e.offset / zs)][f.names.empty() ? "(deleted)" : f.names[0]] +=
          e.length;
  for (uint32_t z = fs.FirstDataZone(); z < zones->size(); ++z) {
    const Zone& zone = (*zones)[z];
    nlohmann::json files = nlohmann::json::object();
    uint64_t live = 0;
    for (const auto& [n, b] : files_in[z]) files[n] = b, live += b;
    out.push_back(
        {{"zone", z},
         {"cond", std::string(ZoneConditionName(zone.cond))},
         {"written", zone.cond == ZoneCondition::kFull ? zone.capacity : zone.wp - zone.start},
         {"live", live},
         {"files", files}});
  }
  return out;
}

int Zones(const std::string& uri, bool json) {
  GcKnobs knobs;
  auto device_uri = GcKnobs::SplitUri(uri, &knobs);
  if (!device_uri.ok()) return Fail(device_uri.status());
  auto dev = OpenDevice(*device_uri);
  if (!dev.ok()) return Fail(dev.status());
  ZoneFsOptions o;
  o.format_if_blank = false;
  o.knobs = knobs;
  o.knobs.background = false;
  auto fs = ZoneFileSystem::Open(**dev, o);
  if (!fs.ok()) return Fail(fs.status());
  Status s;
  const nlohmann::json zones = ZonesJson(**fs, **dev, &s);
  if (!s.ok()) return Fail(s);
  if (json) {
    fmt::print("{}\n", zones.dump(2));
    return 0;
  }
  for (const auto& z : zones) {
    std::string files;
    for (const auto& [n, b] : z["files"].items())
      files += fmt::format("{}{} ({})", files.empty() ? "" : ", ", n, b.get<uint64_t>());
    fmt::print("zone {:>5}  {:<3} written {:>10} live {:>10}  {}\n", z["zone"].get<uint32_t>(),
               z["cond"].get<std::string>(), z["written"].get<uint64_t>(),
               z["live"].get<uint64_t>(), files);
  }
  return 0;
}

int Gc(const std::string& uri, uint32_t max) {
  auto fs = OpenFs(uri);
  if (!fs.ok()) return Fail(fs.status());
  uint32_t n = 0;
  for (; max == 0 || n < max; ++n) {
    Status s = (*fs)->CollectOnce();
    if (s.code() == Code::kNoSpace) break;  // nothing left with garbage
    if (!s.ok()) return Fail(s);
    const ZoneFsStats st = (*fs)->Stats();
    fmt::print("collection {}: relocated {} bytes in all, {} zones reset, {} free zones\n", n + 1,
               st.gc.relocated_bytes, st.gc.zones_reset, st.gc.free_zones);
    std::fflush(stdout);
  }
  const ZoneFsStats st = (*fs)->Stats();
  fmt::print("gc: {} collections, relocated {} bytes (offload {}, fallback {}), {} free zones\n", n,
             st.gc.relocated_bytes, st.gc.offloaded_bytes, st.gc.fallback_bytes, st.gc.free_zones);
  Status s = (*fs)->Close();
  return s.ok() ? 0 : Fail(s);
}

// Read-only: Open writes nothing and nothing here changes the file system,
// so its Close writes nothing either.
int Fsck(const std::string& uri) {
  auto fs = OpenFs(uri);
  if (!fs.ok()) return Fail(fs.status());
  Status s = (*fs)->Check();
  if (!s.ok()) return Fail(s);
  const ZoneFsStats st = (*fs)->Stats();
  fmt::print(
      "fsck: clean: {} files, {} bytes in extents, every extent within its zone's write "
      "pointer and the engine's per-zone live bytes equal to the files'\n",
      st.files, st.live_bytes);
  return 0;
}

int Dump(const std::string& uri) {
  GcKnobs knobs;
  auto device_uri = GcKnobs::SplitUri(uri, &knobs);
  if (!device_uri.ok()) return Fail(device_uri.status());
  auto dev = OpenDevice(*device_uri);
  if (!dev.ok()) return Fail(dev.status());
  ZoneFsOptions o;
  o.format_if_blank = false;
  o.knobs = knobs;
  o.knobs.background = false;
  auto fs = ZoneFileSystem::Open(**dev, o);
  if (!fs.ok()) return Fail(fs.status());
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : (*fs)->ListFiles()) {
    nlohmann::json ext = nlohmann::json::array();
    for (const Extent& e : f.extents) ext.push_back({e.offset, e.length});
    files.push_back({{"id", f.id},
                     {"names", f.names},
                     {"size", f.size},
                     {"mtime", f.mtime},
                     {"lifetime", LifetimeName(f.lifetime)},
                     {"extents", ext}});
  }
  Status s;
  nlohmann::json out = {{"device", *device_uri},
                        {"first_data_zone", (*fs)->FirstDataZone()},
                        {"stored_knobs", (*fs)->StoredKnobs().ToString()},
                        {"knobs", (*fs)->Knobs().ToString()},
                        {"df", DfJson(**fs)},
                        {"directories", (*fs)->ListDirs()},
                        {"files", files},
                        {"zones", ZonesJson(**fs, **dev, &s)}};
  if (!s.ok()) return Fail(s);
  fmt::print("{}\n", out.dump(2));
  return 0;
}

int Backup(const std::string& uri, const std::string& dir) {
  auto fs = OpenFs(uri);
  if (!fs.ok()) return Fail(fs.status());
  namespace stdfs = std::filesystem;
  uint64_t files = 0, bytes = 0;
  for (const auto& f : (*fs)->ListFiles()) {
    for (const auto& name : f.names) {
      std::unique_ptr<rocksdb::FSSequentialFile> in;
      auto s = (*fs)->NewSequentialFile(name, rocksdb::FileOptions(), &in, nullptr);
      if (!s.ok()) return Fail(s);
      const stdfs::path out_path = stdfs::path(dir) / name.substr(1);
      std::error_code ec;
      stdfs::create_directories(out_path.parent_path(), ec);
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      if (ec || !out) return Fail(Status::IoError("cannot write " + out_path.string()));
      std::string buf(1 << 20, '\0');
      for (;;) {
        rocksdb::Slice got;
        s = in->Read(buf.size(), rocksdb::IOOptions(), &got, buf.data(), nullptr);
        if (!s.ok()) return Fail(s);
        if (got.empty()) break;
        out.write(got.data(), static_cast<std::streamsize>(got.size()));
        bytes += got.size();
      }
      if (!out.flush()) return Fail(Status::IoError("cannot write " + out_path.string()));
      ++files;
    }
  }
  for (const auto& d : (*fs)->ListDirs()) {
    std::error_code ec;
    stdfs::create_directories(stdfs::path(dir) / d.substr(1), ec);
  }
  fmt::print("backup: {} files, {} bytes to {}\n", files, bytes, dir);
  return 0;
}

int Restore(const std::string& uri, const std::string& dir) {
  namespace stdfs = std::filesystem;
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec))
    return Fail(Status::InvalidArgument("restore: " + dir + " is not a directory"));
  ZoneFsOptions o;  // a blank device is formatted (with the URI's knobs)
  auto fs = ZoneFileSystem::Open(uri, o);
  if (!fs.ok()) return Fail(fs.status());
  if (!(*fs)->ListFiles().empty())
    return Fail(Status::Busy(
        "restore: the file system on " + uri +
        " holds files: restore into an empty one (zgcfs mkfs --force first); nothing written"));
  uint64_t files = 0, bytes = 0;
  const rocksdb::IOOptions io;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = "/" + stdfs::relative(it->path(), dir).generic_string();
    if (it->is_directory()) {
      auto s = (*fs)->CreateDirIfMissing(name, io, nullptr);
      if (!s.ok()) return Fail(s);
      continue;
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::unique_ptr<rocksdb::FSWritableFile> out;
    auto s = (*fs)->NewWritableFile(name, rocksdb::FileOptions(), &out, nullptr);
    if (!s.ok()) return Fail(s);
    std::string buf(1 << 20, '\0');
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const size_t got = static_cast<size_t>(in.gcount());
      if (!got) break;
      s = out->Append(rocksdb::Slice(buf.data(), got), io, nullptr);
      if (!s.ok()) return Fail(s);
      bytes += got;
    }
    if (in.bad()) return Fail(Status::IoError("cannot read " + it->path().string()));
    s = out->Sync(io, nullptr);
    if (s.ok()) s = out->Close(io, nullptr);
    if (!s.ok()) return Fail(s);
    ++files;
  }
  if (ec) return Fail(Status::IoError("restore: reading " + dir + ": " + ec.message()));
  Status s = (*fs)->Close();
  if (!s.ok()) return Fail(s);
  fmt::print("restore: {} files, {} bytes from {}\n", files, bytes, dir);
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"zgcfs: the zgc RocksDB file system (zgc://<device-uri>)"};
  app.require_subcommand(1);
  Runner run;
  // CLI11 binds options to storage that outlives parsing.
  auto uri = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto max = std::make_shared<uint32_t>(0);
  auto add = [&](const char* name, const char* help) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("uri", *uri, "Device URI (zbd:/dev/.., emu:/path, mem:?..; gc_ knobs)")
        ->required();
    return cmd;
  };
  add("mkfs", "Format the device (stores the URI's gc_ knobs)")
      ->callback([&] { run = [&] { return Mkfs(*uri, *force); }; })
      ->add_flag("--force", *force, "Format a device that holds a zgcfs or other data");
  add("ls", "List files")
      ->callback([&] { run = [&] { return Ls(*uri, *json); }; })
      ->add_flag("--json", *json, "Print JSON");
  add("df", "Free, used and reclaimable space, space amplification")
      ->callback([&] { run = [&] { return Df(*uri, *json); }; })
      ->add_flag("--json", *json, "Print JSON");
  add("zones", "Which files live in each data zone")
      ->callback([&] { run = [&] { return Zones(*uri, *json); }; })
      ->add_flag("--json", *json, "Print JSON");
  add("gc", "Collect now, one zone at a time, with progress")
      ->callback([&] { run = [&] { return Gc(*uri, *max); }; })
      ->add_option("--max", *max, "At most this many collections (0: until none has garbage)");
  add("fsck", "Check every extent against the zones and the engine (read-only)")->callback([&] {
    run = [&] { return Fsck(*uri); };
  });
  auto* dump = add("dump", "Everything as JSON: knobs, space, files and extents, zones");
  dump->add_flag("--json", *json, "JSON (the only format)");
  dump->callback([&] { run = [&] { return Dump(*uri); }; });
  add("backup", "Copy every file to a directory")
      ->callback([&] { run = [&] { return Backup(*uri, *dir); }; })
      ->add_option("dir", *dir, "Destination directory")
      ->required();
  add("restore", "Copy a backup's files into an empty file system (a blank device is formatted)")
      ->callback([&] { run = [&] { return Restore(*uri, *dir); }; })
      ->add_option("dir", *dir, "Backup directory")
      ->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return run ? run() : 2;
}

}  // namespace
}  // namespace zgc::rocksdb_plugin

int main(int argc, char** argv) {
  try {
    return zgc::rocksdb_plugin::Main(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "zgcfs: internal error: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "zgcfs: internal error: unknown exception\n");
  }
  return 1;
}
