// fake-srcds options: what `srcds_run -norestart ... ` was asked to do (command line) and which fault to
// play (FAKE_SRCDS_* environment variables, see docs/fakes.md). Plain values; thread-compatible.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace left4me::fake_srcds {

// A console command from the command line (`+name args...`), run in order before the map loads.
struct StartupCommand {
  std::string line;  // "sv_cheats 1", "exec extra.cfg"
};

struct Faults {
  std::optional<std::chrono::milliseconds> crash_after;  // FAKE_SRCDS_CRASH_AFTER (seconds, may be fractional)
  int crash_signal = SIGSEGV;                            // FAKE_SRCDS_CRASH_SIGNAL=SIGSEGV|SIGABRT
  std::optional<std::chrono::milliseconds> hang_after;   // FAKE_SRCDS_HANG_AFTER (seconds)
  bool bind_fail = false;                                // FAKE_SRCDS_BIND_FAIL=1
  std::chrono::milliseconds start_delay{0};              // FAKE_SRCDS_START_DELAY_MS
  std::chrono::milliseconds mapchange_quiet{0};          // FAKE_SRCDS_MAPCHANGE_QUIET_MS
  int players = 0;                                       // FAKE_SRCDS_PLAYERS
  std::vector<std::string> player_names;                 // FAKE_SRCDS_PLAYER_NAMES, comma-separated
  bool no_challenge = false;                             // FAKE_SRCDS_NO_CHALLENGE=1
  bool invalid_utf8_hostname = false;                    // FAKE_SRCDS_INVALID_UTF8_HOSTNAME=1
  std::chrono::microseconds tick_work{0};                // FAKE_SRCDS_TICK_WORK_US: CPU spent per tick
};

struct Options {
  std::string game = "left4dead2";
  std::string ip = "0.0.0.0";
  uint16_t port = 27015;
  std::optional<int> maxplayers;  // -maxplayers / +maxplayers
  int tickrate = 30;              // -tickrate (1..1000), honoured as with a tickrate enabler
  std::string map;                // first word of +map
  std::string mode;               // second word of +map, if any
  bool insecure = false;          // -insecure: VAC off
  bool condebug = false;          // -condebug: console mirrored to <game>/console.log
  std::string pidfile;            // -pidfile F
  // $HOME/.steam/sdk32/steamclient.so, where srcds loads the Steam client library from; without it (or
  // without HOME) the server runs in LAN mode only. Set by find_steam_client.
  std::string steam_client;
  bool steam_client_found = false;
  std::vector<StartupCommand> commands;
  Faults faults;
};

// Parses argv (without argv[0]) the way srcds does: `-flag [value]` parameters and `+command args...`
// up to the next `+`/`-` word. Unknown flags are ignored; unknown `+name value` pairs become commands.
Result<Options> parse_command_line(const std::vector<std::string>& args);
// Reads the FAKE_SRCDS_* variables into options.faults. Fails naming the variable on a bad value.
Status read_fault_environment(Options& options);
// Looks for the Steam client library below HOME as srcds does (a file it can open for reading).
void find_steam_client(Options& options);

}  // namespace left4me::fake_srcds
