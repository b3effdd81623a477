#include "web/map_lists.h"

#include <fmt/format.h>

#include "json/parse_json.h"
#include "model/spec.h"

namespace left4me::web {
namespace {

Result<model::CatalogMap> parse_map(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("map") || !json["map"].is_string()) {
    return Error::failed("l4d2ctl maps --json: a map without a name");
  }
  model::CatalogMap map;
  map.name = json["map"].get<std::string>();
  map.title = json.contains("title") && json["title"].is_string() ? json["title"].get<std::string>() : map.name;
  if (json.contains("found_in") && json["found_in"].is_array()) {
    for (const nlohmann::json& place : json["found_in"]) {
      if (place.is_string()) map.found_in.push_back(place.get<std::string>());
    }
  }
  return map;
}

Result<std::vector<model::CatalogMap>> parse_maps(const nlohmann::json& json) {
  if (!json.is_array()) return Error::failed("l4d2ctl maps --json: a list of maps is not an array");
  std::vector<model::CatalogMap> maps;
  for (const nlohmann::json& item : json) {
    Result<model::CatalogMap> map = parse_map(item);
    if (!map) return map.error();
    maps.push_back(std::move(*map));
  }
  return maps;
}

}  // namespace

Result<model::MapCatalog> parse_map_catalog(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("campaigns") || !json["campaigns"].is_array()) {
    return Error::failed("l4d2ctl maps --json: no campaigns array");
  }
  model::MapCatalog catalog;
  for (const nlohmann::json& item : json["campaigns"]) {
    if (!item.is_object() || !item.contains("title") || !item["title"].is_string()) {
      return Error::failed("l4d2ctl maps --json: a campaign without a title");
    }
    model::CatalogCampaign campaign;
    campaign.title = item["title"].get<std::string>();
    if (item.contains("origin") && item["origin"].is_string()) campaign.origin = item["origin"].get<std::string>();
    if (item.contains("file") && item["file"].is_string()) campaign.file = item["file"].get<std::string>();
    Result<std::vector<model::CatalogMap>> maps = parse_maps(item.value("maps", nlohmann::json::array()));
    if (!maps) return maps.error();
    campaign.maps = std::move(*maps);
    catalog.campaigns.push_back(std::move(campaign));
  }
  Result<std::vector<model::CatalogMap>> others = parse_maps(json.value("other_maps", nlohmann::json::array()));
  if (!others) return others.error();
  catalog.other_maps = std::move(*others);
  if (json.contains("problems") && json["problems"].is_array()) {
    for (const nlohmann::json& problem : json["problems"]) {
      if (problem.is_string()) catalog.problems.push_back(problem.get<std::string>());
    }
  }
  return catalog;
}

Result<std::shared_ptr<const model::MapCatalog>> MapLists::get(const std::vector<std::string>& overlays) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(overlays);
    if (it != entries_.end() && now - it->second.made < keep_) return it->second.catalog;
  }
  // Read without the lock: two requests may both read a list that is not kept yet, never wait for each other.
  std::vector<std::string> args = {"maps", "--json"};
  for (const std::string& overlay : overlays) {
    args.push_back("--overlay");
    args.push_back(overlay);
  }
  Result<RunResult> result = ctl_.run(args, std::chrono::seconds(30));
  if (!result) return result.error();
  if (!result->status.success()) {
    std::string why = result->err.empty() ? result->status.describe() : result->err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Error::failed(why);
  }
  Result<nlohmann::json> json = parse_json_limited(result->out);
  if (!json) return Error::failed(fmt::format("l4d2ctl maps --json: {}", json.error().message()));
  Result<model::MapCatalog> catalog = parse_map_catalog(*json);
  if (!catalog) return catalog.error();
  auto shared = std::make_shared<const model::MapCatalog>(std::move(*catalog));
  std::lock_guard<std::mutex> guard(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[overlays] = Entry{now, shared};
  return shared;
}

std::optional<std::string> check_blueprint_map(MapLists& lists, std::string_view canonical_yaml) {
  model::SpecResult spec = model::parse_blueprint_spec(canonical_yaml, "blueprint");
  if (!spec) return std::nullopt;  // not valid at all: the spec's own check says why
  Result<std::shared_ptr<const model::MapCatalog>> catalog = lists.get(spec->overlays);
  if (!catalog) return std::nullopt;
  std::optional<std::string> problem = model::check_map_in_catalog(**catalog, spec->map);
  if (!problem) return std::nullopt;
  return fmt::format("'{}' {}", spec->map, *problem);
}

}  // namespace left4me::web
