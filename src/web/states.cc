#include "web/states.h"

#include <array>

namespace left4me::web {
namespace {

// The names are switches without a default, so the compiler (-Wswitch, -Werror) refuses a new value that has
// none; every value of these enums is one of 0..kMaxValues-1 in order, which is how parse_* and
// all_job_states find them all.
constexpr int kMaxValues = 32;

constexpr std::string_view name_of(ServerState state) {
  switch (state) {
    case ServerState::kNew:
      return "new";
    case ServerState::kStopped:
      return "stopped";
    case ServerState::kStarting:
      return "starting";
    case ServerState::kRunning:
      return "running";
    case ServerState::kFailed:
      return "failed";
    case ServerState::kUnknown:
      return "unknown";
  }
  return {};
}

constexpr std::string_view name_of(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
    case JobState::kInterrupted:
      return "interrupted";
  }
  return {};
}

constexpr std::string_view name_of(JobType type) {
  switch (type) {
    case JobType::kStart:
      return "start";
    case JobType::kStop:
      return "stop";
    case JobType::kRestart:
      return "restart";
    case JobType::kDelete:
      return "delete";
    case JobType::kInstall:
      return "install";
    case JobType::kCheckUpdate:
      return "check_update";
    case JobType::kSwitchBuild:
      return "switch_build";
    case JobType::kScheduledRestart:
      return "scheduled_restart";
    case JobType::kRefreshManaged:
      return "refresh_managed";
    case JobType::kRefreshWorkshop:
      return "refresh_workshop";
    case JobType::kBuildOverlay:
      return "build_overlay";
  }
  return {};
}

constexpr std::string_view name_of(WorkshopItemState state) {
  switch (state) {
    case WorkshopItemState::kQueued:
      return "queued";
    case WorkshopItemState::kDownloading:
      return "downloading";
    case WorkshopItemState::kOk:
      return "ok";
    case WorkshopItemState::kFailed:
      return "failed";
  }
  return {};
}

constexpr std::string_view name_of(ShareRole role) {
  switch (role) {
    case ShareRole::kViewer:
      return "viewer";
    case ShareRole::kOperator:
      return "operator";
    case ShareRole::kManager:
      return "manager";
  }
  return {};
}

constexpr std::string_view name_of(ServerEventKind kind) {
  switch (kind) {
    case ServerEventKind::kStarted:
      return "started";
    case ServerEventKind::kStopped:
      return "stopped";
    case ServerEventKind::kRestarted:
      return "restarted";
    case ServerEventKind::kCrash:
      return "crash";
    case ServerEventKind::kAutoRestart:
      return "auto_restart";
    case ServerEventKind::kFailed:
      return "failed";
  }
  return {};
}

constexpr std::string_view name_of(AlertEvent event) {
  switch (event) {
    case AlertEvent::kCrash:
      return "crash";
    case AlertEvent::kAutoRestart:
      return "auto_restart";
    case AlertEvent::kFailed:
      return "failed";
    case AlertEvent::kJobFailed:
      return "job_failed";
    case AlertEvent::kTest:
      return "test";
  }
  return {};
}

// How many values the enum has: the first number with no name ends them.
template <typename Value>
constexpr int count_of() {
  int count = 0;
  while (count < kMaxValues && !name_of(static_cast<Value>(count)).empty()) ++count;
  return count;
}

template <typename Value>
std::optional<Value> value_of(std::string_view text) {
  static constexpr int kCount = count_of<Value>();  // computed by the compiler, not at every call
  for (int i = 0; i < kCount; ++i) {
    if (name_of(static_cast<Value>(i)) == text) return static_cast<Value>(i);
  }
  return std::nullopt;
}

template <typename Value>
constexpr auto kAll = [] {
  std::array<Value, count_of<Value>()> values{};
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<Value>(i);
  return values;
}();

}  // namespace

std::string_view to_string(ServerState state) { return name_of(state); }
std::string_view to_string(JobState state) { return name_of(state); }
std::string_view to_string(JobType type) { return name_of(type); }
std::string_view to_string(ShareRole role) { return name_of(role); }
std::string_view to_string(ServerEventKind kind) { return name_of(kind); }
std::string_view to_string(AlertEvent event) { return name_of(event); }
std::string_view to_string(WorkshopItemState state) { return name_of(state); }

std::optional<ServerState> parse_server_state(std::string_view text) { return value_of<ServerState>(text); }
std::optional<JobState> parse_job_state(std::string_view text) { return value_of<JobState>(text); }
std::optional<JobType> parse_job_type(std::string_view text) { return value_of<JobType>(text); }
std::optional<ShareRole> parse_share_role(std::string_view text) { return value_of<ShareRole>(text); }
std::optional<ServerEventKind> parse_server_event_kind(std::string_view text) {
  return value_of<ServerEventKind>(text);
}
std::optional<AlertEvent> parse_alert_event(std::string_view text) { return value_of<AlertEvent>(text); }
std::optional<WorkshopItemState> parse_workshop_item_state(std::string_view text) {
  return value_of<WorkshopItemState>(text);
}

std::span<const ServerState> all_server_states() { return kAll<ServerState>; }
std::span<const JobState> all_job_states() { return kAll<JobState>; }
std::span<const JobType> all_job_types() { return kAll<JobType>; }
std::span<const ShareRole> all_share_roles() { return kAll<ShareRole>; }
std::span<const AlertEvent> all_alert_events() { return kAll<AlertEvent>; }

bool is_up(ServerState state) { return state == ServerState::kStarting || state == ServerState::kRunning; }

bool is_pending(JobState state) { return state == JobState::kQueued || state == JobState::kRunning; }

}  // namespace left4me::web
