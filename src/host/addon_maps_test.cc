// What an addon VPK offers: its maps and the campaigns of its mission files, with a broken mission file a
// problem beside the result rather than the end of it.
#include "host/addon_maps.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/test_support.h"
#include "testing/vpk_builder.h"

namespace left4me::host {
namespace {

using test::VpkBuilder;

Result<AddonMaps> read(const std::string& bytes) { return read_addon_maps(bytes.size(), memory_reader(bytes)); }

TEST(AddonMapsTest, MapsAndCampaignsOfAnAddon) {
  std::string bytes =
      VpkBuilder()
          .add("maps/dw_01_path.bsp", "VBSP")
          .add("maps/dw_02_cabin.bsp", "VBSP")
          .add("maps/not-a-map-name.bsp", "VBSP")
          .add("missions/darkwood.txt",
               test::mission_text("Dark Wood",
                                  {{"dw_01_path", "The Path"}, {"dw_02_cabin", "The Cabin"}, {"bad name", "Skipped"}}))
          .add("materials/x.vmt", "x")
          .build();
  Result<AddonMaps> addon = read(bytes);
  ASSERT_OK(addon);
  EXPECT_EQ(addon->maps, (std::vector<std::string>{"dw_01_path", "dw_02_cabin"}));
  ASSERT_EQ(addon->campaigns.size(), 1u);
  EXPECT_EQ(addon->campaigns[0].title, "Dark Wood");
  ASSERT_EQ(addon->campaigns[0].modes[0].maps.size(), 2u);
  EXPECT_EQ(addon->campaigns[0].modes[0].maps[1].display_name, "The Cabin");
  EXPECT_TRUE(addon->problems.empty());
}

TEST(AddonMapsTest, ABrokenMissionFileIsAProblemAndTheMapsRemain) {
  std::string bytes = VpkBuilder()
                          .add("maps/a_01.bsp", "VBSP")
                          .add("missions/broken.txt", "mission { Name \"never closed }")
                          .add({"bsp", "maps", "..", "", ""})
                          .build();
  Result<AddonMaps> addon = read(bytes);
  ASSERT_OK(addon);
  EXPECT_EQ(addon->maps, std::vector<std::string>{"a_01"});
  EXPECT_TRUE(addon->campaigns.empty());
  EXPECT_EQ(addon->problems, (std::vector<std::string>{"skipped 1 entry whose path is not a plain relative path",
                                                       "missions/broken.txt: line 1: a string that is never closed"}));
}

TEST(AddonMapsTest, AtMostSixteenMissionFilesAreRead) {
  VpkBuilder builder;
  for (int i = 0; i < 17; ++i) {
    builder.add("missions/m" + std::to_string(i) + ".txt", test::mission_text("M", {{"m_01", "One"}}));
  }
  Result<AddonMaps> addon = read(builder.build());
  ASSERT_OK(addon);
  EXPECT_EQ(addon->campaigns.size(), 16u);
  EXPECT_EQ(addon->problems, std::vector<std::string>{"missions/m16.txt: not read (more than 16 mission files)"});
}

TEST(AddonMapsTest, AFileThatIsNotAVpkOffersNothing) {
  EXPECT_EQ(read("PK\x03\x04 a zip, not a vpk").error().message(), "is not a VPK: no VPK signature");
}

}  // namespace
}  // namespace left4me::host
