// The map catalog over a fake installation (loose maps, an addon, a file that is no VPK) and an overlay with
// a VPK holding a campaign: official campaigns first, then found campaigns with their names, then the other
// maps; problems listed, never fatal.
#include "host/map_catalog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/file.h"
#include "testing/test_support.h"
#include "testing/vpk_builder.h"

namespace left4me::host {
namespace {

using test::VpkBuilder;

Status put(const std::string& path, const std::string& content) {
  if (auto made = make_directories(path.substr(0, path.rfind('/'))); !made.ok()) return made;
  return write_file_atomic(path, content);
}

class MapCatalogTest : public test::TempDirTest {
 protected:
  MapCatalogTest() : TempDirTest(test::TempStorage::kMemory) {}
  void SetUp() override {
    const std::string game = layout_.installation() + "/left4dead2";
    for (const char* map : {"c1m1_hotel", "custom_map", "bad-name"}) {
      ASSERT_OK(put(game + "/maps/" + map + ".bsp", "VBSP"));
    }
    ASSERT_OK(put(game + "/maps/notes.txt", "not a map"));
    ASSERT_OK(make_directories(game + "/maps/folder.bsp"));
    ASSERT_OK(put(game + "/addons/extra.vpk", VpkBuilder().add("maps/extra_map.bsp", "VBSP").build()));
    ASSERT_OK(put(game + "/addons/broken.vpk", "this is no VPK at all"));
    ASSERT_OK(put(game + "/addons/workshop/ignored.vpk", VpkBuilder().add("maps/ignored.bsp", "VBSP").build()));

    const std::string overlay = layout_.overlay("campaign") + "/left4dead2";
    ASSERT_OK(put(overlay + "/addons/darkwood.vpk",
                  VpkBuilder(2)
                      .add("maps/dw_01_path.bsp", "VBSP")
                      .add("maps/dw_02_cabin.bsp", "VBSP")
                      .add("maps/dw_bonus.bsp", "VBSP")
                      .add("missions/darkwood.txt",
                           test::mission_text("Dark Wood", {{"dw_01_path", "The Path"}, {"dw_02_cabin", "The Cabin"}}))
                      .build()));
    ASSERT_EQ(::symlink((game + "/addons/extra.vpk").c_str(), (overlay + "/addons/link.vpk").c_str()), 0);
    ASSERT_OK(put(overlay + "/maps/custom_map.bsp", "VBSP"));
  }

  model::MapCatalog catalog() {
    auto sources = map_sources(layout_, {"campaign"});
    EXPECT_OK(sources);
    return build_map_catalog(*sources);
  }

