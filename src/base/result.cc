#include "base/result.h"

#include <cstring>

namespace left4me {

Error Error::from_errno(std::string_view subject, int err) {
  ErrorCode code = ErrorCode::kFailed;
  if (err == ENOENT) code = ErrorCode::kNotFound;
  if (err == EEXIST) code = ErrorCode::kAlreadyExists;
  if (err == EACCES || err == EPERM) code = ErrorCode::kPermissionDenied;
  if (err == ETIMEDOUT) code = ErrorCode::kTimeout;
  Error error(code, std::string(subject) + ": " + std::strerror(err));
  error.errno_ = err;
  return error;
}

Error Error::with_context(std::string_view context) const {
  Error copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

}  // namespace left4me
