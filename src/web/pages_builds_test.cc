// The Game builds page over real HTTP in-process with the stand-in l4d2ctl: installed builds and the servers on
// each, the update check (a button, and the panel's own when none ran within a day), rollback and removal, and
// restarting servers on the current build once nobody plays on them.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class BuildsPagesTest : public testing::WebFixture {
 protected:
  // Builds 100 and 101 installed, 100 current; an admin with a running server alpha (on build 100). Its id.
  std::int64_t set_up_alpha(Browser& admin) {
    write_fake("builds", "100\n101\n");
    write_fake("current", "100\n");
    std::int64_t id = make_server_with_forms(admin, "alpha");
    HttpReply job = admin.post("/api/v1/servers/" + std::to_string(id) + "/start");
    EXPECT_EQ(wait_job(admin, job_of(job)), "succeeded");
    return id;
  }
  std::string instance(Browser& browser, std::int64_t id) {
    return browser.get("/api/v1/servers/" + std::to_string(id)).json()["server"]["instance"];
  }
  // The newest job of a type, as the API lists it.
  nlohmann::json newest_job(Browser& browser, const std::string& type) {
    nlohmann::json jobs = browser.get("/api/v1/jobs?type=" + type).json()["jobs"];
    return jobs.empty() ? nlohmann::json() : jobs[0];
  }
};

TEST_F(BuildsPagesTest, ShowsEachBuildWithItsServersAndTheLastCheck) {
  start();
  create_user("root", Role::kAdmin);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("root");
  std::int64_t alpha = set_up_alpha(admin);
  HttpReply page = admin.get("/admin/builds");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("id=\"build-100\""), std::string::npos);
  EXPECT_NE(page.body.find("2.2.4.0"), std::string::npos);  // its PatchVersion
  EXPECT_NE(page.body.find("<a href=\"/servers/" + std::to_string(alpha) + "\">alpha</a>"), std::string::npos);
  EXPECT_NE(page.body.find("No check for an update has run yet."), std::string::npos);
  EXPECT_NE(admin.get("/admin").body.find("href=\"/admin/builds\""), std::string::npos);

  write_fake("available", "102\n");
  EXPECT_EQ(post_form(admin, "/admin/builds/check", "").status, 303);
  nlohmann::json check = newest_job(admin, "check_update");
  ASSERT_TRUE(check.is_object());
  EXPECT_EQ(wait_job(admin, check["id"]), "succeeded");
  page = admin.get("/admin/builds");
  EXPECT_NE(page.body.find("id=\"available-build\">102<"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("id=\"update-available\">not installed yet<"), std::string::npos);

  Browser bob = logged_in("bob");
  EXPECT_EQ(bob.get("/admin/builds").status, 403);
  EXPECT_EQ(post_form(bob, "/admin/builds/use", "build=101").status, 403);
  EXPECT_EQ(read_fake("current"), "100\n");
}

TEST_F(BuildsPagesTest, RollbackShowsUpdatePendingAndOnlyUnusedBuildsAreRemoved) {
  start();
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  std::int64_t alpha = set_up_alpha(admin);
  EXPECT_EQ(admin.get("/").body.find("update pending"), std::string::npos);

  HttpReply used = post_form(admin, "/admin/builds/use", "build=101");
  EXPECT_EQ(used.status, 303);
  EXPECT_EQ(used.header("location"), "/admin/builds");
  EXPECT_EQ(used.header("set-cookie").rfind("l4d2_notice=build_used;", 0), 0u) << used.header("set-cookie");
  EXPECT_EQ(read_fake("current"), "101\n");
  // alpha still runs 100 until its next start: the dashboard and its page say so, once the live status (refreshed in
  // the background, never waited for by a request) has caught up.
  std::string server_path = "/api/v1/servers/" + std::to_string(alpha);
  for (int i = 0; i < 250 && admin.get(server_path).json()["server"]["build"]["current"] != false; ++i) ::usleep(20000);
  HttpReply dashboard = admin.get("/");
  EXPECT_NE(dashboard.body.find("update pending"), std::string::npos) << dashboard.body;
  HttpReply server_page = admin.get("/servers/" + std::to_string(alpha));
  EXPECT_NE(server_page.body.find("id=\"server-build\">100 (version 2.2.4.0)"), std::string::npos) << server_page.body;
  EXPECT_NE(server_page.body.find("id=\"server-update-pending\""), std::string::npos);
  EXPECT_EQ(admin.get(server_path).json()["server"]["build"]["current"], false);
  HttpReply page = admin.get("/admin/builds");
  EXPECT_NE(page.body.find("id=\"old-server-" + std::to_string(alpha) + "\""), std::string::npos);
  EXPECT_EQ(page.body.find("id=\"remove-100\""), std::string::npos);  // in use: no remove button
  EXPECT_NE(page.body.find("id=\"use-100\""), std::string::npos);     // but a rollback one

  HttpReply in_use = post_form(admin, "/admin/builds/remove", "build=100");
  EXPECT_EQ(in_use.status, 409);
  EXPECT_NE(in_use.body.find("mounted instances use it"), std::string::npos) << in_use.body;
  EXPECT_EQ(post_form(admin, "/admin/builds/remove", "build=101").status, 409);  // the current one
  EXPECT_EQ(post_form(admin, "/admin/builds/remove", "build=999").status, 404);
  HttpReply bad = post_form(admin, "/admin/builds/use", "build=--remove");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(read_fake("builds"), "100\n101\n");

  HttpReply stop = admin.post("/api/v1/servers/" + std::to_string(alpha) + "/stop");
  EXPECT_EQ(wait_job(admin, job_of(stop)), "succeeded");
  EXPECT_EQ(post_form(admin, "/admin/builds/remove", "build=100").status, 303);
  EXPECT_EQ(read_fake("builds"), "101\n");
  EXPECT_EQ(admin.get("/admin/builds").body.find("id=\"build-100\""), std::string::npos);
}

