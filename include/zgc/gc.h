// zgc::GcEngine: reclaims zones for an owner that keeps its own mapping.
//
// Contract (the GC/owner contract of DESIGN.md):
// - The owner asks Allocate() where to write, writes there (in allocation order
//   within a zone), then reports OnWrite(). When data dies it reports
//   OnInvalidate(). The engine keeps per-zone live bytes and a per-zone index of
//   live extents; it never owns the mapping.
// - Relocation: the engine picks a victim, copies its live extents (through the
//   Copier: offload where the device has it) into a GC zone, then calls
//   owner.Relocate(moves). The owner remaps what is still live and unchanged,
//   persists, and answers per move. Only then is the victim reset. A move the
//   owner rejects (the data changed during the copy) is garbage at its new place.
//   A crash at any point loses nothing: until Relocate returns, the old copy is
//   the mapped one.
// - Placement: user writes go to zones of their lifetime class (known death
//   time, the owner's hint, or inferred from the lifetime of the data the write
//   replaces); relocated data goes to GC zones split by its age (or its known
//   death time), never to a younger class than it was in. User and GC data
//   never share a zone.
// - The engine keeps `reserve_zones` free zones for itself: Allocate fails with
//   kNoSpace rather than take them, so GC can always make progress.
//
// - Zones the device reports read-only (ZNS condition 0xD) are never written
//   or reset; their live data (adopted by Resume) is moved out in the
//   background, after which they hold nothing. Offline zones hold nothing the
//   engine can read: an owner's extent there is refused by Resume.
//
// Thread safety: all methods may be called from any thread; they serialize on
// one engine mutex, which is released while data is copied, while zones are
// reset and while the owner is called. Copies of one victim to several GC
// classes run concurrently (oneTBB).
//
// Lock order (the owner's lock L, the engine's mutex M):
// - The engine never holds M while it calls the owner (Relocate, DiesAt), so
//   the owner may hold L while it calls OnWrite, OnInvalidate, FreeZones,
//   Stats or LiveBytes: those never wait for a collection.
// - Allocate, CollectOnce and Stop may wait for a collection in progress,
//   whose Relocate may need L: the owner must not hold L (or any lock its
//   Relocate takes) while it calls them. The engine cannot see L; breaking
//   this rule deadlocks.
// - The owner's Relocate and DiesAt must not call Allocate, CollectOnce,
//   Start or Stop: those wait for the collection that is calling them. The
//   engine detects it and fails them with kBusy instead of hanging.
#ifndef ZGC_GC_H_
#define ZGC_GC_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "zgc/copy.h"
#include "zgc/device.h"

