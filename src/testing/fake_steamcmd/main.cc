// fake-steamcmd: stands in for Valve's steamcmd in tests and benchmarks (docs/fakes.md,
// protocols.md §4). It runs the +commands of its command line in order, prints the real banner,
// progress, success and error lines, exits with the real codes, and writes an L4D2 dedicated-server
// tree. Nothing touches a network.
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/file.h"
#include "base/strings.h"
#include "testing/fake_steamcmd/install_tree.h"

namespace left4me::fake_steamcmd {
namespace {

constexpr const char* kAppId = "222860";
constexpr int kExitInstallError = 8;  // every app-state or install refusal
constexpr int kExitLoginFailure = 5;
constexpr int kExitAppInfoTimeout = 1;

enum class Fail { kNone, kDiskFull, kTimeout, kLogin, kMissingConfig, kNoConnection, kNoSubscription };

struct Config {
  std::string home;
  TreeShape shape;
  Fail fail = Fail::kNone;
  int delay_ms = 0;
  std::vector<std::string> workshop_missing;
  std::uint64_t workshop_bytes = 64 * 1024;
  char decimal = '.';
  bool glitch = false;  // result lines lose their newline, as real steamcmd sometimes does
  // An update to another build of the same platform changes this share of the data files (1 in 100 at 1);
  // small text files always change. A first install writes everything.
  int update_percent = 100;
  bool dense = false;  // data files hold real bytes instead of holes (FAKE_STEAMCMD_DENSE=1)
};

struct Session {
  Config config;
  // The client holds the app's configuration: it survived from an earlier run, or this run installed.
  bool client_has_config = false;
  std::string install_dir;
  bool logged_in = false;
  bool install_dir_after_login = false;
  std::string platform = "linux";
  bool shutdown_on_failed_command = false;
  int exit_code = 0;
  bool quit = false;
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stdout, "fake-steamcmd: %s\n", message.c_str());
  std::fflush(stdout);
  std::exit(2);
}

long long env_number(const char* name, long long fallback, long long max) {
  std::string text = env_or(name, "");
  if (text.empty()) return fallback;
  auto value = parse_int(text, 0, max);
  if (!value)
    usage_error(std::string(name) + ": expected a whole number in 0.." + std::to_string(max) + ", got '" + text + "'");
  return *value;
}

Config read_config() {
  Config config;
  std::string home = env_or("HOME", "");
  config.home = env_or("FAKE_STEAMCMD_HOME", home.empty() ? "" : home + "/.fake-steamcmd");
  if (config.home.empty()) usage_error("neither FAKE_STEAMCMD_HOME nor HOME is set");
  config.shape.content_files = static_cast<int>(env_number("FAKE_STEAMCMD_FILES", 64, 1000000));
  config.update_percent = static_cast<int>(env_number("FAKE_STEAMCMD_UPDATE_PERCENT", 100, 100));
  config.dense = env_number("FAKE_STEAMCMD_DENSE", 0, 1) == 1;
  config.shape.total_bytes = static_cast<std::uint64_t>(env_number("FAKE_STEAMCMD_BYTES", 64ll << 20, 1ll << 50));
  config.shape.build_id = env_or("FAKE_STEAMCMD_BUILDID", "16034045");
  if (config.shape.build_id.empty() || config.shape.build_id.size() > 20 ||
      config.shape.build_id.find_first_not_of("0123456789") != std::string::npos) {
    usage_error("FAKE_STEAMCMD_BUILDID: expected 1 to 20 decimal digits, got '" + config.shape.build_id + "'");
  }
  config.shape.patch_version = env_or("FAKE_STEAMCMD_VERSION", "2.2.4.3");
  if (config.shape.patch_version.find_first_not_of("0123456789.") != std::string::npos) {
    usage_error("FAKE_STEAMCMD_VERSION: expected a version like 2.2.4.3, got '" + config.shape.patch_version + "'");
  }
  config.delay_ms = static_cast<int>(env_number("FAKE_STEAMCMD_DELAY_MS", 0, 600000));
  config.workshop_bytes = static_cast<std::uint64_t>(env_number("FAKE_STEAMCMD_WORKSHOP_BYTES", 64 * 1024, 1ll << 30));
  for (auto& id : split(env_or("FAKE_STEAMCMD_WORKSHOP_MISSING", ""), ',')) {
    if (!trim(id).empty()) config.workshop_missing.emplace_back(trim(id));
  }
  std::string decimal = env_or("FAKE_STEAMCMD_DECIMAL", ".");
  if (decimal != "." && decimal != ",")
    usage_error("FAKE_STEAMCMD_DECIMAL: expected '.' or ',', got '" + decimal + "'");
  config.decimal = decimal[0];
  config.glitch = env_or("FAKE_STEAMCMD_GLITCH", "") == "1";

  std::string fail = env_or("FAKE_STEAMCMD_FAIL", "");
  if (fail.empty()) {
    config.fail = Fail::kNone;
  } else if (fail == "disk_full") {
    config.fail = Fail::kDiskFull;
  } else if (fail == "timeout") {
    config.fail = Fail::kTimeout;
  } else if (fail == "login") {
    config.fail = Fail::kLogin;
  } else if (fail == "missing_config") {
    config.fail = Fail::kMissingConfig;
  } else if (fail == "no_connection") {
    config.fail = Fail::kNoConnection;
  } else if (fail == "no_subscription") {
    config.fail = Fail::kNoSubscription;
  } else {
    usage_error("FAKE_STEAMCMD_FAIL: unknown mode '" + fail +
                "' (disk_full, timeout, login, missing_config, no_connection, no_subscription)");
  }

  // fake-srcds: FAKE_SRCDS, else the sibling build directory of this executable.
  std::string fake_srcds = env_or("FAKE_SRCDS", "");
  if (fake_srcds.empty()) {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string exe = n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string("./fake-steamcmd");
    std::string dir = exe.substr(0, exe.rfind('/'));
    std::string parent = dir.substr(0, dir.rfind('/'));
    fake_srcds = parent + "/fake_srcds/fake-srcds";
  }
  if (fake_srcds[0] != '/') usage_error("FAKE_SRCDS must be an absolute path, got '" + fake_srcds + "'");
  config.shape.fake_srcds = fake_srcds;
  return config;
}

void say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
}

