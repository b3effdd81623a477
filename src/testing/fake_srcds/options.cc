#include "testing/fake_srcds/options.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string_view>

#include "base/strings.h"

namespace left4me::fake_srcds {
namespace {

// srcds flags that take a value; the value is consumed even when the flag is otherwise ignored.
constexpr std::string_view kFlagsWithValue[] = {
    "-game",           "-port",      "-ip",     "-maxplayers", "-pidfile",
    "-tickrate",       "-timeout",   "-binary", "-consolelog", "-netconport",
    "-netconpassword", "-steamport", "-fork",   "-steam_dir",  "-steamcmd_script"};

// A word that starts a new parameter: "+x" or "-x", but not a negative number ("-1").
bool starts_parameter(std::string_view word) {
  if (word.size() < 2) return false;
  if (word[0] == '+') return true;
  return word[0] == '-' && !std::isdigit(static_cast<unsigned char>(word[1]));
}

bool takes_value(std::string_view flag) {
  for (std::string_view known : kFlagsWithValue) {
    if (flag == known) return true;
  }
  return false;
}

Result<uint16_t> parse_port(std::string_view what, std::string_view text) {
  auto port = parse_int(text, 1, 65535);
  if (!port) return Error::invalid(fmt::format("{}: '{}' is not a port in 1..65535", what, text));
  return static_cast<uint16_t>(*port);
}

Result<int> parse_maxplayers(std::string_view what, std::string_view text) {
  auto value = parse_int(text, 1, 255);
  if (!value) return Error::invalid(fmt::format("{}: '{}' is not a player count in 1..255", what, text));
  return static_cast<int>(*value);
}

// Reads an optional environment variable holding a duration in (fractional) seconds.
Result<std::optional<std::chrono::milliseconds>> env_seconds(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::optional<std::chrono::milliseconds>();
  char* end = nullptr;
  double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(seconds >= 0) || seconds > 86400) {
    return Error::invalid(fmt::format("{}: '{}' is not a number of seconds in 0..86400", name, text));
  }
  return std::optional<std::chrono::milliseconds>(std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
}

Result<long long> env_int(const char* name, long long min, long long max, long long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  auto value = parse_int(text, min, max);
  if (!value) return Error::invalid(fmt::format("{}: '{}' is not an integer in {}..{}", name, text, min, max));
  return *value;
}

}  // namespace

Result<Options> parse_command_line(const std::vector<std::string>& args) {
  Options options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.size() >= 2 && word[0] == '+') {
      std::string name = word.substr(1);
      std::vector<std::string> values;
      while (i + 1 < args.size() && !starts_parameter(args[i + 1])) values.push_back(args[++i]);
      std::string value = join(values, " ");
      if (name == "map") {
        auto words = split(std::string(trim(value)), ' ');
        if (words.empty() || words[0].empty()) return Error::invalid("+map: needs a map name");
        options.map = words[0];
        if (words.size() > 1) options.mode = words[1];
      } else if (name == "ip") {
        options.ip = value;
      } else if (name == "hostport") {
        auto port = parse_port("+hostport", value);
        if (!port.ok()) return port.error();
        options.port = *port;
      } else if (name == "maxplayers") {
        auto count = parse_maxplayers("+maxplayers", value);
        if (!count.ok()) return count.error();
        options.maxplayers = *count;
      } else {
        // Quote every argument so a cvar value with spaces survives the console tokenizer.
        std::string line = name;
        for (const std::string& part : values) line += " \"" + part + "\"";
        options.commands.push_back({line});
      }
      continue;
    }
    if (word.size() >= 2 && word[0] == '-') {
      std::string value;
      bool has_value = takes_value(word) && i + 1 < args.size();
      if (has_value) value = args[++i];
      if (takes_value(word) && !has_value) return Error::invalid(fmt::format("{}: needs a value", word));
      if (word == "-game") {
        options.game = value;
      } else if (word == "-port") {
        auto port = parse_port("-port", value);
        if (!port.ok()) return port.error();
        options.port = *port;
      } else if (word == "-ip") {
        options.ip = value;
      } else if (word == "-maxplayers") {
        auto count = parse_maxplayers("-maxplayers", value);
        if (!count.ok()) return count.error();
        options.maxplayers = *count;
      } else if (word == "-tickrate") {
        auto rate = parse_int(value, 1, 1000);
        if (!rate) return Error::invalid(fmt::format("-tickrate: '{}' is not a tick rate in 1..1000", value));
        options.tickrate = static_cast<int>(*rate);
      } else if (word == "-pidfile") {
        options.pidfile = value;
      } else if (word == "-insecure") {
        options.insecure = true;
      } else if (word == "-condebug") {
        options.condebug = true;
      }
      // -norestart, -strictportbind, -console, -nohltv and anything unknown: accepted and ignored.
      continue;
    }
    // A stray word (e.g. after an unknown flag that takes a value): ignored like srcds does.
  }
  return options;
}

