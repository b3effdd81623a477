// The per-user quota of overlay bytes (issue 14, item 8): the sizes of a user's own overlays (Overlays::set_size,
// recomputed after each change) count toward OVERLAY_QUOTA_BYTES, or the user's own quota an administrator set
// (users.overlay_quota_bytes; NULL: the default). Administrators have none; global overlays count to nobody.
// Stateless; thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.h"
#include "web/database.h"
#include "web/overlays.h"

namespace left4me::web {

struct OverlayQuota {
  std::optional<std::int64_t> own;    // the user's own quota; nullopt: the default
  std::optional<std::int64_t> limit;  // what applies; nullopt: none (an administrator)
  std::int64_t used = 0;              // bytes of the user's overlays
};

// kNotFound for no such user.
Result<OverlayQuota> overlay_quota(Database& database, std::int64_t user_id, std::int64_t default_bytes);

// The bytes overlay may hold after a change: the owner's quota less their other overlays' bytes (nullopt: no
// limit, for a global overlay or an administrator's).
Result<std::optional<std::int64_t>> overlay_room(Database& database, const Overlay& overlay,
                                                 std::int64_t default_bytes);

// Sets the user's own quota (nullopt: back to the default); kInvalidArgument when negative.
Status set_overlay_quota(Database& database, std::int64_t user_id, std::optional<std::int64_t> bytes);

}  // namespace left4me::web
