#include "web/game_builds.h"

#include <algorithm>

#include "base/strings.h"
#include "json/parse_json.h"

namespace left4me::web {
namespace {

std::optional<std::string> optional_string(const nlohmann::json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_string()) return std::nullopt;
  return object[key].get<std::string>();
}

std::optional<UpdateCheck> parse_check(const nlohmann::json& object) {
  if (!object.is_object() || !object.contains("at") || !object["at"].is_number_integer()) return std::nullopt;
  UpdateCheck check;
  check.at = object["at"].get<std::int64_t>();
  check.available = optional_string(object, "available");
  check.error = optional_string(object, "error").value_or("");
  return check;
}

// `disk`: absent or null is nullopt (an older host, or statvfs failed there); anything else must be the object.
Result<std::optional<Disk>> parse_disk(const nlohmann::json& parsed) {
  auto it = parsed.find("disk");
  if (it == parsed.end() || it->is_null()) return std::optional<Disk>();
  auto size = [&](const char* key) -> std::optional<std::uint64_t> {
    auto member = it->find(key);
    if (member == it->end() || !member->is_number_unsigned()) return std::nullopt;
    return member->get<std::uint64_t>();
  };
  std::optional<std::string> path = it->is_object() ? optional_string(*it, "path") : std::nullopt;
  std::optional<std::uint64_t> free = it->is_object() ? size("free_bytes") : std::nullopt;
  std::optional<std::uint64_t> total = it->is_object() ? size("total_bytes") : std::nullopt;
  if (!path || !free || !total) {
    return Error::invalid("l4d2ctl install --list: disk: expected {\"path\", \"free_bytes\", \"total_bytes\"}");
  }
  return std::optional<Disk>(Disk{*path, *free, *total});
}

}  // namespace

bool GameBuilds::is_installed(const std::string& id) const {
  return std::any_of(builds.begin(), builds.end(), [&](const InstalledBuild& build) { return build.id == id; });
}

Result<GameBuilds> parse_game_builds(const std::string& text) {
  Result<nlohmann::json> parsed = parse_json_limited(text);
  if (!parsed) return Error::invalid("l4d2ctl install --list: " + parsed.error().message());
  if (!parsed->is_object() || !parsed->contains("builds") || !(*parsed)["builds"].is_array()) {
    return Error::invalid("l4d2ctl install --list: no list of builds");
  }
  GameBuilds result;
  for (const nlohmann::json& entry : (*parsed)["builds"]) {
    std::optional<std::string> id = entry.is_object() ? optional_string(entry, "id") : std::nullopt;
    if (!id) return Error::invalid("l4d2ctl install --list: a build without an id");
    InstalledBuild build{*id, optional_string(entry, "version").value_or(""), entry.value("current", false), {}};
    if (entry.contains("used_by") && entry["used_by"].is_array()) {
      for (const nlohmann::json& name : entry["used_by"]) {
        if (name.is_string()) build.used_by.push_back(name.get<std::string>());
      }
    }
    if (build.current) result.current = build.id;
    result.builds.push_back(std::move(build));
  }
  if (parsed->contains("last_check")) result.last_check = parse_check((*parsed)["last_check"]);
  Result<std::optional<Disk>> disk = parse_disk(*parsed);
  if (!disk) return disk.error();
  result.disk = std::move(*disk);
  return result;
}

Result<GameBuilds> read_game_builds(const Ctl& ctl) {
  Result<RunResult> run = ctl.run({"install", "--list", "--json"}, std::chrono::seconds(20));
  if (!run) return run.error();
  if (!run->status.success()) {
    return Error::failed("l4d2ctl install --list " + run->status.describe() + ": " + std::string(trim(run->err)));
  }
  return parse_game_builds(run->out);
}

bool update_check_due(const std::optional<UpdateCheck>& last, std::int64_t now, std::chrono::hours interval) {
  if (interval.count() <= 0) return false;
  if (!last) return true;
  return now - last->at >= std::chrono::duration_cast<std::chrono::seconds>(interval).count();
}

bool is_build_id(const std::string& text) {
  return !text.empty() && text.size() <= 20 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace left4me::web
