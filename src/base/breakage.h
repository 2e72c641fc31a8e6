// Deliberate breakage, switched on only by tests that show a checker fails
// when the property it guards is broken on purpose (a checker that cannot
// fail proves nothing). Each flag undoes one fix; production code never sets
// them, and each costs one relaxed atomic load where it is tested.
#ifndef ZGC_SRC_BASE_BREAKAGE_H_
#define ZGC_SRC_BASE_BREAKAGE_H_

#include <atomic>

namespace zgc::breakage {

// The metadata log rolls to a records zone even when that leaves fewer free
// zones than a checkpoint needs (the log can then fill up for good).
extern std::atomic<bool> log_ignores_checkpoint_reserve;
// MetaLog::Open takes a log zone whose header fails validation for garbage
// (the defect that let one flipped bit erase a volume).
extern std::atomic<bool> log_takes_bad_header_for_garbage;
// GcEngine::Resume finishes and resets zones at once instead of at the first
// write (Open, and so fsck, then writes to the device).
extern std::atomic<bool> resume_writes_at_open;

// Sets a flag for a scope.
class Scoped {
 public:
  explicit Scoped(std::atomic<bool>& flag) : flag_(flag) { flag_ = true; }
  ~Scoped() { flag_ = false; }
  Scoped(const Scoped&) = delete;
  Scoped& operator=(const Scoped&) = delete;

 private:
  std::atomic<bool>& flag_;
};

}  // namespace zgc::breakage

#endif  // ZGC_SRC_BASE_BREAKAGE_H_
