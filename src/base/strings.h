// Small string helpers used across modules. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace left4me {

std::vector<std::string> split(std::string_view text, char separator);
std::string_view trim(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
// Parses a whole decimal integer in [min, max]; nullopt on anything else.
std::optional<long long> parse_int(std::string_view text, long long min, long long max);
// Quotes for a POSIX shell if needed (for messages and logs, never for exec).
std::string shell_quote(std::string_view text);
// A name from outside (a file, an archive entry) as a message shows it: between single quotes, valid UTF-8, control
// characters as '?', cut after 200 bytes with "...".
std::string quote_name(std::string_view name);
// Escapes & < > " ' for HTML and XML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace left4me
