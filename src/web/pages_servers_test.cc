// The server pages over real HTTP in-process: the dashboard's cached rows follow every change, actions queue jobs,
// the action forms' `back` never leaves the site, and other users' servers are 404 pages.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ServerPagesTest : public testing::WebFixture {};

TEST_F(ServerPagesTest, ServerActionBackNeverLeavesTheSite) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t id = make_server_with_forms(ann, "alpha");
  ASSERT_GT(id, 0);
  std::string own_page = "/servers/" + std::to_string(id);
  for (const std::string& back : testing::hostile_redirect_targets()) {
    HttpReply reply = post_form(ann, own_page + "/stop", "back=" + back);
    EXPECT_EQ(reply.status, 303) << back << ": " << reply.body;
    EXPECT_EQ(reply.header("location"), own_page) << back;
    EXPECT_EQ(reply.header("x-injected"), "") << back;
  }
  EXPECT_EQ(post_form(ann, own_page + "/stop", "back=%2F").header("location"), "/");
}

TEST_F(ServerPagesTest, AnotherUsersObjectsAre404Pages) {
  start();
  create_user("ann", Role::kUser);
  create_user("bob", Role::kUser);
  Browser ann = logged_in("ann");
  ASSERT_EQ(post_form(ann, "/blueprints", "name=mine&map=c1m1_hotel&mode=coop&max_players=4&op=save").status, 303);
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  HttpReply created = post_form(ann, "/servers", "name=alpha&blueprint_id=" + std::to_string(blueprint));
  ASSERT_EQ(created.status, 303) << created.body;
  std::int64_t server = ann.get("/api/v1/servers").json()["servers"][0]["id"];

  Browser bob = logged_in("bob");
  for (const std::string& path :
       {"/servers/" + std::to_string(server), "/servers/" + std::to_string(server) + "/status",
        "/servers/" + std::to_string(server) + "/console", "/blueprints/" + std::to_string(blueprint)}) {
    HttpReply reply = bob.get(path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_NE(reply.body.find("Page not found"), std::string::npos) << path;
  }
  EXPECT_EQ(post_form(bob, "/servers/" + std::to_string(server) + "/start", "").status, 404);
  EXPECT_EQ(bob.get("/").body.find("alpha"), std::string::npos);
  EXPECT_NE(ann.get("/").body.find(">alpha</a>"), std::string::npos);
  EXPECT_EQ(bob.get("/admin").status, 403);
}

TEST_F(ServerPagesTest, ActionsQueueJobsAndAQueuedJobCanBeCancelled) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t server = make_server_with_forms(ann, "alpha");
  std::string base = "/servers/" + std::to_string(server);
  HttpReply row = post_form(ann, base + "/start?view=row", "", true, true);
  EXPECT_EQ(row.status, 200);
  EXPECT_EQ(row.body.rfind("<tr id=\"server-", 0), 0u) << row.body;
  EXPECT_NE(row.body.find("start queued"), std::string::npos);
  EXPECT_NE(ann.get(base + "/status").body.find("start queued"), std::string::npos);
  nlohmann::json jobs = ann.get("/api/v1/jobs?state=queued").json()["jobs"];
  ASSERT_EQ(jobs.size(), 1u);
  std::string job = std::to_string(jobs[0]["id"].get<std::int64_t>());
  EXPECT_NE(ann.get("/jobs").body.find("id=\"cancel-" + job + "\""), std::string::npos);
  HttpReply cancelled = post_form(ann, "/jobs/" + job + "/cancel", "");
  EXPECT_EQ(cancelled.status, 303);
  EXPECT_EQ(ann.get("/api/v1/jobs/" + job).json()["job"]["state"], "cancelled");
  HttpReply again = post_form(ann, "/jobs/" + job + "/cancel", "");
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("no longer queued"), std::string::npos);
}

