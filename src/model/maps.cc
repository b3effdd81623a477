#include "model/maps.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace left4me::model {
namespace {

// protocols.md §5.7: the stock campaigns and their maps in play order. The chapter names are those of the
// game's menus, without a leading "The" and a trailing "Finale".
constexpr OfficialMap kDeadCenter[] = {
    {"c1m1_hotel", "Hotel"}, {"c1m2_streets", "Streets"}, {"c1m3_mall", "Mall"}, {"c1m4_atrium", "Atrium"}};
constexpr OfficialMap kDarkCarnival[] = {{"c2m1_highway", "Highway"},
                                         {"c2m2_fairgrounds", "Fairground"},
                                         {"c2m3_coaster", "Coaster"},
                                         {"c2m4_barns", "Barns"},
                                         {"c2m5_concert", "Concert"}};
constexpr OfficialMap kSwampFever[] = {{"c3m1_plankcountry", "Plank Country"},
                                       {"c3m2_swamp", "Swamp"},
                                       {"c3m3_shantytown", "Shanty Town"},
                                       {"c3m4_plantation", "Plantation"}};
constexpr OfficialMap kHardRain[] = {{"c4m1_milltown_a", "Milltown"},
                                     {"c4m2_sugarmill_a", "Sugar Mill"},
                                     {"c4m3_sugarmill_b", "Mill Escape"},
                                     {"c4m4_milltown_b", "Return to Town"},
                                     {"c4m5_milltown_escape", "Town Escape"}};
constexpr OfficialMap kTheParish[] = {{"c5m1_waterfront", "Waterfront"},
                                      {"c5m2_park", "Park"},
                                      {"c5m3_cemetery", "Cemetery"},
                                      {"c5m4_quarter", "Quarter"},
                                      {"c5m5_bridge", "Bridge"}};
constexpr OfficialMap kThePassing[] = {
    {"c6m1_riverbank", "Riverbank"}, {"c6m2_bedlam", "Underground"}, {"c6m3_port", "Port"}};
constexpr OfficialMap kTheSacrifice[] = {{"c7m1_docks", "Docks"}, {"c7m2_barge", "Barge"}, {"c7m3_port", "Port"}};
constexpr OfficialMap kNoMercy[] = {{"c8m1_apartment", "Apartments"},
                                    {"c8m2_subway", "Subway"},
                                    {"c8m3_sewers", "Sewer"},
                                    {"c8m4_interior", "Hospital"},
                                    {"c8m5_rooftop", "Rooftop"}};
constexpr OfficialMap kCrashCourse[] = {{"c9m1_alleys", "Alleys"}, {"c9m2_lots", "Truck Depot"}};
constexpr OfficialMap kDeathToll[] = {{"c10m1_caves", "Turnpike"},
                                      {"c10m2_drainage", "Drains"},
                                      {"c10m3_ranchhouse", "Church"},
                                      {"c10m4_mainstreet", "Town"},
                                      {"c10m5_houseboat", "Boathouse"}};
constexpr OfficialMap kDeadAir[] = {{"c11m1_greenhouse", "Greenhouse"},
                                    {"c11m2_offices", "Crane"},
                                    {"c11m3_garage", "Construction Site"},
                                    {"c11m4_terminal", "Terminal"},
                                    {"c11m5_runway", "Runway"}};
constexpr OfficialMap kBloodHarvest[] = {{"c12m1_hilltop", "Woods"},
                                         {"c12m2_traintunnel", "Tunnel"},
                                         {"c12m3_bridge", "Bridge"},
                                         {"c12m4_barn", "Train Station"},
                                         {"c12m5_cornfield", "Farmhouse"}};
constexpr OfficialMap kColdStream[] = {{"c13m1_alpinecreek", "Alpine Creek"},
                                       {"c13m2_southpinestream", "South Pine Stream"},
                                       {"c13m3_memorialbridge", "Memorial Bridge"},
                                       {"c13m4_cutthroatcreek", "Cut-throat Creek"}};
constexpr OfficialMap kTheLastStand[] = {{"c14m1_junkyard", "Junkyard"}, {"c14m2_lighthouse", "Lighthouse"}};

constexpr OfficialCampaign kOfficialCampaigns[] = {
    {"Dead Center", kDeadCenter},     {"Dark Carnival", kDarkCarnival},
    {"Swamp Fever", kSwampFever},     {"Hard Rain", kHardRain},
    {"The Parish", kTheParish},       {"The Passing", kThePassing},
    {"The Sacrifice", kTheSacrifice}, {"No Mercy", kNoMercy},
    {"Crash Course", kCrashCourse},   {"Death Toll", kDeathToll},
    {"Dead Air", kDeadAir},           {"Blood Harvest", kBloodHarvest},
    {"Cold Stream", kColdStream},     {"The Last Stand", kTheLastStand},
};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Levenshtein distance, ignoring ASCII case; two rows of the table.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitution = previous[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::size_t common_prefix(std::string_view a, std::string_view b) {
  std::size_t length = 0;
  while (length < a.size() && length < b.size() && lower(a[length]) == lower(b[length])) ++length;
  return length;
}

// Lower is nearer: the edit distance less the common prefix, since a map's name starts with its campaign and
// chapter (c2m9_typo is nearer c2m1_highway than c1m1_hotel, which is one edit closer).
long nearness(std::string_view wanted, std::string_view candidate) {
  return static_cast<long>(edit_distance(wanted, candidate)) - static_cast<long>(common_prefix(wanted, candidate));
}

template <typename Visit>
void for_each_map(const MapCatalog& catalog, Visit visit) {
  for (const CatalogCampaign& campaign : catalog.campaigns) {
    for (const CatalogMap& map : campaign.maps) visit(map);
  }
  for (const CatalogMap& map : catalog.other_maps) visit(map);
}

}  // namespace

std::span<const OfficialCampaign> official_campaigns() { return kOfficialCampaigns; }

std::string map_title(std::string_view campaign, std::size_t number, std::string_view chapter) {
  return std::string(campaign) + ", " + std::to_string(number) + ": " + std::string(chapter);
}

std::optional<std::string> official_map_title(std::string_view map) {
  for (const OfficialCampaign& campaign : kOfficialCampaigns) {
    for (std::size_t i = 0; i < campaign.maps.size(); ++i) {
      if (campaign.maps[i].name == map) return map_title(campaign.title, i + 1, campaign.maps[i].chapter);
    }
  }
  return std::nullopt;
}

bool catalog_has_map(const MapCatalog& catalog, std::string_view map) {
  bool found = false;
  for_each_map(catalog, [&](const CatalogMap& entry) { found = found || entry.name == map; });
  return found;
}

std::vector<std::string> closest_maps(const MapCatalog& catalog, std::string_view map, std::size_t count) {
  std::vector<std::pair<long, std::string>> ranked;
  for_each_map(catalog, [&](const CatalogMap& entry) { ranked.emplace_back(nearness(map, entry.name), entry.name); });
  std::sort(ranked.begin(), ranked.end());
  ranked.erase(std::unique(ranked.begin(), ranked.end()), ranked.end());
  std::vector<std::string> names;
  for (std::size_t i = 0; i < ranked.size() && names.size() < count; ++i) names.push_back(ranked[i].second);
  return names;
}

std::optional<std::string> check_map_in_catalog(const MapCatalog& catalog, std::string_view map) {
  if (catalog_has_map(catalog, map)) return std::nullopt;
  std::string reason =
      "is not in the map list (the official campaigns and the maps of the installation and the "
      "overlays)";
  std::vector<std::string> closest = closest_maps(catalog, map, 3);
  for (std::size_t i = 0; i < closest.size(); ++i) reason += (i == 0 ? "; closest: " : ", ") + closest[i];
  return reason;
}

}  // namespace left4me::model