  model::Layout layout_ = *model::Layout::create(dir() + "/root");
};

TEST_F(MapCatalogTest, OfficialCampaignsComeFirstWithWhereTheirFilesAre) {
  model::MapCatalog found = catalog();
  ASSERT_EQ(found.campaigns.size(), 15u);
  EXPECT_EQ(found.campaigns[0].title, "Dead Center");
  EXPECT_EQ(found.campaigns[0].origin, "official");
  EXPECT_EQ(found.campaigns[0].maps[0].name, "c1m1_hotel");
  EXPECT_EQ(found.campaigns[0].maps[0].title, "Dead Center, 1: Hotel");
  EXPECT_EQ(found.campaigns[0].maps[0].found_in, std::vector<std::string>{"installation"});
  EXPECT_TRUE(found.campaigns[0].maps[1].found_in.empty());  // in the game's own VPKs, which are not read
  EXPECT_EQ(found.campaigns[1].maps[0].title, "Dark Carnival, 1: Highway");
}

TEST_F(MapCatalogTest, AnOverlaysAddonCampaignHasItsNameAndChapters) {
  model::MapCatalog found = catalog();
  const model::CatalogCampaign& darkwood = found.campaigns.back();
  EXPECT_EQ(darkwood.title, "Dark Wood");
  EXPECT_EQ(darkwood.origin, "overlay campaign");
  EXPECT_EQ(darkwood.file, "left4dead2/addons/darkwood.vpk");
  ASSERT_EQ(darkwood.maps.size(), 2u);
  EXPECT_EQ(darkwood.maps[0].name, "dw_01_path");
  EXPECT_EQ(darkwood.maps[0].title, "Dark Wood, 1: The Path");
  EXPECT_EQ(darkwood.maps[1].title, "Dark Wood, 2: The Cabin");
  EXPECT_EQ(darkwood.maps[1].found_in, std::vector<std::string>{"overlay campaign"});
}

TEST_F(MapCatalogTest, MapsOfNoCampaignAreListedOnceByNameWithEveryPlace) {
  model::MapCatalog found = catalog();
  ASSERT_EQ(found.other_maps.size(), 3u);
  EXPECT_EQ(found.other_maps[0].name, "custom_map");
  EXPECT_EQ(found.other_maps[0].found_in, (std::vector<std::string>{"installation", "overlay campaign"}));
  EXPECT_EQ(found.other_maps[1].name, "dw_bonus");
  EXPECT_EQ(found.other_maps[2].name, "extra_map");
  EXPECT_EQ(found.other_maps[2].title, "extra_map");
  EXPECT_FALSE(model::catalog_has_map(found, "ignored"));  // addons/workshop/ is the client's
  EXPECT_FALSE(model::catalog_has_map(found, "bad-name"));
}

TEST_F(MapCatalogTest, FilesThatCannotBeReadAreProblemsNamingThem) {
  model::MapCatalog found = catalog();
  EXPECT_EQ(found.problems,
            (std::vector<std::string>{"installation: left4dead2/addons/broken.vpk: is not a VPK: no VPK signature",
                                      "overlay campaign: open left4dead2/addons/link.vpk: Too many levels of symbolic "
                                      "links"}));
}

TEST_F(MapCatalogTest, TheFormsCheckNamesTheClosestMaps) {
  model::MapCatalog found = catalog();
  EXPECT_EQ(model::check_map_in_catalog(found, "dw_02_cabin"), std::nullopt);
  EXPECT_EQ(model::check_map_in_catalog(found, "custom_map"), std::nullopt);
  EXPECT_EQ(model::check_map_in_catalog(found, "dw_02_cabn"),
            "is not in the map list (the official campaigns and the maps of the installation and the overlays); "
            "closest: dw_02_cabin, dw_01_path, dw_bonus");
}

TEST_F(MapCatalogTest, TheJsonAndTheTextShowTheSameCatalog) {
  model::MapCatalog found = catalog();
  nlohmann::json json = nlohmann::json::parse(map_catalog_json(found));
  EXPECT_EQ(json["campaigns"].size(), 15u);
  EXPECT_EQ(json["campaigns"][0]["file"], nullptr);
  EXPECT_EQ(json["campaigns"][14]["file"], "left4dead2/addons/darkwood.vpk");
  EXPECT_EQ(
      json["campaigns"][14]["maps"][0],
      (nlohmann::json{{"map", "dw_01_path"}, {"title", "Dark Wood, 1: The Path"}, {"found_in", {"overlay campaign"}}}));
  EXPECT_EQ(json["other_maps"][0]["found_in"], (nlohmann::json{"installation", "overlay campaign"}));
  EXPECT_EQ(json["problems"].size(), 2u);
  std::string text = map_catalog_text(found);
  // Titles line up after the longest name (c13m2_southpinestream, 21 characters).
  EXPECT_NE(text.find("Dead Center (official)\n  c1m1_hotel             Dead Center, 1: Hotel  [installation]\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Dark Wood (overlay campaign: left4dead2/addons/darkwood.vpk)\n"
                      "  dw_01_path             Dark Wood, 1: The Path  [overlay campaign]\n"),
            std::string::npos);
  EXPECT_NE(text.find("Other maps\n  custom_map  [installation, overlay campaign]\n"), std::string::npos);
  EXPECT_NE(text.find("Problems\n  installation: left4dead2/addons/broken.vpk"), std::string::npos);
}

TEST_F(MapCatalogTest, AFileNameThatIsNotUtf8StaysValidInTheProblems) {
  ASSERT_OK(put(layout_.installation() + "/left4dead2/addons/caf\xE9.vpk", "nope"));
  model::MapCatalog found = catalog();
  EXPECT_EQ(found.problems[0], "installation: left4dead2/addons/broken.vpk: is not a VPK: no VPK signature");
  EXPECT_EQ(found.problems[1],
            "installation: left4dead2/addons/caf\xEF\xBF\xBD.vpk: is not a VPK: shorter than its header");
  nlohmann::json json = nlohmann::json::parse(map_catalog_json(found));
  EXPECT_EQ(json["problems"][1], found.problems[1]);
}

TEST_F(MapCatalogTest, OverlaysMustBeValidRefsThatExist) {
  auto sources = map_sources(layout_, {"campaign"});
  ASSERT_OK(sources);
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0].label, "installation");
  EXPECT_EQ((*sources)[1].root, layout_.overlay("campaign"));
  auto missing = map_sources(layout_, {"campaign", "missing"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message(), "overlay 'missing' does not exist (" + layout_.overlay("missing") + ")");
  auto climbing = map_sources(layout_, {"../etc"});
  ASSERT_FALSE(climbing.ok());
  EXPECT_EQ(climbing.error().message(),
            "overlay \"../etc\" is not an overlay: use an id or a path under overlays/ (docs/spec.md)");
}

}  // namespace
}  // namespace left4me::host
