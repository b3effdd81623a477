#include "testing/fake_srcds/game.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "host/vpk.h"

namespace left4me::fake_srcds {
namespace {

constexpr int kMaxExecDepth = 8;
constexpr std::string_view kVersion = "2.2.4.3";

struct DefaultCvar {
  std::string_view name;
  std::string_view value;
  bool notify;  // FCVAR_NOTIFY: listed in A2S_RULES, and changes are announced
  std::string_view description;
};

// A realistic slice of L4D2's cvars, so `cvarlist` is long enough to need several RCON packets.
constexpr DefaultCvar kDefaultCvars[] = {
    {"hostname", "Left 4 Dead 2", false, "Hostname for server."},
    {"rcon_password", "", false, "remote console password."},
    {"sv_password", "", false, "Server password for entry into multiplayer games"},
    {"mp_gamemode", "coop", true, "Current game mode, acceptable values are coop, versus, survival, scavenge"},
    {"z_difficulty", "Normal", true, "Difficulty of the current game (Easy, Normal, Hard, Impossible)"},
    {"sv_cheats", "0", true, "Allow cheats on server"},
    {"sv_alltalk", "0", true, "Players can hear all other players, no team restrictions"},
    {"sv_gravity", "800", true, "World gravity."},
    {"sv_lan", "0", false, "Server is a lan server ( no heartbeat, no authentication, no non-class C addresses )"},
    {"sv_tags", "", true,
     "Server tags. Used to provide extra information to clients when they're browsing for servers."},
    {"sv_gametypes", "coop,realism,survival,versus,scavenge", false, "Game types allowed on this server"},
    {"sv_maxplayers", "-1", false, "Max human players (l4dtoolz); -1 keeps the game's limit"},
    {"sv_visiblemaxplayers", "-1", false, "Overrides the max players reported to prospective clients"},
    {"sv_allow_lobby_connect_only", "1", false, "If set, players may only join this server from matchmaking lobby"},
    {"sv_hibernate_when_empty", "1", false,
     "Puts the server into extremely low CPU usage mode when no clients connected"},
    {"sv_region", "-1", false, "The region of the world to report this server in."},
    {"sv_steamgroup", "", false, "The ID of the steam group that this server belongs to."},
    {"sv_steamgroup_exclusive", "0", false, "If set, server only allows steam group members to join"},
    {"sv_search_key", "", false, "When searching for a dedicated server from lobby, restrict search to only those"},
    {"sv_pure", "2", false, "Show user data."},
    {"sv_consistency", "1", false, "Whether the server enforces file consistency for critical files"},
    {"sv_voiceenable", "1", false, "Enable voice on server"},
    {"sv_minrate", "5000", false, "Min bandwidth rate allowed on server, 0 == unlimited"},
    {"sv_maxrate", "30000", false, "Max bandwidth rate allowed on server, 0 == unlimited"},
    {"sv_mincmdrate", "0", false, "This sets the minimum value for cl_cmdrate. 0 == unlimited."},
    {"sv_maxcmdrate", "30", false, "(If sv_mincmdrate is > 0), this sets the maximum value for cl_cmdrate."},
    {"sv_minupdaterate", "10", false, "Minimum updates per second that the server will allow"},
    {"sv_maxupdaterate", "30", false, "Maximum updates per second that the server will allow"},
    {"sv_logbans", "0", false, "Log server bans in the server logs."},
    {"sv_logecho", "1", false, "Echo log information to the console."},
    {"sv_logfile", "1", false, "Log server information in the log file."},
    {"sv_log_onefile", "0", false, "Log server information to only one file."},
    {"sv_rcon_banpenalty", "0", false, "Number of minutes to ban users who fail rcon authentication"},
    {"sv_rcon_maxfailures", "10", false, "Max number of times a user can fail rcon authentication before being banned"},
    {"sv_rcon_minfailures", "5", false,
     "Number of times a user can fail rcon authentication in sv_rcon_minfailuretime"},
    {"sv_rcon_minfailuretime", "30", false, "Number of seconds to track failed rcon authentications"},
    {"sv_allow_wait_command", "1", false, "Allow or disallow the wait command on clients connected to this server."},
    {"sv_contact", "", true, "Contact email for server sysop"},
    {"sv_footsteps", "1", true, "Play footstep sound for players"},
    {"sv_friction", "4", true, "World friction."},
    {"sv_stopspeed", "100", true, "Minimum stopping speed when on ground."},
    {"sv_accelerate", "5.5", true, "Linear acceleration amount (old value is 5.6)"},
    {"sv_airaccelerate", "10", true, "Air acceleration amount"},
    {"sv_maxspeed", "1000", true, "Maximum speed a player can move."},
    {"sv_noclipaccelerate", "5", true, "Noclip acceleration amount"},
    {"sv_noclipspeed", "5", true, "Noclip speed"},
    {"sv_specaccelerate", "5", true, "Spectator acceleration"},
    {"sv_specspeed", "3", true, "Spectator speed"},
    {"sv_bounce", "0", true, "Bounce multiplier for when physically simulated objects collide with other objects."},
    {"sv_rollangle", "0", true, "Max view roll angle"},
    {"sv_wateraccelerate", "10", true, "Water acceleration amount"},
    {"sv_waterfriction", "1", true, "Water friction"},
    {"mp_allowNPCs", "1", true, "Allow NPCs in multiplayer"},
    {"mp_autocrosshair", "1", true, "Auto crosshair"},
    {"mp_flashlight", "1", true, "Enable flashlights"},
    {"mp_footsteps", "1", true, "Enable footstep sounds"},
    {"mp_forcerespawn", "1", true, "Force player respawn"},
    {"mp_fraglimit", "0", true, "The number of kills at which the map ends"},
    {"mp_teamplay", "0", true, "Enable team play"},
    {"mp_timelimit", "0", true, "game time per map in minutes"},
    {"mp_weaponstay", "0", true, "Weapons don't disappear"},
    {"director_no_bosses", "0", false, "Director will not spawn tanks or witches"},
    {"director_no_mobs", "0", false, "Director will not spawn mobs"},
    {"director_no_specials", "0", false, "Director will not spawn special infected"},
    {"director_panic_forever", "0", false, "Panic events never end"},
    {"z_common_limit", "30", false, "Maximum number of common infected that can be alive at once"},
    {"z_mega_mob_size", "50", false, "Size of a mega mob"},
    {"z_mob_spawn_min_size", "10", false, "Minimum size of a mob"},
    {"z_mob_spawn_max_size", "30", false, "Maximum size of a mob"},
    {"z_tank_health", "4000", false, "Health of the tank"},
    {"z_witch_health", "1000", false, "Health of the witch"},
    {"z_max_player_zombies", "4", false, "Maximum number of player infected in versus"},
    {"survivor_limit", "4", false, "Maximum number of survivors"},
    {"survivor_max_incapacitated_count", "2", false, "Incapacitations before death"},
    {"motd_enabled", "1", false, "If set to 1, MOTD is shown to connecting players"},
    {"motdfile", "motd.txt", false, "The MOTD file to load."},
    {"hostfile", "host.txt", false, "The HOST file to load."},
    {"servercfgfile", "server.cfg", false, "Config file executed on every map load"},
    {"log", "0", false, "Enables logging to file, console, and udp < on | off >."},
    {"decalfrequency", "10", true, "Amount of time in seconds a player can spray their decal"},
};

constexpr std::string_view kStockMaps[] = {
    "c1m1_hotel",
    "c1m2_streets",
    "c1m3_mall",
    "c1m4_atrium",
    "c2m1_highway",
    "c2m2_fairgrounds",
    "c2m3_coaster",
    "c2m4_barns",
    "c2m5_concert",
    "c3m1_plankcountry",
    "c3m2_swamp",
    "c3m3_shantytown",
    "c3m4_plantation",
    "c4m1_milltown_a",
    "c4m2_sugarmill_a",
    "c4m3_sugarmill_b",
    "c4m4_milltown_b",
    "c4m5_milltown_escape",
    "c5m1_waterfront",
    "c5m2_park",
    "c5m3_cemetery",
    "c5m4_quarter",
    "c5m5_bridge",
    "c6m1_riverbank",
    "c6m2_bedlam",
    "c6m3_port",
    "c7m1_docks",
    "c7m2_barge",
    "c7m3_port",
    "c8m1_apartment",
    "c8m2_subway",
    "c8m3_sewers",
    "c8m4_interior",
    "c8m5_rooftop",
    "c9m1_alleys",
    "c9m2_lots",
    "c10m1_caves",
    "c10m2_drainage",
    "c10m3_ranchhouse",
    "c10m4_mainstreet",
    "c10m5_houseboat",
    "c11m1_greenhouse",
    "c11m2_offices",
    "c11m3_garage",
    "c11m4_terminal",
    "c11m5_runway",
    "c12m1_hilltop",
    "c12m2_traintunnel",
    "c12m3_bridge",
    "c12m4_barn",
    "c12m5_cornfield",
    "c13m1_alpinecreek",
    "c13m2_southpinestream",
    "c13m3_memorialbridge",
    "c13m4_cutthroatcreek",
    "c14m1_junkyard",
    "c14m2_lighthouse",
};

constexpr std::string_view kPlayerNames[] = {"Nick", "Rochelle", "Coach", "Ellis", "Bill", "Zoey", "Louis", "Francis"};

// Cvars never shown in A2S_RULES (protected, or not server rules).
bool hidden_from_rules(std::string_view name) {
  return name == "rcon_password" || name == "sv_password" || name == "hostname";
}

const DefaultCvar* find_default(std::string_view name) {
  for (const DefaultCvar& cvar : kDefaultCvars) {
    if (cvar.name == name) return &cvar;
  }
  return nullptr;
}

bool is_versus_like(std::string_view mode) {
  return mode == "versus" || mode == "teamversus" || mode == "scavenge" || mode == "teamscavenge" ||
         mode == "mutation12";
}

std::string rest_of(const std::vector<std::string>& words) {
  return join(std::vector<std::string>(words.begin() + 1, words.end()), " ");
}

}  // namespace

Console::Console(std::string condebug_path) {
  if (!condebug_path.empty()) {
    log_.reset(::open(condebug_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  }
}

void Console::print(std::string_view line) {
  std::string text(line);
  text += '\n';
  // One write per line: a reader on a pipe sees every line as soon as it is printed.
  for (int fd : {STDOUT_FILENO, log_.get()}) {
    if (fd < 0) continue;
    size_t written = 0;
    while (written < text.size()) {
      ssize_t n = ::write(fd, text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
  }
}

std::vector<std::vector<std::string>> tokenize_console_line(std::string_view line) {
  std::vector<std::vector<std::string>> commands(1);
  std::string word;
  bool in_word = false;
  bool quoted = false;
  auto end_word = [&] {
    if (in_word) commands.back().push_back(word);
    word.clear();
    in_word = false;
  };
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        quoted = false;
      } else {
        word += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      in_word = true;
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
      size_t newline = line.find('\n', i);
      if (newline == std::string_view::npos) break;
      i = newline - 1;  // the newline itself ends the command
    } else if (c == ';' || c == '\n') {
      end_word();
      commands.emplace_back();
    } else if (c == ' ' || c == '\t' || c == '\r') {
      end_word();
    } else {
      word += c;
      in_word = true;
    }
  }
  end_word();
  std::erase_if(commands, [](const auto& words) { return words.empty(); });
  return commands;
}

Game::Game(const Options& options, Console& console, Clock::time_point started)
    : options_(options), console_(console), started_(started), ticks_(options.tickrate, started) {
  for (const DefaultCvar& cvar : kDefaultCvars) cvars_[std::string(cvar.name)] = std::string(cvar.value);
  for (int i = 0; i < options.faults.players; ++i) {
    std::string name = i < std::ssize(kPlayerNames) ? std::string(kPlayerNames[i]) : fmt::format("Player{}", i + 1);
    if (i < std::ssize(options.faults.player_names)) name = options.faults.player_names[i];
    players_.push_back({.userid = i + 2,
                        .name = name,
                        .score = (i * 7 + 3) % 50,
                        .joined = started - std::chrono::seconds(60 + 97 * i)});
  }
}

std::string Game::execute(std::string_view line, int depth) {
  std::string output;
  for (const auto& words : tokenize_console_line(line)) output += run_command(words, depth);
  return output;
}

std::string Game::exec_file(std::string_view name, int depth) {
  if (depth > kMaxExecDepth) return fmt::format("exec {}: too many nested execs\n", name);
  std::string file(name);
  if (file.find(".cfg") == std::string::npos) file += ".cfg";
  if (file.find("..") != std::string::npos) return fmt::format("exec {}: invalid path.\n", name);
  auto content = read_file(options_.game + "/cfg/" + file);
  if (!content.ok()) {
    std::string message = fmt::format("exec: couldn't exec {}", file);
    console_.print(message);
    return message + "\n";
  }
  return execute(*content, depth + 1);
}

bool Game::map_exists(std::string_view map) const {
  if (std::find(std::begin(kStockMaps), std::end(kStockMaps), map) != std::end(kStockMaps)) return true;
  if (map.find('/') != std::string_view::npos || map.find("..") != std::string_view::npos) return false;
  return path_exists(options_.game + "/maps/" + std::string(map) + ".bsp") || addon_has_map(map);
}

bool Game::addon_has_map(std::string_view map) const {
  UniqueFd addons(::open((options_.game + "/addons").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!addons.valid()) return false;
  int copy = ::dup(addons.get());
  DIR* stream = copy < 0 ? nullptr : ::fdopendir(copy);
  if (stream == nullptr) {
    if (copy >= 0) ::close(copy);
    return false;
  }
  bool found = false;
  while (const dirent* entry = ::readdir(stream)) {
    std::string_view name = entry->d_name;
    if (found || !name.ends_with(".vpk")) continue;
    // A VPK that cannot be read offers nothing, as for srcds; addons/workshop/ is a directory and is skipped.
    auto vpk = host::VpkFile::open(addons.get(), std::string(name), std::string(name));
    if (!vpk.ok()) continue;
    auto directory = host::read_vpk_directory(
        vpk->size(), vpk->reader(), [&](std::string_view extension, std::string_view path, std::string_view file) {
          return extension == "bsp" && path == "maps" && file == map;
        });
    found = directory.ok() && !directory->entries.empty();
  }
  ::closedir(stream);
  return found;
}

void Game::load_map(const MapChange& change, bool first) {
  if (!change.mode.empty()) set_cvar("mp_gamemode", change.mode);
  if (first) {
    console_.print("---- Host_NewGame ----");
    console_.print(fmt::format("Host_NewGame on map {}", change.map));
  }
  map_ = change.map;
  std::string config = cvar("servercfgfile");
  if (!config.empty() && path_exists(options_.game + "/cfg/" + config)) {
    console_.print(fmt::format("Executing dedicated server config file {}", config));
    exec_file(config);
  }
  if (first) {
    // Without the Steam client library there is no Steam logon, whatever sv_lan says.
    if (cvar("sv_lan") != "1" && options_.steam_client_found) console_.print("Connection to Steam servers successful.");
    console_.print(options_.insecure ? "   VAC secure mode disabled." : "   VAC secure mode is activated.");
  }
  if (players_.empty() && cvar("sv_hibernate_when_empty") != "0") console_.print("Server is hibernating");
}

std::optional<MapChange> Game::take_map_change() { return std::exchange(pending_change_, std::nullopt); }

std::string Game::cvar(std::string_view name) const {
  auto found = cvars_.find(std::string(name));
  return found == cvars_.end() ? std::string() : found->second;
}

int Game::max_players() const {
  for (std::string_view name : {"sv_visiblemaxplayers", "sv_maxplayers"}) {
    if (auto value = parse_int(cvar(name), 1, 255)) return static_cast<int>(*value);
  }
  if (options_.maxplayers) return *options_.maxplayers;
  return is_versus_like(cvar("mp_gamemode")) ? 8 : 4;
}

std::string Game::reported_hostname() const {
  // A Latin-1 "é" and a UTF-8 "€" cut after two of its three bytes, as a 63-byte cut leaves a long name.
  constexpr std::string_view kInvalidUtf8Tail = " caf\xE9 \xE2\x82";
  std::string name = cvar("hostname");
  if (options_.faults.invalid_utf8_hostname) name += kInvalidUtf8Tail;
  return name;
}

host::A2sInfo Game::info() const {
  std::vector<std::string> keywords = {cvar("mp_gamemode")};
  for (const std::string& tag : split(cvar("sv_tags"), ',')) {
    std::string trimmed(trim(tag));
    if (!trimmed.empty() && std::find(keywords.begin(), keywords.end(), trimmed) == keywords.end()) {
      keywords.push_back(trimmed);
    }
  }
  if (!options_.insecure) keywords.push_back("secure");
  return host::A2sInfo{.protocol = 17,
                       .name = reported_hostname(),
                       .map = map_,
                       .folder = options_.game,
                       .game = "Left 4 Dead 2",
                       .app_id = 550,
                       .players = static_cast<uint8_t>(std::min<size_t>(players_.size(), 255)),
                       .max_players = static_cast<uint8_t>(max_players()),
                       .bots = 0,
                       .server_type = 'd',
                       .environment = 'l',
                       .visibility = static_cast<uint8_t>(cvar("sv_password").empty() ? 0 : 1),
                       .vac = static_cast<uint8_t>(options_.insecure ? 0 : 1),
                       .version = std::string(kVersion),
                       .port = options_.port,
                       .steam_id = 90000000000000000ull + options_.port,
                       .keywords = join(keywords, ","),
                       .game_id = 550};
}

std::vector<host::A2sPlayer> Game::players() const {
  std::vector<host::A2sPlayer> result;
  auto now = Clock::now();
  for (const SimulatedPlayer& player : players_) {
    float seconds = std::chrono::duration<float>(now - player.joined).count();
    result.push_back({.index = 0, .name = player.name, .score = player.score, .duration_seconds = seconds});
  }
  return result;
}

std::vector<host::A2sRule> Game::rules() const {
  std::vector<host::A2sRule> result;
  for (const auto& [name, value] : cvars_) {
    if (hidden_from_rules(name)) continue;
    const DefaultCvar* known = find_default(name);
    if ((known != nullptr && known->notify) || user_set_.count(name) > 0) result.push_back({name, value});
  }
  return result;
}

void Game::set_cvar(const std::string& name, const std::string& value) {
  user_set_.insert(name);
  auto& current = cvars_[name];
  if (current == value) return;
  current = value;
  const DefaultCvar* known = find_default(name);
  if (known != nullptr && known->notify) console_.print(fmt::format("Server cvar '{}' changed to {}", name, value));
}

std::string Game::run_command(const std::vector<std::string>& words, int depth) {
  const std::string& name = words[0];
  if (name == "status") return status();
  if (name == "stats") return stats();
  if (name == "left4me_ticks_reset") {
    ticks_.reset(Clock::now());
    return "tick measurements reset\n";
  }
  if (name == "changelevel" || name == "map") {
    if (words.size() < 2) return fmt::format("Usage:  {} <mapname>\n", name);
    if (!map_exists(words[1])) {
      return name == "map" ? fmt::format("map load failed: {} not found or invalid\n", words[1])
                           : fmt::format("changelevel failed: {} not found\n", words[1]);
    }
    pending_change_ = MapChange{.map = words[1], .mode = name == "map" && words.size() > 2 ? words[2] : ""};
    // As srcds: the line comes when the change begins, before the (possibly quiet) load.
    console_.print("---- Host_Changelevel ----");
    return "";
  }
  if (name == "quit" || name == "exit") {
    quit_requested_ = true;
    return "";
  }
  if (name == "say") {
    console_.print("Console: " + rest_of(words));
    return "";
  }
  if (name == "kick" || name == "kickid") return kick(words);
  if (name == "echo") return rest_of(words) + "\n";
  if (name == "exec") {
    if (words.size() < 2) return "exec <filename>: execute a script file\n";
    return exec_file(words[1], depth + 1);
  }
  if (name == "cvarlist") return cvarlist(words.size() > 1 ? words[1] : "");
  if (words.size() == 1) {
    auto found = cvars_.find(name);
    if (found == cvars_.end()) return fmt::format("Unknown command \"{}\"\n", name);
    const DefaultCvar* known = find_default(name);
    std::string line = fmt::format("\"{}\" = \"{}\"", name, found->second);
    if (known != nullptr) line += fmt::format(" ( def. \"{}\" )\n - {}", known->value, known->description);
    return line + "\n";
  }
  // Any `name value...` sets a cvar: the fake cannot know every cvar real cfg files use.
  set_cvar(name, rest_of(words));
  return "";
}

// The shape of Source's `stats` (CPU %, network in/out, uptime in minutes, map changes, frames per second,
// players, connects), then a line of the stand-in's own with its tick measurements (docs/fakes.md).
std::string Game::stats() const {
  auto now = Clock::now();
  TickReport ticks = ticks_.report(now);
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  double cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  double wall = std::chrono::duration<double>(now - started_).count();
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(now - started_).count();
  return fmt::format(
      "CPU   In (KB/s)  Out (KB/s)  Uptime  Map changes  FPS      Players  Connects\n"
      "{:<6.2f}{:<11.2f}{:<12.2f}{:<8}{:<13}{:<9.2f}{:<9}{}\n"
      "left4me_ticks tickrate={} ticks={} missed={} late_p50_us={} late_p99_us={} late_max_us={}\n",
      wall > 0 ? 100.0 * cpu_seconds / wall : 0.0, 0.0, 0.0, minutes, 0, ticks.ticks_per_second, players_.size(), 0,
      ticks.tickrate, ticks.ticks, ticks.missed, ticks.p50.count(), ticks.p99.count(), ticks.max.count());
}

// `kick <name>` (the whole rest of the line, as Source matches it) or `kickid <userid> [reason]`: the player
// leaves, and the console says so as Source does; the last one leaving lets the server hibernate.
std::string Game::kick(const std::vector<std::string>& words) {
  if (words.size() < 2) return fmt::format("Usage:  {} < {} >\n", words[0], words[0] == "kick" ? "name" : "userid");
  auto found = std::find_if(players_.begin(), players_.end(), [&](const SimulatedPlayer& player) {
    return words[0] == "kick" ? player.name == rest_of(words) : std::to_string(player.userid) == words[1];
  });
  if (found == players_.end()) return fmt::format("{}: no such player \"{}\"\n", words[0], words[1]);
  console_.print(fmt::format("Dropped {} from server (Kicked by Console)", found->name));
  players_.erase(found);
  if (players_.empty() && cvar("sv_hibernate_when_empty") != "0") console_.print("Server is hibernating");
  return "";
}

std::string Game::status() const {
  std::string out;
  out += fmt::format("hostname: {}\n", reported_hostname());
  out += fmt::format("version : {} 9309 {}  (unknown)\n", kVersion, options_.insecure ? "insecure" : "secure");
  out += fmt::format("udp/ip  : {}:{} [ public same ]\n", options_.ip, options_.port);
  out += "os      : Linux Dedicated\n";
  out += fmt::format("map     : {}\n", map_);
  bool hibernating = players_.empty() && cvar("sv_hibernate_when_empty") != "0";
  out += fmt::format("players : {} humans, 0 bots ({} max) ({}) (unreserved)\n", players_.size(), max_players(),
                     hibernating ? "hibernating" : "not hibernating");
  out += "\n# userid name uniqueid connected ping loss state rate\n";
  auto now = Clock::now();
  for (const SimulatedPlayer& player : players_) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - player.joined).count();
    out += fmt::format("# {} \"{}\" STEAM_1:0:{} {:02}:{:02} {} 0 active 30000\n", player.userid, player.name,
                       10000 + player.userid, seconds / 60, seconds % 60, 40 + player.userid * 3);
  }
  return out;
}

std::string Game::cvarlist(std::string_view prefix) const {
  std::string out = "cvar list\n--------------\n";
  int count = 0;
  for (const auto& [name, value] : cvars_) {
    if (!prefix.empty() && name.rfind(prefix, 0) != 0) continue;
    const DefaultCvar* known = find_default(name);
    std::string flags = known != nullptr && known->notify ? ", \"sv\", \"nf\"" : ", \"sv\"";
    std::string shown = name == "rcon_password" || name == "sv_password" ? "" : value;
    out += fmt::format("{:<40}: {:<8} : {:<16} : {}\n", name, shown, flags, known != nullptr ? known->description : "");
    ++count;
  }
  out += fmt::format("--------------\n{:>3} total convars/concommands\n", count);
  return out;
}

}  // namespace left4me::fake_srcds
