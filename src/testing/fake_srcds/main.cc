// fake-srcds: stands in for `srcds_run -norestart` / srcds_linux of Left 4 Dead 2 in tests and benchmarks.
// Speaks A2S and RCON on the game port like the real server (docs/protocols.md) and plays faults chosen by
// environment variables:
//   FAKE_SRCDS_CRASH_AFTER=<seconds>       die by SIGSEGV (or FAKE_SRCDS_CRASH_SIGNAL=SIGABRT) after that long
//   FAKE_SRCDS_HANG_AFTER=<seconds>        stop answering A2S and RCON and ignore SIGINT/SIGTERM (SIGKILL ends it)
//   FAKE_SRCDS_BIND_FAIL=1                 print srcds' bind failure lines and exit 1
//   FAKE_SRCDS_START_DELAY_MS=<ms>         bind, then answer nothing until the map has loaded after <ms>
//   FAKE_SRCDS_MAPCHANGE_QUIET_MS=<ms>     after changelevel/map, A2S is silent for <ms> before the new map
//   FAKE_SRCDS_PLAYERS=<n>                 n simulated players (A2S_PLAYER, status)
//   FAKE_SRCDS_PLAYER_NAMES=<a>,<b>        the first players' names (raw bytes)
//   FAKE_SRCDS_NO_CHALLENGE=1              answer A2S_INFO without the S2C challenge step
//   FAKE_SRCDS_INVALID_UTF8_HOSTNAME=1     report the hostname with bytes that are not UTF-8 after it
// See docs/fakes.md for the command line and the details.
#include <cstdio>
#include <string>
#include <vector>

#include "testing/fake_srcds/options.h"
#include "testing/fake_srcds/server.h"

int main(int argc, char** argv) {
  using namespace left4me::fake_srcds;
  auto options = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::fprintf(stderr, "fake-srcds: %s\n", options.error().message().c_str());
    return 2;
  }
  if (auto status = read_fault_environment(*options); !status.ok()) {
    std::fprintf(stderr, "fake-srcds: %s\n", status.error().message().c_str());
    return 2;
  }
  find_steam_client(*options);
  return run_server(*options);
}