namespace zgc {

// Expected lifetime of data (RocksDB's WriteLifeTimeHint has the same shape).
enum class Lifetime : uint8_t { kUnknown = 0, kShort = 1, kMedium = 2, kLong = 3, kExtreme = 4 };

struct Move {
  Extent from;      // where the data was (still is, until the victim is reset)
  uint64_t to = 0;  // where a copy of all of it now is
};

class GcOwner {
 public:
  virtual ~GcOwner() = default;
  // Remap each move whose data is still live and unchanged, persist, and return
  // one flag per move (true: remapped). Must not call Allocate, CollectOnce,
  // Start or Stop (they fail with kBusy); OnWrite/OnInvalidate are allowed.
  virtual Result<std::vector<bool>> Relocate(std::span<const Move> moves) = 0;
  // Called before the engine resets a zone it collected: the owner makes
  // durable whatever moved its mapping away from the zone (remaps, and
  // invalidations of data that lived there), and waits for reads of the zone
  // it let start before. An error keeps the zone, dead, for another try.
  virtual Status BeforeReset(uint32_t zone) {
    (void)zone;
    return Status::OK();
  }
  // When the data in `extent` (live, about to be relocated) will die, in the
  // engine's clock (see WriteHint::dies_at); 0: unknown. Owners rarely know
  // (gc_sim's oracles do); the engine then places GC data by its age.
  virtual uint64_t DiesAt(const Extent& extent) {
    (void)extent;
    return 0;
  }
};

// What the owner knows about a write; everything is optional.
struct WriteHint {
  Lifetime lifetime = Lifetime::kUnknown;
  // The data this write overwrites: how long it lived predicts how long the
  // new data will (SepBIT's observation).
  std::optional<Extent> replaces;
  // When the data will die, in the engine's clock: user bytes reported by
  // OnWrite since Create (GcStats::user_bytes). 0: unknown. Overrides the rest.
  uint64_t dies_at = 0;
};

enum class VictimPolicy : uint8_t {
  kGreedy,          // fewest live bytes
  kCostBenefit,     // highest (1-u)*age/(1+u)
  kWindowedGreedy,  // fewest live bytes among the oldest `window` full zones with garbage
  kDefault,         // cost-benefit victims + lifetime-separated placement (see README)
};
std::string_view VictimPolicyName(VictimPolicy policy);

// How data is placed into classes. kLifetime: the default's rules (README,
// "Placement"). kSepBit: SepBIT's (Wang et al., FAST '22), for comparison:
// the unit is l, the mean lifespan (open to collected) of the last 16
// collected zones of the first user class; user writes whose replaced data
// lived less than l go to the first user class; relocated data is classed by
// age at 4l and 16l (and 4x beyond); always separated (no gauge), within the
// same class budget.
enum class PlacementPolicy : uint8_t { kLifetime, kSepBit };

struct GcOptions {
  VictimPolicy policy = VictimPolicy::kDefault;
  // Free zones only GC may take: at least 1, the zone a collection relocates
  // into (with 0 user writes take the last free zone and GC wedges).
  uint32_t reserve_zones = 2;
  uint32_t window = 16;  // kWindowedGreedy's window, in zones
  // 0: the best of every full zone, found through an index by live fraction
  // and age that scores only the zones that could win (the same choice as
  // scoring them all). N > 0: the best of the N least-live full zones (the
  // older heuristic; N at least the zone count scores every zone, in parallel
  // with oneTBB from 2048 on — the reference the index is tested against).
  uint32_t candidates = 0;
  // Placement classes, each with its own open zone: user data by expected
  // lifetime, GC data by age. 1 and 1: no separation. Both
  // are reduced to fit the device's open/active-zone limits (at least 1 each).
  // Classes beyond the first of each kind are used only while separation pays
  // (data that survived a collection dies markedly slower than fresh data, or
  // the owner gives death times) and there is spare space for their open zones.
  uint8_t user_classes = 3;
  uint8_t gc_classes = 3;
  CopyOptions copy;
  // Background GC (after Start): collect when free zones fall below
  // low_watermark, until they reach high_watermark, relocating at most
  // rate_limit bytes per second (0: no limit). Below reserve_zones, Allocate
  // collects synchronously whatever the scheduler is doing.
  uint32_t low_watermark = 4;
  uint32_t high_watermark = 6;
  uint64_t rate_limit = 0;
  // The zones the engine manages: [first_zone, first_zone + zones) (zones 0:
  // to the end of the device). Zones outside (an owner's metadata log) are
  // never touched.
  uint32_t first_zone = 0;
  uint32_t zones = 0;
  // Open/active-zone slots the engine leaves to the owner (its log's zone).
  uint32_t owner_active_zones = 0;
  PlacementPolicy placement = PlacementPolicy::kLifetime;
  // The engine's block: the unit of allocations, OnWrite, OnInvalidate and
  // every extent it hands out (0: the device's logical block). A multiple of
  // the logical block size; an owner that maps 4 KiB blocks on a 512-byte-sector
  // device sets 4096, so that it is never handed a piece of a block. A zone
  // whose capacity is not a whole number of blocks is finished when its last
  // whole block is written (the tail is never allocated).
  uint32_t block_bytes = 0;
  // The most live data the owner will keep: its logical size (a volume's
  // size); 0: unknown. With it the class budget is planned from the first
  // write for the spare the full device will leave, instead of following the
  // spare as the owner fills it (classes opened while the device is empty are
  // dropped as it fills, and their history with them). Check refuses more
  // than the managed zones hold.
  uint64_t logical_bytes = 0;
};

struct Allocation {
  uint64_t offset = 0;
  uint64_t length = 0;  // may be shorter than asked: the zone ended
};

struct GcStats {
  uint64_t user_bytes = 0;       // reported by OnWrite
  uint64_t relocated_bytes = 0;  // copied by GC (landed; includes rejected moves)
  uint64_t offloaded_bytes = 0;  // of relocated_bytes, by an offload path
  uint64_t fallback_bytes = 0;   // of relocated_bytes, by read/write
  uint64_t rejected_bytes = 0;   // moves the owner declined (changed during the copy)
  uint64_t zones_reset = 0;
  uint64_t collections = 0;
  uint64_t background_collections = 0;
  double gc_seconds = 0;
  uint32_t free_zones = 0;
  uint32_t degraded_zones = 0;     // read-only zones still holding live data to move out
  uint64_t background_errors = 0;  // collections the scheduler gave up on (see Stop)
  // The engine's memory: per-zone records (GcStats::zone_table_bytes / zones is
  // the per-zone cost) and the live-extent index (8 bytes per live extent plus
  // slack).
  uint64_t zone_table_bytes = 0;
  uint64_t extent_index_bytes = 0;
  // (user + relocated) / user: device bytes written per user byte.
  double write_amplification() const {
    return user_bytes ? double(user_bytes + relocated_bytes) / double(user_bytes) : 1.0;
  }
};

class GcEngine {
 public:
  // The device must be empty of live data (its sequential zones are reset).
  // Fails with kInvalidArgument (options: among them a reserve_zones of 0
  // and an unknown copy.path), kNotSupported (no sequential zones, a
  // copy.path the device does not have), kNoSpace (fewer zones than the
  // reserve needs), device errors.
  static Result<std::unique_ptr<GcEngine>> Create(ZonedDevice& device, GcOwner& owner,
                                                  GcOptions options);
  // The restart path: an engine over a device that holds live data. It adopts
  // the managed zones' states and the owner's live extents as recovered from
  // the owner's own metadata (any order; whole blocks). Full zones with live
  // data are victims as usual; a zone left half-written (a user or GC zone
  // open at a crash) is continued at its write pointer (one per placement
  // class) or finished, its unwritten tail dead; a zone whose write pointer
  // is not on a block boundary (a torn write of a 512-byte-sector device
  // under 4 KiB blocks) is finished, never continued; a zone holding no live
  // data is reset and becomes free, so a copy that landed but whose remap
  // was never persisted is garbage, never data. Placement history (classes,
  // ages) starts afresh. Resume writes nothing: the finishing and resetting
  // are done by Repair, which the first call that writes (Allocate, Reserve,
  // CollectOnce, the scheduler) makes first. kInvalidArgument names an extent
  // outside the managed zones, in an offline zone, past a zone's write
  // pointer, unaligned or overlapping another; otherwise fails as Create
  // does.
  static Result<std::unique_ptr<GcEngine>> Resume(ZonedDevice& device, GcOwner& owner,
                                                  GcOptions options, std::span<const Extent> live);
  // Whether Create would take this device and these options, whatever its
  // zones hold (for tools that reset the device first, so that bad input
  // fails before anything is erased). Fails as Create does.
  static Status Check(ZonedDevice& device, GcOptions options);
  // The most live data an owner may keep on this device (its usable zones)
  // for GC to always make progress: the capacity less the reserve and one
  // zone of working room. With more, the device fills with entirely live
  // zones and Allocate fails with kNoSpace. Owners size their logical space
  // by it before they write. Fails as Check does (but takes copy.path's
  // availability on trust: Check asks the device).
  static Result<uint64_t> MaxLiveBytes(ZonedDevice& device, GcOptions options);
  virtual ~GcEngine() = default;

