#include "web/rcon_console.h"

#include <fmt/format.h>

#include <chrono>

#include "base/utf8.h"

namespace left4me::web {
namespace {

// How long `l4d2ctl rcon` may take: its own RCON timeout is 5 s, plus starting and checking the peer.
constexpr std::chrono::seconds kRconTimeout{15};

bool has_control_character(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

std::optional<RconOutcome> parse_outcome(std::string_view text) {
  for (RconOutcome outcome : {RconOutcome::kOk, RconOutcome::kFailed, RconOutcome::kRefused}) {
    if (to_string(outcome) == text) return outcome;
  }
  return std::nullopt;
}

// The first line l4d2ctl wrote to stderr, without its "l4d2ctl: " prefix.
std::string ctl_failure(const RunResult& result) {
  std::string text = result.err.substr(0, result.err.find('\n'));
  constexpr std::string_view kPrefix = "l4d2ctl: ";
  if (text.rfind(kPrefix, 0) == 0) text.erase(0, kPrefix.size());
  if (text.empty()) text = "l4d2ctl rcon ended with " + result.status.describe();
  return make_valid_utf8(text);
}

// What the log shows of a refused command: valid UTF-8, each control character as U+FFFD (so a line break in
// it is visible, and it stays one line).
std::string printable(std::string_view text) {
  std::string valid = make_valid_utf8(text);
  std::string shown;
  shown.reserve(valid.size());
  for (char c : valid) {
    auto byte = static_cast<unsigned char>(c);
    shown += byte < 0x20 || byte == 0x7F ? std::string_view("\xEF\xBF\xBD") : std::string_view(&c, 1);
  }
  return shown;
}

Result<ConsoleReply> record(RconAudit& audit, const Server& server, const User& user, ConsoleReply reply) {
  RconAuditEntry entry{.server_id = server.id,
                       .server_name = server.name,
                       .user_id = user.id,
                       .user_name = user.name,
                       .at = unix_now(),
                       .command = reply.command,
                       .outcome = reply.outcome,
                       .detail = reply.outcome == RconOutcome::kOk ? "" : reply.text};
  if (Status status = audit.record(entry); !status) {
    return status.error().with_context(fmt::format("server '{}': the console command was not logged", server.name));
  }
  return reply;
}

}  // namespace

std::string_view to_string(RconOutcome outcome) {
  switch (outcome) {
    case RconOutcome::kOk:
      return "ok";
    case RconOutcome::kFailed:
      return "failed";
    case RconOutcome::kRefused:
      return "refused";
  }
  return "failed";
}

Status check_console_command(std::string_view command) {
  if (command.empty()) return Error::invalid("command: type a console command");
  if (command.size() > kMaxConsoleCommand) {
    return Error::invalid(fmt::format("command: longer than {} bytes", kMaxConsoleCommand));
  }
  if (!is_valid_utf8(command)) return Error::invalid("command: not valid UTF-8");
  if (has_control_character(command)) return Error::invalid("command: one line without control characters");
  return ok_status();
}

Result<std::string> changelevel_command(const model::MapCatalog& catalog, std::string_view map) {
  if (map.empty()) return Error::invalid("map: choose a map");
  if (!model::catalog_has_map(catalog, map)) {
    return Error::invalid(fmt::format("map: '{}' is not in the server's map list", make_valid_utf8(map)));
  }
  return fmt::format("changelevel {}", map);
}

Result<std::string> kick_command(std::string_view player_name) {
  if (player_name.empty()) return Error::invalid("player: choose a player");
  if (!is_valid_utf8(player_name) || has_control_character(player_name) ||
      player_name.find_first_of("\";") != std::string_view::npos) {
    return Error::invalid(
        fmt::format("player: '{}' cannot be kicked from here (a quote, ';' or control character in the name); "
                    "use kickid with the userid `status` shows",
                    make_valid_utf8(player_name)));
  }
  return fmt::format("kick \"{}\"", player_name);
}

Result<std::string> say_command(std::string_view text) {
  if (text.empty()) return Error::invalid("text: type what to say");
  if (text.find_first_of("\";") != std::string_view::npos) return Error::invalid("text: without '\"' or ';'");
  std::string command = fmt::format("say {}", text);
  if (Status status = check_console_command(command); !status) return status.error();
  return command;
}

Status RconAudit::record(const RconAuditEntry& entry) {
  Database::Lock lock(database_);
  auto insert = lock.prepare(
      "INSERT INTO rcon_audit (server_id, server_name, user_id, user_name, at, command, outcome, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, entry.server_id)
      .bind(2, entry.server_name)
      .bind(3, entry.user_id)
      .bind(4, entry.user_name)
      .bind(5, entry.at)
      .bind(6, entry.command)
      .bind(7, to_string(entry.outcome))
      .bind(8, entry.detail);
  return insert->run();
}

Result<std::vector<RconAuditEntry>> RconAudit::for_server(std::int64_t server_id, int limit) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT id, server_id, server_name, user_id, user_name, at, command, outcome, detail FROM rcon_audit "
      "WHERE server_id = ? ORDER BY id DESC LIMIT ?");
  if (!select) return select.error();
  select->bind(1, server_id).bind(2, limit);
  std::vector<RconAuditEntry> entries;
  while (true) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    RconAuditEntry entry{.id = select->column_int(0),
                         .server_id = select->column_int(1),
                         .server_name = select->column_text(2),
                         .user_id = select->column_int(3),
                         .user_name = select->column_text(4),
                         .at = select->column_int(5),
                         .command = select->column_text(6),
                         .outcome = parse_outcome(select->column_text(7)).value_or(RconOutcome::kFailed),
                         .detail = select->column_text(8)};
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<ConsoleReply> run_console_command(const Ctl& ctl, RconAudit& audit, const Server& server, const User& user,
                                         const std::string& command) {
  if (Status checked = check_console_command(command); !checked) {
    return refuse_console_command(audit, server, user, command, checked.error());
  }
  std::optional<std::string> instance = server.managed_instance();
  if (!instance) {
    return refuse_console_command(audit, server, user, command,
                                  Error::failed("the server has never been started from the panel"));
  }
  ConsoleReply reply{.command = command};
  Result<RunResult> ran = ctl.run({"rcon", *instance, "--", command}, kRconTimeout);
  if (!ran) {
    reply.outcome = RconOutcome::kFailed;
    reply.text = ran.error().message();
  } else if (std::optional<Error> unreachable = transport_error(ctl, ran->status, ran->err)) {
    reply.outcome = RconOutcome::kFailed;  // the host did not answer: nothing was said to the server
    reply.text = unreachable->message();
  } else if (!ran->status.success()) {
    reply.outcome = RconOutcome::kFailed;
    reply.text = ctl_failure(*ran);
  } else {
    reply.text = make_valid_utf8(ran->out);
  }
  return record(audit, server, user, std::move(reply));
}

Result<ConsoleReply> refuse_console_command(RconAudit& audit, const Server& server, const User& user,
                                            const std::string& what, const Error& why) {
  ConsoleReply reply{.command = printable(std::string_view(what).substr(0, kMaxConsoleCommand)),
                     .outcome = RconOutcome::kRefused,
                     .text = why.message()};
  return record(audit, server, user, std::move(reply));
}

}  // namespace left4me::web
