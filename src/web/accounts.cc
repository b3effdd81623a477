#include "web/accounts.h"

#include <fmt/format.h>

#include <ctime>

#include "web/crypto.h"
#include "web/forwarded.h"

namespace left4me::web {
namespace {

// Every column read_user reads, in its order; a query adds its own columns after these (from kUserColumnCount).
constexpr const char* kUserColumns =
    "id, name, is_admin, disabled, created_at, max_servers, max_blueprints, deleting, totp_secret IS NOT NULL";
constexpr const char* kUserColumnsOfU =
    "u.id, u.name, u.is_admin, u.disabled, u.created_at, u.max_servers, u.max_blueprints, u.deleting, "
    "u.totp_secret IS NOT NULL";
constexpr int kUserColumnCount = 9;

std::optional<int> optional_int(const Statement& statement, int index) {
  std::optional<std::int64_t> value = statement.column_optional_int(index);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

User read_user(const Statement& statement) {
  return User{statement.column_int(0),      statement.column_text(1),     statement.column_int(2) != 0,
              statement.column_int(3) != 0, statement.column_int(4),      optional_int(statement, 5),
              optional_int(statement, 6),   statement.column_int(7) != 0, statement.column_int(8) != 0};
}

// Runs sql (one parameter: a user id) in the caller's transaction.
Status run_for_user(Database::Lock& lock, const char* sql, std::int64_t id) {
  auto statement = lock.prepare(sql);
  if (!statement) return statement.error();
  return statement->bind(1, id).run();
}

// The user, read in the caller's transaction; kNotFound for no such user.
Result<User> user_in(Database::Lock& lock, std::int64_t id) {
  auto select = lock.prepare(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns));
  if (!select) return select.error();
  Result<bool> row = select->bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("user {} not found", id));
  User user = read_user(*select);
  select->reset();
  return user;
}

// Before taking user id's administration away (demoting, disabling, deleting), in the caller's transaction: fails
// kAlreadyExists when they are an active administrator and no other would remain, so two administrators acting on
// each other at once cannot leave the panel without one. kNotFound for no such user.
Status keep_an_administrator(Database::Lock& lock, std::int64_t id) {
  auto select = lock.prepare(
      "SELECT name, is_admin AND NOT disabled AND NOT deleting, (SELECT count(*) FROM users WHERE is_admin = 1 AND "
      "disabled = 0 AND deleting = 0 AND id != ?) FROM users WHERE id = ?");
  if (!select) return select.error();
  select->bind(1, id).bind(2, id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("user {} not found", id));
  bool last = select->column_int(1) != 0 && select->column_int(2) == 0;
  std::string name = select->column_text(0);
  select->reset();
  if (!last) return ok_status();
  return Error(
      ErrorCode::kAlreadyExists,
      fmt::format("user '{}' is the last active administrator: make another user an administrator first", name));
}

struct FailureCounter {
  std::string key;
  int limit = 0;
};

// A login attempt counted in advance, with the account it names.
struct LoginAttempt {
  std::vector<std::int64_t> reserved;  // login_failures rows, one per counter
  std::optional<User> user;
  std::string stored_hash;
};

// In one transaction: forgets failures older than window, and unless a counter has reached its limit (nullopt),
// records one failure on every counter and reads the account. Counting before the slow password check, in the
// transaction that checks, is what keeps concurrent guesses from all passing a limit of n.
Result<std::optional<LoginAttempt>> count_attempt(Database& database, const std::string& name,
                                                  const std::vector<FailureCounter>& counters,
                                                  std::chrono::seconds window) {
  std::int64_t now = unix_now();
  std::int64_t since = now - window.count();
  auto transaction = Database::Transaction::begin(database);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto purge = lock.prepare("DELETE FROM login_failures WHERE at < ?");
  if (!purge) return purge.error();
  if (Status status = purge->bind(1, since).run(); !status) return status.error();
  auto count = lock.prepare("SELECT count(*) FROM login_failures WHERE key = ? AND at >= ?");
  if (!count) return count.error();
  for (const FailureCounter& counter : counters) {
    count->bind(1, counter.key).bind(2, since);
    Result<bool> row = count->step();
    if (!row) return row.error();
    std::int64_t failures = count->column_int(0);
    count->reset();
    if (failures >= counter.limit) return std::optional<LoginAttempt>();
  }
  LoginAttempt attempt;
  auto insert = lock.prepare("INSERT INTO login_failures (key, at) VALUES (?, ?)");
  if (!insert) return insert.error();
  for (const FailureCounter& counter : counters) {
    if (Status status = insert->bind(1, counter.key).bind(2, now).run(); !status) return status.error();
    insert->reset();
    attempt.reserved.push_back(lock.last_insert_id());
  }
  auto select = lock.prepare(fmt::format("SELECT {}, password_hash FROM users WHERE name = ?", kUserColumns));
  if (!select) return select.error();
  select->bind(1, name);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (*row) {
    attempt.user = read_user(*select);
    attempt.stored_hash = select->column_text(kUserColumnCount);
  }
  select->reset();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return std::optional<LoginAttempt>(std::move(attempt));
}

// The scope two columns store (metrics tokens are read-only too).
TokenScope scope_of(bool read_only, bool metrics_only) {
  if (metrics_only) return TokenScope::kMetrics;
  return read_only ? TokenScope::kReadOnly : TokenScope::kFull;
}

constexpr std::pair<TokenScope, std::string_view> kScopeNames[] = {
    {TokenScope::kFull, "full"}, {TokenScope::kReadOnly, "read_only"}, {TokenScope::kMetrics, "metrics"}};

}  // namespace

