// The overlay page's file section and the config editor's page, over real HTTP and through the template.
#include "base/file.h"
#include "web/overlay_files.h"
#include "web/page_render.h"
#include "web/pages.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class OverlayFilesPageTest : public testing::WebFixture {
 protected:
  std::int64_t alice_id() {
    Result<std::vector<User>> users = app_->accounts->list_users();
    EXPECT_TRUE(users.ok());
    return users->front().id;
  }
};

TEST_F(OverlayFilesPageTest, TheEditorSavesAConfigAndShowsARefusalWithTheTextKept) {
  start();
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  Result<Overlay> overlay = app_->overlays->create(alice_id(), "cfg", OverlayKind::kFiles);
  ASSERT_OK(overlay);
  std::string base = "/overlays/" + std::to_string(overlay->id) + "/edit";
  HttpReply empty = alice.get(base + "?path=left4dead2/cfg/new.cfg");
  ASSERT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("name=\"text\""), std::string::npos);

  HttpReply saved = post_form(alice, base, "path=left4dead2%2Fcfg%2Fnew.cfg&text=sv_cheats+0");
  EXPECT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.header("location"), "/overlays/" + std::to_string(overlay->id) + "?path=left4dead2%2Fcfg");
  EXPECT_NE(alice.get(base + "?path=left4dead2/cfg/new.cfg").body.find("sv_cheats 0"), std::string::npos);

  HttpReply refused = post_form(alice, base, "path=left4dead2%2Faddons%2Fx.vpk&text=kept+text");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("kept text"), std::string::npos);
  EXPECT_NE(refused.body.find("only files below left4dead2/cfg/"), std::string::npos);
  EXPECT_EQ(bob.get(base + "?path=left4dead2/cfg/new.cfg").status, 404);
  EXPECT_EQ(post_form(bob, base, "path=left4dead2%2Fcfg%2Fnew.cfg&text=x").status, 404);
}

TEST_F(OverlayFilesPageTest, TheFileSectionListsTheFolderWithLinksAndTheUploadFormForItsOwner) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  Result<Overlay> overlay = app_->overlays->create(alice_id(), "mods", OverlayKind::kFiles);
  ASSERT_OK(overlay);
  std::string directory = overlay_directory(app_->config, *overlay);
  ASSERT_OK(make_directories(directory + "/left4dead2/cfg"));
  ASSERT_OK(write_file_atomic(directory + "/left4dead2/cfg/a b.cfg", "x"));
  Request request;
  Context context{
      request, {}, AuthContext{app_->accounts->find_user(alice_id())->value(), false, false, false, "token", ""}, {}};
  Result<nlohmann::json> files = overlay_files_view(*app_, context, *overlay, "left4dead2/cfg");
  ASSERT_OK(files);
  std::string html = render_template("_overlay_files", {{"files", *files}, {"asset", {{"overlay_files_js", "/x.js"}}}});
  EXPECT_NE(html.find("/download?path=left4dead2%2Fcfg%2Fa%20b.cfg"), std::string::npos) << html;
  EXPECT_NE(html.find("/edit?path=left4dead2%2Fcfg%2Fa%20b.cfg"), std::string::npos) << html;
  EXPECT_NE(html.find("data-overlay-upload"), std::string::npos);
  EXPECT_NE(html.find("data-overlay-delete=\"left4dead2/cfg/a b.cfg\""), std::string::npos);
  EXPECT_FALSE(overlay_files_view(*app_, context, *overlay, "../x").ok());
  Context stranger = context;
  stranger.auth->user.id = alice_id() + 100;
  Result<nlohmann::json> read_only = overlay_files_view(*app_, stranger, *overlay, "");
  ASSERT_OK(read_only);
  EXPECT_FALSE((*read_only)["may_change"].get<bool>());
}

}  // namespace
}  // namespace left4me::web
