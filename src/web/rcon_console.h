// RconConsole: console commands a user sends from the panel (who may: ServerAction::kRcon, authorization.h), run
// through `l4d2ctl rcon` (the web app never speaks RCON and never sees the password), the commands the page's buttons
// build (change map, kick, say), and the audit log every command lands in. Stateless functions and a store over
// the database; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/maps.h"
#include "web/accounts.h"
#include "web/ctl.h"
#include "web/database.h"
#include "web/servers.h"

namespace left4me::web {

// How a console command ended: l4d2ctl ran it (ok), l4d2ctl failed (failed: the server is not running, RCON
// refused...), or the panel refused it before running anything (refused: not a valid command or action).
enum class RconOutcome { kOk, kFailed, kRefused };
std::string_view to_string(RconOutcome outcome);

// The longest command the console takes (bytes); an RCON request body holds 4086.
inline constexpr std::size_t kMaxConsoleCommand = 1024;

// A typed command: 1..kMaxConsoleCommand bytes of valid UTF-8 without control characters (a line break would
// let one entry run two commands unseen in the log). kInvalidArgument naming the problem.
Status check_console_command(std::string_view command);
// `changelevel <map>` for a map the catalog (the server's installation and overlays) lists.
Result<std::string> changelevel_command(const model::MapCatalog& catalog, std::string_view map);
// `kick "<name>"` for a player's name as A2S reports it. Players choose their names: one with a quote, a `;`
// or a control character could break out of the quotes and run another command, so it is refused.
Result<std::string> kick_command(std::string_view player_name);
// `say <text>`; text without `;` or `"` (they would end the say and start another command).
Result<std::string> say_command(std::string_view text);

struct RconAuditEntry {
  std::int64_t id = 0;
  std::int64_t server_id = 0;
  std::string server_name;
  std::int64_t user_id = 0;
  std::string user_name;
  std::int64_t at = 0;  // Unix seconds
  std::string command;
  RconOutcome outcome = RconOutcome::kOk;
  std::string detail;  // why it failed or was refused; "" when ok
};

// The audit log (table rcon_audit). Entries outlive their user (the name is kept); a deleted server's entries
// stay in the table with server_id NULL and are no longer shown on any server.
class RconAudit {
 public:
  explicit RconAudit(Database& database) : database_(database) {}
  Status record(const RconAuditEntry& entry);
  // The server's newest `limit` entries, newest first.
  Result<std::vector<RconAuditEntry>> for_server(std::int64_t server_id, int limit);

 private:
  Database& database_;
};

struct ConsoleReply {
  std::string command;
  RconOutcome outcome = RconOutcome::kOk;
  std::string text;  // the server's reply when ok, else why not
};

// Runs `l4d2ctl rcon <instance> -- <command>` for the user and records it, whatever the outcome. A command
// refused by check_console_command, or a server the panel does not manage yet, is recorded as refused and not
// run. Fails only if the audit entry cannot be written (then the command, if it ran, is reported as failed).
Result<ConsoleReply> run_console_command(const Ctl& ctl, RconAudit& audit, const Server& server, const User& user,
                                         const std::string& command);
// As run_console_command, for an action whose command could not be built: records it as refused.
Result<ConsoleReply> refuse_console_command(RconAudit& audit, const Server& server, const User& user,
                                            const std::string& what, const Error& why);

}  // namespace left4me::web
