#include "content/workshop_refresh.h"

#include "base/file.h"
#include "testing/steam_standin.h"
#include "testing/test_support.h"

namespace left4me::content {
namespace {

using test::StandinCollection;
using test::StandinItem;

class WorkshopRefreshTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    auto started = test::SteamStandin::start();
    ASSERT_OK(started);
    standin_ = std::move(*started);
    auto layout = model::Layout::create(dir());
    ASSERT_OK(layout);
    layout_ = std::make_unique<model::Layout>(*layout);
    for (const char* id : {"1", "2", "3", "4"}) {
      standin_->put_item(
          StandinItem{.id = id, .title = std::string("Map ") + id, .content = test::standin_vpk(id, 3000)});
    }
    standin_->put_collection(StandinCollection{.id = "900", .children = {{"1", 0}, {"901", 2}, {"2", 0}}});
    standin_->put_collection(StandinCollection{.id = "901", .children = {{"3", 0}, {"4", 0}}});
    overlay_ = layout_->overlay("5");
    ASSERT_OK(make_directories(overlay_));
  }

  std::unique_ptr<test::SteamStandin> standin_;
  std::unique_ptr<model::Layout> layout_;
  std::string overlay_;
};

TEST_F(WorkshopRefreshTest, ACollectionLandsInTheOverlayAndASecondRefreshFetchesNothing) {
  SteamApiOptions options;
  options.base_url = standin_->base_url();
  SteamWebApi api(options);
  WorkshopCache cache(*layout_, {});
  auto first = refresh_workshop_overlay(api, cache, {"900"}, overlay_);
  ASSERT_OK(first);
  EXPECT_EQ(first->linked, (std::vector<std::string>{"1", "3", "4", "2"}));
  for (const auto& outcome : first->outcomes) EXPECT_EQ(outcome.action, ItemAction::kDownloaded);
  for (const char* id : {"1", "2", "3", "4"}) {
    EXPECT_TRUE(path_exists(overlay_ + "/left4dead2/addons/" + std::string(id) + ".vpk")) << id;
  }

  standin_->put_item(StandinItem{.id = "3", .result = 9});
  int requests_before = api.requests();
  auto second = refresh_workshop_overlay(api, cache, {"900"}, overlay_);
  ASSERT_OK(second);
  EXPECT_EQ(api.requests() - requests_before, 3);  // two levels of collections, one batch of details
  EXPECT_EQ(second->outcomes[0].action, ItemAction::kUpToDate);
  EXPECT_EQ(second->outcomes[1].action, ItemAction::kFailed);  // item 3, removed: reported, its copy kept
  EXPECT_EQ(second->outcomes[1].status.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(second->linked, (std::vector<std::string>{"1", "3", "4", "2"}));
  for (const char* id : {"1", "2", "3", "4"}) EXPECT_EQ(standin_->file_requests(id), 1) << id;

  auto smaller = refresh_workshop_overlay(api, cache, {"901"}, overlay_);
  ASSERT_OK(smaller);
  EXPECT_FALSE(path_exists(overlay_ + "/left4dead2/addons/1.vpk"));
  EXPECT_TRUE(path_exists(overlay_ + "/left4dead2/addons/4.vpk"));
}

}  // namespace
}  // namespace left4me::content