// Issue 13, bugs 1 and 2: a start that failed showed "failed · l4d2ctl exit code 1" in the job history only; the
// host's reason (status's last_error) belongs where the state is shown, on the server page and the dashboard row.
TEST_F(ServerPagesTest, FailedStartShowsItsReasonWhereTheStateIs) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t server = make_server_with_forms(ann, "alpha");
  ASSERT_GT(server, 0);
  const std::string base = "/servers/" + std::to_string(server);
  const std::string reason = "the server did not answer with map c2m9_typo within 90 s (nothing answered)";
  write_fake("web-" + std::to_string(server) + ".fail_start", reason);
  HttpReply started = ann.post("/api/v1" + base + "/start", nlohmann::json::object());
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(wait_job(ann, job_of(started)), "failed");

  std::string status = ann.get(base + "/status").body;
  EXPECT_NE(status.find("id=\"server-state\">stopped<"), std::string::npos) << status;
  EXPECT_NE(status.find(reason), std::string::npos) << status;
  EXPECT_NE(ann.get(base).body.find(reason), std::string::npos);
  std::string rows = ann.get("/servers/rows").body;
  EXPECT_NE(rows.find("Last start failed: " + reason), std::string::npos) << rows;
  EXPECT_EQ(ann.get("/api/v1" + base).json()["server"]["last_error"], reason);

  // A start that succeeds clears it, in the (cached) dashboard rows too.
  std::remove((fake_dir() + "/web-" + std::to_string(server) + ".fail_start").c_str());
  HttpReply again = ann.post("/api/v1" + base + "/start", nlohmann::json::object());
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(wait_job(ann, job_of(again)), "succeeded");
  EXPECT_EQ(ann.get("/servers/rows").body.find(reason), std::string::npos);
  EXPECT_EQ(ann.get(base + "/status").body.find(reason), std::string::npos);
}

// Issue 13, bug 3: "runs an older version of its blueprint" sat outside the polled status panel and stayed after the
// restart that applied the new version. Also what players type to connect, from the host's status.
TEST_F(ServerPagesTest, StatusPanelFollowsTheBlueprintVersionAndShowsTheConnectLine) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t server = make_server_with_forms(ann, "alpha");
  ASSERT_GT(server, 0);
  const std::string base = "/servers/" + std::to_string(server);
  HttpReply started = ann.post("/api/v1" + base + "/start", nlohmann::json::object());
  ASSERT_EQ(started.status, 202) << started.body;
  ASSERT_EQ(wait_job(ann, job_of(started)), "succeeded");
  std::string status = ann.get(base + "/status").body;
  EXPECT_EQ(status.find("older version"), std::string::npos) << status;
  std::int64_t port = ann.get("/api/v1" + base).json()["server"]["port"];
  EXPECT_NE(status.find("connect 203.0.113.7:" + std::to_string(port) + "<"), std::string::npos) << status;
  EXPECT_NE(status.find("data-copy=\"connect 203.0.113.7:" + std::to_string(port) + "\""), std::string::npos);

  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  HttpReply edited =
      ann.request("PUT", "/api/v1/blueprints/" + std::to_string(blueprint), {{"spec", spec("c2m1_highway")}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_NE(ann.get(base + "/status").body.find("older version"), std::string::npos);
  HttpReply restarted = ann.post("/api/v1" + base + "/restart", nlohmann::json::object());
  ASSERT_EQ(restarted.status, 202) << restarted.body;
  ASSERT_EQ(wait_job(ann, job_of(restarted)), "succeeded");
  EXPECT_EQ(ann.get(base + "/status").body.find("older version"), std::string::npos);
}

// Issue 13, bug 5: the name field had no length limit although the server has one (64), and an error naming a long
// name overflowed its card (the stylesheet now wraps field errors anywhere).
TEST_F(ServerPagesTest, NewServerNameFieldHasTheServersLengthLimit) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  make_blueprint(ann, "base");
  std::string page = ann.get("/servers/new").body;
  EXPECT_NE(page.find("id=\"server-name\" name=\"name\" value=\"\" required maxlength=\"64\""), std::string::npos)
      << page;
  HttpReply too_long = post_form(ann, "/servers", "name=" + std::string(65, 'a') + "&blueprint_id=1");
  EXPECT_EQ(too_long.status, 422);
  EXPECT_NE(too_long.body.find("id=\"server-name-error\""), std::string::npos);
}

