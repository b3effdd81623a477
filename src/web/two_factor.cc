#include "web/two_factor.h"

#include <fmt/format.h>

#include <algorithm>

#include "auth/recovery_codes.h"
#include "auth/totp.h"
#include "web/accounts.h"
#include "web/crypto.h"

namespace left4me::web {
namespace {

constexpr std::string_view kRequiredForAdmins = "require_admin_two_factor";

Status not_on(std::int64_t user_id) {
  return Error::not_found(fmt::format("user {} has no two-factor sign-in", user_id));
}

// The code as typed, without the blanks people put between the digits.
std::string without_blanks(std::string_view code) {
  std::string text(code);
  std::erase_if(text, [](char c) { return c == ' ' || c == '\t'; });
  return text;
}

bool is_totp_code(std::string_view code) {
  return code.size() == auth::kTotpDigits &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// In the caller's transaction: the user's recovery codes replaced by new ones, returned.
Result<std::vector<std::string>> replace_recovery_codes(Database::Lock& lock, std::int64_t user_id) {
  auto remove = lock.prepare("DELETE FROM recovery_codes WHERE user_id = ?");
  if (!remove) return remove.error();
  if (Status status = remove->bind(1, user_id).run(); !status) return status.error();
  auto insert = lock.prepare("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)");
  if (!insert) return insert.error();
  std::vector<std::string> codes = auth::new_recovery_codes();
  for (const std::string& code : codes) {
    if (Status status = insert->bind(1, user_id).bind(2, auth::hash_recovery_code(code)).run(); !status) {
      return status.error();
    }
    insert->reset();
  }
  return codes;
}

// In the caller's transaction: the user's sealed secret and last used step; kNotFound when two-factor is off.
struct StoredSecret {
  std::string sealed;
  std::optional<std::int64_t> last_step;
};
Result<StoredSecret> stored_secret(Database::Lock& lock, std::int64_t user_id) {
  auto select = lock.prepare("SELECT totp_secret, totp_last_step FROM users WHERE id = ? AND totp_secret IS NOT NULL");
  if (!select) return select.error();
  Result<bool> row = select->bind(1, user_id).step();
  if (!row) return row.error();
  if (!*row) return not_on(user_id).error();
  StoredSecret secret{select->column_text(0), select->column_optional_int(1)};
  select->reset();
  return secret;
}

}  // namespace

Result<TwoFactorState> TwoFactor::state(std::int64_t user_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT totp_secret IS NOT NULL, totp_pending_secret, (SELECT count(*) FROM recovery_codes WHERE user_id = "
      "users.id AND used_at IS NULL) FROM users WHERE id = ?");
  if (!select) return select.error();
  Result<bool> row = select->bind(1, user_id).step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("user {} not found", user_id));
  TwoFactorState state;
  state.enabled = select->column_int(0) != 0;
  state.recovery_codes_left = static_cast<int>(select->column_int(2));
  if (!select->column_is_null(1)) {
    Result<std::string> secret = unseal(secret_key_, select->column_text(1));
    if (!secret) return secret.error();
    state.pending_secret = std::move(*secret);
  }
  select->reset();
  return state;
}

Result<std::string> TwoFactor::begin_setup(std::int64_t user_id) {
  std::string secret = auth::new_totp_secret();
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE users SET totp_pending_secret = ? WHERE id = ? AND totp_secret IS NULL");
  if (!update) return update.error();
  if (Status status = update->bind(1, seal(secret_key_, secret)).bind(2, user_id).run(); !status) {
    return status.error();
  }
  if (lock.changes() == 0) {
    return Error(ErrorCode::kAlreadyExists, "two-factor sign-in is on already; turn it off first to set it up anew");
  }
  return secret;
}

Result<std::vector<std::string>> TwoFactor::confirm_setup(std::int64_t user_id, std::string_view code,
                                                          std::time_t now) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto select = lock.prepare("SELECT totp_pending_secret FROM users WHERE id = ? AND totp_pending_secret IS NOT NULL");
  if (!select) return select.error();
  Result<bool> row = select->bind(1, user_id).step();
  if (!row) return row.error();
  if (!*row) return Error::not_found("no two-factor set-up is waiting: begin it again");
  std::string sealed = select->column_text(0);
  select->reset();
  Result<std::string> secret = unseal(secret_key_, sealed);
  if (!secret) return secret.error();
  Result<std::uint64_t> step = auth::verify_totp(*secret, without_blanks(code), now, std::nullopt);
  if (!step) return step.error();
  auto update = lock.prepare(
      "UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = ? WHERE id = "
      "?");
  if (!update) return update.error();
  if (Status status = update->bind(1, static_cast<std::int64_t>(*step)).bind(2, user_id).run(); !status) {
    return status.error();
  }
  Result<std::vector<std::string>> codes = replace_recovery_codes(lock, user_id);
  if (!codes) return codes.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return codes;
}

