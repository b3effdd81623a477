// FakeSupervisor: an in-process host::Supervisor for unit tests. Each instance's ProcessInfo lives in
// memory (stopped until started): start makes it what set_info_after_start says (running by default),
// stop makes it stopped. A test sets what info reports (a server that failed while starting, say), the
// console lines logs delivers, or makes the next start or stop fail. Starts and stops are recorded.
// Not thread-safe, except that info may be called from several threads at once while nothing else is
// called (Instances::list does so).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "host/supervisor.h"
#include "model/instance_name.h"

namespace left4me::test {

class FakeSupervisor final : public host::Supervisor {
 public:
  std::string_view name() const override { return "fake"; }
  Status start(const model::InstanceName& name) override;
  Status stop(const model::InstanceName& name, std::chrono::seconds timeout) override;
  Result<host::ProcessInfo> info(const model::InstanceName& name) override;
  // Delivers the lines set with set_log_lines (the last `lines` of them); Follow::kYes adds nothing.
  Status logs(const model::InstanceName& name, int lines, host::Follow follow,
              const std::function<bool(std::string_view)>& on_line) override;

  void set_info(const model::InstanceName& name, host::ProcessInfo info) { infos_[name.str()] = info; }
  void set_info_after_start(host::ProcessInfo info) { after_start_ = info; }
  void set_log_lines(std::vector<std::string> lines) { log_lines_ = std::move(lines); }
  // The next start, or stop, fails with `error` and changes nothing.
  void fail_next_start(Error error) { start_failure_ = std::move(error); }
  void fail_next_stop(Error error) { stop_failure_ = std::move(error); }

  // "start <name>" and "stop <name> <timeout>s", in call order.
  const std::vector<std::string>& calls() const { return calls_; }

 private:
  std::map<std::string, host::ProcessInfo> infos_;
  host::ProcessInfo after_start_{.state = host::RunState::kRunning};
  std::vector<std::string> log_lines_;
  std::optional<Error> start_failure_;
  std::optional<Error> stop_failure_;
  std::vector<std::string> calls_;
};

}  // namespace left4me::test
