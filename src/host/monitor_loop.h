// The health monitor of the built-in supervisor: one process for every instance (`l4d2ctl __monitor`,
// its own session, holding runtime/.monitor.lock), started by `start` when none runs and ending once no
// instance runs. Every interval it asks every running server for A2S_INFO at once (one non-blocking
// socket each, one poll), lets a HealthTracker (health_monitor.h) decide, records the verdict in
// runtime/<name>/health.json, and ends an unresponsive server's process group with SIGKILL, so that the
// instance's supervisor restarts it under its own restart policy and burst limit. Single-threaded.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "host/health_monitor.h"
#include "host/list_snapshot.h"
#include "host/live_snapshot.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

// Starts the monitor (`self_exe __monitor --lock-fd N`, detached) unless one holds runtime/.monitor.lock.
// Called after an instance's server runs, so a monitor that is about to end sees it (it looks once more
// after releasing the lock). Returns the pid of the monitor it started (the caller's child, which a
// long-lived caller reaps), or nullopt when one runs already.
Result<std::optional<pid_t>> ensure_monitor(const model::Layout& layout, const std::string& self_exe);

// What the built-in monitor reads once a round for `list --json` (Instances::list_snapshot_for): the list entries
// of the servers named, given the round's live snapshot.
using ListEntriesReader =
    std::function<ListSnapshot(const std::vector<model::InstanceName>& names, const LiveSnapshot& live)>;

// The body of `l4d2ctl __monitor --lock-fd N`: runs until no instance has a supervisor, or SIGINT/SIGTERM.
// With `list_entries`, it also writes runtime/.monitor-list once a round, when the round's answers are in, with
// the entries of the servers that answered. Returns the process exit code.
int run_monitor(const model::Layout& layout, const HealthSettings& settings, int lock_fd,
                const ListEntriesReader& list_entries = {});

// The body of `l4d2ctl __monitor --systemd` (left4me-monitor.service): watches the servers systemd runs
// (left4me-server@<name>.service), ends a hung one through the helpers in `helper_dir` (sudo), and runs until
// SIGINT/SIGTERM. Returns the process exit code (0 at once when LEFT4ME_HANG_SECONDS is 0).
int run_systemd_monitor(const model::Layout& layout, const HealthSettings& settings, const std::string& helper_dir);

// Records that a map change begins at `unix_ms` (default: now) in runtime/<name>/map_change, so the monitor
// gives the server its grace window. Best effort: failing to record it only shortens the grace.
Status record_map_change(const model::Layout& layout, const model::InstanceName& name,
                         std::optional<std::int64_t> unix_ms = std::nullopt);

}  // namespace left4me::host
