// Sharing a server through the API and the pages, over real HTTP with a real SQLite file: what each role sees and
// may do, the refusals (each bad input with its error), and a revoke ending the user's open console streams.
#include "web/shares.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/strings.h"
#include "web/audit.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class SharesTest : public testing::WebFixture {
 protected:
  // alice's server alpha; users bob, carol, dave and erin; the server's id as text.
  std::string set_up_alpha(Browser& alice) {
    std::int64_t blueprint = make_blueprint(alice, "base");
    HttpReply alpha = make_server(alice, "alpha", blueprint);
    EXPECT_EQ(alpha.status, 201) << alpha.body;
    instance_ = instance_of(alpha);
    return std::to_string(alpha.json()["server"]["id"].get<std::int64_t>());
  }
  static HttpReply share(Browser& browser, const std::string& id, const std::string& user, const std::string& role) {
    return browser.request("PUT", "/api/v1/servers/" + id + "/shares", {{"user", user}, {"role", role}});
  }
  std::int64_t user_id(const std::string& name) {
    Result<std::vector<User>> users = app_->accounts->list_users();
    for (const User& user : *users) {
      if (user.name == name) return user.id;
    }
    return 0;
  }
  std::int64_t count_shares() {
    Database::Lock lock(*app_->database);
    auto select = lock.prepare("SELECT count(*) FROM server_shares");
    EXPECT_TRUE(select && *select->step());
    return select->column_int(0);
  }
  std::string instance_;
};