std::string_view to_string(TokenScope scope) {
  for (const auto& [value, name] : kScopeNames) {
    if (value == scope) return name;
  }
  return "full";
}

std::optional<TokenScope> parse_token_scope(std::string_view text) {
  for (const auto& [value, name] : kScopeNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::optional<std::string> check_user_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return "user name must have 1-64 characters";
  for (char c : name) {
    bool allowed =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!allowed) return "user name may use only letters, digits, '_', '-' and '.'";
  }
  return std::nullopt;
}

std::optional<std::string> check_password_rules(const std::string& password) {
  if (password.size() < 8) return "password must have at least 8 characters";
  if (password.size() > 1024) return "password must have at most 1024 characters";
  return std::nullopt;
}

Result<User> Accounts::insert_user(Database::Lock& lock, const std::string& name, const std::string& password_hash,
                                   Role role) {
  auto insert = lock.prepare("INSERT INTO users (name, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)");
  if (!insert) return insert.error();
  std::int64_t now = unix_now();
  insert->bind(1, name).bind(2, password_hash).bind(3, role == Role::kAdmin ? 1 : 0).bind(4, now);
  if (Status status = insert->run(); !status) {
    if (status.error().code() == ErrorCode::kAlreadyExists) {
      return Error(ErrorCode::kAlreadyExists, fmt::format("user '{}' already exists", name));
    }
    return status.error();
  }
  return User{lock.last_insert_id(), name, role == Role::kAdmin, false, now};
}

Result<User> Accounts::create_user(const std::string& name, const std::string& password, Role role) {
  if (auto problem = check_user_name(name)) return Error::invalid(*problem);
  if (auto problem = check_password_rules(password)) return Error::invalid(*problem);
  Result<std::string> hash = hash_password(password);  // slow: outside the lock
  if (!hash) return hash.error();
  Database::Lock lock(database_);
  return insert_user(lock, name, *hash, role);
}

Result<std::optional<User>> Accounts::find_user(std::int64_t id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns));
  if (!select) return select.error();
  select->bind(1, id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return std::optional<User>();
  return std::optional<User>(read_user(*select));
}

Result<std::vector<User>> Accounts::list_users() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(fmt::format("SELECT {} FROM users ORDER BY name", kUserColumns));
  if (!select) return select.error();
  std::vector<User> users;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    users.push_back(read_user(*select));
  }
  return users;
}

Result<std::int64_t> Accounts::count_users() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT count(*) FROM users");
  if (!select) return select.error();
  Result<bool> row = select->step();
  if (!row) return row.error();
  return select->column_int(0);
}