  // Where to write next; the hint chooses the placement class. Collects
  // synchronously when free zones run low, which may call owner.Relocate and
  // move the very data being replaced: look its location up again after
  // Allocate returns before calling OnInvalidate. Fails with kNoSpace when
  // nothing can be reclaimed, kInvalidArgument (unaligned length), kBusy
  // (called from inside the owner's Relocate/DiesAt), device errors.
  virtual Result<Allocation> Allocate(uint64_t length, const WriteHint& hint = {}) = 0;
  // Makes sure that allocations of `bytes` in all, made next by the calling
  // owner (one writer at a time), will not fail with kNoSpace: collects
  // synchronously, as Allocate would, until user zones have that much room
  // beyond the GC reserve (placement gives way to fit: an allocation may go
  // to another class's open zone). kNoSpace when the zones cannot be made to
  // hold it (nothing changed), and fails as Allocate does. An owner reserves
  // before a write that may span zones, so that it is refused whole rather
  // than failing part way.
  virtual Status Reserve(uint64_t bytes) = 0;
  // The allocated range now holds live data. kInvalidArgument if it was not
  // allocated. Device errors: the last block of a zone whose capacity is not
  // whole blocks finishes the zone.
  virtual Status OnWrite(Extent extent) = 0;
  // The range holds no live data any more (whole or part of written extents).
  virtual Status OnInvalidate(Extent extent) = 0;

