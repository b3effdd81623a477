// Switching a running server to the current game build when nobody plays on it: the one rule a switch_build job
// follows at each look at the server's status (`l4d2ctl status --json`, docs/cli.md). Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace left4me::web {

enum class SwitchStep {
  kDone,             // nothing to switch: not running, or already on the current build
  kRestartNow,       // on an older build with nobody on it
  kWait,             // on an older build with players (or players unknown), before the maximum wait
  kWarnThenRestart,  // on an older build with players at the maximum wait: warn them over RCON, then restart
};

struct SwitchDecision {
  SwitchStep step = SwitchStep::kDone;
  std::string reason;                   // one line for the job's log
  std::optional<std::int64_t> players;  // the A2S player count, when the server answered
};

// What to do now with a server whose status is `status`, when the maximum wait ends at `deadline`. A server on
// a build from before builds lived side by side (no `build`) counts as an older build.
SwitchDecision decide_switch(const nlohmann::json& status, std::chrono::steady_clock::time_point now,
                             std::chrono::steady_clock::time_point deadline);

// The RCON `say` text players get at the maximum wait.
std::string switch_warning(std::chrono::seconds before_restart);

}  // namespace left4me::web
