// The audit log: who changed what that matters for the panel's trust (two-factor sign-in, settings, sharing), one
// row per change, newest first on the admin page. RCON commands keep their own log (rcon_console.h). Actions are
// short dotted names, the constants below; a new kind of change adds its own. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "web/database.h"

namespace left4me::web {

namespace audit {
inline constexpr std::string_view kTwoFactorEnabled = "two_factor.enabled";
inline constexpr std::string_view kTwoFactorDisabled = "two_factor.disabled";
inline constexpr std::string_view kTwoFactorReset = "two_factor.reset";  // by an administrator
inline constexpr std::string_view kRecoveryCodesRegenerated = "two_factor.recovery_codes_regenerated";
inline constexpr std::string_view kRecoveryCodeUsed = "two_factor.recovery_code_used";
inline constexpr std::string_view kAdminTwoFactorRequired = "settings.require_admin_two_factor";
inline constexpr std::string_view kServerShared = "sharing.granted";  // or a share's role changed
inline constexpr std::string_view kServerShareRevoked = "sharing.revoked";
}  // namespace audit

// Who made a change: a user (id and name as they were; the row keeps the name once the user is gone).
struct AuditActor {
  std::optional<std::int64_t> id;
  std::string name;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t at = 0;  // unix seconds
  AuditActor actor;
  std::string action;  // one of audit::k...
  std::string target;  // what changed: "user ann", "server alpha"
  std::string detail;  // free text, may be empty
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  bool has_more = false;            // an older page exists
};

class AuditLog {
 public:
  explicit AuditLog(Database& database) : database_(database) {}

  // Appends a row stamped now.
  Status record(const AuditActor& actor, std::string_view action, std::string_view target,
                std::string_view detail = "");
  // Page `page` (0: the newest) of `per_page` rows (1..500, else kInvalidArgument).
  Result<AuditPage> list(std::int64_t page, int per_page);

 private:
  Database& database_;
};

}  // namespace left4me::web
