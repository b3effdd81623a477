// The shared core of the systemd helpers (left4me-systemctl,
// left4me-journalctl): unit naming, locating the tool by absolute path, and
// running it with a fixed environment. Stateless; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/subprocess.h"
#include "model/instance_name.h"

namespace left4me::helper {

// True for a caller that is root without having come through sudo (uid and euid 0, no
// SUDO_UID/SUDO_USER/SUDO_COMMAND): only such a caller (tests) may redirect the helpers.
bool caller_is_plain_root();

// Exit codes shared with upstream's helpers.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitToolMissing = 69;  // EX_UNAVAILABLE

// "left4me-server@<name>.service": the only unit the helpers ever touch.
std::string server_unit(const model::InstanceName& name);

// The tool to run: the first executable of `candidates` (absolute paths). The
// environment variable `override_variable` replaces the candidates only for a
// real-root caller that did not come through sudo (uid and euid 0, no
// SUDO_UID/SUDO_USER/SUDO_COMMAND), i.e. for tests run as root; through sudo it
// is ignored even if sudoers kept it. Fails with kUnavailable naming what was
// searched.
Result<std::string> locate_tool(const std::vector<std::string>& candidates, const char* override_variable);

// The fixed environment the tools run with (no pager, no colours, a system
// PATH).
std::vector<std::string> tool_environment();

// Runs argv to completion with stdin/stdout/stderr inherited; returns its
// shell-style exit code.
Result<int> run_tool(const std::vector<std::string>& argv);
// Runs argv to completion with the fixed environment, capturing stdout and stderr.
Result<RunResult> capture_tool(const std::vector<std::string>& argv);
// Replaces this process with argv (for streaming and for passing the final exit
// code through). Returns only on failure.
Error exec_tool(const std::vector<std::string>& argv);

}  // namespace left4me::helper
