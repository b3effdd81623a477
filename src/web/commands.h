// The l4d2web subcommands; each returns the process exit code (0 ok, 1 failed, 2 usage).
// Not thread-safe (process-level entry points).
#pragma once

#include <string>
#include <vector>

namespace left4me::web {

int command_serve(const std::vector<std::string>& args);
int command_migrate(const std::vector<std::string>& args);
int command_backup(const std::vector<std::string>& args);
int command_integrity_check(const std::vector<std::string>& args);
int command_create_user(const std::vector<std::string>& args);
// Queues one refresh_workshop job for every Workshop overlay, unless one is queued or running (then says so and
// queues nothing); the running web app's workers run it. What left4me-workshop-refresh.service runs daily.
int command_workshop_refresh(const std::vector<std::string>& args);
// seed-script-overlays <dir>: one global script overlay per example script <dir>/<key>.sh (its name and description
// from the file's header), created or, when the file changed since it was last seeded, updated keeping its id.
int command_seed_script_overlays(const std::vector<std::string>& args);

}  // namespace left4me::web
