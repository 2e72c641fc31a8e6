#include "src/base/breakage.h"

namespace zgc::breakage {

std::atomic<bool> log_ignores_checkpoint_reserve{false};
std::atomic<bool> log_takes_bad_header_for_garbage{false};
std::atomic<bool> resume_writes_at_open{false};

}  // namespace zgc::breakage
