// MapLists: the maps a blueprint may start on, per list of overlays, as `l4d2ctl maps --json --overlay ...`
// reports them (docs/cli.md), kept for a while so that showing the blueprint form and saving it do not read the
// game tree every time. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/maps.h"
#include "web/ctl.h"

namespace left4me::web {

class MapLists {
 public:
  MapLists(const Ctl& ctl, std::chrono::milliseconds keep) : ctl_(ctl), keep_(keep) {}

  // The catalog for these overlays (top layer first, as the spec lists them): the one read less than `keep`
  // ago, else a fresh `l4d2ctl maps`. Fails as l4d2ctl does (an overlay that does not exist, no answer).
  Result<std::shared_ptr<const model::MapCatalog>> get(const std::vector<std::string>& overlays);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point made;
    std::shared_ptr<const model::MapCatalog> catalog;
  };
  static constexpr std::size_t kMaxEntries = 64;

  const Ctl& ctl_;
  std::chrono::milliseconds keep_;
  std::mutex mutex_;
  std::map<std::vector<std::string>, Entry> entries_;
};

// The catalog in `l4d2ctl maps --json`'s output; an error naming what is malformed.
Result<model::MapCatalog> parse_map_catalog(const nlohmann::json& json);

// The check a blueprint's map gets when it is saved (API and form): nullopt when the host lists the spec's map
// for its overlays, or when the list cannot be read (the start then says what is wrong); else why not, naming
// the closest maps: "'c2m9_typo' is not in the map list (...); closest: c2m1_highway, ...".
std::optional<std::string> check_blueprint_map(MapLists& lists, std::string_view canonical_yaml);

}  // namespace left4me::web
