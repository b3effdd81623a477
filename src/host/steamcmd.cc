#include "host/steamcmd.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>

#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/subprocess.h"
#include "host/game_builds.h"
#include "host/key_values.h"

extern char** environ;

namespace left4me::host {
namespace {

// Messages steamcmd sometimes glues onto the previous one (protocols.md §4.2: a missing newline).
constexpr std::string_view kMessageStarts[] = {
    "Success! ",
    "Success. ",
    "ERROR! ",
    "Error! ",
    "Update state (",
    "Unloading Steam API",
    "Redirecting stderr",
    "Loading Steam API",
    "Logging directory",
    "Downloading item ",
    "Timeout downloading item",
};

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The text inside the last "(...)" of a message: the reason steamcmd gives.
std::string reason_of(std::string_view message) {
  size_t open = message.rfind('(');
  size_t close = message.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return "";
  return std::string(message.substr(open + 1, close - open - 1));
}

void skip_spaces(std::string_view text, size_t& at) {
  while (at < text.size() && text[at] == ' ') ++at;
}

std::optional<std::uint64_t> read_number(std::string_view text, size_t& at) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() + at) return std::nullopt;
  at = static_cast<size_t>(end - text.data());
  return value;
}

}  // namespace

std::string_view step_name(SteamcmdStep step) {
  switch (step) {
    case SteamcmdStep::kUpdate:
      return "update";
    case SteamcmdStep::kWindowsDownload:
      return "windows_download";
    case SteamcmdStep::kLinuxValidate:
      return "linux_validate";
    case SteamcmdStep::kWorkshopDownload:
      return "workshop_download";
  }
  return "update";
}

// ` Update state \(0x[0-9a-f]+\)\s+([^,]+),\s+progress:\s+([\d.,]+)\s*\((\d+)\s*/\s*(\d+)\)`
std::optional<SteamcmdProgress> parse_progress_line(std::string_view line) {
  std::string_view text = trim(line);
  constexpr std::string_view kPrefix = "Update state (0x";
  if (!starts_with(text, kPrefix)) return std::nullopt;
  SteamcmdProgress progress;
  size_t at = kPrefix.size();
  auto [hex_end, hex_error] = std::from_chars(text.data() + at, text.data() + text.size(), progress.state, 16);
  if (hex_error != std::errc() || hex_end == text.data() + at) return std::nullopt;
  at = static_cast<size_t>(hex_end - text.data());
  if (at >= text.size() || text[at] != ')') return std::nullopt;
  ++at;
  size_t comma = text.find(',', at);
  if (comma == std::string_view::npos) return std::nullopt;
  progress.phase = std::string(trim(text.substr(at, comma - at)));
  if (progress.phase.empty()) return std::nullopt;
  at = comma + 1;
  skip_spaces(text, at);
  constexpr std::string_view kProgress = "progress:";
  if (!starts_with(text.substr(at), kProgress)) return std::nullopt;
  at += kProgress.size();
  skip_spaces(text, at);
  size_t number_start = at;
  while (at < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[at])) || text[at] == '.' || text[at] == ',')) {
    ++at;
  }
  std::string number(text.substr(number_start, at - number_start));
  std::replace(number.begin(), number.end(), ',', '.');  // a non-English locale's decimal comma
  auto [number_end, number_error] = std::from_chars(number.data(), number.data() + number.size(), progress.percent);
  if (number.empty() || number_error != std::errc() || number_end != number.data() + number.size()) {
    return std::nullopt;
  }
  skip_spaces(text, at);
  if (at >= text.size() || text[at] != '(') return std::nullopt;
  ++at;
  skip_spaces(text, at);
  auto done = read_number(text, at);
  skip_spaces(text, at);
  if (!done || at >= text.size() || text[at] != '/') return std::nullopt;
  ++at;
  skip_spaces(text, at);
  auto total = read_number(text, at);
  skip_spaces(text, at);
  if (!total || at >= text.size() || text[at] != ')') return std::nullopt;
  progress.bytes_done = *done;
  progress.bytes_total = *total;
  progress.percent = std::clamp(progress.percent, 0.0, 100.0);
  return progress;
}

SteamcmdOutputParser::SteamcmdOutputParser(SteamcmdStep step, SteamcmdProgressCallback on_progress)
    : step_(step), on_progress_(std::move(on_progress)) {
  last_progress_.step = step;
}

