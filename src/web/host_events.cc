#include "web/host_events.h"

#include <fmt/format.h>

namespace left4me::web {
namespace {

std::int64_t restarts_of(const nlohmann::json& status) {
  auto found = status.find("restarts");
  return found != status.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

// A string member of an object member ("health", "last_restart"), or "".
std::string nested_string(const nlohmann::json& status, const char* object, const char* member) {
  auto outer = status.find(object);
  if (outer == status.end() || !outer->is_object()) return {};
  auto inner = outer->find(member);
  return inner != outer->end() && inner->is_string() ? inner->get<std::string>() : std::string();
}

std::string state_of(const nlohmann::json& status) {
  auto found = status.find("state");
  return found != status.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Why the supervisor restarted it: how the process last ended, as the host describes it.
std::string crash_reason(const nlohmann::json& status, std::int64_t restarts) {
  std::string exit = nested_string(status, "last_exit", "description");
  std::string reason = exit.empty() ? "the server process ended" : "the server process ended: " + exit;
  if (restarts > 1) reason += fmt::format(" ({} restarts since last seen)", restarts);
  return reason;
}

void compare(const std::string& instance, const nlohmann::json& before, const nlohmann::json& after,
             std::vector<HostEvent>& events) {
  if (!before.is_object() || !after.is_object() || before.contains("error") || after.contains("error")) return;
  std::int64_t restarted = restarts_of(after) - restarts_of(before);
  if (restarted > 0) {
    std::string restart_at = nested_string(after, "health", "last_restart");
    if (!restart_at.empty() && restart_at != nested_string(before, "health", "last_restart")) {
      std::string why = nested_string(after, "health", "last_restart_reason");
      events.push_back({instance, ServerEventKind::kAutoRestart,
                        "restarted by the health monitor: " + (why.empty() ? std::string("unresponsive") : why)});
    } else {
      events.push_back({instance, ServerEventKind::kCrash, crash_reason(after, restarted)});
    }
  }
  std::string state = state_of(after);
  if (state == to_string(ServerState::kFailed) && state_of(before) != state) {
    std::string error = nested_string(after, "last_exit", "description");
    events.push_back({instance, ServerEventKind::kFailed,
                      "the supervisor gave up restarting it" + (error.empty() ? "" : " (last exit: " + error + ")")});
  }
}

}  // namespace

std::vector<HostEvent> host_events(const StatusMap& before, const StatusMap& after) {
  std::vector<HostEvent> events;
  for (const auto& [instance, status] : after) {
    auto old = before.find(instance);
    if (old != before.end()) compare(instance, old->second, status, events);
  }
  return events;
}

}  // namespace left4me::web
