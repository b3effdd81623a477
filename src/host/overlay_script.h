// Building a script overlay: its bash script run in the script sandbox, its output streamed line by line
// (docs/design.md, "Script overlays"). The entry `l4d2ctl build-overlay` calls. Thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "host/host_env.h"
#include "model/layout.h"

namespace left4me::host {

// Which sandbox runs the script: follows the supervisor (systemd when servers run under systemd).
enum class ScriptRunner {
  kSystemd,     // a transient unit, started by the left4me-script-sandbox helper (through sudo unless root)
  kBubblewrap,  // bwrap under prlimit, started here, killed here at the time limit
};

struct ScriptRunOptions {
  ScriptRunner runner = ScriptRunner::kBubblewrap;
  ScriptLimits limits;  // bubblewrap only: the helper reads host.env itself
  std::string helper = "/usr/local/libexec/left4me/left4me-script-sandbox";
  std::string bwrap = "/usr/bin/bwrap";
  std::string prlimit = "/usr/bin/prlimit";
};

// Copies `script_source` to the overlay's script (scripts/<id>.sh, 0644, replaced atomically), runs it in
// the sandbox with overlays/<id> as its only writable directory, and calls on_line for each line it writes
// (stdout and stderr together, as they come; the sandbox's own notes too, e.g. a removed symlink or the
// time limit). Afterwards the tree is world-readable and holds no symlink out of it.
// Returns the script's exit status (128 + signal when it was killed). Fails before anything runs when
// the id is malformed or the source is unreadable or too large (kInvalidArgument), or overlays/<id> is
// missing (kNotFound).
Result<int> run_overlay_script(const model::Layout& layout, std::string_view overlay_id,
                               const std::string& script_source, const ScriptRunOptions& options,
                               const std::function<void(std::string_view)>& on_line);

}  // namespace left4me::host
