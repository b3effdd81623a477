#include "host/host_env.h"

#include "base/strings.h"
#include "model/spec.h"

namespace left4me::host {
namespace {

std::optional<std::string_view> setting(const EnvValues& values, const char* key) {
  auto found = values.find(key);
  if (found == values.end() || trim(found->second).empty()) return std::nullopt;
  return trim(found->second);
}

Result<int> port_setting(const EnvValues& values, const char* key, int fallback, std::string_view origin) {
  std::optional<std::string_view> text = setting(values, key);
  if (!text) return fallback;
  std::optional<long long> port = parse_int(*text, model::kMinPort, model::kMaxPort);
  if (!port) {
    return Error::invalid(std::string(origin) + ": " + key + ": '" + std::string(*text) + "' is not a port in " +
                          std::to_string(model::kMinPort) + ".." + std::to_string(model::kMaxPort));
  }
  return static_cast<int>(*port);
}

Result<long long> limit_setting(const EnvValues& values, const char* key, long long fallback, long long min,
                                long long max, std::string_view origin) {
  std::optional<std::string_view> text = setting(values, key);
  if (!text) return fallback;
  std::optional<long long> number = parse_int(*text, min, max);
  if (!number) {
    return Error::invalid(std::string(origin) + ": " + key + ": '" + std::string(*text) +
                          "' is not a whole number in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return *number;
}

Result<ScriptLimits> script_limits(const EnvValues& values, std::string_view origin) {
  ScriptLimits limits;
  auto cpu = limit_setting(values, "LEFT4ME_SCRIPT_CPU_PERCENT", limits.cpu_percent, 1, 10000, origin);
  if (!cpu) return cpu.error();
  auto memory = limit_setting(values, "LEFT4ME_SCRIPT_MEMORY_MB", limits.memory_mb, 16, 1 << 20, origin);
  if (!memory) return memory.error();
  auto tasks = limit_setting(values, "LEFT4ME_SCRIPT_TASKS_MAX", limits.tasks, 8, 65536, origin);
  if (!tasks) return tasks.error();
  auto file = limit_setting(values, "LEFT4ME_SCRIPT_FILE_MAX_MB", limits.file_mb, 1, 1 << 20, origin);
  if (!file) return file.error();
  auto timeout = limit_setting(values, "LEFT4ME_SCRIPT_TIMEOUT_SECONDS", limits.timeout_seconds, 1, 86400, origin);
  if (!timeout) return timeout.error();
  return ScriptLimits{static_cast<int>(*cpu), *memory, static_cast<int>(*tasks), *file, static_cast<int>(*timeout)};
}

}  // namespace

Result<HostEnv> parse_host_env(const EnvValues& values, std::string_view origin) {
  auto layout = model::Layout::create(setting(values, "LEFT4ME_ROOT").value_or(model::Layout::kDefaultRoot));
  if (!layout) return layout.error().with_context(std::string(origin) + ": LEFT4ME_ROOT");
  auto range = IdentityRange::create(setting(values, "LEFT4ME_INSTANCE_UID_BASE"),
                                     setting(values, "LEFT4ME_INSTANCE_UID_COUNT"));
  if (!range) return range.error().with_context(origin);
  auto start = port_setting(values, "LEFT4ME_PORT_RANGE_START", PortRange::kDefaultStart, origin);
  if (!start) return start.error();
  auto end = port_setting(values, "LEFT4ME_PORT_RANGE_END", PortRange::kDefaultEnd, origin);
  if (!end) return end.error();
  if (*start > *end) {
    return Error::invalid(std::string(origin) + ": port range: LEFT4ME_PORT_RANGE_START " + std::to_string(*start) +
                          " is after LEFT4ME_PORT_RANGE_END " + std::to_string(*end));
  }
  auto script = script_limits(values, origin);
  if (!script) return script.error();
  return HostEnv{std::move(*layout), *range, PortRange{*start, *end}, *script};
}

Result<HostEnv> read_host_env(const std::string& path, EnvFile need) {
  Result<EnvValues> values = read_env_file(path, need);
  if (!values) return values.error();
  return parse_host_env(*values, path);
}

}  // namespace left4me::host
