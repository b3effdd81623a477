// Per-user limits on servers and blueprints over real HTTP: the web.env defaults, an admin's per-user override
// (null: the default again), no limit for administrators, and no way around a limit by creating at once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class UserLimitsTest : public testing::WebFixture {
 protected:
  HttpReply make_blueprint(Browser& browser, const std::string& name) {
    return browser.post("/api/v1/blueprints", {{"name", name}, {"spec", spec()}});
  }
  HttpReply make_server(Browser& browser, const std::string& name, std::int64_t blueprint) {
    return browser.post("/api/v1/servers", {{"name", name}, {"blueprint_id", blueprint}});
  }
  std::int64_t user_id(Browser& admin, const std::string& name) {
    nlohmann::json users = admin.get("/api/v1/users").json();
    for (const nlohmann::json& user : users["users"]) {
      if (user["name"] == name) return user["id"];
    }
    return 0;
  }
};

TEST_F(UserLimitsTest, TheServerAndBlueprintOneTooManyIsRefusedNamingTheLimit) {
  start({{"MAX_SERVERS_PER_USER", "2"}, {"MAX_BLUEPRINTS_PER_USER", "3"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t blueprint = make_blueprint(alice, "one").json()["blueprint"]["id"];
  EXPECT_EQ(make_blueprint(alice, "two").status, 201);
  EXPECT_EQ(make_blueprint(alice, "three").status, 201);
  HttpReply fourth = make_blueprint(alice, "four");
  EXPECT_EQ(fourth.status, 409);
  EXPECT_EQ(fourth.error_code(), "limit_reached");
  EXPECT_NE(fourth.json()["error"]["message"].get<std::string>().find("at most 3 blueprints"), std::string::npos)
      << fourth.body;
  EXPECT_EQ(make_server(alice, "alpha", blueprint).status, 201);
  EXPECT_EQ(make_server(alice, "beta", blueprint).status, 201);
  HttpReply third = make_server(alice, "gamma", blueprint);
  EXPECT_EQ(third.status, 409);
  EXPECT_EQ(third.error_code(), "limit_reached");
  EXPECT_NE(third.json()["error"]["message"].get<std::string>().find("at most 2 servers"), std::string::npos)
      << third.body;
  EXPECT_EQ(alice.get("/api/v1/servers").json()["servers"].size(), 2u);
  EXPECT_EQ(alice.get("/api/v1/blueprints").json()["blueprints"].size(), 3u);
  // The session tells the user where they stand.
  nlohmann::json me = alice.get("/api/v1/session").json()["user"];
  EXPECT_EQ(me["limits"]["servers"], 2);
  EXPECT_EQ(me["limits"]["blueprints"], 3);
}

// Creates sent at once must not all pass the count before any of them is inserted.
TEST_F(UserLimitsTest, ConcurrentCreatesNeverPassTheLimit) {
  start({{"MAX_SERVERS_PER_USER", "3"}, {"MAX_BLUEPRINTS_PER_USER", "4"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t blueprint = make_blueprint(alice, "base").json()["blueprint"]["id"];
  std::string cookie = "l4d2_session=" + alice.cookies()["l4d2_session"];
  std::string csrf = alice.csrf();
  std::atomic<int> servers{0};
  std::atomic<int> blueprints{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      std::vector<std::pair<std::string, std::string>> headers = {
          {"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", "application/json"}};
      nlohmann::json server = {{"name", "s" + std::to_string(i)}, {"blueprint_id", blueprint}};
      if (testing::http_request(port_, "POST", "/api/v1/servers", server.dump(), headers).status == 201) ++servers;
      nlohmann::json made = {{"name", "b" + std::to_string(i)}, {"spec", spec()}};
      if (testing::http_request(port_, "POST", "/api/v1/blueprints", made.dump(), headers).status == 201) {
        ++blueprints;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(servers, 3);
  EXPECT_EQ(blueprints, 3);  // and "base": 4
  EXPECT_EQ(alice.get("/api/v1/servers").json()["servers"].size(), 3u);
  EXPECT_EQ(alice.get("/api/v1/blueprints").json()["blueprints"].size(), 4u);
}

TEST_F(UserLimitsTest, AnAdminSetsAUsersLimitAndNullMeansTheDefault) {
  start({{"MAX_SERVERS_PER_USER", "1"}});
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser admin = logged_in("root");
  Browser alice = logged_in("alice");
  std::string path = "/api/v1/users/" + std::to_string(user_id(admin, "alice"));
  for (const nlohmann::json& bad : {nlohmann::json{{"max_servers", -1}}, nlohmann::json{{"max_servers", "two"}},
                                    nlohmann::json{{"max_blueprints", 1.5}}, nlohmann::json{{"max_servers", 100001}}}) {
    HttpReply refused = admin.request("PATCH", path, bad);
    EXPECT_EQ(refused.status, 422) << bad.dump();
    EXPECT_EQ(refused.json()["error"]["field"], bad.begin().key()) << bad.dump();
  }
  HttpReply raised = admin.request("PATCH", path, {{"max_servers", 2}});
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(raised.json()["user"]["max_servers"], 2);
  EXPECT_EQ(raised.json()["user"]["limits"]["servers"], 2);
  EXPECT_TRUE(raised.json()["user"]["max_blueprints"].is_null());
  std::int64_t blueprint = make_blueprint(alice, "base").json()["blueprint"]["id"];
  EXPECT_EQ(make_server(alice, "alpha", blueprint).status, 201);
  EXPECT_EQ(make_server(alice, "beta", blueprint).status, 201);
  EXPECT_EQ(make_server(alice, "gamma", blueprint).status, 409);
  HttpReply reset = admin.request("PATCH", path, {{"max_servers", nullptr}});
  ASSERT_EQ(reset.status, 200);
  EXPECT_TRUE(reset.json()["user"]["max_servers"].is_null());
  EXPECT_EQ(reset.json()["user"]["limits"]["servers"], 1);
  HttpReply none = admin.request("PATCH", path, {{"max_blueprints", 0}});
  EXPECT_EQ(none.json()["user"]["limits"]["blueprints"], 0);
  EXPECT_EQ(make_blueprint(alice, "another").error_code(), "limit_reached");
}

TEST_F(UserLimitsTest, AdministratorsAreNotLimited) {
  start({{"MAX_SERVERS_PER_USER", "1"}, {"MAX_BLUEPRINTS_PER_USER", "1"}});
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  std::int64_t blueprint = make_blueprint(admin, "one").json()["blueprint"]["id"];
  EXPECT_EQ(make_blueprint(admin, "two").status, 201);
  EXPECT_EQ(make_server(admin, "alpha", blueprint).status, 201);
  EXPECT_EQ(make_server(admin, "beta", blueprint).status, 201);
  EXPECT_TRUE(admin.get("/api/v1/session").json()["user"]["limits"]["servers"].is_null());
}

}  // namespace
}  // namespace left4me::web
