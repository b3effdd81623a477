// The value rules behind Spec (spec.h) and the rendered instance files (render.h): character sets, ranges
// and what would inject console commands or extra process arguments. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace left4me::model {

inline constexpr std::size_t kMaxHostnameBytes = 63;
inline constexpr std::size_t kMaxCvarValueBytes = 255;
inline constexpr std::size_t kMaxServerCfgLineBytes = 511;  // the Source console's line limit
inline constexpr std::size_t kMaxArgBytes = 255;

// For messages: the value in double quotes, control characters, '"' and '\' escaped, cut after 64 bytes.
std::string quoted_value(std::string_view text);
// For field names in messages: control characters replaced by '?', cut after 64 bytes.
std::string printable(std::string_view text);
std::string lowercase(std::string_view text);

// ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$
bool is_valid_overlay_id(std::string_view id);
// ^[A-Za-z0-9_]{1,64}$
bool is_valid_map_name(std::string_view map);
// The numbered game modes: these prefixes followed by 1..99 (mutation4, community1).
inline constexpr std::array<std::string_view, 2> kNumberedGameModes = {"mutation", "community"};
// A base or team mode of game_modes.h's table (coop, versus, teamscavenge...), or any numbered mode.
bool is_valid_game_mode(std::string_view mode);
// What a form offers to pick from: the internal name of every row of game_modes.h's table, in its order.
std::vector<std::string> suggested_game_modes();
// ^[A-Za-z_][A-Za-z0-9_]{0,63}$
bool is_valid_cvar_name(std::string_view name);

// Each check returns nullopt when the value is fine, else the reason as a message fragment that follows the
// value ("contains ';', which would start another console command").

// 1..63 bytes of UTF-8, a console value (below) that fits the server browser.
std::optional<std::string> check_hostname(std::string_view hostname);
// A value written inside double quotes in server.cfg: UTF-8, no control characters, no '"' (it would end
// the quotes) and no ';' (it would start another command), at most max_bytes.
std::optional<std::string> check_console_value(std::string_view value, std::size_t max_bytes);
// Who sets this console variable or command instead of cvars/server_cfg/args ("the hostname key",
// "left4me"), case-insensitively; nullopt for every other name.
std::optional<std::string> managed_by(std::string_view name);
// One srcds argument. An option is [+-] then a letter or '_', then [A-Za-z0-9_] (1-64 after the sign);
// anything else is a value of 1-255 characters [A-Za-z0-9_.,:/@%+=-]. So no whitespace, quotes, '$', '\' or
// other characters that systemd or a shell would interpret. The first argument must be an option; options left4me sets
// itself are refused, and a '-' option must pass check_game_option.
std::optional<std::string> check_arg(std::string_view arg, bool first);
// A '-' option (case-insensitive): one of the game's own options on the allow-list, never one of srcds_run's
// (-binary, -debug, -gdb, -autoupdate, -consolelog, -fork, -timeout, ...); nullopt when allowed.
std::optional<std::string> check_game_option(std::string_view option);
// One of srcds_run's own options (case-insensitive); checked again where instance.env is read as root.
bool is_wrapper_option(std::string_view word);
// A token of a rendered L4D2_ARGS: 1-255 characters [A-Za-z0-9_.,:/@%+=-] (options and values alike).
bool is_safe_arg_token(std::string_view token);
// A free server.cfg line: UTF-8, one line (no CR/LF or other control characters but tab), at most 511 bytes,
// and no command (between ';' outside quotes) that sets a name managed_by() reports.
std::optional<std::string> check_server_cfg_line(std::string_view line);

}  // namespace left4me::model
