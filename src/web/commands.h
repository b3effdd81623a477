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

}  // namespace left4me::web
