#include "model/render.h"

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "model/spec_rules.h"

namespace left4me::model {
namespace {

constexpr std::string_view kPortKey = "L4D2_PORT";
constexpr std::string_view kLowerDirsKey = "L4D2_LOWERDIRS";
constexpr std::string_view kArgsKey = "L4D2_ARGS";
constexpr std::string_view kHeader =
    "Written by l4d2ctl initialize from the instance spec; edit the spec, not this file.";

bool is_path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_./@%+~-").find(c) != std::string_view::npos;
}

std::optional<std::string> check_lowerdir(std::string_view dir) {
  if (dir.empty() || dir[0] != '/') return "lowerdir " + quoted_value(dir) + " is not an absolute path";
  if (!std::all_of(dir.begin(), dir.end(), is_path_char)) {
    return "lowerdir " + quoted_value(dir) + " holds a character outside [A-Za-z0-9_./@%+~-]";
  }
  return std::nullopt;
}

// Splits on spaces and tabs the way systemd splits an unbraced $VAR; empty words vanish.
std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t begin = text.find_first_not_of(" \t", start);
    if (begin == std::string_view::npos) break;
    std::size_t end = std::min(text.find_first_of(" \t", begin), text.size());
    words.emplace_back(text.substr(begin, end - begin));
    start = end;
  }
  return words;
}

}  // namespace

std::vector<std::string> overlay_directories(const Spec& spec, const Layout& layout) {
  std::vector<std::string> dirs;
  for (const std::string& ref : spec.overlays) dirs.push_back(layout.overlay(ref));
  return dirs;
}

Result<InstanceEnv> make_instance_env(const Spec& spec, const Layout& layout,
                                      const std::vector<std::string>& overlay_dirs) {
  if (!spec.port) return Error::invalid("the spec has no port; a blueprint spec cannot be rendered");
  if (overlay_dirs.size() + 1 > kMaxLowerDirs) {
    return Error::invalid(std::to_string(overlay_dirs.size()) + " overlays and the installation exceed overlayfs's " +
                          std::to_string(kMaxLowerDirs) + " layers");
  }
  InstanceEnv env;
  env.port = *spec.port;
  env.lowerdirs = overlay_dirs;
  env.lowerdirs.push_back(layout.installation());
  for (const std::string& dir : env.lowerdirs) {
    if (auto problem = check_lowerdir(dir)) return Error::invalid(*problem);
  }
  env.args = {"+map",           spec.map,
              "+mp_gamemode",   spec.mode,
              "-maxplayers",    std::to_string(spec.max_players),
              "+servercfgfile", std::string(kServerCfgFile)};
  env.args.insert(env.args.end(), spec.args.begin(), spec.args.end());
  for (const std::string& arg : env.args) {
    // Spec already guarantees this; checked again because a word with whitespace would change the argv.
    if (!is_safe_arg_token(arg))
      return Error::invalid("argument " + quoted_value(arg) + " is not a safe srcds argument");
    if (is_wrapper_option(arg)) {
      return Error::invalid("argument " + quoted_value(arg) + " is an option of srcds_run, not of the game");
    }
  }
  return env;
}

std::string render_instance_env(const InstanceEnv& env) {
  std::string out = "# " + std::string(kHeader) + "\n";
  out += std::string(kPortKey) + "=" + std::to_string(env.port) + "\n";
  out += std::string(kLowerDirsKey) + "=" + join(env.lowerdirs, ":") + "\n";
  out += std::string(kArgsKey) + "=" + join(env.args, " ") + "\n";
  return out;
}

