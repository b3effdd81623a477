// Result<T> and Error: the one way fallible code reports failure.
// Value types; not synchronized (thread-compatible like any value).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace left4me {

// What kind of failure; callers map this to exit codes (CLI) or HTTP status (web).
enum class ErrorCode {
  kFailed,           // an operation failed for an outside reason
  kInvalidArgument,  // the input is malformed or out of range
  kNotFound,
  kAlreadyExists,
  kTimeout,
  kPermissionDenied,
  kUnavailable,   // a required tool or service is missing
  kLimitReached,  // a configured limit (a quota) is used up
};

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Error failed(std::string message) { return {ErrorCode::kFailed, std::move(message)}; }
  static Error invalid(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }
  static Error not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
  static Error timeout(std::string message) { return {ErrorCode::kTimeout, std::move(message)}; }
  static Error unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message)}; }
  // "<subject>: <strerror(err)>", keeping the subject (usually a syscall and path).
  static Error from_errno(std::string_view subject, int err);

  ErrorCode code() const { return code_; }
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }
  // A copy whose message is "<context>: <message>", same code.
  Error with_context(std::string_view context) const;

 private:
  ErrorCode code_;
  std::string message_;
  int errno_ = 0;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(data_);
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_{ErrorCode::kFailed, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

}  // namespace left4me
