// The administration page over real HTTP in-process: users (create, disable, reset, limits, role, delete) and
// adopting host instances the panel did not make.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class AdminPagesTest : public testing::WebFixture {};

TEST_F(AdminPagesTest, AdminSetsAUsersLimitsAndTheFormsSayWhenOneIsReached) {
  start({{"MAX_SERVERS_PER_USER", "1"}, {"MAX_BLUEPRINTS_PER_USER", "7"}});
  create_user("root", Role::kAdmin);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("root");
  Browser bob = logged_in("bob");
  std::int64_t bob_id = bob.get("/api/v1/session").json()["user"]["id"];
  std::string path = "/admin/users/" + std::to_string(bob_id) + "/limits";
  HttpReply page = admin.get("/admin");
  EXPECT_NE(page.body.find("1 servers, 7 blueprints"), std::string::npos);
  EXPECT_NE(page.body.find("action=\"" + path + "\""), std::string::npos);
  HttpReply bad = post_form(admin, path, "max_servers=lots&max_blueprints=");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("servers must be a whole number"), std::string::npos);
  EXPECT_EQ(post_form(admin, path, "max_servers=2&max_blueprints=").status, 303);
  nlohmann::json user = bob.get("/api/v1/session").json()["user"];
  EXPECT_EQ(user["max_servers"], 2);
  EXPECT_TRUE(user["max_blueprints"].is_null());
  EXPECT_NE(admin.get("/admin").body.find("2 servers, 7 blueprints"), std::string::npos);
  make_server_with_forms(bob, "alpha");
  std::string blueprint =
      std::to_string(bob.get("/api/v1/blueprints").json()["blueprints"][0]["id"].get<std::int64_t>());
  EXPECT_EQ(post_form(bob, "/servers", "name=beta&blueprint_id=" + blueprint).status, 303);
  HttpReply refused = post_form(bob, "/servers", "name=gamma&blueprint_id=" + blueprint);
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("at most 2 servers"), std::string::npos) << refused.body;
  EXPECT_EQ(post_form(admin, path, "max_servers=&max_blueprints=0").status, 303);
  HttpReply no_blueprint = post_form(bob, "/blueprints", "name=more&map=c1m1_hotel&mode=coop&max_players=4&op=save");
  EXPECT_EQ(no_blueprint.status, 409);
  EXPECT_NE(no_blueprint.body.find("may have no blueprints"), std::string::npos) << no_blueprint.body;
}

TEST_F(AdminPagesTest, AdminSetsAUsersOverlayQuotaBesideTheLimits) {
  start({{"OVERLAY_QUOTA_BYTES", "5000"}});
  create_user("root", Role::kAdmin);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("root");
  std::int64_t bob_id = logged_in("bob").get("/api/v1/session").json()["user"]["id"];
  std::string path = "/admin/users/" + std::to_string(bob_id) + "/limits";
  EXPECT_NE(admin.get("/admin").body.find("name=\"overlay_quota_bytes\""), std::string::npos);
  HttpReply bad = post_form(admin, path, "max_servers=&max_blueprints=&overlay_quota_bytes=lots");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("overlay quota must be a whole number"), std::string::npos);
  std::string user_path = "/api/v1/users/" + std::to_string(bob_id);
  EXPECT_TRUE(admin.get(user_path).json()["user"]["overlay_quota_bytes"].is_null());
  EXPECT_EQ(admin.get(user_path).json()["user"]["overlay_quota"]["limit"], 5000);
  EXPECT_EQ(post_form(admin, path, "max_servers=&max_blueprints=&overlay_quota_bytes=123456").status, 303);
  EXPECT_EQ(admin.get(user_path).json()["user"]["overlay_quota_bytes"], 123456);
  EXPECT_EQ(admin.get(user_path).json()["user"]["overlay_quota"]["limit"], 123456);
  EXPECT_EQ(post_form(admin, path, "max_servers=&max_blueprints=&overlay_quota_bytes=").status, 303);
  EXPECT_TRUE(admin.get(user_path).json()["user"]["overlay_quota_bytes"].is_null());
}

