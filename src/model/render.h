// Rendering an instance from its Spec: instance.env (read by the supervisors and the overlay helper),
// server.cfg, and the srcds command line. See docs/spec.md, "What initialize writes".
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"
#include "model/spec.h"

namespace left4me::model {

// The srcds config the engine runs on every map load (+servercfgfile), and where the rendered one is placed,
// relative to the game tree root (runtime/<name>/merged).
inline constexpr std::string_view kServerCfgFile = "server.cfg";
inline constexpr std::string_view kServerCfgGamePath = "left4dead2/cfg/server.cfg";
// overlayfs's limit on lower layers, the installation included.
inline constexpr std::size_t kMaxLowerDirs = 500;

// The three values of instance.env.
struct InstanceEnv {
  int port = 0;                        // L4D2_PORT
  std::vector<std::string> lowerdirs;  // L4D2_LOWERDIRS: absolute, top layer first, the installation last
  std::vector<std::string> args;       // L4D2_ARGS split on whitespace: srcds arguments after the fixed ones

  bool operator==(const InstanceEnv&) const = default;
};

// Everything `initialize` writes for one instance.
struct RenderedInstance {
  InstanceEnv env;
  std::string instance_env;  // render_instance_env(env)
  std::string server_cfg;    // render_server_cfg(...)
};

// layout.overlay(ref) for each of spec.overlays, in order (top layer first). Does not look at the disk.
std::vector<std::string> overlay_directories(const Spec& spec, const Layout& layout);

// The InstanceEnv for spec: port, overlay_dirs (top first, as resolved by the caller, e.g. from
// overlay_directories) followed by layout.installation(), and the args
// "+map <map> +mp_gamemode <mode> -maxplayers <n> +servercfgfile server.cfg <spec.args...>".
// Fails with kInvalidArgument if spec has no port (a blueprint), if there are more than kMaxLowerDirs layers,
// or if a directory is not absolute or holds a character outside [A-Za-z0-9_./@%+~-] (':' and ',' would
// split the overlayfs option, whitespace or quotes the env file).
Result<InstanceEnv> make_instance_env(const Spec& spec, const Layout& layout,
                                      const std::vector<std::string>& overlay_dirs);

// "L4D2_PORT=27015\nL4D2_LOWERDIRS=/a:/b:/installation\nL4D2_ARGS=+map c1m1_hotel ...\n" after a "#" comment
// line; values unquoted, for systemd's EnvironmentFile= and the overlay helper alike.
std::string render_instance_env(const InstanceEnv& env);

// Parses what render_instance_env writes: KEY=VALUE lines, no quoting; blank lines and lines starting with
// '#' are skipped. Fails with kInvalidArgument naming file_name, the line and the key on an unknown,
// duplicate, missing or empty key, a port outside 1024..65535, an empty or relative lowerdir, more than
// kMaxLowerDirs lowerdirs, or an argument token outside [A-Za-z0-9_.,:/@%+=-].
Result<InstanceEnv> parse_instance_env(std::string_view text, std::string_view file_name);

// server.cfg: a header comment, hostname (spec.hostname, else the instance name), rcon_password, each cvar
// sorted by name as `name "value"`, then spec.server_cfg lines as written. rcon_password is spec's or the
// one generated and kept by initialize; fails with kInvalidArgument if check_rcon_password refuses it.
Result<std::string> render_server_cfg(const Spec& spec, const InstanceName& name, std::string_view rcon_password);

// The rcon_password a server.cfg from render_server_cfg sets (how initialize keeps a generated password and
// how rcon finds it); nullopt if there is none or it is not a valid password.
std::optional<std::string> find_rcon_password(std::string_view server_cfg);

// make_instance_env, render_instance_env and render_server_cfg in one.
Result<RenderedInstance> render_instance(const Spec& spec, const InstanceName& name, const Layout& layout,
                                         const std::vector<std::string>& overlay_dirs, std::string_view rcon_password);

// The full argv that starts the server:
// {srcds_run, "-norestart", "-game", "left4dead2", "+ip", "0.0.0.0", "+hostport", "<port>", env.args...}.
std::vector<std::string> server_argv(const InstanceEnv& env, std::string_view srcds_run);

}  // namespace left4me::model
