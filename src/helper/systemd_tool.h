// The shared core of the systemd helpers (left4me-systemctl,
// left4me-journalctl): unit naming, locating the tool by absolute path, and
// running it with a fixed environment. Stateless; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/subprocess.h"
#include "model/instance_name.h"

namespace left4me::helper {

// Exit codes shared with upstream's helpers.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitToolMissing = 69;  // EX_UNAVAILABLE

// "left4me-server@<name>.service": the only unit the helpers ever touch.
std::string server_unit(const model::InstanceName& name);

// The tool to run: the first executable of `candidates` (absolute paths), or
// only `chosen` when set (a test hook from HelperConfig, which only a plain-root
// caller can set). Fails with kUnavailable naming what was searched.
Result<std::string> locate_tool(const std::vector<std::string>& candidates, const std::optional<std::string>& chosen);

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