// Issue 13, expectation 6: a display name may hold spaces, any letters and HTML's special characters; every page
// that shows it (dashboard row, server page, its actions' confirmations, the delete confirmation, the job pages)
// shows it as text.
TEST_F(ServerPagesTest, DisplayNamesWithAnyCharactersAreShownAsText) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  const std::string name = "<img src=x> \"Co-op\" & caf\xc3\xa9";
  const std::string escaped = "&lt;img src=x&gt; &quot;Co-op&quot; &amp; caf\xc3\xa9";
  HttpReply made = make_server(ann, name, make_blueprint(ann, "base"));
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["server"]["name"], name);
  std::string base = "/servers/" + std::to_string(made.json()["server"]["id"].get<std::int64_t>());
  HttpReply started = ann.post("/api/v1" + base + "/start");
  ASSERT_EQ(wait_job(ann, job_of(started)), "succeeded");
  for (const std::string& path : {std::string("/"), base, base + "/status", base + "/delete",
                                  "/jobs/" + std::to_string(job_of(started)), std::string("/jobs")}) {
    std::string page = ann.get(path).body;
    EXPECT_NE(page.find(escaped), std::string::npos) << path << "\n" << page;
    EXPECT_EQ(page.find("<img src=x>"), std::string::npos) << path;
  }
  EXPECT_NE(ann.get(base + "/status").body.find("hx-confirm=\"Stop " + escaped + "? 1 player is on it.\""),
            std::string::npos);
}

// Issue 13, "confirm before stopping or restarting a server with players on it, naming how many".
TEST_F(ServerPagesTest, StopAndRestartAskFirstWhilePlayersAreOn) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t server = make_server_with_forms(ann, "alpha");
  ASSERT_GT(server, 0);
  const std::string base = "/servers/" + std::to_string(server);
  EXPECT_EQ(ann.get(base + "/status").body.find("hx-confirm"), std::string::npos);  // nobody on a new server
  HttpReply started = ann.post("/api/v1" + base + "/start", nlohmann::json::object());
  ASSERT_EQ(started.status, 202) << started.body;
  ASSERT_EQ(wait_job(ann, job_of(started)), "succeeded");
  std::string status = ann.get(base + "/status").body;  // the stand-in reports 1 player while running
  EXPECT_NE(status.find("hx-confirm=\"Stop alpha? 1 player is on it.\""), std::string::npos) << status;
  EXPECT_NE(status.find("hx-confirm=\"Restart alpha? 1 player is on it.\""), std::string::npos);
  EXPECT_NE(ann.get("/servers/rows").body.find("hx-confirm=\"Stop alpha? 1 player is on it.\""), std::string::npos);
}

// Issue 13, bug 6: the pages mixed "2026-12-02T16:44:33Z" (the host's `since`) with "2026-12-02 16:44:33 UTC" (the
// panel's own times). Every time is now one <time> element with the same UTC text, which app.js shows in the viewer's
// time zone (the UTC text staying in the title).
TEST_F(ServerPagesTest, EveryTimeIsOneTimeElement) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t server = make_server_with_forms(ann, "alpha");
  ASSERT_GT(server, 0);
  const std::string base = "/servers/" + std::to_string(server);
  HttpReply started = ann.post("/api/v1" + base + "/start", nlohmann::json::object());
  ASSERT_EQ(started.status, 202) << started.body;
  ASSERT_EQ(wait_job(ann, job_of(started)), "succeeded");
  std::string status = ann.get(base + "/status").body;
  EXPECT_NE(status.find("<dd><time datetime=\"2026-12-02T16:44:33Z\" title=\"2026-12-02 16:44:33 UTC\">2026-12-02 "
                        "16:44:33 UTC</time></dd>"),
            std::string::npos)
      << status;
  ASSERT_EQ(ann.post("/api/v1/tokens", {{"name", "ci"}}).status, 201);
  const std::string job = std::to_string(job_of(started));
  for (const std::string& path :
       {base, std::string("/jobs"), "/jobs/" + job, std::string("/blueprints"), std::string("/account")}) {
    std::string page = ann.get(path).body;
    std::size_t times = 0;
    for (std::size_t at = page.find("<time datetime=\""); at != std::string::npos;
         at = page.find("<time datetime=\"", at + 1)) {
      ++times;
      std::string element = page.substr(at, page.find("</time>", at) - at);
      std::size_t iso = element.find("Z\" title=\"");
      ASSERT_NE(iso, std::string::npos) << path << ": " << element;
      EXPECT_NE(element.find(" UTC\">"), std::string::npos) << path << ": " << element;
    }
    EXPECT_GT(times, 0u) << path;
    // No time outside an element: every "UTC" text is inside one, and no RFC 3339 time is shown as text.
    std::size_t utc_texts = 0;
    for (std::size_t at = page.find(" UTC"); at != std::string::npos; at = page.find(" UTC", at + 1)) ++utc_texts;
    EXPECT_EQ(utc_texts, 2 * times) << path << ": " << page;
    EXPECT_EQ(page.find("Z<"), std::string::npos) << path;
  }
}

