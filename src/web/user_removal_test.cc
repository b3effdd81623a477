// Deleting users and changing their role over real HTTP, with a real SQLite file and the stand-in l4d2ctl: the
// user's servers go through delete jobs, then the user and their blueprints; nobody deletes or demotes themselves,
// and the last active administrator stays one.
#include "web/user_removal.h"

#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class UserRemovalTest : public testing::WebFixture {
 protected:
  std::int64_t user_id(const std::string& name) {
    Result<std::vector<User>> users = app_->accounts->list_users();
    EXPECT_OK(users);
    for (const User& user : *users) {
      if (user.name == name) return user.id;
    }
    return 0;
  }
  static std::string user_path(std::int64_t id) { return "/api/v1/users/" + std::to_string(id); }
  std::vector<std::string> names_of(const nlohmann::json& list) {
    std::vector<std::string> names;
    for (const nlohmann::json& item : list) names.push_back(item["name"]);
    return names;
  }
};

TEST_F(UserRemovalTest, DeletingAUserStopsAndRemovesTheirServersThenTheUserAndTheirBlueprints) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("root");
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  std::int64_t coop = make_blueprint(alice, "coop");
  make_blueprint(alice, "versus");
  // The user's overlay, stacked by their blueprint: it goes after the blueprint, with its directory.
  std::int64_t pack = alice.post("/api/v1/overlays", {{"name", "pack"}}).json()["overlay"]["id"];
  std::string pack_dir = dir_.path() + "/data/root/overlays/" + std::to_string(pack);
  ASSERT_TRUE(is_directory(pack_dir));
  ASSERT_EQ(
      alice.post("/api/v1/blueprints", {{"name", "stacked"}, {"spec", {{"map", "c1m1_hotel"}, {"overlays", {pack}}}}})
          .status,
      201);
  HttpReply alpha = make_server(alice, "alpha", coop);
  HttpReply beta = make_server(alice, "beta", coop);
  ASSERT_EQ(alpha.status, 201);
  ASSERT_EQ(beta.status, 201);
  std::int64_t alpha_id = alpha.json()["server"]["id"];
  ASSERT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + std::to_string(alpha_id) + "/start"))), "succeeded");
  ASSERT_EQ(read_fake(instance_of(alpha) + ".state"), "running\n");
  HttpReply kept = make_server(bob, "gamma", make_blueprint(bob, "bob-coop"));
  ASSERT_EQ(kept.status, 201);

  std::int64_t alice_id = user_id("alice");
  nlohmann::json plan = admin.get(user_path(alice_id)).json();
  EXPECT_EQ(names_of(plan["servers"]), (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(names_of(plan["blueprints"]), (std::vector<std::string>{"coop", "stacked", "versus"}));

  HttpReply deleting = admin.request("DELETE", user_path(alice_id));
  ASSERT_EQ(deleting.status, 202) << deleting.body;
  ASSERT_EQ(deleting.json()["jobs"].size(), 2u);
  // Signed out at once, and nothing new may be made for the user meanwhile.
  EXPECT_EQ(alice.get("/api/v1/session").status, 401);
  EXPECT_EQ(Browser(port_).login("alice", "password-alice").status, 401);
  Result<Server> late = app_->servers->create(alice_id, "late", coop);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), ErrorCode::kNotFound);
  nlohmann::json answer = deleting.json();
  for (const nlohmann::json& job : answer["jobs"]) {
    EXPECT_EQ(job["type"], "delete");
    EXPECT_EQ(wait_job(admin, job["id"]), "succeeded");
  }
  // The running server was removed on the host through l4d2ctl delete.
  EXPECT_EQ(read_fake(instance_of(alpha) + ".state"), "");
  EXPECT_NE(read_fake("calls.log").find("begin delete " + instance_of(alpha)), std::string::npos);
  // beta was never started: its instance was never made, and nothing of that name on the host is touched.
  EXPECT_EQ(read_fake("calls.log").find("begin delete " + instance_of(beta)), std::string::npos);
  EXPECT_EQ(admin.get(user_path(alice_id)).status, 404);
  EXPECT_EQ(names_of(admin.get("/api/v1/blueprints").json()["blueprints"]), (std::vector<std::string>{"bob-coop"}));
  EXPECT_EQ(names_of(admin.get("/api/v1/servers").json()["servers"]), (std::vector<std::string>{"gamma"}));
  EXPECT_EQ(bob.get("/api/v1/servers").json()["servers"].size(), 1u);
  EXPECT_TRUE(admin.get("/api/v1/overlays").json()["overlays"].empty());
  EXPECT_FALSE(path_exists(pack_dir));
  // The delete jobs stay in the history, the administrator's.
  std::int64_t job = deleting.json()["jobs"][0]["id"];
  EXPECT_EQ(admin.get("/api/v1/jobs/" + std::to_string(job)).status, 200);
}

TEST_F(UserRemovalTest, AUserWithoutServersGoesAtOnce) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser admin = logged_in("root");
  Browser alice = logged_in("alice");
  make_blueprint(alice, "coop");
  std::int64_t alice_id = user_id("alice");
  HttpReply deleted = admin.request("DELETE", user_path(alice_id));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json()["deleted"], alice_id);
  EXPECT_EQ(user_id("alice"), 0);
  EXPECT_TRUE(admin.get("/api/v1/blueprints").json()["blueprints"].empty());
  EXPECT_EQ(alice.get("/api/v1/session").status, 401);
  // The name is free again.
  EXPECT_EQ(admin.post("/api/v1/users", {{"name", "alice"}, {"password", "new-password"}}).status, 201);
}