Status TwoFactor::turn_off(std::int64_t user_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto update = lock.prepare(
      "UPDATE users SET totp_secret = NULL, totp_last_step = NULL, totp_pending_secret = NULL WHERE id = ? AND "
      "totp_secret IS NOT NULL");
  if (!update) return update.error();
  if (Status status = update->bind(1, user_id).run(); !status) return status;
  if (lock.changes() == 0) return not_on(user_id);
  for (const char* sql :
       {"DELETE FROM recovery_codes WHERE user_id = ?", "DELETE FROM pending_logins WHERE user_id = ?"}) {
    auto remove = lock.prepare(sql);
    if (!remove) return remove.error();
    if (Status status = remove->bind(1, user_id).run(); !status) return status;
  }
  return (*transaction)->commit();
}

Result<std::vector<std::string>> TwoFactor::regenerate_recovery_codes(std::int64_t user_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  if (Result<StoredSecret> secret = stored_secret(lock, user_id); !secret) return secret.error();
  Result<std::vector<std::string>> codes = replace_recovery_codes(lock, user_id);
  if (!codes) return codes.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return codes;
}

Result<SecondFactor> TwoFactor::verify(std::int64_t user_id, std::string_view code, std::time_t now) {
  std::string typed = without_blanks(code);
  // In one transaction, so two requests with the same code cannot both pass.
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<StoredSecret> stored = stored_secret(lock, user_id);
  if (!stored) return stored.error();
  if (is_totp_code(typed)) {
    Result<std::string> secret = unseal(secret_key_, stored->sealed);
    if (!secret) return secret.error();
    std::optional<std::uint64_t> last;
    if (stored->last_step) last = static_cast<std::uint64_t>(*stored->last_step);
    Result<std::uint64_t> step = auth::verify_totp(*secret, typed, now, last);
    if (!step) return step.error();
    auto update = lock.prepare("UPDATE users SET totp_last_step = ? WHERE id = ?");
    if (!update) return update.error();
    if (Status status = update->bind(1, static_cast<std::int64_t>(*step)).bind(2, user_id).run(); !status) {
      return status.error();
    }
    if (Status status = (*transaction)->commit(); !status) return status.error();
    return SecondFactor::kTotp;
  }
  auto select = lock.prepare("SELECT id, code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL");
  if (!select) return select.error();
  select->bind(1, user_id);
  std::vector<std::int64_t> ids;
  std::vector<std::string> hashes;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    ids.push_back(select->column_int(0));
    hashes.push_back(select->column_text(1));
  }
  int found = auth::find_recovery_code(typed, hashes);
  if (found < 0) return Error(ErrorCode::kPermissionDenied, "the code is wrong, expired or already used");
  auto use = lock.prepare("UPDATE recovery_codes SET used_at = ? WHERE id = ?");
  if (!use) return use.error();
  if (Status status = use->bind(1, unix_now()).bind(2, ids[static_cast<std::size_t>(found)]).run(); !status) {
    return status.error();
  }
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return SecondFactor::kRecoveryCode;
}

Result<std::string> TwoFactor::start_pending_login(std::int64_t user_id, std::chrono::seconds lifetime) {
  std::string token = random_token();
  Database::Lock lock(database_);
  auto purge = lock.prepare("DELETE FROM pending_logins WHERE expires_at <= ?");
  if (!purge) return purge.error();
  if (Status status = purge->bind(1, unix_now()).run(); !status) return status.error();
  auto insert = lock.prepare("INSERT INTO pending_logins (token_hash, user_id, expires_at) VALUES (?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, hash_token(secret_key_, token)).bind(2, user_id).bind(3, unix_now() + lifetime.count());
  if (Status status = insert->run(); !status) return status.error();
  return token;
}

Result<std::optional<std::int64_t>> TwoFactor::find_pending_login(const std::string& token) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT p.user_id FROM pending_logins p JOIN users u ON u.id = p.user_id WHERE p.token_hash = ? AND "
      "p.expires_at > ? AND u.disabled = 0 AND u.totp_secret IS NOT NULL");
  if (!select) return select.error();
  Result<bool> row = select->bind(1, hash_token(secret_key_, token)).bind(2, unix_now()).step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  std::int64_t user_id = select->column_int(0);
  select->reset();
  return std::optional<std::int64_t>(user_id);
}

Status TwoFactor::end_pending_login(const std::string& token) {
  Database::Lock lock(database_);
  auto remove = lock.prepare("DELETE FROM pending_logins WHERE token_hash = ?");
  if (!remove) return remove.error();
  return remove->bind(1, hash_token(secret_key_, token)).run();
}

Result<bool> TwoFactor::required_for_admins() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT value FROM settings WHERE name = ?");
  if (!select) return select.error();
  Result<bool> row = select->bind(1, kRequiredForAdmins).step();
  if (!row) return row.error();
  if (!*row) return false;
  bool required = select->column_text(0) == "1";
  select->reset();
  return required;
}

Status TwoFactor::set_required_for_admins(bool required) {
  Database::Lock lock(database_);
  auto upsert = lock.prepare(
      "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
  if (!upsert) return upsert.error();
  return upsert->bind(1, kRequiredForAdmins).bind(2, required ? "1" : "0").run();
}

}  // namespace left4me::web
