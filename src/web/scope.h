// Scope: whose objects a query may see. Users see their own; admins see all. Value type; thread-safe.
#pragma once

#include <cstdint>

namespace left4me::web {

struct Scope {
  std::int64_t user_id = 0;
  bool admin = false;
};

// SQL condition for an owner column, binding (user_id, admin) as two parameters in that order.
inline constexpr const char* kScopeCondition = "(owner_id = ? OR ? = 1)";

}  // namespace left4me::web
