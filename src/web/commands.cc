#include "web/commands.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/log.h"
#include "web/accounts.h"
#include "web/config.h"
#include "web/database.h"
#include "web/jobs.h"
#include "web/migrations.h"
#include "web/script_overlay_seed.h"

namespace left4me::web {
namespace {

int fail(const Error& error) {
  fmt::print(stderr, "l4d2web: {}\n", error.message());
  return error.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

int usage_error(std::string_view message) {
  fmt::print(stderr, "l4d2web: {}\n", message);
  return 2;
}

struct Opened {
  WebConfig config;
  std::unique_ptr<Database> database;
};

Result<Opened> open_migrated() {
  Result<WebConfig> config = load_config(process_environment());
  if (!config) return config.error();
  Result<std::unique_ptr<Database>> database = Database::open(config->database_path);
  if (!database) return database.error();
  if (Status status = migrate(**database); !status) return status.error();
  return Opened{std::move(*config), std::move(*database)};
}

// Reads a line from the terminal without echo (or a plain line from a non-terminal stdin).
std::optional<std::string> read_secret(const char* prompt) {
  bool terminal = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    fmt::print(stderr, "{}", prompt);
    std::fflush(stderr);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fmt::print(stderr, "\n");
  }
  if (!got) return std::nullopt;
  return line;
}

}  // namespace

int command_migrate(const std::vector<std::string>& args) {
  if (!args.empty()) return usage_error("usage: l4d2web migrate");
  log::init("l4d2web");
  Result<Opened> opened = open_migrated();
  if (!opened) return fail(opened.error());
  fmt::print("database {} is at schema version {}\n", opened->config.database_path, latest_schema_version());
  return 0;
}

int command_backup(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-') return usage_error("usage: l4d2web backup <file>");
  log::init("l4d2web");
  Result<Opened> opened = open_migrated();
  if (!opened) return fail(opened.error());
  if (::access(args[0].c_str(), F_OK) == 0) {
    return fail(Error(ErrorCode::kAlreadyExists, fmt::format("backup: '{}' already exists", args[0])));
  }
  if (Status status = opened->database->backup_to(args[0]); !status) return fail(status.error());
  Result<std::unique_ptr<Database>> copy = Database::open(args[0]);
  if (!copy) return fail(copy.error());
  if (Status status = (*copy)->check_integrity(); !status) return fail(status.error());
  fmt::print("backed up {} to {}\n", opened->config.database_path, args[0]);
  return 0;
}

int command_workshop_refresh(const std::vector<std::string>& args) {
  if (!args.empty()) return usage_error("usage: l4d2web workshop-refresh");
  log::init("l4d2web");
  Result<Opened> opened = open_migrated();
  if (!opened) return fail(opened.error());
  Result<Jobs::RefreshAll> queued = Jobs(*opened->database).enqueue_workshop_refresh_all();
  if (!queued) return fail(queued.error());
  if (queued->queued) {
    fmt::print("queued refresh_workshop job {}: every Workshop overlay\n", queued->job.id);
  } else {
    fmt::print("nothing queued: refresh_workshop job {} is already {}\n", queued->job.id, to_string(queued->job.state));
  }
  return 0;
}

int command_seed_script_overlays(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-') {
    return usage_error("usage: l4d2web seed-script-overlays <dir>");
  }
  log::init("l4d2web");
  Result<Opened> opened = open_migrated();
  if (!opened) return fail(opened.error());
  Result<std::vector<SeededFile>> seeded = seed_script_overlays(*opened->database, opened->config, args[0]);
  if (!seeded) return fail(seeded.error());
  int failures = 0;
  for (const SeededFile& file : *seeded) {
    if (file.outcome == SeedOutcome::kFailed) ++failures;
    fmt::print(file.outcome == SeedOutcome::kFailed ? stderr : stdout, "{}{}\n",
               file.outcome == SeedOutcome::kFailed ? "l4d2web: " : "", file.message);
  }
  if (seeded->empty()) fmt::print("no example scripts (*.sh) in {}\n", args[0]);
  return failures == 0 ? 0 : 1;
}

int command_integrity_check(const std::vector<std::string>& args) {
  if (!args.empty()) return usage_error("usage: l4d2web integrity-check");
  log::init("l4d2web");
  Result<Opened> opened = open_migrated();
  if (!opened) return fail(opened.error());
  if (Status status = opened->database->check_integrity(); !status) return fail(status.error());
  fmt::print("{}: ok\n", opened->config.database_path);
  return 0;
}

int command_create_user(const std::vector<std::string>& args) {
  std::string name;
  Role role = Role::kUser;
  for (const std::string& arg : args) {
    if (arg == "--admin") {
      role = Role::kAdmin;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error(fmt::format("create-user: unknown flag '{}'", arg));
    } else if (name.empty()) {
      name = arg;
    } else {
      return usage_error("usage: l4d2web create-user <name> [--admin]");
    }
  }
  if (name.empty()) return usage_error("usage: l4d2web create-user <name> [--admin]");
  if (auto problem = check_user_name(name)) return usage_error(fmt::format("create-user '{}': {}", name, *problem));
  log::init("l4d2web");
  std::string password;
  if (const char* from_env = std::getenv("LEFT4ME_ADMIN_PASSWORD"); from_env != nullptr && *from_env != '\0') {
    password = from_env;
  } else {
    std::optional<std::string> first = read_secret("password: ");
    if (!first) return usage_error("create-user: no password given (type it, or set LEFT4ME_ADMIN_PASSWORD)");
    if (::isatty(STDIN_FILENO) != 0) {
      std::optional<std::string> again = read_secret("repeat password: ");
      if (!again || *again != *first) return usage_error("create-user: the passwords differ");
    }
    password = *first;
  }
  if (auto problem = check_password_rules(password)) return usage_error(fmt::format("create-user: {}", *problem));
  Result<Opened> opened = open_migrated();
  if (!opened) return fail(opened.error());
  Accounts accounts(*opened->database, opened->config.secret_key);
  Result<User> user = accounts.create_user(name, password, role);
  if (!user) return fail(user.error().with_context("create-user"));
  fmt::print("created {} '{}'\n", role == Role::kAdmin ? "admin" : "user", user->name);
  return 0;
}

}  // namespace left4me::web
