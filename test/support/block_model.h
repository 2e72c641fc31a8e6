// What a volume's blocks may read back as, for crash and fault checkers:
// each block is stamped with its logical block and a version, and the model
// knows each block's state at its last durability barrier and every state
// issued to it since. One model per writer thread, over its own blocks.
#ifndef ZGC_TEST_SUPPORT_BLOCK_MODEL_H_
#define ZGC_TEST_SUPPORT_BLOCK_MODEL_H_

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "zgc/volume.h"

namespace zgc::testing {

inline constexpr uint64_t kBlock = Volume::kBlock;

// Every 16 bytes of a block say which logical block and which version it is.
inline std::vector<std::byte> Stamp(uint64_t lba, uint64_t version) {
  std::vector<std::byte> b(kBlock);
  for (size_t i = 0; i < kBlock; i += 16) {
    std::memcpy(&b[i], &lba, 8);
    std::memcpy(&b[i + 8], &version, 8);
  }
  return b;
}

// The version a block holds: 0 for zeroes; ~0 for anything that is not one
// whole stamp of this lba (a mix, another block's data, garbage).
inline uint64_t VersionOf(const std::byte* b, uint64_t lba) {
  uint64_t l, v;
  std::memcpy(&l, b, 8);
  std::memcpy(&v, b + 8, 8);
  if (l == 0 && v == 0) {
    for (size_t i = 0; i < kBlock; ++i)
      if (b[i] != std::byte{0}) return ~0ull;
    return 0;
  }
  if (l != lba) return ~0ull;
  for (size_t i = 0; i < kBlock; i += 16) {
    uint64_t l2, v2;
    std::memcpy(&l2, b + i, 8);
    std::memcpy(&v2, b + i + 8, 8);
    if (l2 != l || v2 != v) return ~0ull;
  }
  return v;
}

struct BlockCounts {
  uint64_t checked = 0, lost = 0, bad = 0;
  std::string first;  // the first problem, for messages
};

class BlockModel {
 public:
  // The model covers blocks [lo, hi); versions start at `version_base` so
  // that models of different threads never stamp the same version.
  BlockModel(uint64_t lo, uint64_t hi, uint64_t version_base = 0)
      : lo_(lo), hi_(hi), next_version_(version_base + 1) {}

  uint64_t lo() const { return lo_; }
  uint64_t hi() const { return hi_; }

  // Recorded before the call: a write that fails may have landed.
  void Issued(uint64_t lba, uint64_t state) { since_[lba].insert(state), newest_[lba] = state; }
  void Durable(uint64_t lba, uint64_t state) { acked_[lba] = state, since_.erase(lba); }
  // Every block of this model now holds durably the newest state issued to it.
  void Flushed() {
    for (const auto& [l, state] : newest_)
      if (since_.count(l)) acked_[l] = state;
    since_.clear();
  }

  // One random operation: 1-3 block writes (5 % FUA, sometimes 9-40 blocks,
  // which may span zones), single-block trims, flushes. Returns its status.
  Status Step(Volume& v, std::mt19937_64& rng) {
    const uint64_t span = hi_ - lo_;
    const uint64_t lba = lo_ + (rng() % 4 ? rng() % std::max<uint64_t>(1, span / 4) : rng() % span);
    const int op = static_cast<int>(rng() % 100);
    if (op < 90) {
      uint64_t n = op < 3 ? 9 + rng() % 32 : 1 + rng() % 3;
      n = std::min(n, span);
      const uint64_t first = std::min(lba, hi_ - n);
      std::vector<std::byte> buf;
      std::vector<uint64_t> vs;
      for (uint64_t k = 0; k < n; ++k) {
        const auto blk = Stamp(first + k, next_version_);
        buf.insert(buf.end(), blk.begin(), blk.end());
        vs.push_back(next_version_++);
      }
      std::vector<uint64_t> before(n);
      for (uint64_t k = 0; k < n; ++k) {
        before[k] = newest_.count(first + k) ? newest_[first + k] : 0;
        Issued(first + k, vs[k]);
      }
      const bool fua = op >= 85;
      Status s = v.Write(first * kBlock, buf, fua);
      if (s.ok() && fua)
        for (uint64_t k = 0; k < n; ++k) Durable(first + k, vs[k]);
      if (s.code() == Code::kNoSpace) {
        // Refused whole: nothing changed (the contract).
        for (uint64_t k = 0; k < n; ++k) Retract(first + k, vs[k], before[k]);
      }
      return s;
    }
    if (op < 93) {
      Issued(lba, 0);
      return v.Trim(lba * kBlock, kBlock);
    }
    Status s = v.Flush();
    if (s.ok()) Flushed();
    return s;
  }

  // Reads the model's blocks back: each must hold its state at the last
  // barrier or a state issued since. With `settle`, what was read becomes
  // the new durable state (after a recovery, it is).
  Status Verify(Volume& v, BlockCounts& c, bool settle) {
    std::vector<std::byte> b((hi_ - lo_) * kBlock);
    ZGC_RETURN_IF_ERROR(v.Read(lo_ * kBlock, b));
    for (uint64_t l = lo_; l < hi_; ++l) {
      const uint64_t got = VersionOf(&b[(l - lo_) * kBlock], l);
      const uint64_t want = acked_.count(l) ? acked_[l] : 0;
      ++c.checked;
      bool ok = got == want || (since_.count(l) && since_[l].count(got));
      if (!ok) {
        if (c.first.empty())
          c.first = "block " + std::to_string(l) + ": read " +
                    (got == ~0ull ? std::string("garbage") : "version " + std::to_string(got)) +
                    ", acknowledged " + std::to_string(want) + " (" +
                    std::to_string(since_.count(l) ? since_[l].size() : 0) + " states since)";
        (got == ~0ull ? c.bad : c.lost)++;
      }
      if (settle && got != ~0ull) acked_[l] = got, newest_[l] = got;
    }
    if (settle) since_.clear();
    return Status::OK();
  }

 private:
  void Retract(uint64_t lba, uint64_t state, uint64_t previous) {
    newest_[lba] = previous;
    auto it = since_.find(lba);
    if (it == since_.end()) return;
    it->second.erase(state);
    if (it->second.empty()) since_.erase(it);
  }

  uint64_t lo_, hi_;
  uint64_t next_version_;
  std::map<uint64_t, uint64_t> acked_;
  std::map<uint64_t, std::set<uint64_t>> since_;
  std::map<uint64_t, uint64_t> newest_;  // the last state issued to each block
};

}  // namespace zgc::testing

#endif  // ZGC_TEST_SUPPORT_BLOCK_MODEL_H_
