// The fake game server's state: cvars, the current map, simulated players, and the console that runs
// commands from the command line, cfg files and RCON and prints srcds-like lines. Single-threaded.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "host/source_wire.h"
#include "testing/fake_srcds/options.h"
#include "testing/fake_srcds/tick_meter.h"

namespace left4me::fake_srcds {

using Clock = std::chrono::steady_clock;

// Where console lines go: stdout, one write per line (so a pipe reader sees each line at once), and with
// -condebug also <game>/console.log.
class Console {
 public:
  explicit Console(std::string condebug_path = "");
  void print(std::string_view line);

 private:
  UniqueFd log_;
};

struct SimulatedPlayer {
  int userid = 0;
  std::string name;
  int score = 0;
  Clock::time_point joined;
};

// A map change the console asked for; the main loop applies it (after the quiet time, if any).
struct MapChange {
  std::string map;
  std::string mode;  // empty: keep mp_gamemode
};

class Game {
 public:
  Game(const Options& options, Console& console, Clock::time_point started);

  // Runs one console line (several commands may be separated by ';'); returns the text a console or RCON
  // client sees. `exec` depth is limited so a cfg that execs itself ends.
  std::string execute(std::string_view line, int depth = 0);
  // Runs <game>/cfg/<name>; prints srcds' message if it is missing.
  std::string exec_file(std::string_view name, int depth = 0);

  // True if map names a stock map, <game>/maps/<map>.bsp exists, or an addon <game>/addons/*.vpk (not in a
  // subdirectory such as addons/workshop/) holds maps/<map>.bsp, as srcds loads maps from addon VPKs.
  bool map_exists(std::string_view map) const;
  // Loads a map: prints the map-load lines, runs server.cfg, and makes A2S report it.
  void load_map(const MapChange& change, bool first);
  bool has_map() const { return !map_.empty(); }
  const std::string& map() const { return map_; }

  // Set by changelevel/map; taken by the main loop.
  std::optional<MapChange> take_map_change();
  bool quit_requested() const { return quit_requested_; }

  std::string cvar(std::string_view name) const;
  // The hostname as A2S_INFO and `status` report it: the cvar, plus invalid UTF-8 when that fault is on.
  std::string reported_hostname() const;
  int max_players() const;
  host::A2sInfo info() const;
  std::vector<host::A2sPlayer> players() const;
  std::vector<host::A2sRule> rules() const;
  std::string rcon_password() const { return cvar("rcon_password"); }
  // The tick schedule the main loop keeps, which `stats` reports.
  TickMeter& ticks() { return ticks_; }
  const TickMeter& ticks() const { return ticks_; }

 private:
  bool addon_has_map(std::string_view map) const;
  std::string run_command(const std::vector<std::string>& words, int depth);
  std::string kick(const std::string& name);
  std::string status() const;
  std::string stats() const;
  std::string cvarlist(std::string_view prefix) const;
  void set_cvar(const std::string& name, const std::string& value);

  const Options& options_;
  Console& console_;
  std::map<std::string, std::string> cvars_;
  std::set<std::string> user_set_;  // cvars set by a cfg, the command line or RCON (shown in A2S_RULES)
  std::vector<SimulatedPlayer> players_;
  std::string map_;
  std::optional<MapChange> pending_change_;
  bool quit_requested_ = false;
  Clock::time_point started_;
  TickMeter ticks_;
};

// Splits a console line like Source does: ';' separates commands (outside quotes), "//" starts a comment,
// words are separated by blanks, and "quoted words" keep their blanks.
std::vector<std::vector<std::string>> tokenize_console_line(std::string_view line);

}  // namespace left4me::fake_srcds
