// The official campaigns' names, and the check a form makes of a map against the catalog, with the
// closest maps named.
#include "model/maps.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "model/spec_rules.h"

namespace left4me::model {
namespace {

TEST(MapsTest, OfficialMapsHaveTheirCampaignsNames) {
  EXPECT_EQ(official_map_title("c2m1_highway"), "Dark Carnival, 1: Highway");
  EXPECT_EQ(official_map_title("c1m1_hotel"), "Dead Center, 1: Hotel");
  EXPECT_EQ(official_map_title("c4m5_milltown_escape"), "Hard Rain, 5: Town Escape");
  EXPECT_EQ(official_map_title("c14m2_lighthouse"), "The Last Stand, 2: Lighthouse");
  EXPECT_EQ(official_map_title("c2m9_typo"), std::nullopt);
}

// protocols.md §5.7: 14 campaigns, 57 maps, each c<N>m<i>_... in order and a valid spec map name.
TEST(MapsTest, TheOfficialTableIsTheStockCampaigns) {
  std::set<std::string_view> names;
  ASSERT_EQ(official_campaigns().size(), 14u);
  for (std::size_t c = 0; c < official_campaigns().size(); ++c) {
    const OfficialCampaign& campaign = official_campaigns()[c];
    for (std::size_t m = 0; m < campaign.maps.size(); ++m) {
      std::string prefix = "c" + std::to_string(c + 1) + "m" + std::to_string(m + 1) + "_";
      EXPECT_TRUE(campaign.maps[m].name.starts_with(prefix)) << campaign.maps[m].name;
      EXPECT_TRUE(is_valid_map_name(campaign.maps[m].name));
      EXPECT_FALSE(campaign.maps[m].chapter.empty());
      names.insert(campaign.maps[m].name);
    }
  }
  EXPECT_EQ(names.size(), 57u);
}

MapCatalog sample_catalog() {
  MapCatalog catalog;
  catalog.campaigns.push_back({.title = "Dark Carnival",
                               .origin = "official",
                               .maps = {{"c2m1_highway", "Dark Carnival, 1: Highway", {}},
                                        {"c2m2_fairgrounds", "Dark Carnival, 2: Fairground", {}},
                                        {"c2m3_coaster", "Dark Carnival, 3: Coaster", {}}}});
  catalog.campaigns.push_back(
      {.title = "Dead Center", .origin = "official", .maps = {{"c1m1_hotel", "Dead Center, 1: Hotel", {}}}});
  catalog.other_maps.push_back({"custom_map", "custom_map", {"overlay maps"}});
  return catalog;
}

TEST(MapsTest, TheCatalogListsCampaignMapsAndOtherMaps) {
  MapCatalog catalog = sample_catalog();
  EXPECT_TRUE(catalog_has_map(catalog, "c2m2_fairgrounds"));
  EXPECT_TRUE(catalog_has_map(catalog, "custom_map"));
  EXPECT_FALSE(catalog_has_map(catalog, "C2M2_FAIRGROUNDS"));
  EXPECT_FALSE(catalog_has_map(catalog, "c2m9_typo"));
  EXPECT_EQ(check_map_in_catalog(catalog, "custom_map"), std::nullopt);
}

TEST(MapsTest, ClosestMapsAreNearestFirstIgnoringCaseWithTiesByName) {
  MapCatalog catalog = sample_catalog();
  // One substitution away, sharing all but the last character.
  EXPECT_EQ(closest_maps(catalog, "C2M1_HIGHWAX", 1), std::vector<std::string>{"c2m1_highway"});
  // c1m1_hotel is one edit away; c2m1_highway and c2m3_coaster tie (7 edits, common prefix "c").
  EXPECT_EQ(closest_maps(catalog, "c1m1_hotl", 3),
            (std::vector<std::string>{"c1m1_hotel", "c2m1_highway", "c2m3_coaster"}));
  // Nothing in common: plain edit distance (10 for both), then the name.
  EXPECT_EQ(closest_maps(catalog, "zzz", 2), (std::vector<std::string>{"c1m1_hotel", "custom_map"}));
  EXPECT_EQ(closest_maps(catalog, "zzz", 10).size(), 5u);
  EXPECT_EQ(closest_maps(MapCatalog{}, "c1m1_hotel", 3), std::vector<std::string>{});
  EXPECT_EQ(closest_maps(catalog, "c1m1_hotel", 0), std::vector<std::string>{});
}

// Issue 13: a map that is not in the list is refused, naming the closest matches.
TEST(MapsTest, AMapNotInTheListIsRefusedNamingTheClosest) {
  EXPECT_EQ(check_map_in_catalog(sample_catalog(), "c2m9_typo"),
            "is not in the map list (the official campaigns and the maps of the installation and the overlays); "
            "closest: c2m1_highway, c2m3_coaster, c1m1_hotel");
  EXPECT_EQ(check_map_in_catalog(MapCatalog{}, "c2m9_typo"),
            "is not in the map list (the official campaigns and the maps of the installation and the overlays)");
}

}  // namespace
}  // namespace left4me::model
