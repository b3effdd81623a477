#include "web/ctl.h"

#include <fmt/format.h>

#include "json/parse_json.h"

namespace left4me::web {

Result<ExitStatus> Ctl::run_streaming(const std::vector<std::string>& args,
                                      const std::function<void(std::string_view)>& on_line,
                                      const std::function<void(pid_t)>& on_spawn) const {
  SpawnOptions options;
  options.argv.push_back(path_);
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = env_;
  options.stdout_mode = Stream::kPipe;
  options.stderr_mode = Stream::kToStdout;
  Result<Subprocess> child = Subprocess::spawn(std::move(options));
  if (!child) return child.error().with_context(fmt::format("run {}", path_));
  if (on_spawn) on_spawn(child->pid());
  Status read = read_lines(child->stdout_fd(), on_line);
  Result<std::optional<ExitStatus>> status = child->wait(std::nullopt);
  if (!status) return status.error();
  if (!read) on_line(fmt::format("(reading output failed: {})", read.error().message()));
  return **status;
}

Result<RunResult> Ctl::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv{path_};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions options;
  options.env = env_;
  options.timeout = timeout;
  Result<RunResult> result = left4me::run(argv, options);
  if (!result) return result.error().with_context(fmt::format("run {}", path_));
  return result;
}

Result<Subprocess> Ctl::follow_logs(const std::string& name, int lines) const {
  SpawnOptions options;
  options.argv = {path_, "logs", name, "--lines", std::to_string(lines), "--follow"};
  options.env = env_;
  options.stdout_mode = Stream::kPipe;
  options.stderr_mode = Stream::kToStdout;
  return Subprocess::spawn(std::move(options));
}

Result<StatusMap> Ctl::list() const {
  Result<RunResult> result = run({"list", "--json", "--players"}, std::chrono::seconds(20));
  if (!result) return result.error();
  if (!result->status.success()) {
    std::string why = result->err.empty() ? result->status.describe() : result->err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Error::failed(fmt::format("l4d2ctl list: {}", why));
  }
  Result<nlohmann::json> list = parse_json_limited(result->out);
  if (!list) return Error::failed(fmt::format("l4d2ctl list --json: {}", list.error().message()));
  nlohmann::json& parsed = *list;
  if (!parsed.is_array()) return Error::failed("l4d2ctl list --json: output is not a JSON array");
  StatusMap statuses;
  for (nlohmann::json& item : parsed) {
    if (item.is_object() && item.contains("name") && item["name"].is_string()) {
      std::string name = item["name"].get<std::string>();
      statuses[name] = std::move(item);
    }
  }
  return statuses;
}

}  // namespace left4me::web
