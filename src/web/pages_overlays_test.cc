// The overlay pages over real HTTP in-process: the list and its create form, the overlay page with its kind's place,
// renaming, and a delete refused while a blueprint stacks the overlay (the refusal naming it, shown on the form).
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class OverlayPagesTest : public testing::WebFixture {};

TEST_F(OverlayPagesTest, CreateRenameAndDeleteThroughTheForms) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string list = ann.get("/overlays").body;
  EXPECT_NE(list.find("<a href=\"/overlays\" aria-current=\"page\">Overlays</a>"), std::string::npos) << list;
  EXPECT_EQ(list.find("name=\"global\""), std::string::npos);  // only administrators make global overlays

  EXPECT_EQ(post_form(ann, "/overlays", "name=&kind=files").status, 422);
  HttpReply bad_kind = post_form(ann, "/overlays", "name=x&kind=magic");
  EXPECT_EQ(bad_kind.status, 422);
  EXPECT_NE(bad_kind.body.find("kind must be files, workshop, managed or script"), std::string::npos);
  HttpReply created = post_form(ann, "/overlays", "name=campaign+pack&kind=files");
  ASSERT_EQ(created.status, 303) << created.body;
  std::string page_path = created.header("location").substr(0, created.header("location").find('?'));
  std::string page = ann.get(page_path).body;
  EXPECT_NE(page.find("<h1>Overlay campaign pack</h1>"), std::string::npos) << page;
  EXPECT_NE(ann.get("/overlays").body.find(">campaign pack</a>"), std::string::npos);

  EXPECT_EQ(post_form(ann, page_path, "name=").status, 422);
  EXPECT_EQ(post_form(ann, page_path, "name=pack").status, 303);
  EXPECT_NE(ann.get(page_path).body.find("<h1>Overlay pack</h1>"), std::string::npos);

  std::string id = page_path.substr(page_path.rfind('/') + 1);
  ASSERT_EQ(
      post_form(ann, "/blueprints", "name=stacker&map=c1m1_hotel&mode=coop&max_players=4&overlay=" + id + "&op=save")
          .status,
      303);
  HttpReply refused = post_form(ann, page_path + "/delete", "");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("id=\"delete-error\""), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("&apos;stacker&apos;"), std::string::npos) << refused.body;
  nlohmann::json blueprints = ann.get("/api/v1/blueprints").json()["blueprints"];
  ASSERT_EQ(
      ann.request("DELETE", "/api/v1/blueprints/" + std::to_string(blueprints[0]["id"].get<std::int64_t>())).status,
      200);
  EXPECT_EQ(post_form(ann, page_path + "/delete", "").status, 303);
  EXPECT_EQ(ann.get(page_path).status, 404);
}

}  // namespace
}  // namespace left4me::web