Status read_fault_environment(Options& options) {
  Faults& faults = options.faults;
  auto crash = env_seconds("FAKE_SRCDS_CRASH_AFTER");
  if (!crash.ok()) return crash.error();
  faults.crash_after = *crash;
  if (const char* signal_name = std::getenv("FAKE_SRCDS_CRASH_SIGNAL"); signal_name != nullptr && *signal_name) {
    std::string_view name(signal_name);
    if (name == "SIGSEGV" || name == "SEGV") {
      faults.crash_signal = SIGSEGV;
    } else if (name == "SIGABRT" || name == "ABRT") {
      faults.crash_signal = SIGABRT;
    } else {
      return Error::invalid(fmt::format("FAKE_SRCDS_CRASH_SIGNAL: '{}' is not SIGSEGV or SIGABRT", name));
    }
  }
  auto hang = env_seconds("FAKE_SRCDS_HANG_AFTER");
  if (!hang.ok()) return hang.error();
  faults.hang_after = *hang;
  auto bind_fail = env_int("FAKE_SRCDS_BIND_FAIL", 0, 1, 0);
  if (!bind_fail.ok()) return bind_fail.error();
  faults.bind_fail = *bind_fail == 1;
  auto delay = env_int("FAKE_SRCDS_START_DELAY_MS", 0, 600000, 0);
  if (!delay.ok()) return delay.error();
  faults.start_delay = std::chrono::milliseconds(*delay);
  auto quiet = env_int("FAKE_SRCDS_MAPCHANGE_QUIET_MS", 0, 600000, 0);
  if (!quiet.ok()) return quiet.error();
  faults.mapchange_quiet = std::chrono::milliseconds(*quiet);
  auto players = env_int("FAKE_SRCDS_PLAYERS", 0, 255, 0);
  if (!players.ok()) return players.error();
  faults.players = static_cast<int>(*players);
  // Names as raw bytes (tests give markup or bytes that are not UTF-8); more names than players are ignored.
  if (const char* names = std::getenv("FAKE_SRCDS_PLAYER_NAMES"); names != nullptr && *names) {
    std::string_view rest(names);
    while (true) {
      size_t comma = rest.find(',');
      faults.player_names.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  auto no_challenge = env_int("FAKE_SRCDS_NO_CHALLENGE", 0, 1, 0);
  if (!no_challenge.ok()) return no_challenge.error();
  faults.no_challenge = *no_challenge == 1;
  auto invalid_utf8 = env_int("FAKE_SRCDS_INVALID_UTF8_HOSTNAME", 0, 1, 0);
  if (!invalid_utf8.ok()) return invalid_utf8.error();
  faults.invalid_utf8_hostname = *invalid_utf8 == 1;
  auto tick_work = env_int("FAKE_SRCDS_TICK_WORK_US", 0, 1000000, 0);
  if (!tick_work.ok()) return tick_work.error();
  faults.tick_work = std::chrono::microseconds(*tick_work);
  return ok_status();
}

void find_steam_client(Options& options) {
  const char* home = std::getenv("HOME");
  options.steam_client = fmt::format("{}/.steam/sdk32/steamclient.so", home == nullptr ? "" : home);
  struct stat st {};
  options.steam_client_found = home != nullptr && *home != '\0' && ::stat(options.steam_client.c_str(), &st) == 0 &&
                               S_ISREG(st.st_mode) && ::access(options.steam_client.c_str(), R_OK) == 0;
}

}  // namespace left4me::fake_srcds
