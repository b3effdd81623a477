#include "web/build_switch.h"

#include <fmt/format.h>

#include "web/server_view.h"
#include "web/states.h"

namespace left4me::web {

SwitchDecision decide_switch(const nlohmann::json& status, std::chrono::steady_clock::time_point now,
                             std::chrono::steady_clock::time_point deadline) {
  SwitchDecision decision;
  std::optional<ServerState> state = status.is_object() ? reported_state(status) : std::nullopt;
  if (!state || !is_up(*state)) {
    decision.reason = fmt::format("the server is not running ({}): it starts on the current build next time",
                                  state ? to_string(*state) : "no state");
    return decision;
  }
  const nlohmann::json& build = status.contains("build") ? status["build"] : nlohmann::json();
  if (build.is_object() && build.value("current", false)) {
    decision.reason = fmt::format("the server already runs the current build {}", build.value("id", ""));
    return decision;
  }
  if (status.contains("live") && status["live"].is_object() && status["live"].contains("players") &&
      status["live"]["players"].is_number_integer()) {
    decision.players = status["live"]["players"].get<std::int64_t>();
  }
  if (decision.players && *decision.players == 0) {
    decision.step = SwitchStep::kRestartNow;
    decision.reason = "nobody plays on it: restarting it on the current build";
    return decision;
  }
  std::string who = decision.players ? fmt::format("{} player(s) on it", *decision.players)
                                     : std::string("it does not answer A2S, so its players are not known");
  if (now >= deadline) {
    decision.step = SwitchStep::kWarnThenRestart;
    decision.reason = who + " at the maximum wait: warning them, then restarting";
    return decision;
  }
  decision.step = SwitchStep::kWait;
  decision.reason = who + ": waiting until it is empty";
  return decision;
}

std::string switch_warning(std::chrono::seconds before_restart) {
  return fmt::format("This server restarts in {} seconds for a game update. Reconnect afterwards.",
                     before_restart.count());
}

}  // namespace left4me::web