  // Reclaims one victim zone, synchronously. kNoSpace if no zone can be
  // reclaimed; kBusy from inside the owner's Relocate/DiesAt; the owner's
  // Relocate error (the victim stays mapped); device errors (a failed copy
  // leaves the victim mapped; a failed reset of the victim after the owner
  // remapped it keeps the zone, entirely dead, for the next collection).
  virtual Status CollectOnce() = 0;
  // The zone the policy would collect next, without collecting it (tools,
  // benchmarks). kNoSpace if no full zone holds garbage.
  virtual Result<uint32_t> PeekVictim() = 0;

  // The background scheduler. Start launches it (kBusy if running); Pause and
  // Resume hold and release it between collections; Stop lets a collection in
  // progress finish (a batch is never abandoned half-copied), joins the thread
  // and returns the first error the scheduler met since the last Start or
  // Stop, once (kNoSpace from an exhausted device is not an error; a failed
  // collection leaves nothing half done, see CollectOnce). After an error
  // the scheduler backs off (10 ms doubling to 1 s) before it tries again; a
  // collection that gains no free zone is not repeated until the owner
  // writes or invalidates something, and a writer waiting for a collection
  // (Allocate, Reserve) goes before the scheduler's next one. Concurrent Stop calls (and the
  // destructor) are safe: one joins, the others wait for it. Start: kBusy if running; Start and
  // Stop: kBusy from inside the owner's callbacks. The destructor stops it.
  virtual Status Start() = 0;
  virtual void Pause() = 0;
  virtual void Resume() = 0;
  virtual Status Stop() = 0;
  // What Resume left to write: finishes the zones it could not continue and
  // resets those holding no live data (see Resume). Idempotent; the calls
  // that write make it first. Device errors (what is left is retried next
  // time).
  virtual Status Repair() = 0;
  // Free zones (empty, not counting open ones) available to user writes.
  virtual uint32_t FreeZones() const = 0;
  virtual GcStats Stats() const = 0;
  // Live bytes the engine believes each zone holds (tests and tools).
  virtual uint64_t LiveBytes(uint32_t zone) const = 0;
};

}  // namespace zgc

#endif  // ZGC_GC_H_
