// Seeding global script overlays from example scripts (`l4d2web seed-script-overlays <dir>`, issue 14 item 6):
// each <dir>/<key>.sh becomes the global script overlay seeded from <key>, named and described by the file's header
// (examples/script-overlays/README.md). Seeding again finds the same overlay (script_overlays.example), so ids are
// stable; it changes the overlay (name, description, script) only when the file's content changed since it was last
// seeded, so a second run changes nothing and the panel's edits stay until the example itself changes. Not
// thread-safe against itself (a command, run by hand); safe beside the running web app (through Database).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/config.h"
#include "web/database.h"

namespace left4me::web {

struct ExampleScript {
  std::string key;  // the file's name without .sh
  std::string name;
  std::string description;
  std::string script;  // the whole file
};

// The header of an example file: after the #! line, `# left4me-name: <text>` (required) and
// `# left4me-description: <text>` lines (joined with spaces), up to the first line that is no comment.
// kInvalidArgument naming what is wrong; the script must also pass check_script.
Result<ExampleScript> parse_example_script(const std::string& key, const std::string& text);

enum class SeedOutcome { kCreated, kUpdated, kUnchanged, kFailed };

struct SeededFile {
  std::string file;  // <key>.sh
  SeedOutcome outcome = SeedOutcome::kFailed;
  std::int64_t overlay_id = 0;  // 0 when it failed
  std::string message;          // what happened, one line
};

// Seeds every <dir>/*.sh (in name order; other entries ignored). A file that cannot be seeded is reported as
// kFailed and the others are still seeded. Fails as a whole only when dir cannot be read.
Result<std::vector<SeededFile>> seed_script_overlays(Database& database, const WebConfig& config,
                                                     const std::string& dir);

}  // namespace left4me::web
