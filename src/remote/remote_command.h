// What the panel may run on a host over SSH. The panel's key on a host has a forced command,
// l4d2ctl-remote, which gets the panel's command line in SSH_ORIGINAL_COMMAND: it is split here without a
// shell, checked against the l4d2ctl contract (docs/cli.md) and turned into l4d2ctl's argv. Everything
// else (a shell, other programs, internal commands, unknown options, smuggled options) is refused.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::remote {

inline constexpr std::size_t kMaxCommandBytes = 8192;
// The most a spec may weigh on standard input (`initialize <name> -f -`).
inline constexpr std::size_t kMaxSpecBytes = 256 * 1024;

// Splits a command line written in a strict subset of POSIX shell quoting, so that the panel's quoted line
// means the same to a shell and to this function: words separated by one space each; a word is a run of
// plain characters (A-Z a-z 0-9 and _ @ % + = : , . / -), of single-quoted text ('...', any bytes but
// the quote, control characters and invalid UTF-8), and of \' (a quote). Anything else (other
// characters outside quotes, double quotes, tabs, newlines, an unclosed quote, an empty line) is an
// invalid-argument error naming the position.
Result<std::vector<std::string>> split_command(std::string_view line);

// Writes words so that split_command gives them back (the panel's side of the same rules). Fails on a word
// split_command cannot carry (control characters, invalid UTF-8).
Result<std::string> quote_command(const std::vector<std::string>& words);

// Where an l4d2ctl call takes its spec from.
enum class SpecInput { kNone, kStandardInput };

// How long a call runs: to its own end, or (`logs --follow`) while the panel reads its output. Over ssh
// without a terminal the panel's end shows only as the session's output closing (sshd sends no signal), which
// a follower would notice at its next line only: l4d2ctl-remote ends it when its output's reader goes.
enum class Lifetime { kToCompletion, kWhileRead };

// A checked call: l4d2ctl's arguments (without the program), whether the spec comes on standard input
// (then args holds kSpecPlaceholder where the spec file's path goes), and how long it runs.
struct Call {
  std::vector<std::string> args;
  SpecInput spec = SpecInput::kNone;
  Lifetime lifetime = Lifetime::kToCompletion;
};
inline constexpr std::string_view kSpecPlaceholder = "-";

// Checks split words against the remote contract: a command of l4d2ctl's (install, initialize, start,
// stop, restart, delete, status, list, logs, rcon), its instance name (model::InstanceName), and only
// the options that command has, with numeric values where they take one. `initialize` takes its spec
// only as `-f -` (standard input). `rcon <name>` takes the rest as the console command, passed after
// `--` so that no word of it can become an option. Errors are invalid-argument, naming the word.
Result<Call> check_call(const std::vector<std::string>& words);

}  // namespace left4me::remote
