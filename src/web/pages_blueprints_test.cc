// The blueprint form over real HTTP in-process: the model's field errors beside their fields, values kept as typed,
// and a blueprint servers follow cannot be deleted.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class BlueprintPagesTest : public testing::WebFixture {};

TEST_F(BlueprintPagesTest, BlueprintFormShowsFieldErrorsAndKeepsValuesAsText) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply invalid = post_form(ann, "/blueprints",
                                "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&map=c1m1_hotel&mode=coop&max_players=99"
                                "&cvar_key=sv_tags&cvar_value=say+%22hi%22&op=save");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("id=\"bp-max-players-error\" class=\"field-error\">99 is outside 1..32"),
            std::string::npos)
      << invalid.body;
  EXPECT_NE(invalid.body.find("id=\"cvar-0-error\""), std::string::npos);
  EXPECT_NE(invalid.body.find("value=\"say &quot;hi&quot;\""), std::string::npos);
  EXPECT_EQ(invalid.body.find("<script>alert(1)"), std::string::npos);

  // A row button re-renders without saving.
  std::int64_t a = ann.post("/api/v1/overlays", {{"name", "oa"}}).json()["overlay"]["id"];
  std::int64_t b = ann.post("/api/v1/overlays", {{"name", "ob"}}).json()["overlay"]["id"];
  HttpReply moved = post_form(ann, "/blueprints", fmt::format("name=x&overlay={}&overlay={}&op=down:0", a, b));
  EXPECT_EQ(moved.status, 200);
  std::size_t first = moved.body.find("id=\"overlay-0\"");
  ASSERT_NE(first, std::string::npos) << moved.body;
  EXPECT_LT(moved.body.find(fmt::format("<option value=\"{}\" selected>", b), first),
            moved.body.find(fmt::format("<option value=\"{}\" selected>", a), first));
  // An overlay another user owns is refused beside its row.
  HttpReply foreign =
      post_form(ann, "/blueprints", "name=x&map=c1m1_hotel&mode=coop&max_players=4&overlay=99999&op=save");
  EXPECT_EQ(foreign.status, 422);
  EXPECT_NE(foreign.body.find("id=\"overlay-0-error\""), std::string::npos) << foreign.body;
  EXPECT_EQ(ann.get("/api/v1/blueprints").json()["blueprints"].size(), 0u);

  HttpReply saved = post_form(ann, "/blueprints", "name=coop&map=c1m1_hotel&mode=coop&max_players=4&op=save");
  EXPECT_EQ(saved.status, 303);
  EXPECT_EQ(saved.header("location").rfind("/blueprints/", 0), 0u);
  nlohmann::json list = ann.get("/api/v1/blueprints").json()["blueprints"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["spec"]["max_players"], 4);
}

