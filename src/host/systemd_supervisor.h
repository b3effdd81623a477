// The systemd backend of Supervisor: each instance is the unit
// left4me-server@<name>.service, acted on only through the privileged helpers
// left4me-systemctl and left4me-journalctl (through `sudo -n` when not root).
// Mounting happens in the unit's ExecStartPre=+/ExecStopPost=+ hooks.
// Thread-compatible; safe across processes (systemd serializes jobs per unit).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/subprocess.h"
#include "host/host_config.h"
#include "host/supervisor.h"
#include "model/layout.h"

namespace left4me::host {

enum class Privilege { kDirect, kSudo };  // run the helpers as we are, or through `sudo -n`

struct SystemdSupervisorOptions {
  std::string helper_dir{kDefaultHelperDir};
  Privilege privilege = Privilege::kDirect;
  // Runs before a stopped instance is started (e.g. places the rendered config
  // into the writable layer while it is not mounted). May be empty.
  std::function<Status(const model::InstanceName&)> prepare;
};

// Options for l4d2ctl: the helpers in `helper_dir` (host.env's LEFT4ME_HELPER_DIR); sudo when the effective
// uid is not 0.
SystemdSupervisorOptions systemd_supervisor_options(std::string helper_dir);

class SystemdSupervisor : public Supervisor {
 public:
  explicit SystemdSupervisor(SystemdSupervisorOptions options);

  std::string_view name() const override { return "systemd"; }
  // `left4me-systemctl enable`: gives the unit the instance's own uid (a unit
  // drop-in, see helper/systemd_identity.h), starts it now and at boot; returns
  // once the main process runs (the start job completed). A failed unit is
  // reset first. Already running: nothing changes.
  Status start(const model::InstanceName& name) override;
  // `left4me-systemctl disable`: SIGINT, then SIGKILL after the unit's
  // TimeoutStopSec (15 s); the ExecStopPost hook unmounts. `timeout` only
  // bounds how long we wait for the helper (plus the unit's own timeout); a
  // shorter stop than the unit's is not possible.
  Status stop(const model::InstanceName& name, std::chrono::seconds timeout) override;
  // From `left4me-systemctl show`.
  Result<ProcessInfo> info(const model::InstanceName& name) override;
  // `left4me-journalctl`: the unit's journal, message text only; follows until
  // on_line returns false, the helper ends, or a signal handler interrupts the
  // wait (poll fails with EINTR).
  Status logs(const model::InstanceName& name, int lines, Follow follow,
              const std::function<bool(std::string_view)>& on_line) override;
  // `left4me-systemctl kill`: SIGKILL to every process of the unit, which systemd then restarts under its
  // Restart= and StartLimitBurst= (the health monitor's way to end a hung server).
  Status kill(const model::InstanceName& name);
  // `left4me-journalctl --map-changes`, running: its stdout gives one JSON line (unit and time) per map
  // change any server's console begins (health_monitor.h, parse_journal_map_change); stderr is inherited.
  Result<Subprocess> follow_map_changes() const;

 private:
  std::vector<std::string> helper_command(std::string_view helper, std::vector<std::string> args) const;
  Result<std::string> run_helper(std::string_view helper, std::vector<std::string> args,
                                 std::chrono::seconds timeout) const;
  SystemdSupervisorOptions options_;
};

// Parses `systemctl show` output (KEY=value lines) into properties.
std::map<std::string, std::string> parse_properties(std::string_view text);
// Maps a unit's properties (ActiveState, SubState, Result, MainPID, NRestarts,
// ExecMain*, timestamps as "@<unix seconds>") to ProcessInfo.
ProcessInfo process_info_from_properties(const std::map<std::string, std::string>& properties);

// True when the systemd backend can run this layout: PID 1 is systemd
// (/run/systemd/system exists), the template unit is installed, and the
// layout's root is /var/lib/left4me (the units' fixed paths).
bool systemd_available(const model::Layout& layout);
// The same, with every absolute path looked up under `filesystem_root` (for
// tests).
bool systemd_available(const model::Layout& layout, std::string_view filesystem_root);

}  // namespace left4me::host