Result<InstanceEnv> parse_instance_env(std::string_view text, std::string_view file_name) {
  InstanceEnv env;
  std::array<int, 3> found_at{};  // line of L4D2_PORT, L4D2_LOWERDIRS, L4D2_ARGS; 0 = not seen
  const std::array<std::string_view, 3> keys = {kPortKey, kLowerDirsKey, kArgsKey};
  std::vector<std::string> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    const std::string& line = lines[i];
    auto fail = [&](std::string_view key, const std::string& message) {
      std::string where = std::string(file_name) + ":" + std::to_string(number) + ": ";
      if (!key.empty()) where += std::string(key) + ": ";
      return Error::invalid(where + message);
    };
    if (line.empty() || line[0] == '#') continue;
    std::size_t equals = line.find('=');
    if (equals == std::string::npos) return fail("", "expected KEY=VALUE, got " + quoted_value(line));
    const std::string key = line.substr(0, equals);
    const std::string_view value = std::string_view(line).substr(equals + 1);
    auto slot = std::find(keys.begin(), keys.end(), key);
    if (slot == keys.end()) {
      return fail("", "unknown key " + quoted_value(key) + "; expected L4D2_PORT, L4D2_LOWERDIRS and L4D2_ARGS");
    }
    int& seen = found_at[static_cast<std::size_t>(slot - keys.begin())];
    if (seen != 0) return fail(key, "duplicate key (first at line " + std::to_string(seen) + ")");
    seen = number;
    if (value.empty()) return fail(key, "is empty");
    if (key == kPortKey) {
      auto port = parse_int(value, kMinPort, kMaxPort);
      if (!port) return fail(key, quoted_value(value) + " is not a port in 1024..65535");
      env.port = static_cast<int>(*port);
    } else if (key == kLowerDirsKey) {
      env.lowerdirs = split(value, ':');
      if (env.lowerdirs.size() > kMaxLowerDirs) {
        return fail(key, std::to_string(env.lowerdirs.size()) + " layers; at most " + std::to_string(kMaxLowerDirs));
      }
      for (std::size_t layer = 0; layer < env.lowerdirs.size(); ++layer) {
        if (env.lowerdirs[layer].empty()) return fail(key, "layer " + std::to_string(layer + 1) + " is empty");
        if (auto problem = check_lowerdir(env.lowerdirs[layer])) return fail(key, *problem);
      }
    } else {
      env.args = split_words(value);
      if (env.args.empty()) return fail(key, "is empty");
      for (const std::string& arg : env.args) {
        if (!is_safe_arg_token(arg))
          return fail(key, "argument " + quoted_value(arg) + " is not a safe srcds argument");
        if (is_wrapper_option(arg)) {
          return fail(key, "argument " + quoted_value(arg) + " is an option of srcds_run, not of the game");
        }
      }
    }
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (found_at[k] == 0) return Error::invalid(std::string(file_name) + ": " + std::string(keys[k]) + ": missing");
  }
  return env;
}

Result<std::string> render_server_cfg(const Spec& spec, const InstanceName& name, std::string_view rcon_password) {
  if (auto problem = check_rcon_password(rcon_password)) return Error::invalid("rcon_password: " + *problem);
  std::string hostname = spec.hostname.value_or(name.str().substr(0, kMaxHostnameBytes));
  // A parsed Spec already passed these; checked again because a Spec is a plain struct anyone can fill.
  if (auto problem = check_hostname(hostname))
    return Error::invalid("hostname: " + quoted_value(hostname) + " " + *problem);
  for (const auto& [cvar, value] : spec.cvars) {
    if (!is_valid_cvar_name(cvar) || managed_by(cvar))
      return Error::invalid("cvars: " + quoted_value(cvar) + " refused");
    if (auto problem = check_console_value(value, kMaxCvarValueBytes)) {
      return Error::invalid("cvars." + cvar + ": value " + quoted_value(value) + " " + *problem);
    }
  }
  for (const std::string& line : spec.server_cfg) {
    if (auto problem = check_server_cfg_line(line))
      return Error::invalid("server_cfg: " + quoted_value(line) + " " + *problem);
  }
  std::string out = "// " + std::string(kHeader) + "\n";
  out += "hostname \"" + hostname + "\"\n";
  out += "rcon_password \"" + std::string(rcon_password) + "\"\n";
  if (!spec.cvars.empty()) out += "// cvars\n";
  for (const auto& [cvar, value] : spec.cvars) out += cvar + " \"" + value + "\"\n";
  if (!spec.server_cfg.empty()) out += "// server_cfg\n";
  for (const std::string& line : spec.server_cfg) out += line + "\n";
  return out;
}

std::optional<std::string> find_rcon_password(std::string_view server_cfg) {
  constexpr std::string_view kPrefix = "rcon_password \"";
  for (const std::string& line : split(server_cfg, '\n')) {
    if (!line.starts_with(kPrefix) || line.size() <= kPrefix.size() || line.back() != '"') continue;
    std::string password = line.substr(kPrefix.size(), line.size() - kPrefix.size() - 1);
    if (check_rcon_password(password)) return std::nullopt;
    return password;
  }
  return std::nullopt;
}

Result<RenderedInstance> render_instance(const Spec& spec, const InstanceName& name, const Layout& layout,
                                         const std::vector<std::string>& overlay_dirs, std::string_view rcon_password) {
  auto env = make_instance_env(spec, layout, overlay_dirs);
  if (!env.ok()) return env.error();
  auto server_cfg = render_server_cfg(spec, name, rcon_password);
  if (!server_cfg.ok()) return server_cfg.error();
  RenderedInstance rendered{std::move(*env), "", std::move(*server_cfg)};
  rendered.instance_env = render_instance_env(rendered.env);
  return rendered;
}

std::vector<std::string> server_argv(const InstanceEnv& env, std::string_view srcds_run) {
  std::vector<std::string> argv = {
      std::string(srcds_run),  "-norestart", "-game", "left4dead2", "+ip", "0.0.0.0", "+hostport",
      std::to_string(env.port)};
  argv.insert(argv.end(), env.args.begin(), env.args.end());
  return argv;
}

}  // namespace left4me::model
