// InstanceName: a validated server instance name, ^[a-z0-9][a-z0-9_-]{0,63}$.
// Immutable value; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::model {

class InstanceName {
 public:
  // Fails with kInvalidArgument and a message naming the bad name and the rule.
  static Result<InstanceName> create(std::string_view name);
  static bool is_valid(std::string_view name);

  const std::string& str() const { return name_; }
  bool operator==(const InstanceName&) const = default;
  auto operator<=>(const InstanceName&) const = default;

 private:
  explicit InstanceName(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

}  // namespace left4me::model