// A Success!/Error!/ERROR! line; in glitch mode it loses its newline like real steamcmd's sometimes do.
void say_result(Session& session, const std::string& line) {
  std::fputs(line.c_str(), stdout);
  if (!session.config.glitch) std::fputc('\n', stdout);
}

void progress(const Session& session, const char* state, const char* name, std::uint64_t done, std::uint64_t total) {
  double percent = total > 0 ? static_cast<double>(done) * 100.0 / static_cast<double>(total) : 0.0;
  char number[32];
  std::snprintf(number, sizeof number, "%.2f", percent);
  for (char* c = number; *c != '\0'; ++c) {
    if (*c == '.') *c = session.config.decimal;
  }
  std::printf(" Update state (%s) %s, progress: %s (%llu / %llu)\n", state, name, number,
              static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
  if (session.config.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(session.config.delay_ms));
}

void fail_with(Session& session, const std::string& line, int code) {
  say_result(session, line);
  session.exit_code = code;
  if (session.shutdown_on_failed_command) session.quit = true;
}

std::string install_root(const Session& session) {
  if (!session.install_dir.empty()) return session.install_dir;
  return session.config.home + "/steamapps/common/Left 4 Dead 2 Dedicated Server";
}

std::string app_error(const std::string& reason) {
  return std::string("ERROR! Failed to install app '") + kAppId + "' (" + reason + ")";
}
std::string state_error(const char* state) {
  return std::string("Error! App '") + kAppId + "' state is " + state + " after update job.";
}

// The refusals steamcmd gives before it looks at the install; false after reporting one.
bool app_accepted(Session& session, const std::string& app) {
  const Fail fail = session.config.fail;
  if (fail == Fail::kTimeout) {
    fail_with(session, "ERROR! Timed out waiting for AppInfo update.", kExitAppInfoTimeout);
    return false;
  }
  if (app != kAppId || fail == Fail::kNoSubscription) {
    fail_with(session, "ERROR! Failed to install app '" + app + "' (No subscription)", kExitInstallError);
    return false;
  }
  if (fail == Fail::kMissingConfig || session.install_dir_after_login) {
    fail_with(session, app_error("Missing configuration"), kExitInstallError);
    return false;
  }
  return true;
}

// The platform to install for, given what is installed; nullopt after reporting a refusal.
std::optional<Platform> install_platform(Session& session, const std::optional<Manifest>& manifest) {
  // The client directory was thrown away since the install was made: its app configuration is gone,
  // and the first run that notices fails (it rebuilds the configuration for the next run).
  if (manifest && !session.client_has_config) {
    fail_with(session, app_error("Missing configuration"), kExitInstallError);
    return std::nullopt;
  }
  std::optional<Platform> platform;
  if (session.platform == "linux") platform = Platform::kLinux;
  if (session.platform == "windows") platform = Platform::kWindows;
  // Since Nov 2024 the anonymous Linux package no longer holds 222860: a fresh Linux install is
  // refused; an install that exists (made with the Windows platform first) updates fine.
  if (!platform || (platform == Platform::kLinux && !manifest)) {
    fail_with(session, app_error("Invalid platform"), kExitInstallError);
    return std::nullopt;
  }
  return platform;
}

// Which files a new build changes: all of them on a first install, else FAKE_STEAMCMD_UPDATE_PERCENT of the
// data files and every small text file.
bool changed_in_build(const Session& session, bool first_install, std::size_t index, const DepotFile& file) {
  if (first_install || !file.sparse) return true;
  return static_cast<int>(index % 100) < session.config.update_percent;
}

// The depot files this run writes: those a new build changes, and any not intact. A validating run over an
// install reports how far its check got, in quarters.
std::vector<const DepotFile*> files_to_fetch(Session& session, const std::string& root,
                                             const std::vector<DepotFile>& files, bool new_build, bool first_install,
                                             bool verify, std::uint64_t install_bytes) {
  std::vector<const DepotFile*> fetch;
  std::uint64_t checked = 0;
  int next_step = 1;
  for (std::size_t index = 0; index < files.size(); ++index) {
    const DepotFile& file = files[index];
    bool changed = new_build && changed_in_build(session, first_install, index, file);
    if (changed || !depot_file_intact(root, file)) fetch.push_back(&file);
    if (!verify) continue;
    checked += file.size;
    if (next_step <= 4 && checked * 4 >= install_bytes * static_cast<std::uint64_t>(next_step)) {
      progress(session, "0x5", "verifying install", checked, install_bytes);
      while (next_step <= 4 && checked * 4 >= install_bytes * static_cast<std::uint64_t>(next_step)) ++next_step;
    }
  }
  return fetch;
}

// Writes the files, reporting progress in tenths; false after reporting a disk failure or the
// connection dropping.
bool download(Session& session, const std::string& root, const std::vector<const DepotFile*>& fetch,
              std::uint64_t fetch_bytes) {
  const Fail fail = session.config.fail;
  std::uint64_t done = 0;
  int next_step = 1;
  for (const auto* file : fetch) {
    if (auto written = write_depot_file(root, *file, session.config.dense); !written.ok()) {
      std::fprintf(stderr, "fake-steamcmd: %s\n", written.error().message().c_str());
      fail_with(session, state_error("0x606"), kExitInstallError);  // disk write failure
      return false;
    }
    done += file->size;
    if (next_step <= 10 && done * 10 >= fetch_bytes * static_cast<std::uint64_t>(next_step)) {
      progress(session, "0x61", "downloading", done, fetch_bytes);
      while (next_step <= 10 && done * 10 >= fetch_bytes * static_cast<std::uint64_t>(next_step)) ++next_step;
      // The connection to the content servers drops about a third of the way in.
      if (fail == Fail::kNoConnection && next_step > 3) {
        fail_with(session, state_error("0x602"), kExitInstallError);
        return false;
      }
    }
  }
  if (fail == Fail::kNoConnection) {
    fail_with(session, state_error("0x602"), kExitInstallError);
    return false;
  }
  return true;
}

void app_update(Session& session, const std::vector<std::string>& args) {
  if (!session.logged_in) return fail_with(session, "ERROR! Not logged on.", kExitInstallError);
  if (args.empty()) return say("Syntax: app_update <appid> [-beta <betaname>] [-betapassword <password>] [validate]");
  bool validate = false;
  for (size_t i = 1; i < args.size(); ++i) validate = validate || args[i] == "validate";
  if (!app_accepted(session, args[0])) return;
  std::string root = install_root(session);
  std::optional<Manifest> manifest = read_manifest(root);
  std::optional<Platform> platform = install_platform(session, manifest);
  if (!platform) return;

  std::vector<DepotFile> files = depot_files(session.config.shape, *platform);
  bool new_build = !manifest || manifest->build_id != session.config.shape.build_id;
  bool platform_change = manifest && manifest->platform != *platform;
  if (!new_build && !platform_change && !validate) {
    return say_result(session, std::string("Success! App '") + kAppId + "' already up to date.");
  }
  std::uint64_t install_bytes = 0;
  for (const auto& file : files) install_bytes += file.size;

  say(" Update state (0x3) reconfiguring, progress: 0.00 (0 / 0)");
  std::vector<const DepotFile*> fetch = files_to_fetch(session, root, files, new_build, !manifest || platform_change,
                                                       validate && manifest.has_value(), install_bytes);
  std::uint64_t fetch_bytes = 0;
  for (const auto* file : fetch) fetch_bytes += file->size;

  progress(session, "0x11", "preallocating", fetch_bytes / 5, fetch_bytes);
  if (session.config.fail == Fail::kDiskFull) return fail_with(session, state_error("0x202"), kExitInstallError);
  if (!download(session, root, fetch, fetch_bytes)) return;
  for (const auto& path : foreign_files(*platform)) (void)::unlink((root + "/" + path).c_str());
  progress(session, "0x101", "committing", fetch_bytes, fetch_bytes);
  if (auto written = write_manifest(root, Manifest{session.config.shape.build_id, *platform}, install_bytes);
      !written.ok()) {
    std::fprintf(stderr, "fake-steamcmd: %s\n", written.error().message().c_str());
    return fail_with(session, state_error("0x606"), kExitInstallError);
  }
  session.client_has_config = true;
  say_result(session, std::string("Success! App '") + kAppId + "' fully installed.");
}

bool all_digits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// `app_info_print <appid>`: the app's KeyValues block as the real client prints it after
// `app_info_update 1`; the public branch's build id is FAKE_STEAMCMD_BUILDID.
void app_info_print(Session& session, const std::vector<std::string>& args) {
  if (args.empty()) return say("Syntax: app_info_print <appid>");
  if (!session.logged_in) return fail_with(session, "ERROR! Not logged on.", kExitInstallError);
  if (session.config.fail == Fail::kTimeout) {
    return fail_with(session, "ERROR! Timed out waiting for AppInfo update.", kExitAppInfoTimeout);
  }
  if (args[0] != kAppId) return say("No app info for AppID " + args[0] + " found, requesting...");
  const std::string& build = session.config.shape.build_id;
  say("AppID : 222860, change number : 27146433/0, last change : Tue Nov 25 18:03:41 2025");
  say("\"222860\"\n{\n\t\"common\"\n\t{\n\t\t\"name\"\t\t\"Left 4 Dead 2 Dedicated Server\"\n"
      "\t\t\"type\"\t\t\"Tool\"\n\t\t\"oslist\"\t\t\"windows,linux\"\n\t}\n\t\"depots\"\n\t{\n"
      "\t\t\"222861\"\n\t\t{\n\t\t\t\"config\"\n\t\t\t{\n\t\t\t\t\"oslist\"\t\t\"linux\"\n\t\t\t}\n\t\t}\n"
      "\t\t\"branches\"\n\t\t{\n\t\t\t\"public\"\n\t\t\t{\n\t\t\t\t\"buildid\"\t\t\"" +
      build + "\"\n\t\t\t\t\"timeupdated\"\t\t\"1764090221\"\n\t\t\t}\n\t\t}\n\t}\n}");
}

void workshop_download_item(Session& session, const std::vector<std::string>& args) {
  if (args.size() < 2) return say("Syntax: workshop_download_item <appid> <PublishedFileId> [validate]");
  const std::string& id = args[1];
  if (!session.logged_in) return fail_with(session, "ERROR! Not logged on.", kExitInstallError);
  say("Downloading item " + id + " ...");
  if (args[0] != "550" || !all_digits(id)) {
    return fail_with(session, "ERROR! Download item " + id + " failed (Failure).", kExitInstallError);
  }
  for (const auto& missing : session.config.workshop_missing) {
    if (missing == id)
      return fail_with(session, "ERROR! Download item " + id + " failed (Failure).", kExitInstallError);
  }
  if (session.config.fail == Fail::kNoConnection) {
    return fail_with(session, "ERROR! Download item " + id + " failed (No Connection).", kExitInstallError);
  }
  if (session.config.fail == Fail::kTimeout) {
    return fail_with(session, "ERROR! Download item " + id + " failed (Timeout).", kExitInstallError);
  }
  std::string root = session.install_dir.empty() ? session.config.home : session.install_dir;
  // Like the real one: an item recorded in appworkshop_550.acf counts as installed even if its files
  // were deleted, so nothing is downloaded and Success is still printed.
  if (!workshop_item_recorded(root, id)) {
    if (auto written = write_workshop_item(root, id, session.config.workshop_bytes); !written.ok()) {
      std::fprintf(stderr, "fake-steamcmd: %s\n", written.error().message().c_str());
      return fail_with(session, "ERROR! Download item " + id + " failed (Disk Write Failure).", kExitInstallError);
    }
  }
  if (session.config.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(session.config.delay_ms));
  say_result(session, "Success. Downloaded item " + id + " to \"" + workshop_item_dir(root, id) + "\" (" +
                          std::to_string(session.config.workshop_bytes) + " bytes) ");
}

void login(Session& session, const std::vector<std::string>& args) {
  if (args.empty()) return say("Syntax: login <username> [<password>] [<Steam guard code>]");
  say("");
  if (args[0] != "anonymous") {
    say("Logging in user '" + args[0] + "' to Steam Public...FAILED (Invalid Password)");
    session.exit_code = kExitLoginFailure;
    session.quit = true;
    return;
  }
  if (session.config.fail == Fail::kLogin) {
    say("Connecting anonymously to Steam Public...FAILED (Rate Limit Exceeded)");
    session.exit_code = kExitLoginFailure;
    session.quit = true;
    return;
  }
  say("Connecting anonymously to Steam Public...OK");
  say("Waiting for client config...OK");
  say("Waiting for user info...OK");
  session.logged_in = true;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void run_command(Session& session, const std::vector<std::string>& command);

// Splits a script line into words; double quotes group, `//` starts a comment.
std::vector<std::string> script_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, have = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (!quoted && c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    if (c == '"') {
      quoted = !quoted;
      have = true;
    } else if (!quoted && std::isspace(static_cast<unsigned char>(c))) {
      if (have) words.push_back(word);
      word.clear();
      have = false;
    } else {
      word += c;
      have = true;
    }
  }
  if (have) words.push_back(word);
  return words;
}

void runscript(Session& session, const std::vector<std::string>& args) {
  if (args.empty()) return say("Syntax: runscript <filename>");
  auto text = read_file(args[0]);
  if (!text.ok()) return fail_with(session, "ERROR! Failed to load script file '" + args[0] + "'", kExitInstallError);
  for (const auto& line : split(*text, '\n')) {
    if (session.quit) return;
    auto words = script_words(line);
    if (!words.empty()) run_command(session, words);
  }
}

void run_command(Session& session, const std::vector<std::string>& command) {
  std::string name = lower(command[0]);
  std::vector<std::string> args(command.begin() + 1, command.end());
  if (name == "force_install_dir") {
    if (args.empty()) return say("Syntax: force_install_dir <path>");
    if (session.logged_in) {
      say("Please use force_install_dir before logon!");
      session.install_dir_after_login = true;
    }
    session.install_dir = args[0];
  } else if (name == "login") {
    login(session, args);
  } else if (name == "app_update") {
    app_update(session, args);
  } else if (name == "app_info_update") {
    if (!session.logged_in) return fail_with(session, "ERROR! Not logged on.", kExitInstallError);
  } else if (name == "app_info_print") {
    app_info_print(session, args);
  } else if (name == "workshop_download_item") {
    workshop_download_item(session, args);
  } else if (name == "runscript") {
    runscript(session, args);
  } else if (name == "quit" || name == "exit") {
    session.quit = true;
  } else if (!name.empty() && name[0] == '@') {
    std::string value = args.empty() ? "" : args[0];
    say("\"" + command[0] + "\" = \"" + value + "\"");
    if (name == "@ssteamcmdforceplatformtype") session.platform = lower(value);
    if (name == "@shutdownonfailedcommand") session.shutdown_on_failed_command = value == "1";
  } else {
    say("Unknown command \"" + command[0] + "\"");
  }
}

// The +commands of the command line: each '+word' starts one, the words after it are its arguments.
std::vector<std::vector<std::string>> command_line(int argc, char** argv) {
  std::vector<std::vector<std::string>> commands;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word.size() > 1 && word[0] == '+') {
      commands.push_back({word.substr(1)});
    } else if (!commands.empty()) {
      commands.back().push_back(word);
    }
  }
  return commands;
}

