// Accounts: users, login sessions, personal API tokens, the one-time setup link and login throttling,
// stored in the web database. Tokens are stored only as keyed hashes. Thread-safe (through Database).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/limits.h"

namespace left4me::web {

struct User {
  std::int64_t id = 0;
  std::string name;
  bool is_admin = false;
  bool disabled = false;
  std::int64_t created_at = 0;
  // An administrator's limits for this user; nullopt: the default (see limits.h).
  std::optional<int> max_servers;
  std::optional<int> max_blueprints;
  // An administrator deleted the user: they are disabled, and go once their servers are removed.
  bool deleting = false;
  // Two-factor sign-in is on: a login asks for a one-time code after the password (two_factor.h).
  bool two_factor = false;
};

enum class Role { kUser, kAdmin };

struct NewSession {
  std::string token;  // goes into the cookie; only its hash is stored
  std::string csrf_token;
  std::int64_t expires_at = 0;
};

struct SessionInfo {
  User user;
  std::string csrf_token;
};

// What an API token may do: whatever its user may, only read (GET and HEAD), or only read /metrics (a
// scraper's token; administrators only).
enum class TokenScope { kFull, kReadOnly, kMetrics };
std::string_view to_string(TokenScope scope);
std::optional<TokenScope> parse_token_scope(std::string_view text);

struct ApiToken {
  std::int64_t id = 0;
  std::string name;
  TokenScope scope = TokenScope::kFull;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
};

struct TokenInfo {
  User user;
  TokenScope scope = TokenScope::kFull;
};

enum class LoginOutcome { kOk, kBadCredentials, kThrottled };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::kBadCredentials;
  std::optional<User> user;
};

// Failed logins allowed within a sliding window before further attempts answer kThrottled. Counting per account
// *and* client address means failures from one place never lock the account's owner out elsewhere.
struct ThrottleLimits {
  int per_account = 5;   // failures of one account name from one client address
  int per_address = 20;  // failures from one client address, whatever the names
  std::chrono::seconds window{std::chrono::minutes(15)};
};

// A counted sign-in attempt (login_failures rows), taken back once the attempt succeeded.
struct ThrottleReservation {
  std::vector<std::int64_t> rows;
};

// The one-time setup link, as a request finds it.
enum class SetupLink {
  kGone,     // an administrator exists: the setup route is no more
  kInvalid,  // unknown, used or expired (or a user exists already)
  kValid,
};

std::int64_t unix_now();

// What went with a removed user that lives outside the database: their overlays' directories (overlays/<directory>/),
// for the caller to remove once the transaction committed.
struct RemovedUser {
  std::vector<std::string> overlay_directories;
};

class Accounts {
 public:
  Accounts(Database& database, std::string secret_key) : database_(database), secret_key_(std::move(secret_key)) {}

  // Name: 1-64 of [A-Za-z0-9_.-]; password: 8-1024 bytes. Fails kAlreadyExists for a taken name.
  Result<User> create_user(const std::string& name, const std::string& password, Role role);
  Result<std::optional<User>> find_user(std::int64_t id);
  Result<std::vector<User>> list_users();
  Result<std::int64_t> count_users();
  // Disabling ends the user's sessions; a disabled user cannot log in or use tokens. Fails kAlreadyExists when
  // disabling the last active administrator, or enabling a user being deleted.
  Status set_disabled(std::int64_t id, bool disabled);
  // Makes the user an administrator or takes the role away. actor_id is the administrator asking: they cannot take
  // their own role (kInvalidArgument), and the last active administrator keeps theirs (kAlreadyExists).
  Status set_role(std::int64_t id, Role role, std::int64_t actor_id);
  // The first step of deleting a user: marks them deleting and disabled, and ends their sessions and API tokens, in
  // one transaction. Fails kInvalidArgument when actor_id is the user, kAlreadyExists for the last active
  // administrator, kNotFound for no such user. The user goes with remove_user_if_emptied once they own no server.
  Status mark_deleting(std::int64_t id, std::int64_t actor_id);
  // remove_user_if_emptied (below) in a transaction of its own.
  Result<std::optional<RemovedUser>> remove_if_emptied(std::int64_t id);
  // Sets (nullopt: back to the default) the user's own limit; kInvalidArgument outside 0..kMaxUserLimit.
  Status set_limit(std::int64_t id, Owned what, std::optional<int> limit);
  // Replaces the password, ends every session of the user and revokes every API token, in one transaction.
  Status set_password(std::int64_t id, const std::string& password);

  // Verifies name+password from client_address (as client_info found it), throttled per (account, address) and
  // per address (throttle_bucket: an IPv6 address counts as its /64). The attempt is counted before the slow
  // password check, in the transaction that checks the counts, so concurrent guesses cannot pass the limit
  // together; a success takes its count back. kThrottled without checking the password once a limit is reached.
  // Unknown names are checked against a dummy hash, so timing does not tell which names exist.
  Result<LoginResult> login(const std::string& name, const std::string& password, const std::string& client_address,
                            const ThrottleLimits& limits);

  // A failed attempt at a sign-in step of account `name` from client_address, counted in advance on the counters
  // login uses (so the second step of a two-factor sign-in shares the password's limits): nullopt when a limit is
  // reached (throttled), else the reservation, which release_attempt takes back after a success.
  Result<std::optional<ThrottleReservation>> reserve_attempt(const std::string& name, const std::string& client_address,
                                                             const ThrottleLimits& limits);
  Status release_attempt(const ThrottleReservation& reservation);

  Result<NewSession> create_session(std::int64_t user_id, std::chrono::seconds lifetime);
  // The live session for a cookie token: nullopt if unknown, expired, or its user is disabled.
  Result<std::optional<SessionInfo>> find_session(const std::string& token);
  Status end_session(const std::string& token);

  // Returns the token text once; only its hash is kept. A metrics token is for administrators only
  // (kPermissionDenied otherwise).
  Result<std::pair<ApiToken, std::string>> create_api_token(const User& user, const std::string& name,
                                                            TokenScope scope);
  Result<std::vector<ApiToken>> list_api_tokens(std::int64_t user_id);
  // kNotFound unless the token exists and belongs to user_id.
  Status revoke_api_token(std::int64_t user_id, std::int64_t token_id);
  Result<std::optional<TokenInfo>> find_api_token(const std::string& token);

  // A fresh single-use setup token (while no user exists), valid for lifetime.
  Result<std::string> create_setup_token(std::chrono::seconds lifetime);
  // A cheap check (no password hashing) of a setup token.
  Result<SetupLink> check_setup_link(const std::string& token);
  // Checks the token first (kNotFound once an administrator exists, kPermissionDenied when it is not valid), and
  // only then the name and password rules and the hashing; consumes the token and creates the first admin
  // atomically.
  Result<User> complete_setup(const std::string& token, const std::string& name, const std::string& password);

 private:
  Result<User> insert_user(Database::Lock& lock, const std::string& name, const std::string& password_hash, Role role);
  Database& database_;
  std::string secret_key_;
};

// For the caller's transaction: deletes the user (their blueprints, then their overlays) when they are being deleted
// and own no server any more; nullopt when they stay. Their jobs stay, without an owner. An overlay of theirs that
// another user's blueprint still stacks (an administrator's: only they may) goes to that blueprint's owner.
Result<std::optional<RemovedUser>> remove_user_if_emptied(Database::Lock& lock, std::int64_t id);

// Validation shared by create_user and the setup link; nullopt when fine, else the message.
std::optional<std::string> check_user_name(const std::string& name);
std::optional<std::string> check_password_rules(const std::string& password);

}  // namespace left4me::web
