// The game builds on the host as the panel reads them from `l4d2ctl install --list --json` (docs/cli.md): every
// installed build, the current one, which instances run each, and the last update check; and the rule for when
// the panel runs a check itself. Value types and functions without state; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/ctl.h"

namespace left4me::web {

struct InstalledBuild {
  std::string id;
  std::string version;  // PatchVersion, "" when unknown
  bool current = false;
  std::vector<std::string> used_by;  // instance names
};

// What the last `l4d2ctl install --check` found, by whomever it ran (the timer, the panel, an admin).
struct UpdateCheck {
  std::int64_t at = 0;                   // unix seconds
  std::optional<std::string> available;  // the public branch's build id; none when the check failed
  std::string error;                     // why it failed, "" when it did not
};

// The filesystem of the host's data root (LEFT4ME_ROOT): free is what the service user may still write.
struct Disk {
  std::string path;
  std::uint64_t free_bytes = 0;
  std::uint64_t total_bytes = 0;
};

struct GameBuilds {
  std::vector<InstalledBuild> builds;  // oldest first
  std::optional<std::string> current;
  std::optional<UpdateCheck> last_check;
  std::optional<Disk> disk;  // nullopt from a host older than the field, or one that could not read it

  bool is_installed(const std::string& id) const;
};

// Parses the object `install --list --json` prints; kInvalidArgument naming what is wrong (a `disk` that is given
// and not null must be {path, free_bytes, total_bytes}).
Result<GameBuilds> parse_game_builds(const std::string& text);
// Runs `l4d2ctl install --list --json` and parses it.
Result<GameBuilds> read_game_builds(const Ctl& ctl);

// The panel checks for an update itself when no check ran within `interval` (0: never).
bool update_check_due(const std::optional<UpdateCheck>& last, std::int64_t now, std::chrono::hours interval);

// A build id as the host names its directories: 1 to 20 digits (checked before it reaches l4d2ctl's argv).
bool is_build_id(const std::string& text);

}  // namespace left4me::web