Status Accounts::set_disabled(std::int64_t id, bool disabled) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<User> user = user_in(lock, id);
  if (!user) return user.error();
  if (disabled) {
    if (Status kept = keep_an_administrator(lock, id); !kept) return kept;
  } else if (user->deleting) {
    return Error(ErrorCode::kAlreadyExists, fmt::format("user '{}' is being deleted", user->name));
  }
  auto update = lock.prepare("UPDATE users SET disabled = ? WHERE id = ?");
  if (!update) return update.error();
  if (Status status = update->bind(1, disabled ? 1 : 0).bind(2, id).run(); !status) return status;
  if (disabled) {
    if (Status status = run_for_user(lock, "DELETE FROM sessions WHERE user_id = ?", id); !status) return status;
  }
  return (*transaction)->commit();
}

Status Accounts::set_role(std::int64_t id, Role role, std::int64_t actor_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<User> user = user_in(lock, id);
  if (!user) return user.error();
  if (role == Role::kUser) {
    if (id == actor_id) {
      return Error::invalid("you cannot take away your own administrator role; ask another administrator");
    }
    if (Status kept = keep_an_administrator(lock, id); !kept) return kept;
  }
  auto update = lock.prepare("UPDATE users SET is_admin = ? WHERE id = ?");
  if (!update) return update.error();
  if (Status status = update->bind(1, role == Role::kAdmin ? 1 : 0).bind(2, id).run(); !status) return status;
  return (*transaction)->commit();
}

Status Accounts::mark_deleting(std::int64_t id, std::int64_t actor_id) {
  if (id == actor_id) return Error::invalid("you cannot delete yourself; ask another administrator");
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  if (Status kept = keep_an_administrator(lock, id); !kept) return kept;
  if (Status status = run_for_user(lock, "UPDATE users SET deleting = 1, disabled = 1 WHERE id = ?", id); !status) {
    return status;
  }
  for (const char* sql : {"DELETE FROM sessions WHERE user_id = ?", "DELETE FROM api_tokens WHERE user_id = ?"}) {
    if (Status status = run_for_user(lock, sql, id); !status) return status;
  }
  return (*transaction)->commit();
}

Result<std::optional<RemovedUser>> Accounts::remove_if_emptied(std::int64_t id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Result<std::optional<RemovedUser>> removed = remove_user_if_emptied((*transaction)->lock(), id);
  if (!removed) return removed.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return removed;
}

Result<std::optional<RemovedUser>> remove_user_if_emptied(Database::Lock& lock, std::int64_t id) {
  auto select = lock.prepare(
      "SELECT 1 FROM users u WHERE u.id = ? AND u.deleting = 1 AND NOT EXISTS (SELECT 1 FROM servers WHERE owner_id "
      "= u.id)");
  if (!select) return select.error();
  Result<bool> done = select->bind(1, id).step();
  if (!done) return done.error();
  select->reset();
  if (!*done) return std::optional<RemovedUser>();
  if (Status status = run_for_user(lock, "DELETE FROM blueprints WHERE owner_id = ?", id); !status) {
    return status.error();
  }
  // Blueprints of others that stack the user's overlays keep them: those overlays change owner instead.
  if (Status status = run_for_user(lock,
                                   "UPDATE overlays SET owner_id = (SELECT b.owner_id FROM blueprint_overlays o JOIN "
                                   "blueprints b ON b.id = o.blueprint_id WHERE o.overlay_id = overlays.id LIMIT 1) "
                                   "WHERE owner_id = ? AND id IN (SELECT overlay_id FROM blueprint_overlays)",
                                   id);
      !status) {
    return status.error();
  }
  RemovedUser removed;
  auto directories =
      lock.prepare("SELECT coalesce(directory, CAST(id AS TEXT)) FROM overlays WHERE owner_id = ? ORDER BY id");
  if (!directories) return directories.error();
  directories->bind(1, id);
  for (;;) {
    Result<bool> row = directories->step();
    if (!row) return row.error();
    if (!*row) break;
    removed.overlay_directories.push_back(directories->column_text(0));
  }
  // Sessions and API tokens go with the user (ON DELETE CASCADE), jobs lose their owner (ON DELETE SET NULL).
  for (const char* sql : {"DELETE FROM overlays WHERE owner_id = ?", "DELETE FROM users WHERE id = ?"}) {
    if (Status status = run_for_user(lock, sql, id); !status) return status.error();
  }
  return std::optional<RemovedUser>(std::move(removed));
}