// Issue 13, bug 5: a refused name's error restated the rule that the field's hint states (and the field is described
// by both), so the rule came twice in one sentence; the error now says only what is wrong with the name.
TEST_F(ServerPagesTest, NameErrorDoesNotRepeatTheRule) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  make_blueprint(ann, "base");
  HttpReply refused = post_form(ann, "/servers", "name=Bad%07Name&blueprint_id=1");
  ASSERT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("<p id=\"server-name-error\" class=\"field-error\">a server name may not contain "
                              "control characters (U+0007 at character 4)</p>"),
            std::string::npos)
      << refused.body;
  std::size_t first = refused.body.find("letters of any language");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(refused.body.find("letters of any language", first + 1), std::string::npos) << refused.body;
  HttpReply api = make_server(ann, std::string(65, 'x'), 1);
  EXPECT_EQ(api.status, 422);
  EXPECT_EQ(api.json()["error"]["message"], "a server name has at most 64 characters (this one has 65)");
}

// The dashboard's rows come from the render cache while nothing they show changes; every change must show.
TEST_F(ServerPagesTest, DashboardRowsFollowEveryChangeAndStayPerUser) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("ann", Role::kUser);
  create_user("bob", Role::kUser);
  Browser ann = logged_in("ann");
  Browser bob = logged_in("bob");
  std::int64_t server = make_server_with_forms(ann, "alpha");
  make_server_with_forms(bob, "bravo");
  std::string first = ann.get("/servers/rows").body;
  EXPECT_EQ(ann.get("/servers/rows").body, first);  // nothing changed: the same text
  EXPECT_NE(first.find(">bp-alpha</a>"), std::string::npos) << first;
  EXPECT_NE(first.find("value=\"" + ann.csrf() + "\""), std::string::npos);

  // Another user's rows: their own servers and their own CSRF token, never ann's.
  std::string bobs = bob.get("/servers/rows").body;
  EXPECT_NE(bobs.find(">bravo</a>"), std::string::npos);
  EXPECT_EQ(bobs.find(">alpha</a>"), std::string::npos);
  EXPECT_EQ(bobs.find(ann.csrf()), std::string::npos);

  // A blueprint renamed (a joined field of the server record).
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  EXPECT_EQ(ann.request("PUT", "/api/v1/blueprints/" + std::to_string(blueprint), {{"name", "renamed"}}).status, 200);
  std::string renamed = ann.get("/servers/rows").body;
  EXPECT_NE(renamed.find(">renamed</a>"), std::string::npos) << renamed;

  // A queued job (from the jobs table), then cancelled.
  EXPECT_EQ(post_form(ann, "/servers/" + std::to_string(server) + "/start?view=row", "", true, true).status, 200);
  EXPECT_NE(ann.get("/servers/rows").body.find("start queued"), std::string::npos);
  EXPECT_NE(ann.get("/").body.find("start queued"), std::string::npos);
  std::string job = std::to_string(ann.get("/api/v1/jobs?state=queued").json()["jobs"][0]["id"].get<std::int64_t>());
  EXPECT_EQ(post_form(ann, "/jobs/" + job + "/cancel", "").status, 303);
  EXPECT_EQ(ann.get("/servers/rows").body.find("start queued"), std::string::npos);

  // A new session of the same user: its own CSRF token in the forms.
  Browser again = logged_in("ann");
  std::string fresh = again.get("/").body;
  EXPECT_NE(fresh.find("value=\"" + again.csrf() + "\""), std::string::npos);
  EXPECT_EQ(fresh.find("value=\"" + ann.csrf() + "\""), std::string::npos);
}