TEST_F(SharesTest, RolesGrantWhatTheySayThroughTheApi) {
  start();
  for (const char* name : {"alice", "bob", "carol", "dave"}) create_user(name, Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  Browser carol = logged_in("carol");
  std::string id = set_up_alpha(alice);
  std::string server = "/api/v1/servers/" + id;

  EXPECT_EQ(bob.get(server).status, 404);
  HttpReply granted = share(alice, id, "bob", "viewer");
  ASSERT_EQ(granted.status, 200) << granted.body;
  EXPECT_EQ(granted.json()["share"]["role"], "viewer");
  EXPECT_EQ(granted.json()["share"]["granted_by"], "alice");
  // The viewer sees it, marked as shared, and may do nothing to it.
  nlohmann::json listed = bob.get("/api/v1/servers").json()["servers"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["shared_role"], "viewer");
  EXPECT_EQ(listed[0]["owner"], "alice");
  EXPECT_TRUE(alice.get("/api/v1/servers").json()["servers"][0]["shared_role"].is_null());
  EXPECT_EQ(bob.get(server).status, 200);
  HttpReply start = bob.post(server + "/start");
  EXPECT_EQ(start.status, 403);
  EXPECT_EQ(start.error_code(), "forbidden");
  EXPECT_EQ(start.json()["error"]["message"], "as a viewer of server 'alpha', you may not start it");
  EXPECT_EQ(bob.get(server + "/shares").status, 403);
  EXPECT_EQ(share(bob, id, "dave", "viewer").status, 403);
  EXPECT_EQ(bob.request("DELETE", server).status, 403);
  EXPECT_EQ(bob.get(server + "/rcon-password").status, 403);

  // An operator starts it; the job is theirs.
  ASSERT_EQ(share(alice, id, "bob", "operator").status, 200);
  HttpReply started = bob.post(server + "/start");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(wait_job(bob, job_of(started)), "succeeded");
  EXPECT_EQ(bob.request("PUT", server + "/blueprint", {{"blueprint_id", 1}}).status, 403);
  EXPECT_EQ(bob.get(server + "/rcon").status, 200);

  // A manager shares it up to operator, and changes or revokes shares that are not managers'.
  ASSERT_EQ(share(alice, id, "carol", "manager").status, 200);
  HttpReply manager = share(carol, id, "dave", "manager");
  EXPECT_EQ(manager.status, 403);
  EXPECT_EQ(manager.json()["error"]["field"], "role");
  EXPECT_EQ(share(carol, id, "dave", "operator").status, 200);
  EXPECT_EQ(share(carol, id, "bob", "viewer").status, 200);
  EXPECT_EQ(share(carol, id, "carol", "operator").status, 403);  // her own share is a manager's
  EXPECT_EQ(carol.request("DELETE", server + "/shares/" + std::to_string(user_id("carol"))).status, 403);
  EXPECT_EQ(carol.request("DELETE", server + "/shares/" + std::to_string(user_id("dave"))).status, 200);
  nlohmann::json shares = alice.get(server + "/shares").json()["shares"];
  ASSERT_EQ(shares.size(), 2u);
  EXPECT_EQ(shares[0]["user"], "bob");
  EXPECT_EQ(shares[0]["role"], "viewer");
  EXPECT_EQ(shares[0]["granted_by"], "carol");
  EXPECT_EQ(shares[1]["user"], "carol");
  EXPECT_EQ(shares[1]["role"], "manager");
  EXPECT_EQ(carol.get(server + "/shares").status, 200);
}

TEST_F(SharesTest, BadSharesGetClearErrorsAndChangeNothing) {
  start();
  for (const char* name : {"alice", "bob"}) create_user(name, Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  std::string id = set_up_alpha(alice);
  std::int64_t bob_blueprint = make_blueprint(bob, "bobs");
  std::string beta = std::to_string(make_server(bob, "beta", bob_blueprint).json()["server"]["id"].get<std::int64_t>());

  HttpReply unknown = share(alice, id, "nobody", "viewer");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.json()["error"]["field"], "user");
  EXPECT_EQ(unknown.json()["error"]["message"], "there is no user named 'nobody'");
  HttpReply owner = share(alice, id, "alice", "viewer");
  EXPECT_EQ(owner.status, 422);
  EXPECT_EQ(owner.json()["error"]["message"], "'alice' owns server 'alpha': share it with someone else");
  HttpReply role = share(alice, id, "bob", "owner");
  EXPECT_EQ(role.status, 422);
  EXPECT_EQ(role.json()["error"]["field"], "role");
  EXPECT_EQ(share(alice, id, "", "viewer").status, 422);
  HttpReply not_json = alice.request("PUT", "/api/v1/servers/" + id + "/shares", nlohmann::json::array());
  EXPECT_EQ(not_json.status, 400) << not_json.body;
  // Another user's server, a server that does not exist, a share that does not exist: 404, as if nothing were there.
  EXPECT_EQ(share(alice, beta, "bob", "viewer").status, 404);
  EXPECT_EQ(alice.get("/api/v1/servers/" + beta + "/shares").status, 404);
  EXPECT_EQ(share(alice, "999", "bob", "viewer").status, 404);
  HttpReply no_share = alice.request("DELETE", "/api/v1/servers/" + id + "/shares/" + std::to_string(user_id("bob")));
  EXPECT_EQ(no_share.status, 404);
  EXPECT_EQ(alice.request("DELETE", "/api/v1/servers/" + id + "/shares/x").status, 404);
  EXPECT_EQ(count_shares(), 0);
  EXPECT_EQ(bob.get("/api/v1/servers").json()["servers"].size(), 1u);  // beta only
}

TEST_F(SharesTest, RevokingEndsTheUsersConsoleStreamsAndOnlyTheirs) {
  start();
  for (const char* name : {"alice", "bob"}) create_user(name, Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  std::string id = set_up_alpha(alice);
  ASSERT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + id + "/start"))), "succeeded");
  ASSERT_EQ(share(alice, id, "bob", "viewer").status, 200);
  write_fake(instance_ + ".log", "before\n");
  auto cookie = [](Browser& browser) {
    return std::vector<std::pair<std::string, std::string>>{
        {"Cookie", "l4d2_session=" + browser.cookies()["l4d2_session"]}};
  };
  testing::StreamReader bob_api(port_, "/api/v1/servers/" + id + "/logs", cookie(bob));
  testing::StreamReader bob_page(port_, "/servers/" + id + "/console", cookie(bob));
  testing::StreamReader alice_api(port_, "/api/v1/servers/" + id + "/logs", cookie(alice));
  ASSERT_TRUE(bob_api.wait_for("data: before", std::chrono::seconds(5))) << bob_api.received();
  ASSERT_TRUE(bob_page.wait_for("before</div>", std::chrono::seconds(5))) << bob_page.received();
  ASSERT_TRUE(alice_api.wait_for("data: before", std::chrono::seconds(5))) << alice_api.received();

  HttpReply revoked = alice.request("DELETE", "/api/v1/servers/" + id + "/shares/" + std::to_string(user_id("bob")));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_TRUE(bob_api.wait_for("event: end\ndata: your share of this server was revoked", std::chrono::seconds(5)))
      << bob_api.received();
  EXPECT_TRUE(bob_page.wait_for("event: end", std::chrono::seconds(5))) << bob_page.received();
  EXPECT_TRUE(bob_api.wait_for("\r\n0\r\n\r\n", std::chrono::seconds(5))) << "the stream did not end";
  {
    std::ofstream log(fake_dir() + "/" + instance_ + ".log", std::ios::app);
    log << "after\n";
  }
  EXPECT_TRUE(alice_api.wait_for("data: after", std::chrono::seconds(5))) << alice_api.received();
  EXPECT_EQ(bob_api.received().find("data: after"), std::string::npos);
  // The next request is a stranger's.
  EXPECT_EQ(bob.get("/api/v1/servers/" + id).status, 404);
  EXPECT_EQ(bob.get("/api/v1/servers/" + id + "/logs").status, 404);
  EXPECT_TRUE(bob.get("/api/v1/servers").json()["servers"].empty());
}