void start_client(Session& session) {
  const std::string& home = session.config.home;
  bool fresh = !is_directory(home);
  session.client_has_config = path_exists(home + "/appcache/appinfo.vdf");
  for (const char* sub : {"/logs", "/appcache", "/config"}) {
    if (auto made = make_directories(home + sub); !made.ok()) usage_error(made.error().message());
  }
  if (auto written = write_file_atomic(home + "/appcache/appinfo.vdf", "fake-steamcmd app configuration\n");
      !written.ok()) {
    usage_error(written.error().message());
  }
  say("Redirecting stderr to '" + home + "/logs/stderr.txt'");
  if (std::freopen((home + "/logs/stderr.txt").c_str(), "a", stderr) == nullptr) {
    usage_error("cannot write " + home + "/logs/stderr.txt");
  }
  say("Logging directory: '" + home + "/logs'");
  say("[  0%] Checking for available updates...");
  if (fresh) {
    say("[----] Downloading update (0 of 58,402 KB)...");
    say("[ 50%] Downloading update (58,402 of 58,402 KB)...");
    say("[----] Extracting package...");
    say("[----] Installing update...");
    say("[----] Cleaning up...");
    say("[----] Update complete, launching Steamcmd...");
  }
  say("[----] Verifying installation...");
  say("Steam Console Client (c) Valve Corporation - version 1737515347");
  say("-- type 'quit' to exit --");
  say("Loading Steam API...OK");
}

int main_impl(int argc, char** argv) {
  // Like the real client: line-buffered on a terminal, about 4 KiB blocks into a pipe or file.
  static char buffer[4096];
  if (::isatty(STDOUT_FILENO)) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
  } else {
    std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
  }
  Session session;
  session.config = read_config();
  start_client(session);
  for (const auto& command : command_line(argc, argv)) {
    if (session.quit) break;
    run_command(session, command);
  }
  // Without +quit the real client stays at its prompt, reading commands from stdin.
  std::string line;
  while (!session.quit) {
    std::fputs("Steam>", stdout);
    std::fflush(stdout);
    if (!std::getline(std::cin, line)) break;
    auto words = script_words(line);
    if (!words.empty()) run_command(session, words);
  }
  say("Unloading Steam API...OK");
  std::fflush(stdout);
  return session.exit_code;
}

}  // namespace
}  // namespace left4me::fake_steamcmd

int main(int argc, char** argv) { return left4me::fake_steamcmd::main_impl(argc, argv); }
