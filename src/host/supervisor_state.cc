#include "host/supervisor_state.h"

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "json/parse_json.h"

namespace left4me::host {
namespace {

using nlohmann::json;

json identity_json(const std::optional<ProcessIdentity>& identity) {
  if (!identity) return nullptr;
  return {{"pid", identity->pid}, {"start_ticks", identity->start_ticks}};
}

std::optional<ProcessIdentity> identity_from(const json& value) {
  if (!value.is_object()) return std::nullopt;
  return ProcessIdentity{value.at("pid").get<pid_t>(), value.at("start_ticks").get<std::uint64_t>()};
}

RunState state_from(const std::string& text) {
  if (text == "starting") return RunState::kStarting;
  if (text == "running") return RunState::kRunning;
  if (text == "failed") return RunState::kFailed;
  return RunState::kStopped;
}

}  // namespace

std::string_view to_string(RunState state) {
  switch (state) {
    case RunState::kStopped:
      return "stopped";
    case RunState::kStarting:
      return "starting";
    case RunState::kRunning:
      return "running";
    case RunState::kFailed:
      return "failed";
  }
  return "stopped";
}

Result<SupervisorState> read_supervisor_state(const std::string& path) {
  auto content = read_file(path);
  if (!content.ok()) {
    if (content.error().code() == ErrorCode::kNotFound) return SupervisorState{};
    return content.error();
  }
  Result<json> parsed = parse_json_limited(*content);
  if (!parsed.ok()) return Error::failed(path + ": not a valid state file: " + parsed.error().message());
  const json& document = *parsed;
  if (!document.is_object()) return Error::failed(path + ": not a valid state file");
  try {
    SupervisorState state;
    state.supervisor = identity_from(document.value("supervisor", json()));
    state.state = state_from(document.value("state", "stopped"));
    state.since_unix = document.value("since", std::int64_t{0});
    state.game = identity_from(document.value("game", json()));
    if (const json& exit = document.value("last_exit", json()); exit.is_object()) {
      ExitStatus status;
      status.code = exit.value("code", 0);
      status.signal = exit.value("signal", 0);
      status.signalled = exit.value("signalled", false);
      state.last_exit = status;
    }
    state.restarts = document.value("restarts", 0);
    state.message = document.value("message", "");
    state.starter = identity_from(document.value("starter", json()));
    return state;
  } catch (const json::exception& error) {
    return Error::failed(path + ": " + error.what());
  }
}

Status write_supervisor_state(const std::string& path, const SupervisorState& state) {
  json document = {
      {"supervisor", identity_json(state.supervisor)},
      {"state", std::string(to_string(state.state))},
      {"since", state.since_unix},
      {"game", identity_json(state.game)},
      {"restarts", state.restarts},
      {"message", state.message},
  };
  if (state.starter) document["starter"] = identity_json(state.starter);
  if (state.last_exit) {
    document["last_exit"] = {{"code", state.last_exit->code},
                             {"signal", state.last_exit->signal},
                             {"signalled", state.last_exit->signalled}};
  } else {
    document["last_exit"] = nullptr;
  }
  return write_file_atomic(path, document.dump() + "\n", 0644);
}

Liveness liveness(const SupervisorState& state) {
  return {.supervisor = state.supervisor && is_alive(*state.supervisor),
          .game = state.game && is_alive(*state.game),
          .starter = state.starter && is_alive(*state.starter)};
}

ProcessInfo reported_info(const SupervisorState& state, Liveness alive) {
  ProcessInfo info;
  info.restarts = state.restarts;
  info.last_exit = state.last_exit;
  info.state = state.state;
  if (state.since_unix > 0) info.since_unix = state.since_unix;
  if (alive.game && state.game) info.pid = state.game->pid;
  bool active = info.state == RunState::kStarting || info.state == RunState::kRunning;
  if (active && !alive.supervisor && !alive.game && !alive.starter) info.state = RunState::kFailed;
  return info;
}

}  // namespace left4me::host