void SteamcmdOutputParser::feed(std::string_view line) {
  while (!line.empty()) {
    size_t cut = std::string_view::npos;
    for (auto start : kMessageStarts) {
      // " Update state (" keeps its leading space: cutting there would only split off that space.
      size_t at = line.find(start, line[0] == ' ' ? 2 : 1);
      if (at != std::string_view::npos) cut = std::min(cut, at);
    }
    message(line.substr(0, cut));
    if (cut == std::string_view::npos) break;
    line.remove_prefix(cut);
  }
}

void SteamcmdOutputParser::set_result(SteamcmdResult result, std::string_view line) {
  bool failure = result != SteamcmdResult::kSuccess && result != SteamcmdResult::kUpToDate;
  bool have_failure = result_ != SteamcmdResult::kNoResult && result_ != SteamcmdResult::kSuccess &&
                      result_ != SteamcmdResult::kUpToDate;
  if (have_failure) return;  // the first failure decides
  if (!failure && result_ != SteamcmdResult::kNoResult && result_ != SteamcmdResult::kUpToDate) return;
  result_ = result;
  result_line_ = std::string(line);
}

void SteamcmdOutputParser::message(std::string_view raw) {
  std::string_view text = trim(raw);
  if (text.empty()) return;
  last_message_ = std::string(text);

  if (auto progress = parse_progress_line(text)) {
    progress->step = step_;
    last_progress_ = *progress;
    if (on_progress_) on_progress_(*progress);
    return;
  }
  if (starts_with(text, "Success! App '")) {
    set_result(contains(text, "already up to date") ? SteamcmdResult::kUpToDate : SteamcmdResult::kSuccess, text);
    return;
  }
  if (starts_with(text, "Success. Downloaded item ")) {
    size_t to = text.find(" to \"");
    size_t close = text.rfind('"');
    if (to != std::string_view::npos && close > to + 5)
      workshop_dir_ = std::string(text.substr(to + 5, close - to - 5));
    set_result(SteamcmdResult::kSuccess, text);
    return;
  }
  if (starts_with(text, "ERROR! Failed to install app '")) {
    std::string reason = lower(reason_of(text));
    SteamcmdResult result = SteamcmdResult::kOtherError;
    if (reason == "invalid platform") result = SteamcmdResult::kInvalidPlatform;
    if (reason == "missing configuration") result = SteamcmdResult::kMissingConfiguration;
    if (reason == "no subscription") result = SteamcmdResult::kNoSubscription;
    set_result(result, text);
    return;
  }
  if (starts_with(text, "Error! App '") && contains(text, " state is ")) {
    std::string_view rest = text.substr(text.find(" state is ") + 10);
    std::string state = lower(rest.substr(0, rest.find(' ')));
    state_ = state;
    SteamcmdResult result = SteamcmdResult::kStateError;
    if (state == "0x202" || state == "0x212") result = SteamcmdResult::kDiskFull;
    if (state == "0x606") result = SteamcmdResult::kDiskWriteFailure;
    if (state == "0x6" || state == "0x402" || state == "0x602") result = SteamcmdResult::kConnectionFailure;
    if (state == "0x626" || state == "0x6a6") result = SteamcmdResult::kCorruptUpdate;
    set_result(result, text);
    return;
  }
  if (starts_with(text, "ERROR! Timed out waiting for AppInfo update")) {
    set_result(SteamcmdResult::kAppInfoTimeout, text);
    return;
  }
  if (starts_with(text, "ERROR! Download item ")) {
    bool no_connection = lower(reason_of(text)) == "no connection";
    set_result(no_connection ? SteamcmdResult::kConnectionFailure : SteamcmdResult::kDownloadFailure, text);
    return;
  }
  if (starts_with(text, "Timeout downloading item")) {
    set_result(SteamcmdResult::kDownloadFailure, text);
    return;
  }
  bool login_line = starts_with(text, "Logging in user") || starts_with(text, "Connecting anonymously");
  if (starts_with(text, "ERROR! Not logged on") || contains(text, "FAILED login with result code") ||
      starts_with(text, "Login Failure") || (login_line && contains(text, "FAILED"))) {
    set_result(SteamcmdResult::kLoginFailure, text);
    return;
  }
  if (starts_with(text, "ERROR!") || starts_with(text, "Error!")) set_result(SteamcmdResult::kOtherError, text);
}

