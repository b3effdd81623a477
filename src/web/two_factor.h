// Two-factor sign-in as the web database keeps it: each user's TOTP secret (sealed with the secret key), the time
// step of the last code accepted (a code works once), a set-up waiting for its first code, the recovery codes
// (hashes, each used once), the sign-ins waiting for their second step, and whether administrators must use it.
// The codes themselves are src/auth's. Thread-safe (through Database).
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "web/database.h"

namespace left4me::web {

// How long the second step of a sign-in may wait after the password was right.
inline constexpr std::chrono::seconds kPendingLoginLifetime{300};

// What a second step accepted.
enum class SecondFactor { kTotp, kRecoveryCode };

struct TwoFactorState {
  bool enabled = false;
  int recovery_codes_left = 0;
  std::optional<std::string> pending_secret;  // raw bytes; a set-up begun, not yet confirmed
};

class TwoFactor {
 public:
  TwoFactor(Database& database, std::string secret_key) : database_(database), secret_key_(std::move(secret_key)) {}

  // kNotFound for no such user.
  Result<TwoFactorState> state(std::int64_t user_id);

  // Begins a set-up: a new secret kept as the user's pending one (replacing an earlier), returned raw.
  // kAlreadyExists when two-factor is on already.
  Result<std::string> begin_setup(std::int64_t user_id);
  // Confirms the pending set-up with a code of its secret typed at `now`: two-factor is on, with new recovery codes,
  // returned (the only time they are seen). kNotFound without a pending set-up, kInvalidArgument for a code that is
  // not 6 digits, kPermissionDenied for a wrong one.
  Result<std::vector<std::string>> confirm_setup(std::int64_t user_id, std::string_view code, std::time_t now);
  // Turns it off: secret, recovery codes and waiting sign-ins go. kNotFound when it is off.
  Status turn_off(std::int64_t user_id);
  // New recovery codes in place of the old ones; kNotFound when two-factor is off.
  Result<std::vector<std::string>> regenerate_recovery_codes(std::int64_t user_id);

  // A second step: a TOTP code (6 digits, blanks ignored; refused once its step or a later one was used) or an
  // unused recovery code (used up by this). kPermissionDenied for anything else, kNotFound when two-factor is off.
  Result<SecondFactor> verify(std::int64_t user_id, std::string_view code, std::time_t now);

  // A sign-in waiting for its second step: a token (returned once; stored hashed) valid for `lifetime`.
  Result<std::string> start_pending_login(std::int64_t user_id, std::chrono::seconds lifetime);
  // The user of a live pending login, or nullopt (unknown, expired).
  Result<std::optional<std::int64_t>> find_pending_login(const std::string& token);
  Status end_pending_login(const std::string& token);

  // The setting "administrators must use two-factor sign-in" (off until an administrator turns it on).
  Result<bool> required_for_admins();
  Status set_required_for_admins(bool required);

 private:
  Database& database_;
  std::string secret_key_;
};

}  // namespace left4me::web
