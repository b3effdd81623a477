#include "web/authorization.h"

#include <fmt/format.h>

namespace left4me::web {

std::optional<ShareRole> least_role(ServerAction action) {
  switch (action) {
    case ServerAction::kView:
    case ServerAction::kConsoleRead:
      return ShareRole::kViewer;
    case ServerAction::kStart:
    case ServerAction::kStop:
    case ServerAction::kRestart:
    case ServerAction::kRcon:
      return ShareRole::kOperator;
    case ServerAction::kChangeBlueprint:
    case ServerAction::kShare:
    case ServerAction::kSchedule:
      return ShareRole::kManager;
    case ServerAction::kRconPassword:
    case ServerAction::kDelete:
    case ServerAction::kSwitchBuild:
      return std::nullopt;
  }
  return std::nullopt;
}

Decision may(const User& user, ServerAction action, const Server& server, std::optional<ShareRole> share) {
  if (user.is_admin || server.owner_id == user.id) return Decision::kAllowed;
  if (!share) return Decision::kHidden;
  std::optional<ShareRole> least = least_role(action);
  if (!least || *share < *least) return Decision::kForbidden;
  return Decision::kAllowed;
}

Status authorize(const User& user, ServerAction action, const Server& server) {
  switch (may(user, action, server, server.viewer_share)) {
    case Decision::kAllowed:
      return ok_status();
    case Decision::kHidden:
      return Error::not_found(fmt::format("server {} not found", server.id));
    case Decision::kForbidden:
      break;
  }
  // Forbidden is only ever answered to a user with a share.
  ShareRole role = server.viewer_share.value_or(ShareRole::kViewer);
  return Error(ErrorCode::kPermissionDenied,
               fmt::format("as {} {} of server '{}', you may not {}", role == ShareRole::kOperator ? "an" : "a",
                           to_string(role), server.name, describe(action)));
}

std::string_view describe(ServerAction action) {
  switch (action) {
    case ServerAction::kView:
      return "see it";
    case ServerAction::kConsoleRead:
      return "read its console";
    case ServerAction::kStart:
      return "start it";
    case ServerAction::kStop:
      return "stop it";
    case ServerAction::kRestart:
      return "restart it";
    case ServerAction::kRcon:
      return "use its RCON console";
    case ServerAction::kRconPassword:
      return "read its RCON password";
    case ServerAction::kChangeBlueprint:
      return "change its blueprint";
    case ServerAction::kShare:
      return "share it";
    case ServerAction::kSchedule:
      return "set its daily restart";
    case ServerAction::kDelete:
      return "delete it";
    case ServerAction::kSwitchBuild:
      return "switch its game build";
  }
  return {};
}

}  // namespace left4me::web
