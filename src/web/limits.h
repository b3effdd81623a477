// Per-user limits on what a user may own (servers, blueprints): the web.env default, or the user's own limit an
// administrator set (NULL in the database: the default). Administrators have none. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.h"
#include "web/database.h"

namespace left4me::web {

enum class Owned { kServers, kBlueprints };

// The largest limit an administrator may set.
constexpr int kMaxUserLimit = 100000;

// MAX_SERVERS_PER_USER and MAX_BLUEPRINTS_PER_USER.
struct DefaultLimits {
  int servers = 5;
  int blueprints = 50;

  int of(Owned what) const { return what == Owned::kServers ? servers : blueprints; }
};

// The limit that applies to a user: nullopt (none) for an administrator, else their own or the default.
std::optional<int> effective_limit(bool is_admin, std::optional<int> own, int default_limit);

// The users column holding a user's own limit ("max_servers", "max_blueprints").
const char* limit_column(Owned what);

// For the caller's transaction, before its insert: fails kLimitReached, with a message naming the limit, when
// owner_id is not an administrator and owns as many as their limit allows already (kNotFound for no such user).
// The count and the insert share that transaction, so concurrent creates cannot pass the limit together.
Status check_limit(Database::Lock& lock, std::int64_t owner_id, Owned what, const DefaultLimits& defaults);

}  // namespace left4me::web
