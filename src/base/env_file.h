// KEY=VALUE configuration files: /etc/left4me/host.env (l4d2ctl and the privileged helpers) and
// /etc/left4me/web.env (l4d2web), read by the same rules everywhere. One assignment per line; blank lines
// and '#' comments are skipped; an optional leading "export "; whitespace around key and value trimmed;
// one pair of matching single or double quotes around the value removed; a trailing '\r' ignored. Keys
// are [A-Za-z_][A-Za-z0-9_]*; a later line wins over an earlier one. Anything else is an error that names
// the file and line. (instance.env has its own strict format: model/render.h.) Pure; thread-safe.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me {

using EnvValues = std::map<std::string, std::string>;

// `origin` names the file in messages ("<origin>:<line>: ...").
Result<EnvValues> parse_env_file(std::string_view content, std::string_view origin);

// Reads and parses `path`; a missing file is an empty map unless `required`.
enum class EnvFile { kOptional, kRequired };
Result<EnvValues> read_env_file(const std::string& path, EnvFile need);

// One key of an env file, as an administrator reads about it: the programs print their table with
// --help-config and docs/deploy.md holds the same text (a test compares them).
struct EnvKeyDoc {
  std::string_view name;
  std::string_view fallback;  // what applies when the key is absent or empty, as prose ("27000", "none")
  std::string_view meaning;
};
// The keys as a Markdown table: a header line, a separator, one row per key ("| `NAME` | fallback | meaning |").
std::string env_keys_markdown(std::span<const EnvKeyDoc> keys);

}  // namespace left4me
