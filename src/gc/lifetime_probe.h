// LifetimeProbe: does how long the data a write replaces lived predict how
// long the new data will live? Under a continuum of write rates (Zipf) it
// does, at every scale: data whose predecessor lived longer lives longer. In
// a hot set of alike blocks (hot/cold) it does not: within the hot set a
// longer "lived" is chance, and splitting by it scatters hot data into the
// cold class. The default placement uses SepBIT's fine split (at the lifespan
// l of short-lived zones, GC data by age at 4l and 16l) only where the probe
// finds a continuum, and its split at the mean lifetime elsewhere.
//
// How: every 8th user zone (at most kMaxProbes at once) remembers, per block,
// the band of its predecessor's lifetime and when it was written. Band A:
// lived in [h/8, h/2), band B: [h, 4h), with h = the mean lifetime / 32 (by
// Little's law, so the bands do not move with the placement; below any l
// seen, so a probe zone is rarely collected before its data's fate at h is
// known). A block's outcome is whether it died before age h. Over a window of
// outcomes, the survival rate of band B over band A is ~1 in a hot set and
// 2.6–3.4 under Zipf 0.8–1.0 (gc_sim, 256 zones at Sf 0.1); above 2 the
// workload counts as a continuum, below 1.5 no longer (hysteresis).
//
// Until the first decision the probe assumes a continuum: SepBIT's rules then
// run from the first overwrite, as SepBIT's own do (any other start puts a
// Zipf workload's first data elsewhere, and it stays there: gc_sim at Sf 0.1,
// +0.05 to +0.22 % WA over 8 traces). The first decision comes as soon as
// both bands have kFirstSamples outcomes (checked every kFirstCheck
// invalidations; hot/cold in gc_sim: 50k–100k invalidations instead of 200k),
// which bounds what the wrong prior costs a hot set; a continuum's ratio is
// above 2 from its first few thousand outcomes (2.0–3.2 on gc_sim's Zipf rows).
//
// A second pair of bands says whether a third user class (data whose
// predecessor lived between l and the mean lifetime) pays under a continuum:
// band C, lived in [mean/8, mean/2), and band D, [mean, 4 mean). Their hazard
// (deaths per block-time alive; blocks still live when their zone is
// collected count for the time they lived, so long lives are not censored
// away) is compared: 4–8x apart under static Zipf in gc_sim, 1.0–1.6 once the
// moving workload's hot set has moved (lifetimes that long no longer predict
// the next one, and the class only holds an open zone). middle_sorts() turns
// on above kMiddleOn and off below kMiddleOff; until then SepBIT's two user
// classes.
//
// Memory: 4 bytes per block of each probe zone (2 bits of band, 29 of birth
// within the zone, offset by one). Not thread-safe: the engine
// calls it under its mutex.
#ifndef ZGC_SRC_GC_LIFETIME_PROBE_H_
#define ZGC_SRC_GC_LIFETIME_PROBE_H_

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace zgc {

class LifetimeProbe {
 public:
  static constexpr uint32_t kEvery = 8, kMaxProbes = 16;
  static constexpr uint64_t kWindow = 200000;   // invalidations seen in probe zones
  static constexpr double kHorizon = 1.0 / 32;  // h, in mean lifetimes
  static constexpr double kOn = 2.0, kOff = 1.5;
  static constexpr double kMiddleOn = 2.5, kMiddleOff = 1.5;
  static constexpr uint64_t kFirstCheck = 5000, kFirstSamples = 2000;  // the first decision

  // Whether the user zone being opened should be a probe; if so, StartZone.
  bool WantsZone();
  void StartZone(uint32_t zone, uint32_t blocks);
  bool IsProbe(uint32_t zone) const { return zones_.count(zone) != 0; }
  // n blocks from `first` written at `clock`, replacing data that lived
  // `lived` (clock units; < 0: unknown). `mean`: the mean lifetime.
  void Wrote(uint32_t zone, uint32_t first, uint32_t n, double lived, uint64_t clock, double mean,
             uint64_t block_bytes);
  // n blocks from `first` died (were invalidated) at `clock`.
  void Died(uint32_t zone, uint32_t first, uint32_t n, uint64_t clock, double mean,
            uint64_t block_bytes);
  // The zone was collected at `clock` (its live blocks moved): it is no
  // longer a probe.
  void Collected(uint32_t zone, uint64_t clock, double mean, uint64_t block_bytes);

  bool continuum() const { return continuum_; }
  double ratio() const { return ratio_; }  // B's survival over A's, last window
  // Whether a third user class pays; C's hazard over D's, last window.
  bool middle_sorts() const { return middle_sorts_; }
  double middle_ratio() const { return middle_ratio_; }
  size_t memory_bytes() const;

 private:
  void Outcome(int band, bool early);
  void Decide();
  void Advance(uint64_t clock);                                      // exposure up to `clock`
  void Gone(int band) { live_[band - kC] -= live_[band - kC] > 0; }  // C or D

  // Per block: 0 (not tracked), else (born in blocks since `base`) << 2 |
  // band (A, B, C, D: 0..3), plus 1.
  struct Zone {
    bool based = false;
    uint64_t base = 0;  // clock at the zone's first tracked write
    std::vector<uint32_t> blocks;
  };
  struct Tracked {
    int band;
    double born;  // clock
  };
  // A tracked block's entry (nonzero) decoded.
  static Tracked Decode(const Zone& z, uint32_t entry, uint64_t block_bytes);
  std::unordered_map<uint32_t, Zone> zones_;
  uint64_t opened_ = 0, events_ = 0;
  // Bands A and B (0, 1): outcomes at the horizon h (survival).
  double early_[2] = {0, 0}, survived_[2] = {0, 0};
  // Bands C and D (kC, kC + 1): deaths over exposure (tracked live blocks x
  // clock), indexed band - kC.
  static constexpr int kC = 2;
  uint64_t live_[2] = {0, 0}, clock_ = 0;
  double deaths_[2] = {0, 0}, exposure_[2] = {0, 0};
  double ratio_ = 1, middle_ratio_ = 1;
  bool continuum_ = true;  // the prior: SepBIT's rules from the first write
  bool decided_ = false;
  bool middle_sorts_ = false;
};

}  // namespace zgc

#endif  // ZGC_SRC_GC_LIFETIME_PROBE_H_
