// Steamcmd: installs and updates the L4D2 dedicated server (app 222860) and downloads workshop
// items by running steamcmd under a pseudo-terminal and reading what it prints (protocols.md §4).
// Free functions and value types without shared state: thread-compatible.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/layout.h"

namespace left4me::host {

inline constexpr std::string_view kServerAppId = "222860";  // Left 4 Dead 2 Dedicated Server
inline constexpr std::string_view kGameAppId = "550";       // Left 4 Dead 2 (its workshop)
// Runs of one steamcmd step, the first included, when it keeps failing with Missing configuration.
inline constexpr int kSteamcmdMaxAttempts = 3;

// Which steamcmd run a progress event comes from.
enum class SteamcmdStep {
  kUpdate,            // the plain Linux install or update
  kWindowsDownload,   // the platform workaround, part 1: download with the Windows platform
  kLinuxValidate,     // the platform workaround, part 2: Linux platform, validate
  kWorkshopDownload,  // one workshop item
};
// "update", "windows_download", "linux_validate", "workshop_download".
std::string_view step_name(SteamcmdStep step);

// One progress line (` Update state (0x61) downloading, progress: 12.34 (123 / 1000)`), or the
// last event of a successful install: phase "done", percent 100.
struct SteamcmdProgress {
  SteamcmdStep step = SteamcmdStep::kUpdate;
  std::string phase;   // steamcmd's state name: "downloading", "verifying install", "committing", ...
  unsigned state = 0;  // the state flags, e.g. 0x61
  double percent = 0;  // 0..100
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
};
using SteamcmdProgressCallback = std::function<void(const SteamcmdProgress&)>;

// Parses one progress line, with or without its leading space, '.' or ',' as the decimal mark.
// nullopt when the line is not a complete progress line. step is left at its default.
std::optional<SteamcmdProgress> parse_progress_line(std::string_view line);

// What a steamcmd run said about its outcome.
enum class SteamcmdResult {
  kNoResult,              // neither a Success nor an error line
  kSuccess,               // Success! App '<id>' fully installed. / Success. Downloaded item <id> to "<dir>"
  kUpToDate,              // Success! App '<id>' already up to date.
  kInvalidPlatform,       // ERROR! Failed to install app '<id>' (Invalid platform)
  kMissingConfiguration,  // ERROR! Failed to install app '<id>' (Missing configuration)
  kNoSubscription,        // ERROR! Failed to install app '<id>' (No subscription)
  kDiskFull,              // Error! App '<id>' state is 0x202 (or 0x212) after update job.
  kDiskWriteFailure,      // state 0x606
  kConnectionFailure,     // state 0x6, 0x402, 0x602; a workshop item failing with (No Connection)
  kCorruptUpdate,         // state 0x626, 0x6a6
  kStateError,            // any other state after the update job
  kAppInfoTimeout,        // ERROR! Timed out waiting for AppInfo update.
  kLoginFailure,          // ...FAILED (reason) / FAILED login with result code ... / ERROR! Not logged on.
  kDownloadFailure,       // ERROR! Download item <id> failed (reason). / Timeout downloading item <id>
  kOtherError,            // any other ERROR!/Error! line
};

// Reads steamcmd's output one line at a time and collects what the run said. Splits lines that
// hold several messages because steamcmd left out a newline. The first failure line decides the
// result; a Success line counts only when no failure was seen.
class SteamcmdOutputParser {
 public:
  explicit SteamcmdOutputParser(SteamcmdStep step = SteamcmdStep::kUpdate, SteamcmdProgressCallback on_progress = {});

  // One line as read, without its line end.
  void feed(std::string_view line);

  SteamcmdResult result() const { return result_; }
  // The message the result came from, e.g. "ERROR! Timed out waiting for AppInfo update."; "" for kNoResult.
  const std::string& result_line() const { return result_line_; }
  // The state of an "Error! App ... state is <state> after update job." line, e.g. "0x202".
  const std::string& state() const { return state_; }
  // The directory of a "Success. Downloaded item <id> to "<dir>" (...)" line.
  const std::string& workshop_dir() const { return workshop_dir_; }
  // The last non-empty message, for errors about output nobody understood.
  const std::string& last_message() const { return last_message_; }
  // The last progress seen (phase empty if none).
  const SteamcmdProgress& last_progress() const { return last_progress_; }

 private:
  void message(std::string_view text);
  void set_result(SteamcmdResult result, std::string_view line);

  SteamcmdStep step_;
  SteamcmdProgressCallback on_progress_;
  SteamcmdResult result_ = SteamcmdResult::kNoResult;
  std::string result_line_;
  std::string state_;
  std::string workshop_dir_;
  std::string last_message_;
  SteamcmdProgress last_progress_;
};

struct SteamcmdOptions {
  std::string steamcmd;                // absolute path of the steamcmd executable (LEFT4ME_STEAMCMD)
  std::vector<std::string> extra_env;  // KEY=VALUE set in steamcmd's environment (tests, proxies)
  // steamcmd printing nothing for this long is taken as hung: it is killed and the call fails.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(15);
  // When set and non-zero (a signal handler's flag), a running steamcmd is stopped and the call fails.
  const volatile std::sig_atomic_t* cancel = nullptr;
};

struct InstallReport {
  bool up_to_date = false;           // steamcmd had nothing to download
  bool platform_workaround = false;  // the plain install said Invalid platform; Windows-then-Linux ran
  int runs = 0;                      // steamcmd runs, retries included
};

// Installs or updates app 222860 into `dir` (a build being prepared: docs/design.md, "Game builds") as
// `steamcmd +force_install_dir <dir>
// +login anonymous +app_update 222860 +quit`, under a pseudo-terminal, with HOME=layout.steam() so
// steamcmd's client directory lives there between runs. If the plain run says Invalid platform,
// runs the Windows-platform download and then the Linux `validate` itself. A step failing with
// Missing configuration is run again, at most kSteamcmdMaxAttempts runs in all; no other failure
// is retried. Progress lines go to on_progress as they are printed, ending with phase "done".
// Success and failure are read from the output, never from the exit code alone. Errors say what
// went wrong and what to do: kUnavailable (steamcmd missing), kTimeout (AppInfo timeout, or no
// output for idle_timeout), kFailed (everything else).
Result<InstallReport> install_server(const model::Layout& layout, const std::string& dir,
                                     const SteamcmdOptions& options, const SteamcmdProgressCallback& on_progress = {});

// The public branch's build id of app 222860 as Steam announces it, without downloading anything:
// `steamcmd +login anonymous +app_info_update 1 +app_info_print 222860 +quit`, its printed block's
// depots/branches/public/buildid. Errors as install_server's; kFailed when the block is missing or bad.
Result<std::string> public_build_id(const model::Layout& layout, const SteamcmdOptions& options);
// The build id in app_info_print output (the `"222860" { ... }` block among steamcmd's other lines).
Result<std::string> public_build_id_from_app_info(std::string_view output);

// Downloads workshop item item_id of L4D2 (app 550) with steamcmd into its client directory
// (layout.steam()) and returns the path of the item's .vpk, as found in the directory steamcmd's
// Success line names. Same retry and error rules as install_server; kInvalidArgument for an id
// that is not a decimal number.
Result<std::string> download_workshop_item(const model::Layout& layout, std::string_view item_id,
                                           const SteamcmdOptions& options,
                                           const SteamcmdProgressCallback& on_progress = {});

}  // namespace left4me::host
