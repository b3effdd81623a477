// Maps a server can start on: the official campaigns with the names players know (c2m1_highway is "Dark
// Carnival, 1: Highway"), the MapCatalog that l4d2ctl builds from the installation and overlays (`l4d2ctl
// maps`, host/map_catalog.h), and the check a form makes against it, naming the closest maps when a map is
// not there. Pure functions over values; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace left4me::model {

struct OfficialMap {
  std::string_view name;     // c2m1_highway
  std::string_view chapter;  // Highway
};

struct OfficialCampaign {
  std::string_view title;  // Dark Carnival
  std::span<const OfficialMap> maps;
};

// C1 Dead Center .. C14 The Last Stand, each with its maps in play order.
std::span<const OfficialCampaign> official_campaigns();
// "<campaign>, <n>: <chapter>", the same shape as a custom campaign's maps: "Dark Carnival, 1: Highway".
std::string map_title(std::string_view campaign, std::size_t number, std::string_view chapter);
// The title of an official map, nullopt for any other name.
std::optional<std::string> official_map_title(std::string_view map);

struct CatalogMap {
  std::string name;                   // what the spec's `map` takes
  std::string title;                  // for people; the name itself for a map of no campaign
  std::vector<std::string> found_in;  // where a file of it was seen: "installation", "overlay <ref>"
};

struct CatalogCampaign {
  std::string title;
  std::string origin;  // "official", "installation" or "overlay <ref>"
  std::string file;    // for a campaign from an addon: the VPK, relative to its game tree's root
  std::vector<CatalogMap> maps;
};

struct MapCatalog {
  std::vector<CatalogCampaign> campaigns;  // the official ones first, then those found, in search order
  std::vector<CatalogMap> other_maps;      // maps of no campaign, by name
  std::vector<std::string> problems;       // files that could not be read, each naming the file
};

// True if any campaign or the other maps list `map`.
bool catalog_has_map(const MapCatalog& catalog, std::string_view map);
// Up to `count` map names of the catalog nearest to `map`, nearest first, ties by name: by edit distance
// (ignoring case) less the length of the common prefix, since a name starts with its campaign and chapter.
// Nothing when the catalog is empty.
std::vector<std::string> closest_maps(const MapCatalog& catalog, std::string_view map, std::size_t count);
// nullopt when the catalog lists `map`; else the reason as a message fragment that follows the value, naming
// the closest maps: "is not in the map list (the installation's and the overlays' maps); closest:
// c2m1_highway, c2m2_fairgrounds, c2m3_coaster".
std::optional<std::string> check_map_in_catalog(const MapCatalog& catalog, std::string_view map);

}  // namespace left4me::model
