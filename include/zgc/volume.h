// zgc::Volume: a crash-consistent block volume on a zoned device, the
// reference owner of the GC engine. zgc run, the daemon and the tests use it.
//
// Contract:
// - 4 KiB blocks; the logical size is fixed at Format. A block never written
//   (or trimmed, or zeroed) reads as zeroes.
// - Writes are placed by the GC engine (lifetime classes from what they
//   replace), in whole 4 KiB blocks on every device (GcOptions::block_bytes).
//   The map (logical block -> device block) is journaled in the metadata log
//   (include/zgc/log.h) on the device's first sequential zones and
//   checkpointed there; Format sizes the log from the map (4 bytes a block),
//   and the engine manages the zones after it.
// - Flush is a durability barrier: every write, trim and zero that completed
//   before it survives a power cut, after any number of cuts. A write with
//   fua=true is durable when it returns. A write that completed after the
//   last Flush reads back after a cut as one version that was written to
//   that block (never a mix within a block, never another block's data).
// - GC relocations are persisted in the log before the victim is reset.
// - Open writes nothing: recovery's own writes (finishing zones a cut left
//   open, resetting zones holding only garbage, the log's repair) wait for
//   the first Write, Trim, WriteZeroes or Flush, and so does background GC.
//   Opened read_only, the volume never writes (fsck): every write fails with
//   kPermission and the device reads back identical.
// - After a device or log error in anything that changes state (a write, trim,
//   flush, a collection's relocation), the volume is read-only: every later
//   Write/Trim/WriteZeroes/Flush/Close returns that first error (its code,
//   prefixed "read-only after an error"); reads keep working, and background
//   GC stops. Reopening recovers what was durable. kNoSpace from a full
//   volume is refused before any block is written (a write spanning zones
//   reserves its room first), changes nothing and does not make it
//   read-only.
// - Zones the device reports read-only keep serving reads; their live data is
//   moved out in the background and they are never written. Blocks in an
//   offline zone are lost: reading them fails with kIoError naming the zone,
//   Stats counts them and Check reports them; writing or trimming them works.
//
// Thread safety: every method may be called from any thread. Writes are
// placed one at a time (zones take writes in order); reads run in parallel
// with each other, with writes and with collections. A read holds the map
// lock only to resolve its blocks, never across a device read, so readers
// never stall a writer; the zones it resolved into count it in flight
// (src/volume/zone_readers.h) and a victim's reset (BeforeReset) waits for
// those reads. The map lock is a plain mutex held only for work on the map
// that costs what the call touches (a resolve, a remap, queueing a log
// record; a collection's remap costs what the victim holds, through the zone
// summaries), except Check (fsck) and the log's checkpoint Snapshot, which
// pass over the whole map.
// Lock order (the code follows it): the volume's write lock, then its map
// lock, then the engine's mutex (Map calls GcEngine::OnInvalidate with the
// map lock held). The engine calls the volume (Relocate, BeforeReset)
// without its mutex, so those take the map lock freely; GcEngine::Allocate,
// Reserve, Repair and Stop, which may wait for a collection whose Relocate
// takes the map lock, are never called with the map lock held. The log is
// called without either volume lock held when it may checkpoint (Snapshot
// takes the map lock). BeforeReset waits for reads without any lock held.
#ifndef ZGC_VOLUME_H_
#define ZGC_VOLUME_H_

#include <cstdint>
#include <memory>
#include <span>

#include "zgc/device.h"
#include "zgc/gc.h"
#include "zgc/log.h"

