// Authorization of what a user does to a server: the one rule every server route goes through (route.h opens a
// route's server, then asks may), from the server's owner, the user's role (an administrator keeps everything) and
// the server's share with the user (docs/design.md, "Sharing a server"). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "base/result.h"
#include "web/accounts.h"
#include "web/servers.h"
#include "web/states.h"

namespace left4me::web {

// What a route does to its server.
enum class ServerAction {
  kView,             // the server, its state, players and jobs (the API object, the page and its fragments)
  kConsoleRead,      // its live console (the SSE streams)
  kStart,            //
  kStop,             //
  kRestart,          //
  kRcon,             // send RCON commands through the panel, read the RCON audit log
  kRconPassword,     // read its RCON password (a share revoked cannot take back a password seen)
  kChangeBlueprint,  // choose which of the owner's blueprints it follows
  kShare,            // see and change its shares (a manager up to operator: grant_share, shares.h)
  kSchedule,         // see and set its daily restart (restart_schedules.h)
  kDelete,           //
  kSwitchBuild,      // restart it on the current game build (an administrators' route)
};

// The answer: allowed; forbidden (403: the user sees the server, their role does not allow this); hidden (404: the
// user may not know the server exists).
enum class Decision { kAllowed, kForbidden, kHidden };

// The least role a share needs for the action; nullopt for what only the owner and administrators do (delete,
// the RCON password, switching builds).
std::optional<ShareRole> least_role(ServerAction action);

// May the user do the action to the server, given the server's share with them (nullopt: none)? The owner and
// administrators may do everything; a user with a share what its role allows (forbidden otherwise); anyone else
// nothing, and the server is hidden from them.
Decision may(const User& user, ServerAction action, const Server& server, std::optional<ShareRole> share);

// may for a server read for this user (Servers::get: its viewer_share is the user's share), as a Status: kNotFound
// "server 7 not found" when hidden (the answer a server that does not exist gets), kPermissionDenied naming the
// role and the action when forbidden.
Status authorize(const User& user, ServerAction action, const Server& server);

// The action in words, as an error message says what was refused: "start it", "change its blueprint"...
std::string_view describe(ServerAction action);

}  // namespace left4me::web
