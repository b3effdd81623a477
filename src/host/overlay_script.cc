#include "host/overlay_script.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "base/subprocess.h"
#include "base/unique_fd.h"
#include "host/instance_identity.h"
#include "host/safe_open.h"
#include "host/script_sandbox.h"

namespace left4me::host {
namespace {

using Clock = std::chrono::steady_clock;

Result<std::string> read_script_source(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return Error::invalid("script " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return Error::invalid("script " + path + " is not a file");
  std::string text;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read " + path, errno);
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > static_cast<size_t>(kMaxScriptBytes)) {
      return Error::invalid("script " + path + " is larger than " + std::to_string(kMaxScriptBytes) + " bytes");
    }
  }
  return text;
}

// Writes `text` as scripts/<id>.sh (0644, owned by `owner`), through a new file renamed into place.
Status install_script(const model::Layout& layout, std::string_view overlay_id, const std::string& text,
                      const DataRootOwner& owner) {
  if (::mkdir(layout.scripts().c_str(), 0755) != 0 && errno != EEXIST) {
    return Error::from_errno("create " + layout.scripts(), errno);
  }
  Result<UniqueFd> dir = open_no_symlinks(AT_FDCWD, layout.scripts(), O_RDONLY | O_DIRECTORY, layout.scripts());
  if (!dir) return dir.error();
  const std::string name = std::string(overlay_id) + ".sh";
  const std::string staging = "." + name + ".new-" + std::to_string(::getpid());
  UniqueFd file(::openat(dir->get(), staging.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file.valid()) return Error::from_errno("create " + layout.scripts() + "/" + staging, errno);
  bool written = ::write(file.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fchmod(file.get(), 0644) == 0 &&
                 (::geteuid() != 0 || ::fchown(file.get(), owner.uid, owner.gid) == 0);
  int err = errno;
  if (!written || ::renameat(dir->get(), staging.c_str(), dir->get(), name.c_str()) != 0) {
    err = written ? errno : err;
    ::unlinkat(dir->get(), staging.c_str(), 0);
    return Error::from_errno("write " + layout.overlay_script(overlay_id), err);
  }
  return ok_status();
}

// Reads `fd` to its end, calling on_line for every line (a last partial one included). Returns false
// when `deadline` came first.
Result<bool> stream_lines(int fd, std::optional<Clock::time_point> deadline,
                          const std::function<void(std::string_view)>& on_line) {
  std::string pending;
  char buffer[8192];
  while (true) {
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      if (left <= 0) return false;
      wait_ms = static_cast<int>(std::min<long long>(left, 60000));
    }
    struct pollfd poll_fd = {fd, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Error::from_errno("poll", errno);
    if (ready == 0) continue;
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read the script's output", errno);
    if (n == 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
      on_line(std::string_view(pending).substr(start, end - start));
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
  return true;
}

// The bubblewrap runner: bwrap under prlimit, the overlay and the script bound through descriptors held
// here (a path swapped after the checks binds nothing else), as the service user when started by root.
Result<int> run_in_bubblewrap(const model::Layout& layout, std::string_view overlay_id, int overlay_fd,
                              const DataRootOwner& owner, const ScriptRunOptions& options,
                              const std::function<void(std::string_view)>& on_line) {
  Result<UniqueFd> script = open_overlay_script(layout, overlay_id, ::geteuid() == 0 ? owner.uid : ::geteuid());
  if (!script) return script.error();
  SandboxPaths paths{"/proc/self/fd/" + std::to_string(overlay_fd), "/proc/self/fd/" + std::to_string(script->get()),
                     layout.root()};
  SpawnOptions spawn;
  spawn.argv = bubblewrap_command(options.prlimit, options.bwrap, paths, options.limits);
  spawn.env = std::vector<std::string>{"PATH=/usr/bin:/bin"};
  spawn.stdout_mode = Stream::kPipe;
  spawn.stderr_mode = Stream::kToStdout;
  spawn.keep_fds = {overlay_fd, script->get()};
  spawn.kill_with_parent = true;
  if (::geteuid() == 0 && owner.uid != 0) {
    spawn.uid = owner.uid;
    spawn.gid = owner.gid;
  }
  Result<Subprocess> child = Subprocess::spawn(std::move(spawn));
  if (!child) return child.error().with_context(options.bwrap);
  const auto limit = std::chrono::seconds(options.limits.timeout_seconds);
  Result<bool> in_time = stream_lines(child->stdout_fd(), Clock::now() + limit, on_line);
  if (!in_time) return in_time.error();
  if (!*in_time) {
    on_line("left4me: the script ran longer than " + std::to_string(options.limits.timeout_seconds) +
            " s (LEFT4ME_SCRIPT_TIMEOUT_SECONDS) and was killed");
    Result<ExitStatus> ended = child->terminate(SIGKILL, std::chrono::seconds(5));
    if (!ended) return ended.error();
    return 128 + SIGKILL;
  }
  Result<std::optional<ExitStatus>> ended = child->wait(std::nullopt);
  if (!ended) return ended.error();
  return (*ended)->shell_code();
}

// The systemd runner: the helper validates everything again as root, runs the unit and finishes the tree.
Result<int> run_through_helper(const model::Layout& layout, std::string_view overlay_id,
                               const ScriptRunOptions& options, const std::function<void(std::string_view)>& on_line) {
  SpawnOptions spawn;
  if (::geteuid() != 0) spawn.argv = {"/usr/bin/sudo", "-n", "--"};
  spawn.argv.insert(spawn.argv.end(), {options.helper, std::string(overlay_id), layout.overlay_script(overlay_id)});
  spawn.env = std::vector<std::string>{"PATH=/usr/bin:/bin"};
  spawn.stdout_mode = Stream::kPipe;
  spawn.stderr_mode = Stream::kToStdout;
  Result<Subprocess> child = Subprocess::spawn(std::move(spawn));
  if (!child) return child.error().with_context(options.helper);
  Result<bool> streamed = stream_lines(child->stdout_fd(), std::nullopt, on_line);
  if (!streamed) return streamed.error();
  Result<std::optional<ExitStatus>> ended = child->wait(std::nullopt);
  if (!ended) return ended.error();
  return (*ended)->shell_code();
}

}  // namespace

Result<int> run_overlay_script(const model::Layout& given_layout, std::string_view overlay_id,
                               const std::string& script_source, const ScriptRunOptions& options,
                               const std::function<void(std::string_view)>& on_line) {
  Result<std::string> id = parse_overlay_id(overlay_id);
  if (!id) return id.error();
  Result<model::Layout> layout = canonical_layout(given_layout);
  if (!layout) return layout.error();
  Result<UniqueFd> overlay = open_overlay(*layout, *id);
  if (!overlay) return overlay.error();
  Result<std::string> text = read_script_source(script_source);
  if (!text) return text.error();
  Result<DataRootOwner> owner = data_root_owner(*layout);
  if (!owner) return owner.error();
  if (Status installed = install_script(*layout, *id, *text, *owner); !installed) return installed.error();
  if (options.runner == ScriptRunner::kSystemd) return run_through_helper(*layout, *id, options, on_line);

  Result<int> code = run_in_bubblewrap(*layout, *id, overlay->get(), *owner, options, on_line);
  if (!code) return code.error();
  Result<std::vector<std::string>> removed = finish_overlay_tree(overlay->get());
  if (!removed) return removed.error().with_context("after the build, overlays/" + *id);
  for (const std::string& line : *removed) on_line("left4me: " + line);
  return *code;
}

}  // namespace left4me::host