namespace {

struct RunOutcome {
  SteamcmdOutputParser parser;
  ExitStatus status;
  std::string output;  // every line, '\n'-separated, up to kMaxKeptOutput bytes (for app_info_print)
};
constexpr size_t kMaxKeptOutput = 8 << 20;

std::vector<std::string> steamcmd_environment(const model::Layout& layout, const SteamcmdOptions& options) {
  auto key_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::string_view key = key_of(text);
    if (key == "HOME") continue;
    bool overridden = std::any_of(options.extra_env.begin(), options.extra_env.end(),
                                  [&](const std::string& extra) { return key_of(extra) == key; });
    if (!overridden) env.emplace_back(text);
  }
  // steamcmd keeps its client (~/Steam, ~/.steam, ~/.local/share/Steam) under HOME.
  env.push_back("HOME=" + layout.steam());
  for (const auto& extra : options.extra_env) env.push_back(extra);
  return env;
}

// Splits steamcmd's terminal output at '\r' and '\n', feeds every line to the outcome's parser and keeps it in
// the outcome's output (up to kMaxKeptOutput bytes).
class OutputLines {
 public:
  explicit OutputLines(RunOutcome& outcome) : outcome_(outcome) {}

  void consume(const char* data, size_t size) {
    pending_.append(data, size);
    size_t start = 0;
    while (true) {
      size_t end = pending_.find_first_of("\r\n", start);
      if (end == std::string::npos) break;
      if (end > start) {
        std::string_view line = std::string_view(pending_).substr(start, end - start);
        outcome_.parser.feed(line);
        if (outcome_.output.size() + line.size() < kMaxKeptOutput) outcome_.output.append(line).push_back('\n');
      }
      start = end + 1;
    }
    pending_.erase(0, start);
  }

  // The last line, which no line break ended.
  void finish() {
    if (pending_.empty()) return;
    outcome_.parser.feed(pending_);
    if (outcome_.output.size() + pending_.size() < kMaxKeptOutput) outcome_.output += pending_;
  }

 private:
  RunOutcome& outcome_;
  std::string pending_;
};

// How a steamcmd whose output has ended exits: waits up to 10 s, then ends it.
Result<ExitStatus> reap(Subprocess& process) {
  auto waited = process.wait(std::chrono::seconds(10));
  if (!waited.ok()) return waited.error();
  if (waited->has_value()) return **waited;
  return process.terminate(SIGTERM, std::chrono::seconds(5));
}

// Runs steamcmd once under a pseudo-terminal (through a pipe it would block-buffer its progress),
// feeding every line to a parser as it arrives.
Result<RunOutcome> run_steamcmd(const model::Layout& layout, const SteamcmdOptions& options,
                                const std::vector<std::string>& commands, SteamcmdStep step,
                                const SteamcmdProgressCallback& on_progress) {
  SpawnOptions spawn;
  spawn.argv.push_back(options.steamcmd);
  spawn.argv.insert(spawn.argv.end(), commands.begin(), commands.end());
  spawn.env = steamcmd_environment(layout, options);
  spawn.cwd = layout.steam();
  spawn.stdin_mode = Stream::kNull;
  spawn.stdout_mode = Stream::kPty;
  log::debug("running {}", join(spawn.argv, " "));
  auto process = Subprocess::spawn(std::move(spawn));
  if (!process.ok()) return process.error().with_context("steamcmd");

  RunOutcome outcome{SteamcmdOutputParser(step, on_progress), ExitStatus{}};
  OutputLines lines(outcome);
  int fd = process->stdout_fd();
  char buffer[16384];
  auto last_output = std::chrono::steady_clock::now();
  while (true) {
    auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - last_output);
    auto left = options.idle_timeout - idle;
    if (left.count() <= 0) {
      (void)process->terminate(SIGTERM, std::chrono::seconds(5));
      return Error::timeout("steamcmd printed nothing for " + std::to_string(options.idle_timeout.count() / 1000) +
                            " s and was stopped; last line: '" + outcome.parser.last_message() +
                            "'; check the network and run it again");
    }
    if (options.cancel != nullptr && *options.cancel != 0) {
      (void)process->terminate(SIGTERM, std::chrono::seconds(5));
      return Error::failed("interrupted; steamcmd was stopped");
    }
    struct pollfd fds[2] = {{fd, POLLIN, 0}, {process->pidfd(), POLLIN, 0}};
    int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("poll steamcmd output", errno);
    }
    if (ready == 0) continue;
    if (fds[0].revents != 0) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) {
        lines.consume(buffer, static_cast<size_t>(n));
        last_output = std::chrono::steady_clock::now();
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n == 0 || errno == EIO) break;  // EIO: the terminal's other side is closed
      return Error::from_errno("read steamcmd output", errno);
    }
    if (fds[1].revents != 0) {
      // Exited: take what is left in the terminal without waiting for a holder of its other side.
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      ssize_t n;
      while ((n = ::read(fd, buffer, sizeof buffer)) > 0) lines.consume(buffer, static_cast<size_t>(n));
      break;
    }
  }
  lines.finish();
  Result<ExitStatus> status = reap(*process);
  if (!status.ok()) return status.error();
  outcome.status = *status;
  return outcome;
}

