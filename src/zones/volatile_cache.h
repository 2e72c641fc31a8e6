// VolatileCache: what an emulated device with a volatile write cache has not
// yet made durable, and how a power cut takes it away (PowerCutMode).
//
// The store always holds the newest data (reads see completed writes at
// once, as with a real cache); this class remembers, since the last Sync, the
// zone table as it was, the data a reset discarded (the first reset of a zone
// only) and the old content of overwritten conventional blocks. A cut rolls
// the store and the zone table back to that (kDrop), or to a seeded mix of
// old and new at logical-block granularity (kTear).
//
// Thread safety: none; EmulatedDevice calls it with its mutex held and no
// data moving.
#ifndef ZGC_SRC_ZONES_VOLATILE_CACHE_H_
#define ZGC_SRC_ZONES_VOLATILE_CACHE_H_

#include <cstdint>
#include <map>
#include <vector>

#include "src/zones/zone_store.h"
#include "zgc/device.h"

namespace zgc {

class VolatileCache {
 public:
  VolatileCache(const DeviceInfo& info, ZoneStore& store, const std::vector<Zone>& zones)
      : info_(info), store_(store), durable_(zones), pending_(zones.size()) {}

  // Zone `index` is about to be reset.
  Status BeforeReset(uint32_t index);
  // [offset, offset + length) of a conventional zone is about to be overwritten.
  Status BeforeOverwrite(uint64_t offset, uint64_t length);
  // Zone `index` is being finished; its data ends at `data_end`.
  void BeforeFinish(uint32_t index, uint64_t data_end);
  // Everything completed is durable now.
  void Synced(const std::vector<Zone>& zones);
  // The power fails: rolls the store and `zones` back (see PowerCutMode).
  // Open zones come back closed (or empty), as after a power cycle.
  Status Cut(const PowerCut& cut, std::vector<Zone>& zones);

 private:
  struct Pending {
    bool reset = false;            // reset since the last sync
    std::vector<std::byte> saved;  // its durable data, [start, start + size)
    bool finished = false;         // finished since the last sync (after any reset)
    uint64_t data_end = 0;         // where its data ended when it was finished
  };
  Status CutSequential(uint32_t index, const PowerCut& cut, Zone& zone);
  Status CutConventional(const PowerCut& cut, const Zone& zone);
  static uint64_t DataEnd(const Zone& z);

  const DeviceInfo& info_;
  ZoneStore& store_;
  std::vector<Zone> durable_;
  std::vector<Pending> pending_;
  std::map<uint64_t, std::vector<std::byte>> undo_;  // conventional block -> durable content
};

}  // namespace zgc

#endif  // ZGC_SRC_ZONES_VOLATILE_CACHE_H_
