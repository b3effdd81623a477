// Runs the fake srcds until it quits: binds UDP (A2S) and TCP (RCON) on the game port, prints srcds-like
// startup and map-load lines, serves both protocols from one poll() loop, and plays the configured faults.
#pragma once

#include "testing/fake_srcds/options.h"

namespace left4me::fake_srcds {

// Returns the process exit code (0 after quit/SIGINT/SIGTERM, 1 when the game dir or the port is unusable).
// Crash faults end the process by a signal instead of returning.
int run_server(const Options& options);

}  // namespace left4me::fake_srcds
