// zgc::rocksdb_plugin::FileTable (file_table.h).
#include "plugins/rocksdb_zenfs/file_table.h"

#include <algorithm>

#include "src/base/hex.h"
#include "src/base/little_endian.h"

namespace zgc::rocksdb_plugin {

namespace {

// Names are at most this long (RocksDB's are paths well below it): a bound
// that keeps a record inside a log zone.
constexpr size_t kMaxName = 4096;

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(std::byte{v}); }
  void U16(uint16_t v) { Put(v); }
  void U32(uint32_t v) { Put(v); }
  void U64(uint64_t v) { Put(v); }
  void Str(const std::string& s) {
    U16(static_cast<uint16_t>(s.size()));
    for (char c : s) out_.push_back(static_cast<std::byte>(c));
  }
  std::vector<std::byte> Take() { return std::move(out_); }

 private:
  template <typename T>
  void Put(T v) {
    std::byte b[sizeof(T)];
    PutLe<T>(b, v);
    out_.insert(out_.end(), b, b + sizeof(T));
  }
  std::vector<std::byte> out_;
};

// Reads fields; any read past the end sets `bad` and yields zeroes.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> in) : in_(in) {}
  uint8_t U8() { return Get<uint8_t>(); }
  uint16_t U16() { return Get<uint16_t>(); }
  uint32_t U32() { return Get<uint32_t>(); }
  uint64_t U64() { return Get<uint64_t>(); }
  std::string Str() {
    const uint16_t n = U16();
    if (bad || n > in_.size() - pos_ || n == 0) {
      bad = true;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  bool done() const { return !bad && pos_ == in_.size(); }
  size_t left() const { return in_.size() - pos_; }
  bool bad = false;

 private:
  template <typename T>
  T Get() {
    if (bad || in_.size() - pos_ < sizeof(T)) {
      bad = true;
      return 0;
    }
    T v = GetLe<T>(in_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  std::span<const std::byte> in_;
  size_t pos_ = 0;
};

uint64_t RoundUp(uint64_t v, uint64_t b) { return (v + b - 1) / b * b; }

Status Malformed(const char* what) { return Status::Corruption(std::string("malformed ") + what); }

}  // namespace

std::vector<std::byte> FileTable::EncodeCreate(uint64_t id, uint64_t mtime, Lifetime lifetime,
                                               const std::string& name) {
  Writer w;
  w.U64(id);
  w.U64(mtime);
  w.U8(static_cast<uint8_t>(lifetime));
  w.Str(name);
  return w.Take();
}

std::vector<std::byte> FileTable::EncodeExtents(uint64_t id, uint64_t size, uint64_t mtime,
                                                uint64_t keep, std::span<const Extent> extents) {
  Writer w;
  w.U64(id);
  w.U64(size);
  w.U64(mtime);
  w.U64(keep);
  w.U32(static_cast<uint32_t>(extents.size()));
  for (const Extent& e : extents) {
    w.U64(e.offset);
    w.U64(e.length);
  }
  return w.Take();
}

std::vector<std::byte> FileTable::EncodeNames(const std::string& from, const std::string& to) {
  Writer w;
  w.Str(from);
  w.Str(to);
  return w.Take();
}

std::vector<std::byte> FileTable::EncodeName(const std::string& name) {
  Writer w;
  w.Str(name);
  return w.Take();
}

std::shared_ptr<FileNode> FileTable::Find(const std::string& name) const {
  auto it = names_.find(name);
  if (it == names_.end()) return nullptr;
  return files_.at(it->second);
}

void FileTable::Unbind(const std::string& name, Effects* fx) {
  auto it = names_.find(name);
  if (it == names_.end()) return;
  auto f = files_.find(it->second);
  names_.erase(it);
  if (--f->second->links == 0) {
    f->second->deleted = true;
    if (fx) fx->dropped.push_back(f->second);
    files_.erase(f);
  }
}

void FileTable::Bind(const std::string& name, const std::shared_ptr<FileNode>& node, Effects* fx) {
  auto it = names_.find(name);
  if (it != names_.end() && it->second == node->id) return;
  Unbind(name, fx);
  names_[name] = node->id;
  ++node->links;
}

Status FileTable::CheckCover(const FileNode& f) const {
  uint64_t bytes = 0;
  for (const Extent& e : f.extents) {
    if (e.length == 0 || e.offset % block_ || e.length % block_)
      return Status::Corruption("file " + std::to_string(f.id) + ": extent " + Hex(e.offset) + "+" +
                                Hex(e.length) + " is not whole blocks");
    bytes += e.length;
  }
  if (bytes != RoundUp(f.size, block_))
    return Status::Corruption("file " + std::to_string(f.id) + ": " + std::to_string(f.size) +
                              " bytes, but its extents hold " + std::to_string(bytes));
  return Status::OK();
}

Status FileTable::Apply(uint8_t type, std::span<const std::byte> payload, Effects* fx) {
  Reader r(payload);
  switch (type) {
    case kCreate: {
      const uint64_t id = r.U64(), mtime = r.U64();
      const uint8_t lifetime = r.U8();
      const std::string name = r.Str();
      if (!r.done() || lifetime > static_cast<uint8_t>(Lifetime::kExtreme) ||
          name.size() > kMaxName)
        return Malformed("create record");
      if (id == 0 || files_.count(id))
        return Status::Corruption("create record: file id " + std::to_string(id) +
                                  " is in use or zero");
      auto node = std::make_shared<FileNode>();
      node->id = id;
      node->mtime = mtime;
      node->lifetime = static_cast<Lifetime>(lifetime);
      files_[id] = node;
      Bind(name, node, fx);
      next_id_ = std::max(next_id_, id + 1);
      return Status::OK();
    }
    case kExtents: {
      const uint64_t id = r.U64(), size = r.U64(), mtime = r.U64(), keep = r.U64();
      const uint32_t n = r.U32();
      if (r.bad || r.left() != uint64_t(n) * 16) return Malformed("extents record");
      std::vector<Extent> add(n);
      for (Extent& e : add) e = {r.U64(), r.U64()};
      auto f = files_.find(id);
      if (f == files_.end())
        return Status::Corruption("extents record for file " + std::to_string(id) +
                                  ", which does not exist");
      FileNode& node = *f->second;
      if (keep % block_ || keep > node.device_bytes())
        return Status::Corruption("extents record for file " + std::to_string(id) + ": keeps " +
                                  std::to_string(keep) + " of its " +
                                  std::to_string(node.device_bytes()) + " device bytes");
      // Check on a copy: a record that does not fit changes nothing.
      FileNode next;
      next.id = id;
      next.size = size;
      std::vector<Extent> freed;
      uint64_t at = 0;
      for (const Extent& e : node.extents) {
        if (at + e.length <= keep) {
          next.extents.push_back(e);
        } else if (at < keep) {
          next.extents.push_back({e.offset, keep - at});
          freed.push_back({e.offset + (keep - at), e.length - (keep - at)});
        } else {
          freed.push_back(e);
        }
        at += e.length;
      }
      next.extents.insert(next.extents.end(), add.begin(), add.end());
      ZGC_RETURN_IF_ERROR(CheckCover(next));
      node.extents = std::move(next.extents);
      node.size = size;
      node.mtime = mtime;
      node.logical_size = size;
      if (fx) fx->freed.insert(fx->freed.end(), freed.begin(), freed.end());
      return Status::OK();
    }
    case kRename:
    case kLink: {
      const std::string from = r.Str(), to = r.Str();
      if (!r.done() || from.size() > kMaxName || to.size() > kMaxName)
        return Malformed(type == kRename ? "rename record" : "link record");
      auto node = Find(from);
      if (!node)
        return Status::Corruption(std::string(type == kRename ? "rename" : "link") +
                                  " record: no file named " + from);
      if (from == to) return Status::OK();
      Bind(to, node, fx);
      if (type == kRename) Unbind(from, fx);
      return Status::OK();
    }
    case kDelete: {
      const std::string name = r.Str();
      if (!r.done()) return Malformed("delete record");
      if (!names_.count(name)) return Status::Corruption("delete record: no file named " + name);
      Unbind(name, fx);
      return Status::OK();
    }
    case kMkdir:
    case kRmdir: {
      const std::string name = r.Str();
      if (!r.done() || name.size() > kMaxName) return Malformed("directory record");
      if (type == kMkdir)
        dirs_.insert(name);
      else
        dirs_.erase(name);
      return Status::OK();
    }
    default:
      return Status::Corruption("unknown record type " + std::to_string(type));
  }
}

std::vector<std::byte> FileTable::EncodeCheckpoint() const {
  Writer w;
  w.U32(kCheckpointMagic);
  w.U32(kCheckpointVersion);
  w.U64(next_id_);
  w.U32(static_cast<uint32_t>(dirs_.size()));
  for (const std::string& d : dirs_) w.Str(d);
  std::map<uint64_t, std::vector<const std::string*>> by_id;
  for (const auto& [name, id] : names_) by_id[id].push_back(&name);
  w.U32(static_cast<uint32_t>(files_.size()));
  for (const auto& [id, f] : files_) {
    w.U64(id);
    w.U64(f->size);
    w.U64(f->mtime);
    w.U8(static_cast<uint8_t>(f->lifetime));
    const auto& names = by_id[id];
    w.U32(static_cast<uint32_t>(names.size()));
    for (const std::string* n : names) w.Str(*n);
    w.U32(static_cast<uint32_t>(f->extents.size()));
    for (const Extent& e : f->extents) {
      w.U64(e.offset);
      w.U64(e.length);
    }
  }
  return w.Take();
}

Status FileTable::DecodeCheckpoint(std::span<const std::byte> data) {
  Reader r(data);
  if (r.U32() != kCheckpointMagic) return Malformed("checkpoint (magic)");
  if (const uint32_t v = r.U32(); v != kCheckpointVersion)
    return Status::NotSupported("file table checkpoint version " + std::to_string(v) +
                                " (this plugin reads version " +
                                std::to_string(kCheckpointVersion) + ")");
  FileTable t(block_);
  t.next_id_ = r.U64();
  const uint32_t ndirs = r.U32();
  for (uint32_t i = 0; i < ndirs && !r.bad; ++i) t.dirs_.insert(r.Str());
  const uint32_t nfiles = r.U32();
  for (uint32_t i = 0; i < nfiles && !r.bad; ++i) {
    auto f = std::make_shared<FileNode>();
    f->id = r.U64();
    f->size = r.U64();
    f->mtime = r.U64();
    const uint8_t lifetime = r.U8();
    if (lifetime > static_cast<uint8_t>(Lifetime::kExtreme)) r.bad = true;
    f->lifetime = static_cast<Lifetime>(lifetime);
    f->logical_size = f->size;
    const uint32_t nnames = r.U32();
    if (nnames == 0 || nnames > r.left() / 3) r.bad = true;
    if (r.bad) break;
    if (f->id == 0 || f->id >= t.next_id_ || t.files_.count(f->id))
      return Status::Corruption("checkpoint: file id " + std::to_string(f->id) +
                                " is zero, in use or past the next id");
    t.files_[f->id] = f;
    for (uint32_t k = 0; k < nnames && !r.bad; ++k) {
      std::string name = r.Str();
      if (r.bad) break;
      if (t.names_.count(name))
        return Status::Corruption("checkpoint: two files are named " + name);
      t.names_[name] = f->id;
      ++f->links;
    }
    const uint32_t n = r.U32();
    if (r.bad || uint64_t(n) * 16 > r.left()) {
      r.bad = true;
      break;
    }
    f->extents.resize(n);
    for (Extent& e : f->extents) e = {r.U64(), r.U64()};
    ZGC_RETURN_IF_ERROR(t.CheckCover(*f).WithContext("checkpoint"));
  }
  if (!r.done()) return Malformed("checkpoint");
  *this = std::move(t);
  return Status::OK();
}

std::vector<std::byte> EncodeFsConfig(const FsConfig& c) {
  Writer w;
  w.U64(kFsConfigMagic);
  w.U32(kFsConfigVersion);
  w.U32(c.block_bytes);
  w.U32(c.log_first);
  w.U32(c.log_zones);
  w.U32(c.data_first);
  w.U32(0);
  // Version 2: the knobs, each resolved (unset ones as the defaults).
  const GcKnobs k = GcKnobs::Resolved(GcOptions(), true, 10000).Overlay(c.knobs);
  w.U8(static_cast<uint8_t>(*k.policy));
  w.U8(static_cast<uint8_t>(*k.placement));
  w.U8(*k.user_classes);
  w.U8(*k.gc_classes);
  w.U8(*k.background ? 1 : 0);
  w.U8(0);
  w.U16(0);
  w.U32(*k.reserve);
  w.U32(*k.low);
  w.U32(*k.high);
  w.U32(*k.window);
  w.U32(*k.stall_ms);
  w.U32(0);
  w.U64(*k.rate);
  return w.Take();
}

Result<FsConfig> DecodeFsConfig(std::span<const std::byte> b, const DeviceInfo& info,
                                uint32_t log_first, uint32_t log_zones) {
  Reader r(b);
  const uint64_t magic = r.U64();
  if (r.bad || magic != kFsConfigMagic)
    return Status::Corruption(info.uri +
                              ": the log's owner config is not a zgc RocksDB file system's "
                              "(magic " +
                              Hex(magic) + ", expected " + Hex(kFsConfigMagic) + ")");
  const uint32_t version = r.U32();
  if (version != 1 && version != kFsConfigVersion)
    return Status::NotSupported(info.uri + ": zgc RocksDB file system config version " +
                                std::to_string(version) + " (this plugin reads versions 1 and " +
                                std::to_string(kFsConfigVersion) + ")");
  const size_t expected = version == 1 ? kFsConfigV1Bytes : kFsConfigBytes;
  FsConfig c;
  c.block_bytes = r.U32();
  c.log_first = r.U32();
  c.log_zones = r.U32();
  c.data_first = r.U32();
  const uint32_t reserved = r.U32();
  uint32_t reserved2 = 0;
  if (version >= 2) {
    GcKnobs& k = c.knobs;
    const uint8_t policy = r.U8(), placement = r.U8();
    k.user_classes = r.U8();
    k.gc_classes = r.U8();
    const uint8_t background = r.U8();
    reserved2 |= r.U8();
    reserved2 |= r.U16();
    k.reserve = r.U32();
    k.low = r.U32();
    k.high = r.U32();
    k.window = r.U32();
    k.stall_ms = r.U32();
    reserved2 |= r.U32();
    k.rate = r.U64();
    if (policy > static_cast<uint8_t>(VictimPolicy::kDefault) ||
        placement > static_cast<uint8_t>(PlacementPolicy::kSepBit) || background > 1)
      return Status::Corruption(info.uri + ": file system config: GC knobs: policy " +
                                std::to_string(policy) + ", placement " +
                                std::to_string(placement) + ", background " +
                                std::to_string(background) + " out of range");
    k.policy = static_cast<VictimPolicy>(policy);
    k.placement = static_cast<PlacementPolicy>(placement);
    k.background = background == 1;
  }
  if (!r.done() || b.size() != expected)
    return Status::Corruption(info.uri + ": file system config (version " +
                              std::to_string(version) + ") of " + std::to_string(b.size()) +
                              " bytes, expected " + std::to_string(expected));
  auto bad = [&](const std::string& why) {
    return Status::Corruption(info.uri + ": file system config: " + why);
  };
  if (reserved || reserved2) return bad("reserved field is not zero");
  if (c.block_bytes == 0 || c.block_bytes % info.logical_block_size ||
      info.zone_size % c.block_bytes)
    return bad("block size " + std::to_string(c.block_bytes) + " does not fit the device");
  if (c.log_first != log_first || c.log_zones != log_zones)
    return bad("the log is at zones " + std::to_string(c.log_first) + "+" +
               std::to_string(c.log_zones) + ", found at " + std::to_string(log_first) + "+" +
               std::to_string(log_zones));
  if (c.data_first != c.log_first + c.log_zones || c.data_first >= info.nr_zones)
    return bad("data zones start at " + std::to_string(c.data_first) + ", after the log at " +
               std::to_string(c.log_first) + "+" + std::to_string(c.log_zones) + " of " +
               std::to_string(info.nr_zones) + " zones");
  return c;
}

}  // namespace zgc::rocksdb_plugin