// Every sharing change lands in the audit log (issue 19, item 3): who, which server, whom and which role.
TEST_F(SharesTest, SharingChangesLandInTheAuditLog) {
  start();
  for (const char* name : {"alice", "bob"}) create_user(name, Role::kUser);
  Browser alice = logged_in("alice");
  std::string id = set_up_alpha(alice);
  ASSERT_EQ(share(alice, id, "bob", "viewer").status, 200);
  ASSERT_EQ(share(alice, id, "bob", "operator").status, 200);
  ASSERT_EQ(alice.request("DELETE", "/api/v1/servers/" + id + "/shares/" + std::to_string(user_id("bob"))).status, 200);
  EXPECT_EQ(share(alice, id, "nobody", "viewer").status, 422);  // refused: nothing recorded

  Result<AuditPage> page = app_->audit->list(0, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 3u);
  EXPECT_EQ(page->entries[0].action, audit::kServerShareRevoked);
  EXPECT_EQ(page->entries[0].detail, "bob (was operator)");
  EXPECT_EQ(page->entries[1].action, audit::kServerShared);
  EXPECT_EQ(page->entries[1].detail, "bob as operator");
  EXPECT_EQ(page->entries[2].detail, "bob as viewer");
  for (const AuditEntry& entry : page->entries) {
    EXPECT_EQ(entry.actor.name, "alice");
    EXPECT_EQ(entry.target, "server alpha");
  }
}