bool succeeded(SteamcmdResult result) {
  return result == SteamcmdResult::kSuccess || result == SteamcmdResult::kUpToDate;
}

// Runs one step, again after Missing configuration (steamcmd rebuilds its client configuration
// on the run that reports it), at most kSteamcmdMaxAttempts runs in all.
Result<RunOutcome> run_step(const model::Layout& layout, const SteamcmdOptions& options,
                            const std::vector<std::string>& commands, SteamcmdStep step,
                            const SteamcmdProgressCallback& on_progress, int& runs) {
  for (int attempt = 1;; ++attempt) {
    ++runs;
    auto outcome = run_steamcmd(layout, options, commands, step, on_progress);
    if (!outcome.ok()) return outcome;
    if (outcome->parser.result() != SteamcmdResult::kMissingConfiguration || attempt >= kSteamcmdMaxAttempts) {
      return outcome;
    }
    log::warning("steamcmd reported Missing configuration (run {} of {}); running it again", attempt,
                 kSteamcmdMaxAttempts);
  }
}

std::string size_text(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / 1e9);
  return text;
}

// The error for a run that did not succeed: what happened, and what the user should do.
Error failure(const RunOutcome& outcome, const model::Layout& layout, const std::string& target) {
  const auto& parser = outcome.parser;
  const std::string& line = parser.result_line();
  const std::string again = "run `l4d2ctl install` again";
  switch (parser.result()) {
    case SteamcmdResult::kDiskFull: {
      std::string needed = parser.last_progress().bytes_total > 0
                               ? ", about " + size_text(parser.last_progress().bytes_total) + " needed"
                               : "";
      return Error::failed("steamcmd ran out of disk space for " + target + " (state " + parser.state() + needed +
                           "): free space on that filesystem, then " + again);
    }
    case SteamcmdResult::kDiskWriteFailure:
      return Error::failed("steamcmd could not write " + target + " (state " + parser.state() +
                           "): check that the directory is writable by this user and the disk is healthy, then " +
                           again);
    case SteamcmdResult::kConnectionFailure:
      return Error::failed("steamcmd lost its connection to Steam's content servers for " + target + " ('" + line +
                           "'): check this machine's network access to Steam, then " + again);
    case SteamcmdResult::kCorruptUpdate:
      return Error::failed("steamcmd's download for " + target + " had missing or corrupt files (state " +
                           parser.state() + "): " + again);
    case SteamcmdResult::kStateError:
      return Error::failed("steamcmd failed for " + target + " (state " + parser.state() +
                           " after the update job); its logs are under " + layout.steam() + ": " + again);
    case SteamcmdResult::kAppInfoTimeout:
      return Error::timeout("steamcmd timed out waiting for app information from Steam (" + target +
                            "): Steam is down or unreachable from this machine; try again later");
    case SteamcmdResult::kLoginFailure:
      return Error::failed("steamcmd could not log in to Steam anonymously ('" + line +
                           "'): Steam may be rate-limiting this address or be unreachable; wait a few minutes and "
                           "try again");
    case SteamcmdResult::kNoSubscription:
      return Error::failed("Steam refused anonymous access for " + target + " ('" + line +
                           "'): the anonymous package does not include it, and left4me only logs in anonymously");
    case SteamcmdResult::kInvalidPlatform:
      return Error::failed("Steam refused " + target +
                           " for this platform even with the Windows-then-Linux workaround (Invalid platform): "
                           "check ValveSoftware/steam-for-linux#11522 for news, then " +
                           again);
    case SteamcmdResult::kMissingConfiguration:
      return Error::failed("steamcmd failed with Missing configuration " + std::to_string(kSteamcmdMaxAttempts) +
                           " times in a row for " + target + ": check that " + layout.steam() +
                           " is writable and kept between runs, then " + again);
    case SteamcmdResult::kDownloadFailure:
      return Error::failed("steamcmd could not download " + target + " ('" + line +
                           "'): check that the item exists, is public and belongs to Left 4 Dead 2");
    case SteamcmdResult::kOtherError:
      return Error::failed("steamcmd failed for " + target + ": " + line);
    case SteamcmdResult::kNoResult:
    case SteamcmdResult::kSuccess:
    case SteamcmdResult::kUpToDate:
      break;
  }
  std::string last =
      parser.last_message().empty() ? "it printed nothing" : "its last line: '" + parser.last_message() + "'";
  return Error::failed("steamcmd ended (" + outcome.status.describe() + ") without reporting success or an error for " +
                       target + "; " + last);
}