TEST_F(AdminPagesTest, AdminCreatesDisablesAndResetsUsers) {
  start();
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  HttpReply bad = post_form(admin, "/admin/users", "name=bob&password=short");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("id=\"new-user-password-error\""), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"bob\""), std::string::npos);
  EXPECT_EQ(post_form(admin, "/admin/users", "name=bob&password=bob-password").status, 303);
  std::int64_t bob = 0;
  nlohmann::json users = admin.get("/api/v1/users").json();
  for (const nlohmann::json& user : users["users"]) {
    if (user["name"] == "bob") bob = user["id"];
  }
  ASSERT_GT(bob, 0);
  std::string base = "/admin/users/" + std::to_string(bob);
  EXPECT_EQ(post_form(admin, base + "/disabled", "disabled=1").status, 303);
  EXPECT_EQ(Browser(port_).login("bob", "bob-password").status, 401);
  EXPECT_EQ(post_form(admin, base + "/disabled", "disabled=0").status, 303);
  EXPECT_EQ(post_form(admin, base + "/password", "password=reset-password").status, 303);
  EXPECT_EQ(Browser(port_).login("bob", "bob-password").status, 401);
  EXPECT_EQ(Browser(port_).login("bob", "reset-password").status, 200);
  std::int64_t me = admin.get("/api/v1/session").json()["user"]["id"];
  HttpReply self = post_form(admin, "/admin/users/" + std::to_string(me) + "/disabled", "disabled=1");
  EXPECT_EQ(self.status, 422);
}

TEST_F(AdminPagesTest, AdminChangesARoleButNotTheirOwn) {
  start();
  create_user("root", Role::kAdmin);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("root");
  Browser bob = logged_in("bob");
  std::int64_t bob_id = bob.get("/api/v1/session").json()["user"]["id"];
  std::int64_t me = admin.get("/api/v1/session").json()["user"]["id"];
  std::string page = admin.get("/admin").body;
  EXPECT_NE(page.find("Make bob an administrator"), std::string::npos) << page;
  EXPECT_EQ(page.find("Make root a user"), std::string::npos);  // no form for one's own role
  std::string path = "/admin/users/" + std::to_string(bob_id) + "/role";
  EXPECT_EQ(post_form(admin, path, "role=owner").status, 422);
  ASSERT_EQ(post_form(admin, path, "role=admin").status, 303);
  EXPECT_EQ(bob.get("/admin").status, 200);
  EXPECT_NE(admin.get("/admin").body.find("Make bob a user"), std::string::npos);
  HttpReply self = post_form(admin, "/admin/users/" + std::to_string(me) + "/role", "role=user");
  EXPECT_EQ(self.status, 422);
  EXPECT_NE(self.body.find("Role not changed: you cannot take away your own administrator role"), std::string::npos)
      << self.body;
  ASSERT_EQ(post_form(admin, path, "role=user").status, 303);
  EXPECT_EQ(bob.get("/admin").status, 403);
}

// The confirmation lists what goes by name (escaped), and deleting signs the user out, removes their servers through
// jobs, then the user.
TEST_F(AdminPagesTest, DeletingAUserConfirmsWithTheirServersAndBlueprintsByName) {
  start({{"JOB_WORKER_ENABLED", "false"}});  // the workers start once the page showed the deletion pending
  create_user("root", Role::kAdmin);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("root");
  Browser bob = logged_in("bob");
  std::int64_t bob_id = bob.get("/api/v1/session").json()["user"]["id"];
  std::int64_t me = admin.get("/api/v1/session").json()["user"]["id"];
  std::int64_t server = make_server_with_forms(bob, "alpha");
  make_blueprint(bob, "<b>loud</b>");
  std::string path = "/admin/users/" + std::to_string(bob_id) + "/delete";
  EXPECT_NE(admin.get("/admin").body.find("href=\"" + path + "\""), std::string::npos);
  HttpReply confirm = admin.get(path);
  ASSERT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("<h1>Delete bob?</h1>"), std::string::npos) << confirm.body;
  EXPECT_NE(confirm.body.find("Servers (1)"), std::string::npos);
  EXPECT_NE(confirm.body.find("<a href=\"/servers/" + std::to_string(server) + "\">alpha</a>"), std::string::npos);
  EXPECT_NE(confirm.body.find("Blueprints (2)"), std::string::npos);
  EXPECT_NE(confirm.body.find("<li>bp-alpha</li>"), std::string::npos);
  EXPECT_NE(confirm.body.find("<li>&lt;b&gt;loud&lt;/b&gt;</li>"), std::string::npos) << confirm.body;
  EXPECT_EQ(confirm.body.find("<b>loud</b>"), std::string::npos);
  EXPECT_NE(confirm.body.find("action=\"" + path + "\""), std::string::npos);
  // Oneself: the page says why, and the post is refused.
  std::string own = "/admin/users/" + std::to_string(me) + "/delete";
  EXPECT_NE(admin.get(own).body.find("You cannot delete yourself"), std::string::npos);
  HttpReply self = post_form(admin, own, "");
  EXPECT_EQ(self.status, 422);
  EXPECT_NE(self.body.find("User not deleted: you cannot delete yourself"), std::string::npos) << self.body;
  EXPECT_EQ(admin.get("/admin/users/9999/delete").status, 404);
  EXPECT_EQ(post_form(admin, "/admin/users/9999/delete", "").status, 404);
  EXPECT_EQ(bob.get(own).status, 403);

  HttpReply deleted = post_form(admin, path, "");
  ASSERT_EQ(deleted.status, 303) << deleted.body;
  EXPECT_EQ(deleted.header("location"), "/admin");
  EXPECT_EQ(deleted.header("set-cookie").rfind("l4d2_notice=user_deleting;", 0), 0u) << deleted.header("set-cookie");
  EXPECT_EQ(bob.get("/").status, 303);  // signed out
  EXPECT_NE(admin.get("/admin").body.find("being deleted"), std::string::npos);
  app_->runner->start();
  std::vector<std::int64_t> deletes;
  nlohmann::json jobs = admin.get("/api/v1/jobs").json();
  for (const nlohmann::json& job : jobs["jobs"]) {
    if (job["type"] == "delete") deletes.push_back(job["id"]);
  }
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(wait_job(admin, deletes[0]), "succeeded");
  EXPECT_EQ(admin.get(path).status, 404);
  EXPECT_EQ(admin.get("/admin").body.find("id=\"user-" + std::to_string(bob_id) + "\""), std::string::npos);
}

