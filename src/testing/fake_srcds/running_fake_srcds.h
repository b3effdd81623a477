// Test support: a fake-srcds process on a free 127.0.0.1 port in a temporary game root, stopped and
// removed on destruction. Single owner; not synchronized. Built into the tests that use it, never shipped.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/subprocess.h"
#include "testing/test_support.h"

namespace left4me::testing {

struct FakeSrcdsSetup {
  std::string server_cfg;               // written to left4dead2/cfg/server.cfg
  std::vector<std::string> extra_args;  // after -game/+ip/-port/+map
  std::vector<std::string> env;         // "FAKE_SRCDS_...=..." added to the environment
  std::string map = "c1m1_hotel";
};

class RunningFakeSrcds {
 public:
  // Starts the binary at `binary` and waits (up to 10 s) until it printed that the map is loaded.
  static Result<std::unique_ptr<RunningFakeSrcds>> start(const std::string& binary, const FakeSrcdsSetup& setup);
  RunningFakeSrcds(const RunningFakeSrcds&) = delete;
  RunningFakeSrcds& operator=(const RunningFakeSrcds&) = delete;
  ~RunningFakeSrcds();

  uint16_t port() const { return port_; }
  Subprocess& process() { return *process_; }
  // Everything the server printed so far (reads what is available without blocking).
  const std::string& output();

 private:
  RunningFakeSrcds() = default;
  test::TempDir root_;  // the game root
  uint16_t port_ = 0;
  std::optional<Subprocess> process_;
  std::string output_;
};

// A port free for both TCP and UDP on 127.0.0.1 right now.
Result<uint16_t> free_port();

}  // namespace left4me::testing
