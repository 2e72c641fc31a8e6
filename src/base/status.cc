#include "zgc/status.h"

#include <array>

namespace zgc {

std::string_view CodeName(Code code) {
  static constexpr std::array<std::string_view, 16> kNames = {"ok",
                                                              "invalid_argument",
                                                              "not_found",
                                                              "not_supported",
                                                              "out_of_range",
                                                              "zone_state",
                                                              "too_many_open_zones",
                                                              "too_many_active_zones",
                                                              "io_error",
                                                              "corruption",
                                                              "no_space",
                                                              "busy",
                                                              "permission",
                                                              "aborted",
                                                              "internal",
                                                              "power_off"};
  const auto i = static_cast<size_t>(code);
  return i < kNames.size() ? kNames[i] : "unknown";
}

Status::Status(Code code, std::string msg, int sys_errno)
    : rep_(code == Code::kOk ? nullptr
                             : std::make_unique<Rep>(Rep{code, sys_errno, std::move(msg)})) {}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(CodeName(rep_->code));
  s += ": ";
  s += rep_->message;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += rep_->message;
  return Status(rep_->code, std::move(msg), rep_->sys_errno);
}

}  // namespace zgc