TEST_F(SharesTest, SharesGoWithTheirServerAndTheirUser) {
  start();
  for (const char* name : {"alice", "bob", "carol"}) create_user(name, Role::kUser);
  create_user("root", Role::kAdmin);
  Browser alice = logged_in("alice");
  Browser root = logged_in("root");
  std::string id = set_up_alpha(alice);
  ASSERT_EQ(share(alice, id, "bob", "viewer").status, 200);
  ASSERT_EQ(share(root, id, "carol", "manager").status, 200);  // an administrator shares any server
  EXPECT_EQ(count_shares(), 2);
  const std::int64_t bob_id = user_id("bob");
  HttpReply removed = root.request("DELETE", "/api/v1/users/" + std::to_string(bob_id));
  ASSERT_EQ(removed.status, 200) << removed.body;  // 200, not 202: a server shared with bob is not his to delete
  EXPECT_EQ(removed.json()["deleted"], bob_id);
  EXPECT_EQ(alice.get("/api/v1/servers/" + id).status, 200);
  EXPECT_EQ(count_shares(), 1);
  ASSERT_EQ(wait_job(alice, job_of(alice.request("DELETE", "/api/v1/servers/" + id))), "succeeded");
  EXPECT_EQ(count_shares(), 0);
}

TEST_F(SharesTest, PagesShowEachRoleWhatItMayDo) {
  start();
  for (const char* name : {"alice", "bob", "carol"}) create_user(name, Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  Browser carol = logged_in("carol");
  std::string id = set_up_alpha(alice);
  std::string page = "/servers/" + id;

  HttpReply refused = post_form(alice, page + "/shares", "user=nobody&role=viewer");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("there is no user named &apos;nobody&apos;"), std::string::npos) << refused.body;
  EXPECT_EQ(post_form(alice, page + "/shares", "user=bob&role=viewer").status, 303);
  EXPECT_EQ(post_form(alice, page + "/shares", "user=carol&role=manager").status, 303);
  std::string owners = alice.get(page).body;
  EXPECT_NE(owners.find("id=\"sharing\""), std::string::npos);
  EXPECT_NE(owners.find("id=\"action-start\""), std::string::npos);
  EXPECT_NE(owners.find("href=\"/blueprints/"), std::string::npos);

  std::string viewers = bob.get(page).body;
  EXPECT_NE(viewers.find("Shared with you by alice as <span class=\"flag\">viewer</span>"), std::string::npos);
  EXPECT_EQ(viewers.find("id=\"action-start\""), std::string::npos);
  EXPECT_EQ(viewers.find("id=\"sharing\""), std::string::npos);
  EXPECT_EQ(viewers.find("/delete\""), std::string::npos);
  EXPECT_EQ(viewers.find("rcon-reveal"), std::string::npos);
  EXPECT_EQ(viewers.find("id=\"rcon-form\""), std::string::npos);
  EXPECT_EQ(viewers.find("href=\"/blueprints/"), std::string::npos);
  EXPECT_NE(viewers.find("id=\"server-blueprint-yaml\""), std::string::npos);  // read-only
  EXPECT_EQ(viewers.find("rcon_password"), std::string::npos);
  std::string dashboard = bob.get("/").body;
  EXPECT_NE(dashboard.find("shared by alice · viewer"), std::string::npos) << dashboard;
  EXPECT_EQ(dashboard.find("id=\"start-" + id + "\""), std::string::npos);
  EXPECT_EQ(post_form(bob, page + "/start", "").status, 403);
  EXPECT_EQ(post_form(bob, page + "/shares", "user=carol&role=viewer").status, 403);

  // A manager gets the sharing section, without the manager role to give, and a revoke button only for non-managers.
  std::string managers = carol.get(page).body;
  EXPECT_NE(managers.find("id=\"sharing\""), std::string::npos);
  EXPECT_EQ(managers.find("<option value=\"manager\""), std::string::npos);
  EXPECT_NE(managers.find("id=\"revoke-" + std::to_string(user_id("bob")) + "\""), std::string::npos);
  EXPECT_EQ(managers.find("id=\"revoke-" + std::to_string(user_id("carol")) + "\""), std::string::npos);
  EXPECT_EQ(post_form(carol, page + "/shares", "user=bob&role=manager").status, 403);
  EXPECT_EQ(post_form(carol, page + "/shares/" + std::to_string(user_id("bob")) + "/revoke", "").status, 303);
  EXPECT_EQ(bob.get(page).status, 404);
  EXPECT_EQ(bob.get("/").body.find("alpha"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