Status Accounts::set_limit(std::int64_t id, Owned what, std::optional<int> limit) {
  if (limit && (*limit < 0 || *limit > kMaxUserLimit)) {
    return Error::invalid(fmt::format("{}: {} is outside 0..{}", limit_column(what), *limit, kMaxUserLimit));
  }
  Database::Lock lock(database_);
  auto update = lock.prepare(fmt::format("UPDATE users SET {} = ? WHERE id = ?", limit_column(what)));
  if (!update) return update.error();
  if (Status status = update->bind(1, limit).bind(2, id).run(); !status) return status;
  if (lock.changes() == 0) return Error::not_found(fmt::format("user {} not found", id));
  return ok_status();
}

Status Accounts::set_password(std::int64_t id, const std::string& password) {
  if (auto problem = check_password_rules(password)) return Error::invalid(*problem);
  Result<std::string> hash = hash_password(password);
  if (!hash) return hash.error();
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  auto update = (*transaction)->prepare("UPDATE users SET password_hash = ? WHERE id = ?");
  if (!update) return update.error();
  if (Status status = update->bind(1, *hash).bind(2, id).run(); !status) return status;
  if ((*transaction)->lock().changes() == 0) return Error::not_found(fmt::format("user {} not found", id));
  // Whoever knew the old password may have made sessions and tokens with it.
  for (const char* sql : {"DELETE FROM sessions WHERE user_id = ?", "DELETE FROM api_tokens WHERE user_id = ?"}) {
    auto end = (*transaction)->prepare(sql);
    if (!end) return end.error();
    if (Status status = end->bind(1, id).run(); !status) return status;
  }
  return (*transaction)->commit();
}

namespace {

// The counters a sign-in attempt of `name` from client_address counts on.
std::vector<FailureCounter> login_counters(const std::string& secret_key, const std::string& name,
                                           const std::string& client_address, const ThrottleLimits& limits) {
  std::string bucket = throttle_bucket(client_address);
  // The name is kept only hashed: whatever was typed into the name field (a password, now and then) is not stored.
  return {{"pair:" + hash_token(secret_key, bucket + "\n" + name), limits.per_account},
          {"addr:" + bucket, limits.per_address}};
}

}  // namespace

Result<LoginResult> Accounts::login(const std::string& name, const std::string& password,
                                    const std::string& client_address, const ThrottleLimits& limits) {
  std::vector<FailureCounter> counters = login_counters(secret_key_, name, client_address, limits);
  Result<std::optional<LoginAttempt>> attempt = count_attempt(database_, name, counters, limits.window);
  if (!attempt) return attempt.error();
  if (!*attempt) return LoginResult{LoginOutcome::kThrottled, std::nullopt};
  const std::optional<User>& user = (*attempt)->user;
  // Verify even for unknown users so timing does not reveal which names exist.
  static const std::string kDummyHash = hash_password("left4me-dummy-password").value();
  bool matches = verify_password(user ? (*attempt)->stored_hash : kDummyHash, password);
  // A failure keeps its reservation: that row is the recorded failure.
  if (!matches || !user || user->disabled) return LoginResult{LoginOutcome::kBadCredentials, std::nullopt};
  if (Status status = release_attempt(ThrottleReservation{(*attempt)->reserved}); !status) return status.error();
  return LoginResult{LoginOutcome::kOk, user};
}