namespace zgc {

struct VolumeOptions {
  // The logical size in bytes (a multiple of 4 KiB); 0: the largest the GC
  // engine can keep collecting with `spare` of it free.
  uint64_t logical_bytes = 0;
  double spare = 0.2;
  // Format: the metadata log's zones (superblock included); 0: the fewest
  // that hold the map's checkpoint and always let the log roll. Open takes
  // the log's own.
  uint32_t log_zones = 0;
  GcOptions gc;  // zone range, owner slots, block size and logical_bytes are set by the volume
  // Collect in the background (GcEngine::Start, from the first write). Off:
  // only writes that find the free zones at the reserve collect,
  // synchronously, so a single-threaded caller's device calls come in one
  // reproducible order (fault sweeps).
  bool background_gc = true;
  // Open: never write (fsck). Reads, Check and Stats work; Write, Trim,
  // WriteZeroes and Flush fail with kPermission; Close writes nothing.
  bool read_only = false;
};

struct VolumeStats {
  uint64_t logical_bytes = 0;
  uint64_t mapped_blocks = 0;
  uint64_t lost_blocks = 0;       // mapped into offline zones: their data is gone
  uint64_t map_memory_bytes = 0;  // the forward block map: 4 bytes per logical block
  // The zone summaries (each zone's owners, for collections): 4 bytes per
  // device block of each zone that holds mapped blocks.
  uint64_t summary_memory_bytes = 0;
  LogStats log;
  GcStats gc;
};

class Volume {
 public:
  static constexpr uint32_t kBlock = 4096;

  // Lays a new, empty volume on the device (erasing it). kInvalidArgument
  // (too few zones for log + reserve + classes, a log_zones too small for
  // the map's checkpoint, a size larger than the device allows, a block or
  // zone size the device cannot take, open/active limits the log and the
  // engine cannot share, GC options the engine refuses: a reserve_zones of
  // 0, an unknown copy path; read_only set) and kNotSupported (a metadata-only device, a
  // copy path the device does not have) before anything is written; device
  // errors. A power cut during Format leaves
  // the old volume whole (the cut came before the log's zone resets,
  // Format's first changes, were synced, and undid them all), no volume (Open:
  // kCorruption), or the new, empty one (the data zones' leftovers are
  // garbage to it).
  static Status Format(ZonedDevice& device, const VolumeOptions& options);
  // Opens (recovers) a volume. kCorruption naming the structure and offset,
  // kNotSupported (another format version), device errors. Writes nothing
  // (see the contract above).
  static Result<std::unique_ptr<Volume>> Open(ZonedDevice& device, const VolumeOptions& options);
  virtual ~Volume() = default;

  virtual uint64_t size() const = 0;
  // Offsets and lengths in bytes, multiples of kBlock, inside size():
  // kInvalidArgument (unaligned), kOutOfRange (past the end); device errors;
  // kIoError for a block in an offline zone (lost); kNoSpace (a full
  // device: nothing was written); kPermission (opened read-only); the first
  // error again once the volume is read-only after one.
  virtual Status Read(uint64_t offset, std::span<std::byte> data) = 0;
  virtual Status Write(uint64_t offset, std::span<const std::byte> data, bool fua = false) = 0;
  virtual Status Trim(uint64_t offset, uint64_t length) = 0;
  virtual Status WriteZeroes(uint64_t offset, uint64_t length) = 0;
  virtual Status Flush() = 0;
  // Flushes, stops background GC and checkpoints the map if anything changed
  // since the last checkpoint (an unchanged volume writes nothing). If the
  // background GC met an error since it was last reported, Close still
  // flushes and checkpoints, then returns that error (once).
  virtual Status Close() = 0;
  // fsck: every mapped block inside a written zone of the engine's range, no
  // two blocks on one device block, the engine's live bytes per zone equal
  // the map's. kCorruption naming the first problem; kIoError if blocks are
  // lost in offline zones (how many, the first). Background GC is stopped
  // while it runs (an error it met is kept for Close); writes must not run
  // concurrently with it. Writes nothing.
  virtual Status Check() = 0;
  // Counters only: O(1) in the volume's size (the log's and engine's stats
  // included).
  virtual VolumeStats Stats() const = 0;
  virtual GcEngine& gc() = 0;
};

}  // namespace zgc

#endif  // ZGC_VOLUME_H_
