// zgc::ZoneReaders: per-zone counts of volume reads in flight on the device,
// so that a victim zone is not reset under a read that resolved into it.
//
// Contract: a read resolves its mapping under the volume's map lock and calls
// Enter(zone) for each zone it will read before it drops that lock; it calls
// Leave(zone) once the device read returned. The volume's BeforeReset remaps
// nothing into the victim and then calls Wait(victim): once the map no longer
// points into the zone (the change was made under the map lock), no new read
// can enter it, so Wait returns when the reads that resolved there before
// have left. Reads hold no lock across device I/O, so they never stall a
// writer, and the reset is the only thing that waits for them.
//
// Thread safety: every method may be called from any thread, with or without
// the volume's locks (Enter is called under the map lock for the ordering
// above; Leave and Wait take no lock at all: atomics and C++20 atomic wait).
#ifndef ZGC_SRC_VOLUME_ZONE_READERS_H_
#define ZGC_SRC_VOLUME_ZONE_READERS_H_

#include <atomic>
#include <cstdint>
#include <memory>

namespace zgc {

class ZoneReaders {
 public:
  explicit ZoneReaders(uint32_t zones) : counts_(new std::atomic<uint32_t>[zones]()) {}

  void Enter(uint32_t zone) { counts_[zone].fetch_add(1, std::memory_order_acq_rel); }
  void Leave(uint32_t zone) {
    counts_[zone].fetch_sub(1, std::memory_order_acq_rel);
    // Every leave notifies (not only the last): a waiter sleeps on the count
    // it saw, and must see each change (cheap when nobody waits).
    counts_[zone].notify_all();
  }
  // Returns once no read entered before this call is in flight in `zone`.
  void Wait(uint32_t zone) {
    for (uint32_t n; (n = counts_[zone].load(std::memory_order_acquire)) != 0;)
      counts_[zone].wait(n, std::memory_order_acquire);
  }
  uint32_t InFlight(uint32_t zone) const { return counts_[zone].load(std::memory_order_acquire); }

 private:
  std::unique_ptr<std::atomic<uint32_t>[]> counts_;
};

}  // namespace zgc

#endif  // ZGC_SRC_VOLUME_ZONE_READERS_H_
