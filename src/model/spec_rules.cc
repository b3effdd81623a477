#include "model/spec_rules.h"

#include <algorithm>
#include <array>
#include <utility>

#include "base/strings.h"
#include "base/utf8.h"
#include "model/game_modes.h"

namespace left4me::model {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

std::string hex_byte(char c) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  auto byte = static_cast<unsigned char>(c);
  return std::string("\\x") + kDigits[byte >> 4] + kDigits[byte & 0xf];
}

// srcds_run's own options (protocols.md §3.3): they choose what runs (-binary, -gdb, -debug), how it
// restarts (-timeout, -autoupdate), where output goes (-consolelog, -debuglog) and how it forks. The
// wrapper passes everything else to the game.
constexpr std::array<std::string_view, 15> kWrapperOptions = {
    "-binary", "-autoupdate", "-steam_dir", "-steamcmd_script", "-consolelog",   "-debuglog",     "-gdb", "-debug",
    "-fork",   "-notrap",     "-timeout",   "-steamerr",        "-ignoresigint", "-nodefaultmap", "-help"};

// The game's own command-line options a spec may give (everything else is refused): what hosts use
// for L4D2 dedicated servers. docs/spec.md lists them with their meaning.
constexpr std::array<std::string_view, 10> kGameOptions = {"-tickrate",   "-nohltv",         "-insecure",   "-condebug",
                                                           "-console",    "-strictportbind", "-nobreakpad", "-nomaster",
                                                           "-num_edicts", "-allowdebug"};

bool is_token_char(char c) { return is_alnum(c) || std::string_view("_.,:/@%+=-").find(c) != std::string_view::npos; }

// A character as a message shows it: 'x', or an escape for the invisible ones.
std::string shown_char(char c) {
  if (c == '\n') return "a line break (\\n)";
  if (c == '\r') return "a carriage return (\\r)";
  if (c == '\t') return "a tab";
  if (c == ' ') return "a space";
  if (is_control(c) || static_cast<unsigned char>(c) >= 0x80) return "byte " + hex_byte(c);
  return std::string("'") + c + "'";
}

// Console names the spec's own keys or left4me set; a cvar, +arg or server_cfg command may not set them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kManagedConsoleNames = {{
    {"hostname", "the hostname key"},
    {"rcon_password", "the rcon_password key"},
    {"mp_gamemode", "the mode key"},
    {"map", "the map key"},
    {"maxplayers", "the max_players key"},
    {"hostport", "the port key"},
    {"servercfgfile", "left4me"},
    {"ip", "left4me"},
    {"hostip", "left4me"},
    {"clientport", "left4me"},
    {"tv_port", "left4me"},
}};

// Command-line options left4me sets itself, or that would open a port or file outside the instance's control.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kManagedDashOptions = {{
    {"-game", "left4me"},
    {"-norestart", "left4me"},
    {"-ip", "left4me"},
    {"-port", "the port key"},
    {"-maxplayers", "the max_players key"},
    {"-pidfile", "left4me (it tracks the process itself)"},
    {"-netconport", "left4me (an extra console port is not allowed)"},
    {"-netconpassword", "left4me (an extra console port is not allowed)"},
    {"-steamport", "left4me (a server may bind only its own game port)"},
}};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& table, std::string_view lower) {
  return std::find(table.begin(), table.end(), lower) != table.end();
}

template <std::size_t N>
std::optional<std::string> lookup(const std::array<std::pair<std::string_view, std::string_view>, N>& table,
                                  std::string_view name) {
  const std::string lower = lowercase(name);
  for (const auto& [managed, owner] : table) {
    if (lower == managed) return std::string(owner);
  }
  return std::nullopt;
}

// The first word of each console command in line: commands are separated by ';' outside double quotes and
// "//" outside quotes starts a comment, as the Source console reads a line.
std::vector<std::string> command_names(std::string_view line) {
  std::vector<std::string> names;
  std::string command;
  bool in_quotes = false;
  auto finish = [&] {
    std::string_view rest = trim(command);
    std::string_view name;
    if (!rest.empty() && rest[0] == '"') {
      rest.remove_prefix(1);
      name = rest.substr(0, rest.find('"'));
    } else {
      name = rest.substr(0, rest.find_first_of(" \t"));
    }
    if (!name.empty()) names.emplace_back(name);
    command.clear();
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') in_quotes = !in_quotes;
    if (!in_quotes && c == ';') {
      finish();
      continue;
    }
    if (!in_quotes && c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    command += c;
  }
  finish();
  return names;
}

}  // namespace

std::string quoted_value(std::string_view text) {
  constexpr std::size_t kShown = 64;
  std::string out = "\"";
  for (char c : text.substr(0, kShown)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (is_control(c)) {
      out += hex_byte(c);
    } else {
      out += c;
    }
  }
  out += '"';
  if (text.size() > kShown) out += "...";
  return out;
}