TEST_F(BuildsPagesTest, SwitchWaitsWhilePlayersAreOnThenRestartsOnTheNewBuild) {
  start({{"LEFT4ME_BUILD_SWITCH_MAX_WAIT_SECONDS", "60"}});
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  std::int64_t alpha = set_up_alpha(admin);
  std::string name = instance(admin, alpha);
  write_fake(name + ".players", "2");
  EXPECT_EQ(post_form(admin, "/admin/builds/use", "build=101").status, 303);
  EXPECT_EQ(post_form(admin, "/admin/builds/switch/" + std::to_string(alpha), "").status, 303);
  nlohmann::json job = newest_job(admin, "switch_build");
  ASSERT_TRUE(job.is_object());
  ::usleep(1500 * 1000);  // several looks at the server, each finding players
  EXPECT_EQ(admin.get("/api/v1/jobs/" + std::to_string(job["id"].get<std::int64_t>())).json()["job"]["state"],
            "running");
  EXPECT_EQ(read_fake(name + ".build"), "100\n");
  write_fake(name + ".players", "0");
  EXPECT_EQ(wait_job(admin, job["id"]), "succeeded");
  EXPECT_EQ(read_fake(name + ".build"), "101\n");  // restarted on the current build
  EXPECT_EQ(read_fake(name + ".rcon"), "");        // nobody was there to warn
  std::string lines = admin.get("/api/v1/jobs/" + std::to_string(job["id"].get<std::int64_t>()) + "/lines").body;
  EXPECT_NE(lines.find("2 player(s) on it: waiting until it is empty"), std::string::npos) << lines;
  EXPECT_NE(lines.find("nobody plays on it"), std::string::npos);
  EXPECT_EQ(admin.get("/").body.find("update pending"), std::string::npos);
}

TEST_F(BuildsPagesTest, SwitchWarnsPlayersAtTheMaximumWaitAndLeavesCurrentServersAlone) {
  start({{"LEFT4ME_BUILD_SWITCH_MAX_WAIT_SECONDS", "1"}, {"LEFT4ME_BUILD_SWITCH_WARNING_SECONDS", "1"}});
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  std::int64_t alpha = set_up_alpha(admin);
  std::string name = instance(admin, alpha);
  write_fake(name + ".players", "3");
  EXPECT_EQ(post_form(admin, "/admin/builds/use", "build=101").status, 303);
  std::int64_t beta = make_server_with_forms(admin, "beta");  // started after the rollback: on 101
  EXPECT_EQ(wait_job(admin, job_of(admin.post("/api/v1/servers/" + std::to_string(beta) + "/start"))), "succeeded");
  // "Every server on an older build" is decided from the live status: wait until it shows alpha's.
  std::string alpha_path = "/api/v1/servers/" + std::to_string(alpha);
  for (int i = 0; i < 250 && admin.get(alpha_path).json()["server"]["build"]["current"] != false; ++i) ::usleep(20000);
  EXPECT_EQ(post_form(admin, "/admin/builds/switch", "").status, 303);
  nlohmann::json jobs = admin.get("/api/v1/jobs?type=switch_build").json()["jobs"];
  ASSERT_EQ(jobs.size(), 1u) << jobs;  // alpha only
  EXPECT_EQ(jobs[0]["server_id"], alpha);
  EXPECT_EQ(wait_job(admin, jobs[0]["id"]), "succeeded");
  EXPECT_EQ(read_fake(name + ".rcon"),
            "say This server restarts in 1 seconds for a game update. Reconnect afterwards.\n");
  EXPECT_EQ(read_fake(name + ".build"), "101\n");
  // A switch asked of a server already on the current build does nothing.
  EXPECT_EQ(post_form(admin, "/admin/builds/switch/" + std::to_string(beta), "").status, 303);
  nlohmann::json beta_job = newest_job(admin, "switch_build");
  EXPECT_EQ(wait_job(admin, beta_job["id"]), "succeeded");
  std::string lines = admin.get("/api/v1/jobs/" + std::to_string(beta_job["id"].get<std::int64_t>()) + "/lines").body;
  EXPECT_NE(lines.find("already runs the current build 101"), std::string::npos) << lines;
  EXPECT_EQ(read_fake("calls.log").find("begin restart " + instance(admin, beta)), std::string::npos);
}

TEST_F(BuildsPagesTest, ThePanelChecksItselfWhenNoCheckRanWithinTheInterval) {
  write_fake("builds", "100\n");
  write_fake("current", "100\n");
  start({{"LEFT4ME_UPDATE_CHECK_HOURS", "24"}});
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  nlohmann::json check;
  for (int i = 0; i < 200 && !check.is_object(); ++i) {
    check = newest_job(admin, "check_update");
    if (!check.is_object()) ::usleep(20000);
  }
  ASSERT_TRUE(check.is_object());
  EXPECT_TRUE(check["owner_id"].is_null());  // the panel's own
  EXPECT_EQ(wait_job(admin, check["id"]), "succeeded");
  EXPECT_NE(read_fake("last_check.json").find("\"available\":\"100\""), std::string::npos);
  // Checked within the interval (by the panel, the timer or an admin): the next start queues none.
  stop();
  start({{"LEFT4ME_UPDATE_CHECK_HOURS", "24"}});
  Browser again = logged_in("root");
  ::usleep(300 * 1000);
  EXPECT_EQ(again.get("/api/v1/jobs?type=check_update").json()["jobs"].size(), 1u);
}

}  // namespace
}  // namespace left4me::web
