// zgc::Volume: a crash-consistent block volume on a zoned device, the
// reference owner of the GC engine. zgc run, the daemon and the tests use it.
//
// Contract:
// - 4 KiB blocks; the logical size is fixed at Format. A block never written
//   (or trimmed, or zeroed) reads as zeroes.
// - Writes are placed by the GC engine (lifetime classes from what they
//   replace). The map (logical block -> device block) is journaled in the
//   metadata log (include/zgc/log.h) on the device's first sequential zones
//   and checkpointed there; the engine manages the zones after them.
// - Flush is a durability barrier: every write, trim and zero that completed
//   before it survives a power cut. A write with fua=true is durable when it
//   returns. A write that completed after the last Flush reads back after a
//   cut as one version that was written to that block (never a mix within a
//   block, never another block's data).
// - GC relocations are persisted in the log before the victim is reset.
// - After a device or log error in anything that changes state (a write, trim,
//   flush, a collection's relocation), the volume is read-only: every later
//   Write/Trim/WriteZeroes/Flush/Close returns that first error (its code,
//   prefixed "read-only after an error"); reads keep working. Reopening
//   recovers what was durable. kNoSpace from a full volume changes nothing
//   and does not make it read-only.
//
// Thread safety: every method may be called from any thread. Writes are
// placed one at a time (zones take writes in order); reads run in parallel.
// Lock order: the volume's write lock, then the engine, then the volume's
// map lock; the log is called without either volume lock held when it may
// take a checkpoint.
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
  uint32_t log_zones = 4;  // the metadata log's zones (superblock included)
  GcOptions gc;            // zone range, owner slots and logical_bytes are set by the volume
  // Collect in the background (GcEngine::Start). Off: only writes that find
  // the free zones at the reserve collect, synchronously, so a single-threaded
  // caller's device calls come in one reproducible order (fault sweeps).
  bool background_gc = true;
};

struct VolumeStats {
  uint64_t logical_bytes = 0;
  uint64_t mapped_blocks = 0;
  uint64_t map_memory_bytes = 0;  // the block map (forward only: 4 bytes per logical block)
  LogStats log;
  GcStats gc;
};

class Volume {
 public:
  static constexpr uint32_t kBlock = 4096;

  // Lays a new, empty volume on the device (erasing it). kInvalidArgument
  // (too few zones for log + reserve + classes, a size larger than the device
  // allows, a block size the device cannot take) before anything is written.
  static Status Format(ZonedDevice& device, const VolumeOptions& options);
  // Opens (recovers) a volume. kCorruption naming the structure and offset,
  // kNotSupported (newer format), device errors; nothing is written until the
  // first write or flush.
  static Result<std::unique_ptr<Volume>> Open(ZonedDevice& device, const VolumeOptions& options);
  virtual ~Volume() = default;

  virtual uint64_t size() const = 0;
  // Offsets and lengths in bytes, multiples of kBlock, inside size():
  // kInvalidArgument (unaligned), kOutOfRange (past the end); device errors;
  // kNoSpace (a full device).
  virtual Status Read(uint64_t offset, std::span<std::byte> data) = 0;
  virtual Status Write(uint64_t offset, std::span<const std::byte> data, bool fua = false) = 0;
  virtual Status Trim(uint64_t offset, uint64_t length) = 0;
  virtual Status WriteZeroes(uint64_t offset, uint64_t length) = 0;
  virtual Status Flush() = 0;
  // Flush, stop background GC, checkpoint the map.
  virtual Status Close() = 0;
  // fsck: every mapped block inside a written zone of the engine's range, the
  // two map directions agree, the engine's live bytes per zone equal the
  // map's. kCorruption naming the first problem. Background GC is stopped
  // while it runs; writes must not run concurrently with it.
  virtual Status Check() = 0;
  virtual VolumeStats Stats() const = 0;
  virtual GcEngine& gc() = 0;
};

}  // namespace zgc

#endif  // ZGC_VOLUME_H_