// Instances the panel did not make are listed on the admin page only, and adopted from there explicitly.
TEST_F(AdminPagesTest, AdminPageListsAndAdoptsInstancesThePanelDoesNotManage) {
  write_fake("first.spec", "port: 27015\n");  // made with the CLI, before the web app starts
  write_fake("first.state", "running\n");
  start();
  create_user("root", Role::kAdmin);
  create_user("ann", Role::kUser);
  Browser admin = logged_in("root");
  Browser ann = logged_in("ann");
  ASSERT_EQ(post_form(ann, "/blueprints", "name=coop&map=c1m1_hotel&mode=coop&max_players=4&op=save").status, 303);
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  EXPECT_EQ(ann.get("/").body.find("first"), std::string::npos);
  EXPECT_EQ(admin.get("/").body.find("first"), std::string::npos);  // admins' dashboard: records only

  std::string page = admin.get("/admin").body;
  EXPECT_NE(page.find("id=\"instance-first\""), std::string::npos) << page;
  EXPECT_NE(page.find("re-initializes it from that blueprint at its next start"), std::string::npos);
  EXPECT_NE(page.find(">ann: coop</option>"), std::string::npos) << page;

  HttpReply bad =
      post_form(admin, "/admin/adopt", "instance=first&name=Bad%09Name&blueprint_id=" + std::to_string(blueprint));
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("id=\"adopt-error-first\""), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("value=\"Bad\tName\""), std::string::npos);
  HttpReply ghost =
      post_form(admin, "/admin/adopt", "instance=ghost&name=ghost&blueprint_id=" + std::to_string(blueprint));
  EXPECT_EQ(ghost.status, 422);
  EXPECT_NE(ghost.body.find("the host has no instance"), std::string::npos) << ghost.body;

  HttpReply adopted =
      post_form(admin, "/admin/adopt", "instance=first&name=cli-first&blueprint_id=" + std::to_string(blueprint));
  ASSERT_EQ(adopted.status, 303) << adopted.body;
  bool noticed = false;  // the one-time notice cookie
  auto cookies = adopted.headers.equal_range("set-cookie");
  for (auto it = cookies.first; it != cookies.second; ++it)
    noticed |= it->second.rfind("l4d2_notice=server_adopted;", 0) == 0;
  EXPECT_TRUE(noticed);
  nlohmann::json servers = ann.get("/api/v1/servers").json()["servers"];
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0]["name"], "cli-first");
  EXPECT_EQ(servers[0]["instance"], "first");
  EXPECT_EQ(servers[0]["state"], "running");
  EXPECT_NE(ann.get("/").body.find(">cli-first</a>"), std::string::npos);
  EXPECT_EQ(admin.get("/admin").body.find("id=\"instance-first\""), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