Result<std::optional<ThrottleReservation>> Accounts::reserve_attempt(const std::string& name,
                                                                     const std::string& client_address,
                                                                     const ThrottleLimits& limits) {
  std::vector<FailureCounter> counters = login_counters(secret_key_, name, client_address, limits);
  Result<std::optional<LoginAttempt>> attempt = count_attempt(database_, name, counters, limits.window);
  if (!attempt) return attempt.error();
  if (!*attempt) return std::optional<ThrottleReservation>();
  return std::optional<ThrottleReservation>(ThrottleReservation{(*attempt)->reserved});
}

Status Accounts::release_attempt(const ThrottleReservation& reservation) {
  Database::Lock lock(database_);
  auto release = lock.prepare("DELETE FROM login_failures WHERE rowid = ?");
  if (!release) return release.error();
  for (std::int64_t row : reservation.rows) {
    if (Status status = release->bind(1, row).run(); !status) return status;
    release->reset();
  }
  return ok_status();
}

Result<NewSession> Accounts::create_session(std::int64_t user_id, std::chrono::seconds lifetime) {
  NewSession session{random_token(), random_token(), unix_now() + lifetime.count()};
  Database::Lock lock(database_);
  auto purge = lock.prepare("DELETE FROM sessions WHERE expires_at <= ?");
  if (!purge) return purge.error();
  if (Status status = purge->bind(1, unix_now()).run(); !status) return status.error();
  auto insert = lock.prepare(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, hash_token(secret_key_, session.token))
      .bind(2, user_id)
      .bind(3, session.csrf_token)
      .bind(4, unix_now())
      .bind(5, session.expires_at);
  if (Status status = insert->run(); !status) return status.error();
  return session;
}

Result<std::optional<SessionInfo>> Accounts::find_session(const std::string& token) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      fmt::format("SELECT {}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? "
                  "AND s.expires_at > ? AND u.disabled = 0",
                  kUserColumnsOfU));
  if (!select) return select.error();
  select->bind(1, hash_token(secret_key_, token)).bind(2, unix_now());
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return std::optional<SessionInfo>();
  return std::optional<SessionInfo>(SessionInfo{read_user(*select), select->column_text(kUserColumnCount)});
}

Status Accounts::end_session(const std::string& token) {
  Database::Lock lock(database_);
  auto remove = lock.prepare("DELETE FROM sessions WHERE token_hash = ?");
  if (!remove) return remove.error();
  return remove->bind(1, hash_token(secret_key_, token)).run();
}

Result<std::pair<ApiToken, std::string>> Accounts::create_api_token(const User& user, const std::string& name,
                                                                    TokenScope scope) {
  if (name.empty() || name.size() > 100) return Error::invalid("token name must have 1-100 characters");
  if (scope == TokenScope::kMetrics && !user.is_admin) {
    return Error(ErrorCode::kPermissionDenied, "only administrators may make a metrics token");
  }
  std::string token = "l4d2_" + random_token();
  Database::Lock lock(database_);
  auto insert = lock.prepare(
      "INSERT INTO api_tokens (user_id, name, token_hash, read_only, metrics_only, created_at) VALUES (?, ?, ?, ?, ?, "
      "?)");
  if (!insert) return insert.error();
  std::int64_t now = unix_now();
  insert->bind(1, user.id)
      .bind(2, name)
      .bind(3, hash_token(secret_key_, token))
      .bind(4, scope != TokenScope::kFull ? 1 : 0)
      .bind(5, scope == TokenScope::kMetrics ? 1 : 0)
      .bind(6, now);
  if (Status status = insert->run(); !status) return status.error();
  return std::pair{ApiToken{lock.last_insert_id(), name, scope, now, std::nullopt}, token};
}

Result<std::vector<ApiToken>> Accounts::list_api_tokens(std::int64_t user_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT id, name, read_only, metrics_only, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY "
      "id");
  if (!select) return select.error();
  select->bind(1, user_id);
  std::vector<ApiToken> tokens;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    tokens.push_back(ApiToken{select->column_int(0), select->column_text(1),
                              scope_of(select->column_int(2) != 0, select->column_int(3) != 0), select->column_int(4),
                              select->column_optional_int(5)});
  }
  return tokens;
}