std::string printable(std::string_view text) {
  std::string out(text.substr(0, 64));
  std::replace_if(out.begin(), out.end(), is_control, '?');
  return out;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_valid_overlay_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || !is_alnum(id[0])) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool is_valid_map_name(std::string_view map) {
  if (map.empty() || map.size() > 64) return false;
  return std::all_of(map.begin(), map.end(), [](char c) { return is_alnum(c) || c == '_'; });
}

bool is_valid_game_mode(std::string_view mode) {
  if (const GameMode* known = find_game_mode(mode); known != nullptr && known->kind != GameModeKind::kMutation) {
    return true;
  }
  for (std::string_view prefix : kNumberedGameModes) {
    if (mode.starts_with(prefix)) {
      std::string_view number = mode.substr(prefix.size());
      return !number.empty() && number[0] != '0' && parse_int(number, 1, 99).has_value();
    }
  }
  return false;
}

std::vector<std::string> suggested_game_modes() {
  std::vector<std::string> modes;
  for (const GameMode& mode : game_modes()) modes.emplace_back(mode.name);
  return modes;
}

bool is_valid_cvar_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !(is_alpha(name[0]) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_'; });
}

std::optional<std::string> check_console_value(std::string_view value, std::size_t max_bytes) {
  for (char c : value) {
    if (c == '\n' || c == '\r') return "contains " + shown_char(c) + ", which would start another console command";
    if (c == '"') return "contains '\"', which would end the quoted value and run the rest as console commands";
    if (c == ';') return "contains ';', which would start another console command";
    if (is_control(c)) return "contains " + shown_char(c) + "; control characters are not allowed";
  }
  if (!is_valid_utf8(value)) return std::string("is not valid UTF-8");
  if (value.size() > max_bytes) return "is longer than " + std::to_string(max_bytes) + " bytes";
  return std::nullopt;
}

std::optional<std::string> check_hostname(std::string_view hostname) {
  if (hostname.empty()) return std::string("is empty; use 1..63 bytes");
  return check_console_value(hostname, kMaxHostnameBytes);
}

std::optional<std::string> managed_by(std::string_view name) { return lookup(kManagedConsoleNames, name); }

bool is_wrapper_option(std::string_view word) { return contains(kWrapperOptions, lowercase(word)); }

std::optional<std::string> check_game_option(std::string_view option) {
  const std::string lower = lowercase(option);
  if (is_wrapper_option(lower)) {
    return std::string("is an option of srcds_run, the wrapper script, not of the game; left4me runs the game itself");
  }
  if (contains(kGameOptions, lower)) return std::nullopt;
  std::string known;
  for (std::string_view name : kGameOptions) known += (known.empty() ? "" : ", ") + std::string(name);
  return "is not a known game option (known: " + known + "; console settings are +name value)";
}

std::optional<std::string> check_arg(std::string_view arg, bool first) {
  if (arg.empty()) return std::string("is empty");
  if (arg.size() > kMaxArgBytes) return "is longer than " + std::to_string(kMaxArgBytes) + " bytes";
  const bool is_option = (arg[0] == '+' || arg[0] == '-') && arg.size() >= 2 && (is_alpha(arg[1]) || arg[1] == '_');
  if (is_option) {
    std::string_view name = arg.substr(1);
    if (name.size() > 64 || !std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_'; })) {
      return std::string("is not an option: use + or - and 1-64 characters A-Z, a-z, 0-9 or '_'");
    }
    auto owner = arg[0] == '+' ? managed_by(name) : lookup(kManagedDashOptions, arg);
    if (owner) return "is set by " + *owner + " and cannot be given in args";
    if (arg[0] == '-') return check_game_option(arg);
    return std::nullopt;
  }
  for (char c : arg) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      return "contains " + shown_char(c) + "; L4D2_ARGS is split on whitespace, so give each word as its own item";
    }
    if (!is_token_char(c)) {
      return "contains " + shown_char(c) +
             ", which is not allowed in srcds arguments (allowed: A-Z a-z 0-9 _ . , : "
             "/ @ % + = -)";
    }
  }
  if (first) return std::string("is a value before any option; start with an option such as +sv_lan or -tickrate");
  return std::nullopt;
}

bool is_safe_arg_token(std::string_view token) {
  return !token.empty() && token.size() <= kMaxArgBytes && std::all_of(token.begin(), token.end(), is_token_char);
}

std::optional<std::string> check_server_cfg_line(std::string_view line) {
  for (char c : line) {
    if (c == '\n' || c == '\r') return "contains " + shown_char(c) + "; give each line as its own list item";
    if (is_control(c) && c != '\t') return "contains " + shown_char(c) + "; control characters are not allowed";
  }
  if (!is_valid_utf8(line)) return std::string("is not valid UTF-8");
  if (line.size() > kMaxServerCfgLineBytes) {
    return "is longer than " + std::to_string(kMaxServerCfgLineBytes) + " bytes, the console's line limit";
  }
  for (const std::string& name : command_names(line)) {
    if (auto owner = managed_by(name)) return "sets " + name + ", which is managed by " + *owner;
  }
  return std::nullopt;
}

}  // namespace left4me::model