// Issue 13, expectation 5: the empty dashboard says what to do next, in order: the game (administrators install it,
// others ask), a blueprint, a server; a step done says so.
TEST_F(ServerPagesTest, TheEmptyDashboardSaysWhatToDoNextInOrder) {
  start();
  create_user("root", Role::kAdmin);
  create_user("ann", Role::kUser);
  Browser root = logged_in("root");
  Browser ann = logged_in("ann");
  std::string admin_page = root.get("/").body;
  std::size_t install = admin_page.find("<a href=\"/admin\">Install the game</a>");
  std::size_t blueprint = admin_page.find("<a href=\"/blueprints/new\">Create a blueprint</a>");
  std::size_t server = admin_page.find("<a href=\"/servers/new\">Create a server</a>");
  ASSERT_NE(install, std::string::npos) << admin_page;
  ASSERT_NE(blueprint, std::string::npos);
  ASSERT_NE(server, std::string::npos);
  EXPECT_LT(install, blueprint);
  EXPECT_LT(blueprint, server);
  std::string user_page = ann.get("/").body;
  EXPECT_NE(user_page.find("Ask an administrator to install the game"), std::string::npos) << user_page;
  EXPECT_EQ(user_page.find("Install the game</a>"), std::string::npos);

  HttpReply installed = root.post("/api/v1/install");
  ASSERT_EQ(installed.status, 202);
  ASSERT_EQ(wait_job(root, job_of(installed)), "succeeded");
  make_blueprint(root, "base");
  admin_page = root.get("/servers/rows").body;
  EXPECT_NE(admin_page.find("<li class=\"done\">The game is installed.</li>"), std::string::npos) << admin_page;
  EXPECT_NE(admin_page.find("<li class=\"done\">You have a blueprint"), std::string::npos);
  EXPECT_NE(admin_page.find("<a href=\"/servers/new\">Create a server</a> from your blueprint"), std::string::npos);
  EXPECT_NE(ann.get("/").body.find("<a href=\"/blueprints/new\">Create a blueprint</a>"), std::string::npos);
}

// Issue 13, expectation 3: the server page hides the RCON password until asked (a button; the page itself never
// holds it).
TEST_F(ServerPagesTest, TheRconPasswordIsHiddenUntilAsked) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t server = make_server_with_forms(ann, "alpha");
  ASSERT_GT(server, 0);
  const std::string base = "/servers/" + std::to_string(server);
  std::string password = ann.get("/api/v1" + base + "/rcon-password").json()["rcon_password"];
  ASSERT_EQ(password.size(), 24u);
  std::string page = ann.get(base).body;
  EXPECT_EQ(page.find(password), std::string::npos);
  EXPECT_NE(page.find("hx-get=\"" + base + "/rcon-password\""), std::string::npos) << page;
  std::string cookies;
  for (const auto& [name, value] : ann.cookies()) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
  HttpReply fragment =
      testing::http_request(port_, "GET", base + "/rcon-password", "", {{"Cookie", cookies}, {"HX-Request", "true"}});
  EXPECT_EQ(fragment.status, 200);
  EXPECT_NE(fragment.body.find("<code id=\"rcon-password-value\">" + password + "</code>"), std::string::npos)
      << fragment.body;
  EXPECT_EQ(fragment.body.find("<html"), std::string::npos);
  HttpReply without_script = ann.get(base + "/rcon-password");  // the page, with the password in place
  EXPECT_NE(without_script.body.find("<code id=\"rcon-password-value\">" + password + "</code>"), std::string::npos);
  EXPECT_NE(without_script.body.find("<h1>alpha</h1>"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