TEST_F(UserRemovalTest, AFailedServerDeleteKeepsTheUserUntilDeletingAgainSucceeds) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser admin = logged_in("root");
  Browser alice = logged_in("alice");
  HttpReply alpha = make_server(alice, "alpha", make_blueprint(alice, "coop"));
  std::string alpha_path = "/api/v1/servers/" + std::to_string(alpha.json()["server"]["id"].get<std::int64_t>());
  ASSERT_EQ(wait_job(alice, job_of(alice.post(alpha_path + "/start"))), "succeeded");
  write_fake(instance_of(alpha) + ".fail_delete", "device busy");
  std::int64_t alice_id = user_id("alice");
  HttpReply first = admin.request("DELETE", user_path(alice_id));
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(wait_job(admin, first.json()["jobs"][0]["id"]), "failed");
  nlohmann::json left = admin.get(user_path(alice_id)).json();
  EXPECT_EQ(left["user"]["deleting"], true);
  EXPECT_EQ(left["user"]["disabled"], true);
  EXPECT_EQ(names_of(left["servers"]), (std::vector<std::string>{"alpha"}));
  // Enabling a user being deleted is refused; deleting again retries.
  HttpReply enable = admin.request("PATCH", user_path(alice_id), {{"disabled", false}});
  EXPECT_EQ(enable.status, 409);
  EXPECT_NE(enable.json()["error"]["message"].get<std::string>().find("user 'alice' is being deleted"),
            std::string::npos);
  ::unlink((fake_dir() + "/" + instance_of(alpha) + ".fail_delete").c_str());
  HttpReply again = admin.request("DELETE", user_path(alice_id));
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(wait_job(admin, again.json()["jobs"][0]["id"]), "succeeded");
  EXPECT_EQ(admin.get(user_path(alice_id)).status, 404);
}

TEST_F(UserRemovalTest, NobodyDeletesThemselvesOrAnUnknownUser) {
  start();
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  HttpReply self = admin.request("DELETE", user_path(user_id("root")));
  EXPECT_EQ(self.status, 422);
  EXPECT_EQ(self.json()["error"]["message"], "you cannot delete yourself; ask another administrator");
  EXPECT_EQ(admin.get("/api/v1/session").status, 200);
  for (std::string id : {"9999", "0", "-1", "x"}) {
    EXPECT_EQ(admin.request("DELETE", "/api/v1/users/" + id).status, 404) << id;
    EXPECT_EQ(admin.get("/api/v1/users/" + id).status, 404) << id;
    EXPECT_EQ(admin.request("PATCH", "/api/v1/users/" + id, {{"admin", true}}).status, 404) << id;
  }
}

// Only a race can take the last active administrator's role away over HTTP (each refuses acting on themselves), so
// the store is asked directly, as the second of two administrators acting on each other at once would be.
TEST_F(UserRemovalTest, TheLastActiveAdministratorIsNeverDeletedDemotedOrDisabled) {
  start();
  create_user("root", Role::kAdmin);
  create_user("old", Role::kAdmin);
  create_user("alice", Role::kUser);
  std::int64_t root = user_id("root");
  std::int64_t old = user_id("old");
  std::int64_t alice = user_id("alice");
  ASSERT_OK(app_->accounts->set_disabled(old, true));  // a disabled administrator does not count
  Status deleted = app_->accounts->mark_deleting(root, alice);
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(deleted.error().message(),
            "user 'root' is the last active administrator: make another user an administrator first");
  EXPECT_EQ(app_->accounts->set_role(root, Role::kUser, alice).error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(app_->accounts->set_disabled(root, true).error().code(), ErrorCode::kAlreadyExists);
  Result<std::optional<User>> still = app_->accounts->find_user(root);
  ASSERT_OK(still);
  EXPECT_TRUE((*still)->is_admin);
  EXPECT_FALSE((*still)->disabled);
  EXPECT_FALSE((*still)->deleting);
  // With a second active administrator, either may go.
  ASSERT_OK(app_->accounts->set_disabled(old, false));
  EXPECT_OK(app_->accounts->mark_deleting(root, old));
  EXPECT_EQ(app_->accounts->mark_deleting(old, alice).error().code(), ErrorCode::kAlreadyExists);
}

TEST_F(UserRemovalTest, AnAdministratorChangesRolesButNotTheirOwn) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser admin = logged_in("root");
  Browser alice = logged_in("alice");
  std::string alice_path = user_path(user_id("alice"));
  EXPECT_EQ(alice.get("/api/v1/users").status, 403);
  HttpReply promoted = admin.request("PATCH", alice_path, {{"admin", true}});
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(promoted.json()["user"]["admin"], true);
  EXPECT_TRUE(promoted.json()["user"]["limits"]["servers"].is_null());
  EXPECT_EQ(alice.get("/api/v1/users").status, 200);  // the same session, now an administrator's
  HttpReply self = admin.request("PATCH", user_path(user_id("root")), {{"admin", false}});
  EXPECT_EQ(self.status, 422);
  EXPECT_EQ(self.json()["error"]["field"], "admin");
  EXPECT_EQ(self.json()["error"]["message"],
            "you cannot take away your own administrator role; ask another administrator");
  // alice, an administrator now, may take root's role: root is not the last one.
  HttpReply demoted = alice.request("PATCH", user_path(user_id("root")), {{"admin", false}});
  ASSERT_EQ(demoted.status, 200) << demoted.body;
  EXPECT_EQ(admin.get("/api/v1/users").status, 403);
}

}  // namespace
}  // namespace left4me::web
