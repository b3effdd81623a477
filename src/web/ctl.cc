#include "web/ctl.h"

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <thread>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "json/parse_json.h"
#include "remote/remote_command.h"

namespace left4me::web {

namespace {

// Writes data to fd and closes it. A reader gone early (ssh ended: the host refused or the link broke)
// is not an error here: ssh's exit says what happened. SIGPIPE is blocked on this thread and a pending
// one taken back, so that it cannot end the process where it is not ignored.
void feed(UniqueFd fd, std::string_view data) {
  sigset_t pipe_signal;
  ::sigemptyset(&pipe_signal);
  ::sigaddset(&pipe_signal, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  while (!data.empty()) {
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  fd.reset();
  struct timespec now {};
  while (::sigtimedwait(&pipe_signal, nullptr, &now) == SIGPIPE) {
  }
}

// A 0600 file in dir holding text, named after the instance; removed when this goes.
class SpecFile {
 public:
  static Result<SpecFile> create(const std::string& dir, const std::string& instance, std::string_view text) {
    std::string name = fmt::format("{}/initialize-{}-XXXXXX.yaml", dir, instance);
    UniqueFd fd(::mkstemps(name.data(), 5));
    if (!fd.valid()) return Error::from_errno("mkstemps " + name, errno);
    SpecFile file(name);
    while (!text.empty()) {
      ssize_t n = ::write(fd.get(), text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::from_errno("write " + name, errno);
      text.remove_prefix(static_cast<std::size_t>(n));
    }
    return file;
  }
  SpecFile(SpecFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  SpecFile& operator=(SpecFile&&) = delete;
  ~SpecFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  explicit SpecFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace

std::unique_ptr<Ctl> Ctl::over_ssh(SshSettings settings, SshTarget target, std::vector<std::string> env) {
  auto ctl = std::make_unique<Ctl>(settings.program, std::move(env));
  ctl->ssh_ = Ssh{std::move(settings), std::move(target)};
  return ctl;
}

std::string Ctl::describe() const {
  if (!ssh_) return "local";
  return fmt::format("{}@{}:{}", ssh_->target.user, ssh_->target.address, ssh_->target.port);
}

Result<std::vector<std::string>> Ctl::argv(const std::vector<std::string>& args) const {
  if (!ssh_) {
    std::vector<std::string> argv{path_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  Result<std::string> line = remote::quote_command(args);
  if (!line) return line.error().with_context(fmt::format("l4d2ctl over ssh to {}", describe()));
  std::vector<std::string> argv = ssh_argv(ssh_->settings, ssh_->target);
  argv.push_back(std::move(*line));
  return argv;
}

Result<ExitStatus> Ctl::stream(std::vector<std::string> argv, std::optional<std::string_view> input,
                               const std::function<void(std::string_view)>& on_line,
                               const std::function<void(pid_t)>& on_spawn) const {
  SpawnOptions options;
  options.argv = std::move(argv);
  options.env = env_;
  options.stdin_mode = input ? Stream::kPipe : Stream::kNull;
  options.stdout_mode = Stream::kPipe;
  options.stderr_mode = Stream::kToStdout;
  Result<Subprocess> child = Subprocess::spawn(std::move(options));
  if (!child) return child.error().with_context(fmt::format("run {}", path_));
  if (on_spawn) on_spawn(child->pid());
  std::thread writer;
  if (input) {
    UniqueFd in(::dup(child->stdin_fd()));
    child->close_stdin();
    writer = std::thread(feed, std::move(in), *input);
  }
  Status read = read_lines(child->stdout_fd(), on_line);
  if (writer.joinable()) writer.join();
  Result<std::optional<ExitStatus>> status = child->wait(std::nullopt);
  if (!status) return status.error();
  if (!read) on_line(fmt::format("(reading output failed: {})", read.error().message()));
  return **status;
}

Result<ExitStatus> Ctl::run_streaming(const std::vector<std::string>& args,
                                      const std::function<void(std::string_view)>& on_line,
                                      const std::function<void(pid_t)>& on_spawn) const {
  Result<std::vector<std::string>> command = argv(args);
  if (!command) return command.error();
  return stream(std::move(*command), std::nullopt, on_line, on_spawn);
}

Result<ExitStatus> Ctl::initialize(const std::string& instance, std::string_view spec, const std::string& scratch_dir,
                                   const std::function<void(std::string_view)>& on_line,
                                   const std::function<void(pid_t)>& on_spawn) const {
  if (ssh_) {
    Result<std::vector<std::string>> command = argv({"initialize", instance, "-f", "-"});
    if (!command) return command.error();
    return stream(std::move(*command), spec, on_line, on_spawn);
  }
  Result<SpecFile> file = SpecFile::create(scratch_dir, instance, spec);
  if (!file) return file.error();
  return run_streaming({"initialize", instance, "-f", file->path()}, on_line, on_spawn);
}

Result<RunResult> Ctl::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  Result<std::vector<std::string>> command = argv(args);
  if (!command) return command.error();
  RunOptions options;
  options.env = env_;
  options.timeout = timeout;
  Result<RunResult> result = left4me::run(*command, options);
  if (!result) return result.error().with_context(fmt::format("run {}", path_));
  return result;
}

Result<Subprocess> Ctl::follow_logs(const std::string& name, int lines) const {
  Result<std::vector<std::string>> command = argv({"logs", name, "--lines", std::to_string(lines), "--follow"});
  if (!command) return command.error();
  SpawnOptions options;
  options.argv = std::move(*command);
  options.env = env_;
  options.stdout_mode = Stream::kPipe;
  options.stderr_mode = Stream::kToStdout;
  return Subprocess::spawn(std::move(options));
}

Result<StatusMap> Ctl::list() const {
  Result<RunResult> result = run({"list", "--json", "--players"}, std::chrono::seconds(20));
  if (!result) return result.error();
  if (std::optional<Error> transport = transport_error(*this, result->status, result->err)) return *transport;
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

std::optional<Error> transport_error(const Ctl& ctl, const ExitStatus& status, std::string_view output) {
  constexpr int kSshFailed = 255;
  if (!ctl.remote() || status.signalled || status.code != kSshFailed) return std::nullopt;
  std::vector<std::string> lines;
  for (const std::string& line : split(output, '\n')) {
    std::string_view text = trim(line);
    if (!text.empty()) lines.emplace_back(text);
  }
  std::string last = lines.empty() ? "ssh " + status.describe() : lines.back();
  std::string host = ctl.describe();
  if (output.find("REMOTE HOST IDENTIFICATION HAS CHANGED") != std::string_view::npos) {
    // "The fingerprint for the ED25519 key sent by the remote host is" and "SHA256:....": "ED25519 SHA256:...".
    std::string offered;
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      constexpr std::string_view kBefore = "The fingerprint for the ", kAfter = " key sent by the remote host is";
      std::size_t after = lines[i].find(kAfter);
      if (lines[i].rfind(kBefore, 0) != 0 || after == std::string::npos || after < kBefore.size()) continue;
      std::string fingerprint = lines[i + 1];
      if (!fingerprint.empty() && fingerprint.back() == '.') fingerprint.pop_back();
      offered = lines[i].substr(kBefore.size(), after - kBefore.size()) + " " + fingerprint;
    }
    return Error(
        ErrorCode::kPermissionDenied,
        fmt::format("the host key of {} changed: it now offers {}, not the key confirmed when the host was added (a "
                    "reinstalled host, or someone in between); nothing was run; confirm the new key on the hosts page",
                    host, offered.empty() ? "another key" : offered));
  }
  if (output.find("Host key verification failed") != std::string_view::npos) {
    return Error(
        ErrorCode::kPermissionDenied,
        fmt::format("the host key of {} is not confirmed ({}); nothing was run; confirm the key on the hosts page",
                    host, last));
  }
  return Error::unavailable(fmt::format("cannot reach {} over ssh: {}", host, last));
}

}  // namespace left4me::web
