// The overlays API over real HTTP: every route and refusal (other users' ids, global overlays and users, names,
// kinds, a delete while a blueprint stacks the overlay), and the directories under the host root.
#include <sys/stat.h>

#include "web/migrations.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ApiOverlaysTest : public testing::WebFixture {
 protected:
  std::string overlay_dir(const std::string& directory) { return dir_.path() + "/data/root/overlays/" + directory; }
  static std::string path_of(std::int64_t id) { return "/api/v1/overlays/" + std::to_string(id); }
  static std::string field_of(const HttpReply& reply) { return reply.json()["error"].value("field", ""); }
};

TEST_F(ApiOverlaysTest, CreateListRenameDeleteWithTheDirectory) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  HttpReply created = alice.post("/api/v1/overlays", {{"name", "sourcemod"}, {"kind", "files"}});
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json overlay = created.json()["overlay"];
  std::int64_t id = overlay["id"];
  EXPECT_EQ(overlay["kind"], "files");
  EXPECT_EQ(overlay["global"], false);
  EXPECT_EQ(overlay["owner"], "alice");
  EXPECT_EQ(overlay["directory"], std::to_string(id));
  struct stat info {};
  ASSERT_EQ(::stat(overlay_dir(std::to_string(id)).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0755u);
  EXPECT_EQ(info.st_uid, ::getuid());

  EXPECT_EQ(alice.get("/api/v1/overlays").json()["overlays"].size(), 1u);
  HttpReply renamed = alice.request("PATCH", path_of(id), {{"name", "sm 1.12"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(alice.get(path_of(id)).json()["overlay"]["name"], "sm 1.12");
  // A symlink inside is removed, not followed.
  std::string outside = dir_.path() + "/outside";
  ASSERT_OK(make_directories(outside));
  ASSERT_EQ(::symlink(outside.c_str(), (overlay_dir(std::to_string(id)) + "/link").c_str()), 0);
  HttpReply deleted = alice.request("DELETE", path_of(id));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_FALSE(path_exists(overlay_dir(std::to_string(id))));
  EXPECT_TRUE(is_directory(outside));
  EXPECT_EQ(alice.get(path_of(id)).status, 404);
}

TEST_F(ApiOverlaysTest, RefusesBadInputOtherUsersAndGlobalsByUsers) {
  start();
  create_user("admin", Role::kAdmin);
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("admin");
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  EXPECT_EQ(field_of(alice.post("/api/v1/overlays", {{"name", ""}})), "name");
  EXPECT_EQ(alice.post("/api/v1/overlays", {{"name", "a\nb"}}).status, 422);
  HttpReply bad_kind = alice.post("/api/v1/overlays", {{"name", "x"}, {"kind", "magic"}});
  EXPECT_EQ(bad_kind.status, 422);
  EXPECT_EQ(field_of(bad_kind), "kind");
  HttpReply not_admin = alice.post("/api/v1/overlays", {{"name", "g"}, {"global", true}});
  EXPECT_EQ(not_admin.status, 403);
  EXPECT_EQ(field_of(not_admin), "global");

  std::int64_t mine = alice.post("/api/v1/overlays", {{"name", "mine"}}).json()["overlay"]["id"];
  EXPECT_EQ(alice.post("/api/v1/overlays", {{"name", "mine"}}).status, 409);  // names are unique per owner
  HttpReply global = admin.post("/api/v1/overlays", {{"name", "metamod"}, {"kind", "managed"}, {"global", true}});
  ASSERT_EQ(global.status, 201) << global.body;
  std::int64_t global_id = global.json()["overlay"]["id"];
  EXPECT_EQ(global.json()["overlay"]["owner"], nullptr);

  // Bob sees the global one only; alice's id is 404 to him on every route.
  nlohmann::json bobs = bob.get("/api/v1/overlays").json()["overlays"];
  ASSERT_EQ(bobs.size(), 1u);
  EXPECT_EQ(bobs[0]["id"], global_id);
  EXPECT_EQ(bob.get(path_of(mine)).status, 404);
  EXPECT_EQ(bob.request("PATCH", path_of(mine), {{"name", "taken"}}).status, 404);
  EXPECT_EQ(bob.request("DELETE", path_of(mine)).status, 404);
  EXPECT_EQ(bob.get(path_of(99999)).status, 404);
  // A user may use a global overlay but not change it.
  EXPECT_EQ(bob.get(path_of(global_id)).status, 200);
  EXPECT_EQ(bob.request("PATCH", path_of(global_id), {{"name", "mine now"}}).status, 403);
  EXPECT_EQ(bob.request("DELETE", path_of(global_id)).status, 403);
  EXPECT_TRUE(is_directory(overlay_dir(std::to_string(global_id))));
  // An administrator sees and changes all.
  EXPECT_EQ(admin.get("/api/v1/overlays").json()["overlays"].size(), 2u);
  EXPECT_EQ(admin.request("PATCH", path_of(mine), {{"name", "renamed"}}).status, 200);
  EXPECT_EQ(alice.request("PATCH", path_of(mine), {{"name", ""}}).status, 422);
  EXPECT_EQ(alice.get(path_of(mine)).json()["overlay"]["name"], "renamed");
}

// A blueprint saved before overlays were records (free-text names, database at migration 11) gets a record for each
// name, owned by the blueprint's owner, when the app starts; starting again adopts nothing twice.
TEST_F(ApiOverlaysTest, StartAdoptsFreeTextOverlaysOfOldBlueprints) {
  ASSERT_OK(make_directories(dir_.path() + "/data"));
  {
    Result<std::unique_ptr<Database>> database = Database::open(dir_.path() + "/data/left4me.db");
    ASSERT_OK(database);
    ASSERT_OK(migrate_to(**database, 11));
    Database::Lock lock(**database);
    for (const char* sql : {"INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'x', 0)",
                            "INSERT INTO blueprints (owner_id, name, config, version, created_at, updated_at) VALUES "
                            "(1, 'old', 'map: c1m1_hotel\noverlays:\n  - campaign\n  - sourcemod\n', 1, 0, 0)"}) {
      auto statement = lock.prepare(sql);
      ASSERT_OK(statement);
      ASSERT_OK(statement->run());
    }
  }
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run);
    start();
    ASSERT_OK(app_->accounts->set_password(1, "password-alice"));
    Browser alice = logged_in("alice");
    nlohmann::json overlays = alice.get("/api/v1/overlays").json()["overlays"];
    ASSERT_EQ(overlays.size(), 2u) << overlays;
    EXPECT_EQ(overlays[0]["directory"], "campaign");
    EXPECT_EQ(overlays[0]["owner"], "alice");
    EXPECT_EQ(overlays[0]["used_by"][0]["name"], "old");
    nlohmann::json stacked = alice.get("/api/v1/blueprints/1").json()["blueprint"]["spec"]["overlays"];
    ASSERT_EQ(stacked.size(), 2u) << stacked;
    EXPECT_EQ(stacked[0]["name"], "campaign");
    EXPECT_EQ(stacked[1], (nlohmann::json{{"id", overlays[1]["id"]}, {"name", "sourcemod"}, {"global", false}}));
    stop();
  }
}

}  // namespace
}  // namespace left4me::web
