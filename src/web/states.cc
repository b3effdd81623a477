#include "web/states.h"

#include <algorithm>
#include <array>

namespace left4me::web {
namespace {

template <typename Value>
struct Name {
  Value value;
  std::string_view text;
};

constexpr Name<ServerState> kServerStates[] = {
    {ServerState::kNew, "new"},           {ServerState::kStopped, "stopped"}, {ServerState::kStarting, "starting"},
    {ServerState::kRunning, "running"},   {ServerState::kFailed, "failed"},   {ServerState::kUnknown, "unknown"},
};

constexpr Name<JobState> kJobStates[] = {
    {JobState::kQueued, "queued"}, {JobState::kRunning, "running"},     {JobState::kSucceeded, "succeeded"},
    {JobState::kFailed, "failed"}, {JobState::kCancelled, "cancelled"}, {JobState::kInterrupted, "interrupted"},
};

// The job states alone, for all_job_states().
constexpr auto kJobStateOrder = [] {
  std::array<JobState, std::size(kJobStates)> states{};
  for (std::size_t i = 0; i < states.size(); ++i) states[i] = kJobStates[i].value;
  return states;
}();

constexpr Name<JobType> kJobTypes[] = {
    {JobType::kStart, "start"},   {JobType::kStop, "stop"},       {JobType::kRestart, "restart"},
    {JobType::kDelete, "delete"}, {JobType::kInstall, "install"},
};

template <typename Value, std::size_t N>
std::string_view name_of(const Name<Value> (&names)[N], Value value) {
  auto it = std::find_if(std::begin(names), std::end(names), [&](const Name<Value>& name) { return name.value == value; });
  return it == std::end(names) ? std::string_view() : it->text;
}

template <typename Value, std::size_t N>
std::optional<Value> value_of(const Name<Value> (&names)[N], std::string_view text) {
  auto it = std::find_if(std::begin(names), std::end(names), [&](const Name<Value>& name) { return name.text == text; });
  if (it == std::end(names)) return std::nullopt;
  return it->value;
}

}  // namespace

std::string_view to_string(ServerState state) { return name_of(kServerStates, state); }
std::string_view to_string(JobState state) { return name_of(kJobStates, state); }
std::string_view to_string(JobType type) { return name_of(kJobTypes, type); }

std::optional<ServerState> parse_server_state(std::string_view text) { return value_of(kServerStates, text); }
std::optional<JobState> parse_job_state(std::string_view text) { return value_of(kJobStates, text); }
std::optional<JobType> parse_job_type(std::string_view text) { return value_of(kJobTypes, text); }

std::span<const JobState> all_job_states() { return kJobStateOrder; }

bool is_up(ServerState state) { return state == ServerState::kStarting || state == ServerState::kRunning; }

bool is_pending(JobState state) { return state == JobState::kQueued || state == JobState::kRunning; }

}  // namespace left4me::web
