// Script overlays (issue 14, item 6): an overlay whose tree a bash script builds, run in the script sandbox by a
// build_overlay job (`l4d2ctl build-overlay <id> <script>`, docs/design.md "Script overlays"). The script is the
// file scripts/<id>.sh under the host root (beside overlays/, never inside the tree servers mount), the very file
// the sandbox runs; the table script_overlays (migration 16) keeps its description, when it was saved, and for an
// overlay seeded from an example file (`l4d2web seed-script-overlays`) which file and what was seeded.
// Thread-safe (through Database; a script file is replaced with one rename).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "web/database.h"
#include "web/overlays.h"

namespace left4me::web {

// A script's size limit: a quarter of the host's (1 MiB), so that one sent as JSON (escaped) fits a request body.
inline constexpr std::size_t kMaxScriptBytes = 256 * 1024;
inline constexpr std::size_t kMaxScriptDescription = 1000;

struct ScriptOverlay {
  std::int64_t overlay_id = 0;
  std::string script;  // "" until one is saved
  std::string description;
  std::optional<std::int64_t> saved_at;  // when the script was last saved (nullopt: never)
  std::string example;                   // the example file (its name without .sh) it was seeded from, or ""
  std::string example_sha256;            // of that file's content when it was last seeded
};

// nullopt when script may be saved: at most kMaxScriptBytes of UTF-8 text without NUL bytes; else why not.
std::optional<std::string> check_script(const std::string& script);
// nullopt for a description of at most kMaxScriptDescription bytes of UTF-8 text without NUL bytes.
std::optional<std::string> check_script_description(const std::string& description);

// scripts/<directory>.sh under the host root (model::Layout::overlay_script).
Result<std::string> overlay_script_path(const std::string& host_root, const std::string& directory);

// The build_overlay job's target for an overlay: "script overlay <id>" (one overlay's builds run in order).
std::string script_job_target(std::int64_t overlay_id);

class ScriptOverlays {
 public:
  ScriptOverlays(Database& database, std::string host_root) : database_(database), host_root_(std::move(host_root)) {}

  // The overlay's script (read from its file) and record; an empty one when none was saved.
  Result<ScriptOverlay> get(const Overlay& overlay);
  // Replaces the script file (0644, with one rename) and records the description and the time. kInvalidArgument
  // for what check_script or check_script_description refuses; nothing changes then.
  Status save(const Overlay& overlay, const std::string& script, const std::string& description);
  // The overlay seeded from example file `example` (nullopt: none yet).
  Result<std::optional<std::int64_t>> find_example(const std::string& example);
  // Records that the overlay was seeded from `example` whose content had this SHA-256.
  Status record_example(std::int64_t overlay_id, const std::string& example, const std::string& sha256);

 private:
  Database& database_;
  std::string host_root_;
};

}  // namespace left4me::web