Status check_steamcmd(const SteamcmdOptions& options) {
  const std::string& path = options.steamcmd;
  std::string hint = ": set LEFT4ME_STEAMCMD to the absolute path of steamcmd";
  if (path.empty() || path[0] != '/') {
    return Error::unavailable("steamcmd '" + path + "' is not an absolute path" + hint);
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || ::access(path.c_str(), X_OK) != 0) {
    return Error::unavailable("steamcmd '" + path + "' is not an executable file" + hint);
  }
  return ok_status();
}

Status prepare_directories(const model::Layout& layout, const std::string& target_dir) {
  if (auto made = make_directories(layout.steam(), 0700); !made.ok()) return made.error().with_context("steamcmd");
  if (auto made = make_directories(target_dir); !made.ok()) return made.error().with_context("steamcmd");
  return ok_status();
}

void warn_on_exit_code(const RunOutcome& outcome) {
  if (!outcome.status.success()) {
    log::warning("steamcmd reported '{}' but ended with {}", outcome.parser.result_line(), outcome.status.describe());
  }
}

}  // namespace

Result<InstallReport> install_server(const model::Layout& layout, const std::string& dir,
                                     const SteamcmdOptions& options, const SteamcmdProgressCallback& on_progress) {
  if (auto checked = check_steamcmd(options); !checked.ok()) return checked.error();
  if (auto prepared = prepare_directories(layout, dir); !prepared.ok()) return prepared.error();
  const std::string app(kServerAppId);
  const std::string target = "app " + app + " in " + dir;
  auto commands = [&](std::string_view platform, std::string_view validate) {
    std::vector<std::string> args = {"+force_install_dir", dir, "+login", "anonymous"};
    if (!platform.empty()) {
      args.emplace_back("+@sSteamCmdForcePlatformType");
      args.emplace_back(platform);
    }
    args.emplace_back("+app_update");
    args.push_back(app);
    if (!validate.empty()) args.emplace_back(validate);
    args.emplace_back("+quit");
    return args;
  };

  InstallReport report;
  auto plain = run_step(layout, options, commands("", ""), SteamcmdStep::kUpdate, on_progress, report.runs);
  if (!plain.ok()) return plain.error();
  RunOutcome last = std::move(*plain);
  if (last.parser.result() == SteamcmdResult::kInvalidPlatform) {
    // Since Nov 2024 the anonymous Linux package lacks 222860 (protocols.md §4.1): download with
    // the Windows platform, then switch to Linux and validate, which fetches the Linux binaries.
    log::info(
        "steamcmd refused the plain Linux install (Invalid platform): downloading with the Windows "
        "platform first, then validating as Linux");
    report.platform_workaround = true;
    auto windows =
        run_step(layout, options, commands("windows", ""), SteamcmdStep::kWindowsDownload, on_progress, report.runs);
    if (!windows.ok()) return windows.error();
    if (!succeeded(windows->parser.result())) return failure(*windows, layout, target);
    warn_on_exit_code(*windows);
    auto linux_validate = run_step(layout, options, commands("linux", "validate"), SteamcmdStep::kLinuxValidate,
                                   on_progress, report.runs);
    if (!linux_validate.ok()) return linux_validate.error();
    last = std::move(*linux_validate);
  }
  if (!succeeded(last.parser.result())) return failure(last, layout, target);
  warn_on_exit_code(last);
  report.up_to_date = last.parser.result() == SteamcmdResult::kUpToDate && !report.platform_workaround;
  if (on_progress) {
    SteamcmdProgress done = last.parser.last_progress();
    done.phase = "done";
    done.state = 0;
    done.percent = 100;
    done.bytes_done = done.bytes_total;
    on_progress(done);
  }
  return report;
}

