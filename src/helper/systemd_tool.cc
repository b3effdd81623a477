#include "helper/systemd_tool.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/subprocess.h"
#include "model/systemd_units.h"

namespace left4me::helper {
std::string server_unit(const model::InstanceName& name) {
  return std::string(model::kServerUnitPrefix) + name.str() + std::string(model::kServerUnitSuffix);
}

Result<std::string> locate_tool(const std::vector<std::string>& candidates, const std::optional<std::string>& chosen) {
  std::vector<std::string> search = chosen ? std::vector<std::string>{*chosen} : candidates;
  std::string searched;
  for (const std::string& candidate : search) {
    if (!candidate.empty() && candidate.front() == '/' && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    searched += (searched.empty() ? "" : ", ") + candidate;
  }
  return Error::unavailable("no executable found (searched " + searched + ")");
}

std::vector<std::string> tool_environment() {
  return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0",
          "SYSTEMD_URLIFY=0"};
}

Result<int> run_tool(const std::vector<std::string>& argv) {
  SpawnOptions options;
  options.argv = argv;
  options.env = tool_environment();
  options.stdin_mode = Stream::kNull;
  options.stdout_mode = Stream::kInherit;
  options.stderr_mode = Stream::kInherit;
  options.group = Group::kSame;
  auto child = Subprocess::spawn(std::move(options));
  if (!child.ok()) return child.error();
  auto status = child->wait(std::nullopt);
  if (!status.ok()) return status.error();
  return (*status)->shell_code();
}

Result<RunResult> capture_tool(const std::vector<std::string>& argv) {
  RunOptions options;
  options.env = tool_environment();
  options.timeout = std::chrono::seconds(60);
  return run(argv, options);
}

Error exec_tool(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env = tool_environment();
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  ::execve(args[0], args.data(), envp.data());
  return Error::from_errno("execve " + argv[0], errno);
}

}  // namespace left4me::helper
