#include "testing/fake_supervisor.h"

#include <algorithm>

namespace left4me::test {
namespace {

// Returns the armed failure once, or nothing.
std::optional<Error> take(std::optional<Error>& failure) {
  std::optional<Error> taken = std::move(failure);
  failure.reset();
  return taken;
}

}  // namespace

Status FakeSupervisor::start(const model::InstanceName& name) {
  calls_.push_back("start " + name.str());
  if (auto failure = take(start_failure_)) return *failure;
  infos_[name.str()] = after_start_;
  return ok_status();
}

Status FakeSupervisor::stop(const model::InstanceName& name, std::chrono::seconds timeout) {
  calls_.push_back("stop " + name.str() + " " + std::to_string(timeout.count()) + "s");
  if (auto failure = take(stop_failure_)) return *failure;
  host::ProcessInfo& info = infos_[name.str()];
  info.state = host::RunState::kStopped;
  info.pid.reset();
  return ok_status();
}

Result<host::ProcessInfo> FakeSupervisor::info(const model::InstanceName& name) {
  auto found = infos_.find(name.str());
  if (found == infos_.end()) return host::ProcessInfo{};
  return found->second;
}

Status FakeSupervisor::logs(const model::InstanceName&, int lines, host::Follow,
                            const std::function<bool(std::string_view)>& on_line) {
  size_t first = log_lines_.size() - std::min(log_lines_.size(), static_cast<size_t>(std::max(lines, 0)));
  for (size_t i = first; i < log_lines_.size(); ++i) {
    if (!on_line(log_lines_[i])) break;
  }
  return ok_status();
}

}  // namespace left4me::test