Result<std::string> public_build_id_from_app_info(std::string_view output) {
  const std::string header = "\"" + std::string(kServerAppId) + "\"";
  size_t at = 0;
  while (at < output.size()) {
    size_t end = output.find('\n', at);
    if (end == std::string_view::npos) end = output.size();
    if (trim(output.substr(at, end - at)) == header) break;
    at = end + 1;
  }
  if (at >= output.size()) {
    return Error::failed("steamcmd printed no app information for app " + std::string(kServerAppId) + " (no \"" +
                         std::string(kServerAppId) + "\" block)");
  }
  Result<KeyValue> info = parse_key_values(output.substr(at), "app_info_print", Trailing::kIgnore);
  if (!info) return Error::failed("steamcmd's app information: " + info.error().message());
  const KeyValue* build = info->find_path({"depots", "branches", "public", "buildid"});
  if (!build) return Error::failed("steamcmd's app information has no depots/branches/public/buildid");
  if (!is_valid_build_id(build->value)) {
    return Error::failed("steamcmd's app information gives public buildid '" + build->value +
                         "', not 1 to 20 decimal digits");
  }
  return build->value;
}

Result<std::string> public_build_id(const model::Layout& layout, const SteamcmdOptions& options) {
  if (auto checked = check_steamcmd(options); !checked.ok()) return checked.error();
  if (auto prepared = prepare_directories(layout, layout.steam()); !prepared.ok()) return prepared.error();
  const std::string app(kServerAppId);
  std::vector<std::string> commands = {"+login", "anonymous", "+app_info_update", "1", "+app_info_print", app, "+quit"};
  int runs = 0;
  auto outcome = run_step(layout, options, commands, SteamcmdStep::kUpdate, {}, runs);
  if (!outcome.ok()) return outcome.error();
  SteamcmdResult result = outcome->parser.result();
  if (result != SteamcmdResult::kNoResult && !succeeded(result)) {
    return failure(*outcome, layout, "the app information of app " + app);
  }
  return public_build_id_from_app_info(outcome->output);
}

Result<std::string> download_workshop_item(const model::Layout& layout, std::string_view item_id,
                                           const SteamcmdOptions& options,
                                           const SteamcmdProgressCallback& on_progress) {
  if (item_id.size() > 20 || !parse_int(item_id, 1, std::numeric_limits<long long>::max())) {
    return Error::invalid("workshop item id '" + std::string(item_id) + "' is not a decimal number");
  }
  if (auto checked = check_steamcmd(options); !checked.ok()) return checked.error();
  if (auto prepared = prepare_directories(layout, layout.steam()); !prepared.ok()) return prepared.error();
  const std::string id(item_id);
  const std::string target = "workshop item " + id;
  std::vector<std::string> commands = {"+force_install_dir",      layout.steam(),          "+login", "anonymous",
                                       "+workshop_download_item", std::string(kGameAppId), id,       "+quit"};
  int runs = 0;
  auto outcome = run_step(layout, options, commands, SteamcmdStep::kWorkshopDownload, on_progress, runs);
  if (!outcome.ok()) return outcome.error();
  if (!succeeded(outcome->parser.result())) return failure(*outcome, layout, target);
  warn_on_exit_code(*outcome);
  const std::string& dir = outcome->parser.workshop_dir();
  if (dir.empty()) return Error::failed("steamcmd reported " + target + " downloaded but named no directory");

  std::vector<std::string> vpks;
  if (DIR* listing = ::opendir(dir.c_str())) {
    while (struct dirent* entry = ::readdir(listing)) {
      std::string name = entry->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".vpk") == 0) vpks.push_back(name);
    }
    ::closedir(listing);
  }
  if (vpks.empty()) {
    // steamcmd skips items its bookkeeping lists as installed, even when their files are gone.
    return Error::failed("steamcmd reported " + target + " downloaded, but " + dir +
                         " holds no .vpk: its entry in steamapps/workshop/appworkshop_550.acf under " + layout.steam() +
                         " is stale; remove that file and download again");
  }
  std::sort(vpks.begin(), vpks.end());
  return dir + "/" + vpks.front();
}

}  // namespace left4me::host
