// zgc::rocksdb_plugin::FileTable: the plugin's file system metadata (files,
// their extents on the device, names, directories) and its encodings in the
// metadata log: the records, the checkpoint and the config (docs/FORMAT.md,
// section 4). No I/O.
//
// Contract:
// - A file is an id with a logical size, an mtime, a lifetime hint, one or
//   more names (hard links) and extents: device byte ranges, whole blocks,
//   that hold its bytes in order. The extents cover the size rounded up to a
//   block; the last block is padded when the size is not whole blocks (a
//   synced tail), and the next append rewrites it elsewhere.
// - Apply(type, payload) is the one way the table changes, at run time and in
//   recovery alike: the file system encodes a record, applies it, then
//   appends it to the log, so what recovery replays is what ran. A malformed
//   record or one that does not fit the table (an unknown file, a size its
//   extents do not cover) is kCorruption and changes nothing.
// - Apply reports what the change let go (Effects): files left with no name
//   and extents a truncation dropped, so that the owner tells the engine.
//
// Thread safety: none; the file system guards its table with its metadata
// lock.
#ifndef ZGC_PLUGINS_ROCKSDB_ZENFS_FILE_TABLE_H_
#define ZGC_PLUGINS_ROCKSDB_ZENFS_FILE_TABLE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "plugins/rocksdb_zenfs/gc_knobs.h"
#include "zgc/device.h"
#include "zgc/gc.h"
#include "zgc/status.h"

namespace zgc::rocksdb_plugin {

// Log record types (the log's owner types, 1..kMaxLogRecordType).
enum RecordType : uint8_t {
  kCreate = 1,   // {id u64, mtime u64, lifetime u8, name}
  kExtents = 2,  // {id u64, size u64, mtime u64, keep u64, n u32, n x {offset u64, length u64}}
  kRename = 3,   // {from name, to name}
  kLink = 4,     // {from name, to name}
  kDelete = 5,   // {name}
  kMkdir = 6,    // {name}
  kRmdir = 7,    // {name}
};

// One file. The metadata fields are the table's (guarded by the file
// system's metadata lock); the writer fields belong to the one writable
// handle (guarded by wmu).
struct FileNode {
  uint64_t id = 0;
  uint64_t size = 0;   // bytes the extents hold
  uint64_t mtime = 0;  // seconds since the epoch
  Lifetime lifetime = Lifetime::kUnknown;
  std::vector<Extent> extents;
  uint32_t links = 0;  // names bound to it
  // Run time only (never encoded).
  uint32_t handles = 0;     // open handles: a file deleted while open keeps its data until the last
  bool deleted = false;     // no name left; kept for its open handles
  uint64_t last_seq = 0;    // the last log record that changed it
  bool foreground = false;  // a WAL: its writes are throttled when space runs low
  // The logical size including bytes a writer still buffers.
  std::atomic<uint64_t> logical_size{0};
  // Writer state: bytes from buf_start (a block boundary) not yet on the
  // device, or (when !dirty) the synced tail block's bytes.
  std::mutex wmu;
  bool writing = false;
  std::string buf;
  uint64_t buf_start = 0;
  bool dirty = false;

  uint64_t device_bytes() const {
    uint64_t n = 0;
    for (const Extent& e : extents) n += e.length;
    return n;
  }
};

class FileTable {
 public:
  explicit FileTable(uint32_t block_bytes) : block_(block_bytes) {}

  struct Effects {
    std::vector<std::shared_ptr<FileNode>> dropped;  // no name left
    std::vector<Extent> freed;                       // dropped from a file's end
  };
  Status Apply(uint8_t type, std::span<const std::byte> payload, Effects* fx);

  // Record payloads.
  static std::vector<std::byte> EncodeCreate(uint64_t id, uint64_t mtime, Lifetime lifetime,
                                             const std::string& name);
  static std::vector<std::byte> EncodeExtents(uint64_t id, uint64_t size, uint64_t mtime,
                                              uint64_t keep, std::span<const Extent> extents);
  static std::vector<std::byte> EncodeNames(const std::string& from, const std::string& to);
  static std::vector<std::byte> EncodeName(const std::string& name);

  // The whole table (files with a name and directories).
  std::vector<std::byte> EncodeCheckpoint() const;
  // Replaces the table by a checkpoint's. kCorruption (malformed, a size its
  // extents do not cover, two files by one id or name).
  Status DecodeCheckpoint(std::span<const std::byte> data);

  std::shared_ptr<FileNode> Find(const std::string& name) const;
  const std::map<std::string, uint64_t>& names() const { return names_; }
  const std::map<uint64_t, std::shared_ptr<FileNode>>& files() const { return files_; }
  const std::set<std::string>& dirs() const { return dirs_; }
  uint64_t NextId() { return next_id_++; }
  uint32_t block_bytes() const { return block_; }

 private:
  // Binds `name` to `node`, unbinding whatever it named.
  void Bind(const std::string& name, const std::shared_ptr<FileNode>& node, Effects* fx);
  void Unbind(const std::string& name, Effects* fx);
  Status CheckCover(const FileNode& f) const;

  uint32_t block_;
  std::map<uint64_t, std::shared_ptr<FileNode>> files_;  // by id: every file with a name
  std::map<std::string, uint64_t> names_;                // name -> id
  std::set<std::string> dirs_;
  uint64_t next_id_ = 1;
};

// The plugin's config in the log superblock (docs/FORMAT.md, section 4).
// Version 1 (milestone 1) has no knobs and is still read; version 2 adds the
// GC knobs, every one set (format stores them resolved).
struct FsConfig {
  uint32_t block_bytes = 4096;
  uint32_t log_first = 0, log_zones = 0;
  uint32_t data_first = 0;
  GcKnobs knobs;  // none in a version 1 config
};
inline constexpr uint64_t kFsConfigMagic = 0x3153464244524747;  // "GGRDBFS1"
inline constexpr uint32_t kFsConfigVersion = 2;
inline constexpr size_t kFsConfigBytes = 72;
inline constexpr size_t kFsConfigV1Bytes = 32;
inline constexpr uint32_t kCheckpointMagic = 0x54434646;  // "FFCT"
inline constexpr uint32_t kCheckpointVersion = 1;

std::vector<std::byte> EncodeFsConfig(const FsConfig& c);
// kCorruption (not this plugin's config: magic, length; fields the device
// cannot hold), kNotSupported (another version).
Result<FsConfig> DecodeFsConfig(std::span<const std::byte> b, const DeviceInfo& info,
                                uint32_t log_first, uint32_t log_zones);

}  // namespace zgc::rocksdb_plugin

#endif  // ZGC_PLUGINS_ROCKSDB_ZENFS_FILE_TABLE_H_
