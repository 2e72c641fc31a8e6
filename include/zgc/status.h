// zgc::Status and zgc::Result<T>: the one error type of the zgc API.
//
// Contract: every fallible call in zgc returns a Status (no value) or a
// Result<T> (a value or a non-OK Status). No zgc API throws a zgc error; the
// only exception that can escape a zgc call is std::bad_alloc (memory
// exhausted while allocating a buffer or a table; large I/O buffers are
// allocated without throwing and reported as kNoSpace), and std::system_error
// if the system refuses to create a thread (GcEngine::Start). Boundaries that
// must not throw (the RocksDB plugin, the nbdkit plugin) catch both. A Status carries a
// Code that callers branch on, a human-readable message naming the object and
// the problem, and, when the failure came from the operating system, the errno
// that caused it (errno is mapped to a Code in exactly one place, at the device
// edge, see src/base/errno_status.cc).
//
// Thread safety: Status and Result are values; distinct objects may be used from
// different threads freely, a single object needs external synchronization.
#ifndef ZGC_STATUS_H_
#define ZGC_STATUS_H_

#include <cassert>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace zgc {

enum class Code : int {
  kOk = 0,
  kInvalidArgument,     // malformed input: URI, option, unaligned offset or length
  kNotFound,            // the named file or device does not exist
  kNotSupported,        // the device lacks the capability (e.g. not zoned, no append)
  kOutOfRange,          // offset or length beyond the end of the device
  kZoneState,           // the zone's type or condition forbids it (not at wp, full, ...)
  kTooManyOpenZones,    // the device's open-zone limit is reached
  kTooManyActiveZones,  // the device's active-zone limit is reached
  kIoError,             // the device failed the I/O
  kCorruption,          // on-media metadata fails validation
  kNoSpace,             // no free space left
  kBusy,                // the resource is in use
  kPermission,          // access denied
  kAborted,             // cancelled, e.g. by shutdown
  kInternal,            // a bug in zgc: an invariant was broken (never expected)
  kPowerOff,            // the device has no power (the emulated power-cut model): no call
                        // succeeds until it is powered on; nothing about the data is implied
};

// Stable lower-case name of a code, e.g. "zone_state".
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {Code::kNotSupported, std::move(msg)}; }
  static Status OutOfRange(std::string msg) { return {Code::kOutOfRange, std::move(msg)}; }
  static Status ZoneState(std::string msg) { return {Code::kZoneState, std::move(msg)}; }
  static Status TooManyOpenZones(std::string msg) {
    return {Code::kTooManyOpenZones, std::move(msg)};
  }
  static Status TooManyActiveZones(std::string msg) {
    return {Code::kTooManyActiveZones, std::move(msg)};
  }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status NoSpace(std::string msg) { return {Code::kNoSpace, std::move(msg)}; }
  static Status Busy(std::string msg) { return {Code::kBusy, std::move(msg)}; }
  static Status Permission(std::string msg) { return {Code::kPermission, std::move(msg)}; }
  static Status Aborted(std::string msg) { return {Code::kAborted, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  static Status PowerOff(std::string msg) { return {Code::kPowerOff, std::move(msg)}; }

  // A status with an explicit code and the errno that caused it (0 if none).
  Status(Code code, std::string msg, int sys_errno = 0);

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  const std::string& message() const;
  int sys_errno() const { return rep_ ? rep_->sys_errno : 0; }

  // "zone_state: write at 0x... is not at the write pointer 0x..." or "ok".
  std::string ToString() const;

  // Returns a copy whose message is prefixed by `context` + ": ".
  Status WithContext(std::string_view context) const;

 private:
  struct Rep {
    Code code;
    int sys_errno;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

// A value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<1>, std::move(value)) {}  // NOLINT: implicit
  // A Result built from an OK Status holds neither a value nor an error: it
  // becomes kInternal (in every build, not only with assertions), so that
  // ZGC_ASSIGN_OR_RETURN and callers see a failure instead of a missing value.
  Result(Status status) : v_(std::in_place_index<0>, std::move(status)) {  // NOLINT: implicit
    if (std::get<0>(v_).ok())
      std::get<0>(v_) = Status::Internal("a Result was built from an OK Status and holds no value");
  }

  bool ok() const { return v_.index() == 1; }
  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<0>(v_); }

  T& value() & { return std::get<1>(v_); }
  const T& value() const& { return std::get<1>(v_); }
  T&& value() && { return std::get<1>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace zgc

#define ZGC_CONCAT_INNER_(a, b) a##b
#define ZGC_CONCAT_(a, b) ZGC_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define ZGC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::zgc::Status zgc_status_ = (expr);        \
    if (!zgc_status_.ok()) return zgc_status_; \
  } while (0)

// `lhs = value of expr` (a Result<T>), or returns its Status from the enclosing function.
#define ZGC_ASSIGN_OR_RETURN(lhs, expr) \
  ZGC_ASSIGN_OR_RETURN_IMPL_(ZGC_CONCAT_(zgc_result_, __LINE__), lhs, expr)
#define ZGC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // ZGC_STATUS_H_