// Issue 13, "pick, don't type": the start map is a list grouped by campaign from the host's map list (read once
// for a while, not at every page), the game mode a list of titles with the internal names, and a map the list
// lacks is refused on save naming the closest ones.
TEST_F(BlueprintPagesTest, BlueprintFormPicksMapsAndModesFromLists) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string form = ann.get("/blueprints/new").body;
  EXPECT_NE(form.find("<select id=\"bp-map\" name=\"map\""), std::string::npos) << form;
  EXPECT_NE(form.find("<optgroup label=\"Dark Carnival\"><option value=\"c2m1_highway\">Dark Carnival, 1: Highway<"),
            std::string::npos)
      << form;
  EXPECT_NE(form.find("<option value=\"c1m1_hotel\" selected>"), std::string::npos);
  EXPECT_NE(form.find("<select id=\"bp-mode\" name=\"mode\""), std::string::npos);
  EXPECT_NE(form.find("<option value=\"coop\" selected>Campaign (coop)</option>"), std::string::npos) << form;
  EXPECT_NE(form.find("<option value=\"versus\">"), std::string::npos);
  ann.get("/blueprints/new");
  EXPECT_EQ(read_fake("maps_calls"), "x\n");  // the list is kept, not read for every page

  Result<Overlay> campaign = app_->overlays->adopt(1, "campaign");  // a directory named before overlays were records
  ASSERT_OK(campaign);
  HttpReply with_overlay =
      post_form(ann, "/blueprints", "name=x&overlay=" + std::to_string(campaign->id) + "&op=add_cvar");
  EXPECT_NE(with_overlay.body.find("<optgroup label=\"Dark Wood (overlay campaign)\">"), std::string::npos)
      << with_overlay.body;

  HttpReply typo = post_form(ann, "/blueprints", "name=typo&map=c2m9_typo&mode=coop&max_players=4&op=save");
  EXPECT_EQ(typo.status, 422);
  EXPECT_NE(typo.body.find("id=\"bp-map-error\" class=\"field-error\">&apos;c2m9_typo&apos; is not in the map list"),
            std::string::npos)
      << typo.body;
  EXPECT_NE(typo.body.find("closest: c2m1_highway"), std::string::npos);
  EXPECT_NE(typo.body.find("<option value=\"c2m9_typo\" selected>"), std::string::npos);  // kept, not replaced
  EXPECT_EQ(ann.get("/api/v1/blueprints").json()["blueprints"].size(), 0u);
}

// Found by fuzz/form_fuzzer: a form field that is not UTF-8 made nlohmann's dump throw inside the spec check,
// and the page answered 500.
TEST_F(BlueprintPagesTest, BlueprintFormWithInvalidUtf8IsAFieldErrorNotA500) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply reply = post_form(ann, "/blueprints",
                              "name=latin&map=c1m1_hotel&mode=coop&max_players=4&hostname=Caf%E9"
                              "&cvar_key=sv_tags&cvar_value=a%FFb&op=save");
  EXPECT_EQ(reply.status, 422);
  EXPECT_NE(reply.body.find("hostname: is not valid UTF-8"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find("cvar sv_tags: is not valid UTF-8"), std::string::npos) << reply.body;
  EXPECT_EQ(ann.get("/api/v1/blueprints").json()["blueprints"].size(), 0u);
}

TEST_F(BlueprintPagesTest, DeletingAUsedBlueprintListsItsServers) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  ASSERT_EQ(post_form(ann, "/blueprints", "name=mine&map=c1m1_hotel&mode=coop&max_players=4&op=save").status, 303);
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  ASSERT_EQ(post_form(ann, "/servers", "name=alpha&blueprint_id=" + std::to_string(blueprint)).status, 303);
  HttpReply refused = post_form(ann, "/blueprints/" + std::to_string(blueprint) + "/delete", "");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("id=\"delete-error\""), std::string::npos);
  EXPECT_NE(refused.body.find(">alpha</a>"), std::string::npos);
}

// Issue 14, item 7: an overlay's own cfg/server.cfg, hidden by the rendered one, is not hidden silently.
TEST_F(BlueprintPagesTest, BlueprintFormWarnsOfAnOverlaysShadowedServerCfg) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t plain = ann.post("/api/v1/overlays", {{"name", "plain"}}).json()["overlay"]["id"];
  std::int64_t pack = ann.post("/api/v1/overlays", {{"name", "config pack"}}).json()["overlay"]["id"];
  std::string cfg_dir = dir_.path() + "/data/root/overlays/" + std::to_string(pack) + "/left4dead2/cfg";
  ASSERT_OK(make_directories(cfg_dir));
  ASSERT_OK(write_file_atomic(cfg_dir + "/server.cfg", "sv_cheats 0\n"));
  std::string form = fmt::format("name=x&overlay={}&overlay={}&op=add_cvar", plain, pack);
  std::string body = post_form(ann, "/blueprints", form).body;
  EXPECT_NE(body.find("Overlay config pack ships its own cfg/server.cfg"), std::string::npos) << body;
  EXPECT_EQ(body.find("Overlay plain ships"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