Status Accounts::revoke_api_token(std::int64_t user_id, std::int64_t token_id) {
  Database::Lock lock(database_);
  auto remove = lock.prepare("DELETE FROM api_tokens WHERE id = ? AND user_id = ?");
  if (!remove) return remove.error();
  if (Status status = remove->bind(1, token_id).bind(2, user_id).run(); !status) return status;
  if (lock.changes() == 0) return Error::not_found(fmt::format("token {} not found", token_id));
  return ok_status();
}

Result<std::optional<TokenInfo>> Accounts::find_api_token(const std::string& token) {
  Database::Lock lock(database_);
  std::string hash = hash_token(secret_key_, token);
  auto select =
      lock.prepare(fmt::format("SELECT {}, t.read_only, t.metrics_only FROM api_tokens t JOIN users u ON u.id = "
                               "t.user_id WHERE t.token_hash = ? "
                               "AND "
                               "u.disabled = 0",
                               kUserColumnsOfU));
  if (!select) return select.error();
  select->bind(1, hash);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return std::optional<TokenInfo>();
  TokenInfo info{read_user(*select),
                 scope_of(select->column_int(kUserColumnCount) != 0, select->column_int(kUserColumnCount + 1) != 0)};
  auto touch = lock.prepare("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?");
  if (!touch) return touch.error();
  if (Status status = touch->bind(1, unix_now()).bind(2, hash).run(); !status) return status.error();
  return std::optional<TokenInfo>(info);
}

Result<std::string> Accounts::create_setup_token(std::chrono::seconds lifetime) {
  std::string token = random_token();
  Database::Lock lock(database_);
  if (Status status = lock.exec("DELETE FROM setup_tokens"); !status) return status.error();
  auto insert = lock.prepare("INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)");
  if (!insert) return insert.error();
  if (Status status = insert->bind(1, hash_token(secret_key_, token)).bind(2, unix_now() + lifetime.count()).run();
      !status) {
    return status.error();
  }
  return token;
}

Result<SetupLink> Accounts::check_setup_link(const std::string& token) {
  Database::Lock lock(database_);
  auto select = lock.prepare(
      "SELECT EXISTS (SELECT 1 FROM users WHERE is_admin = 1), EXISTS (SELECT 1 FROM setup_tokens WHERE token_hash = ? "
      "AND expires_at > ? AND NOT EXISTS (SELECT 1 FROM users))");
  if (!select) return select.error();
  select->bind(1, hash_token(secret_key_, token)).bind(2, unix_now());
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (select->column_int(0) != 0) return SetupLink::kGone;
  return select->column_int(1) != 0 ? SetupLink::kValid : SetupLink::kInvalid;
}

Result<User> Accounts::complete_setup(const std::string& token, const std::string& name, const std::string& password) {
  // The token first: nobody without the link gets as far as the slow, memory-hungry hashing.
  Result<SetupLink> link = check_setup_link(token);
  if (!link) return link.error();
  if (*link == SetupLink::kGone) return Error::not_found("no setup: an administrator exists");
  if (*link == SetupLink::kInvalid) {
    return Error(ErrorCode::kPermissionDenied, "the setup link is invalid, used or expired");
  }
  if (auto problem = check_user_name(name)) return Error::invalid(*problem);
  if (auto problem = check_password_rules(password)) return Error::invalid(*problem);
  Result<std::string> hash = hash_password(password);
  if (!hash) return hash.error();
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  auto consume =
      (*transaction)
          ->prepare(
              "DELETE FROM setup_tokens WHERE token_hash = ? AND expires_at > ? AND NOT EXISTS (SELECT 1 FROM users)");
  if (!consume) return consume.error();
  if (Status status = consume->bind(1, hash_token(secret_key_, token)).bind(2, unix_now()).run(); !status) {
    return status.error();
  }
  if ((*transaction)->lock().changes() == 0) {
    return Error(ErrorCode::kPermissionDenied, "the setup link is invalid, used or expired");
  }
  Result<User> user = insert_user((*transaction)->lock(), name, *hash, Role::kAdmin);
  if (!user) return user.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return user;
}

}  // namespace left4me::web
