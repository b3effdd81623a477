// Shares: a server shared with another user in one role (table server_shares), and the one way a share is granted
// or revoked (grant_share, revoke_share), which holds the rules of who may share what and ends what a revoked
// user had open. What each role allows is may()'s (authorization.h). Thread-safe (through Database and App).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/accounts.h"
#include "web/app.h"
#include "web/database.h"
#include "web/servers.h"
#include "web/states.h"

namespace left4me::web {

struct Share {
  std::int64_t server_id = 0;
  std::int64_t user_id = 0;
  std::string user_name;
  ShareRole role = ShareRole::kViewer;
  std::optional<std::int64_t> granted_by;  // nullopt once that user is deleted
  std::string granted_by_name;             // "" then
  std::int64_t granted_at = 0;             // Unix seconds
};

class Shares {
 public:
  explicit Shares(Database& database) : database_(database) {}
  // The server's shares, by user name.
  Result<std::vector<Share>> for_server(std::int64_t server_id);

 private:
  Database& database_;
};

// Shares the server with the user of that name in the role, or changes their role, for actor (whom the route let
// share the server: its owner, an administrator or a manager). Fails kInvalidArgument for a name that is no user's
// (or a user being deleted) and for the server's owner; kPermissionDenied when the actor is a manager and the role
// is manager or the user is a manager already (a manager shares up to operator; managers are the owner's and the
// administrators' to make and unmake). Every sharing change goes through here or revoke_share.
Result<Share> grant_share(App& app, const User& actor, const Server& server, const std::string& user_name,
                          ShareRole role);

// Takes the user's share of the server away, for actor (as grant_share), and ends the user's open console streams
// of it; their next request is answered as a stranger's. Fails kNotFound when the user has no share of the server,
// kPermissionDenied when the actor is a manager and the share is a manager's.
Status revoke_share(App& app, const User& actor, const Server& server, std::int64_t user_id);

// Follows the server's console for the user (subscribe_console), then reads their access again: a revoke committed
// since the route allowed the stream ends it here, and one after that ends it in revoke_share, so no stream outlives
// a revoke.
void follow_console_as(App& app, const User& user, const Server& server, const std::shared_ptr<EventSink>& sink);

}  // namespace left4me::web
