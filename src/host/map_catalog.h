// The map catalog of `l4d2ctl maps`: the official campaigns, plus the maps found in game trees (the
// installation, overlays): loose left4dead2/maps/*.bsp, and the maps and campaigns of the VPKs in
// left4dead2/addons/ (addon_maps.h; addons/workshop/ is the client's and is not read). A file that cannot be
// read is a problem listed in the catalog, never a failure of the whole listing. Thread-safe (no shared state).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "model/layout.h"
#include "model/maps.h"

namespace left4me::host {

// A game tree to search: its label in the catalog ("installation", "overlay <ref>") and its root directory.
struct MapSource {
  std::string label;
  std::string root;
};

// The catalog over `sources`, searched in order (a map found in several lists each label once).
model::MapCatalog build_map_catalog(const std::vector<MapSource>& sources);

// The sources of the installation and of each overlay ref (model::is_valid_overlay_ref, a directory under
// overlays/), in the given order. kInvalidArgument naming the ref when it is not one or does not exist.
Result<std::vector<MapSource>> map_sources(const model::Layout& layout, const std::vector<std::string>& overlays);

// The catalog as the JSON object docs/cli.md documents.
std::string map_catalog_json(const model::MapCatalog& catalog);
// The catalog for people: each campaign with its maps, then the other maps, then the problems.
std::string map_catalog_text(const model::MapCatalog& catalog);

}  // namespace left4me::host
