// The server routes of the API over real HTTP with the stand-in l4d2ctl: the list (from the render cache) says what
// each server's own route says, and ports are the lowest free ones of the range.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ApiServersTest : public testing::WebFixture {};

// The list is written as text for speed: each entry must be exactly what GET /api/v1/servers/{id} says.
TEST_F(ApiServersTest, ServerListEntriesEqualTheSingleServer) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "quote \" back\\slash </script> \xc3\xa9t\xc3\xa9");
  HttpReply alpha = make_server(alice, "alpha", bp);
  ASSERT_EQ(make_server(alice, "beta", bp).status, 201);
  HttpReply started =
      alice.post("/api/v1/servers/" + std::to_string(alpha.json()["server"]["id"].get<int>()) + "/start");
  ASSERT_EQ(wait_job(alice, job_of(started)), "succeeded");
  HttpReply list = alice.get("/api/v1/servers");
  ASSERT_EQ(list.status, 200);
  nlohmann::json servers = list.json()["servers"];
  ASSERT_EQ(servers.size(), 2u) << list.body;
  for (const nlohmann::json& server : servers) {
    HttpReply single = alice.get("/api/v1/servers/" + std::to_string(server["id"].get<int>()));
    EXPECT_EQ(server, single.json()["server"]) << list.body << "\n" << single.body;
  }
  EXPECT_EQ(servers[0]["state"], "running");
  EXPECT_EQ(servers[0]["live"]["map"], "c1m1_hotel");
  EXPECT_EQ(servers[1]["state"], "new");
}

// Issue 13, expectation 6: two users each have a server called "friends-coop". Each is its own host instance, and
// their jobs are their own: a start queued on one is not taken for the other's (jobs once deduplicated and queued by
// the name).
TEST_F(ApiServersTest, TwoUsersEachHaveAServerOfTheSameName) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  HttpReply alices = make_server(alice, "friends-coop", make_blueprint(alice, "base"));
  HttpReply bobs = make_server(bob, "friends-coop", make_blueprint(bob, "base"));
  ASSERT_EQ(alices.status, 201) << alices.body;
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  EXPECT_NE(instance_of(alices), instance_of(bobs));
  EXPECT_EQ(instance_of(bobs).find("friends"), std::string::npos);
  HttpReply twice = make_server(alice, "friends-coop", make_blueprint(alice, "other"));
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.json()["error"]["message"], "you already have a server named 'friends-coop'");
  EXPECT_EQ(twice.json()["error"]["field"], "name");
  HttpReply bad = make_server(alice, "tab\there", make_blueprint(alice, "third"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["error"]["field"], "name");

  std::string alice_path = "/api/v1/servers/" + std::to_string(alices.json()["server"]["id"].get<std::int64_t>());
  std::string bob_path = "/api/v1/servers/" + std::to_string(bobs.json()["server"]["id"].get<std::int64_t>());
  HttpReply alice_start = alice.post(alice_path + "/start");
  HttpReply bob_start = bob.post(bob_path + "/start");
  ASSERT_EQ(alice_start.status, 202);
  ASSERT_EQ(bob_start.status, 202) << bob_start.body;
  EXPECT_NE(job_of(alice_start), job_of(bob_start));
  EXPECT_EQ(bob_start.json()["job"]["server_id"], bobs.json()["server"]["id"]);
  EXPECT_EQ(alice.get(bob_path).status, 404);
  app_->runner->start();
  EXPECT_EQ(wait_job(alice, job_of(alice_start)), "succeeded");
  EXPECT_EQ(wait_job(bob, job_of(bob_start)), "succeeded");
  EXPECT_EQ(read_fake(instance_of(alices) + ".state"), "running\n");
  EXPECT_EQ(read_fake(instance_of(bobs) + ".state"), "running\n");
}

TEST_F(ApiServersTest, PortsAreLowestFreeAndRangeCanBeFull) {
  start({{"LEFT4ME_PORT_RANGE_START", "30000"}, {"LEFT4ME_PORT_RANGE_END", "30002"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  std::vector<int> ports;
  for (const char* name : {"a1", "a2", "a3"}) {
    HttpReply reply = make_server(alice, name, bp);
    ASSERT_EQ(reply.status, 201);
    ports.push_back(reply.json()["server"]["port"]);
  }
  EXPECT_EQ(ports, (std::vector<int>{30000, 30001, 30002}));
  HttpReply full = make_server(alice, "a4", bp);
  EXPECT_EQ(full.status, 409);
  EXPECT_NE(full.json()["error"]["message"].get<std::string>().find("no free port"), std::string::npos);
  EXPECT_EQ(make_server(alice, "a1", bp).status, 409);         // names are unique per owner
  EXPECT_EQ(make_server(alice, "Bad\nName", bp).status, 422);  // the server-name rule
  // Deleting the middle server frees the lowest port for the next one.
  std::int64_t middle = 0;
  nlohmann::json listed = alice.get("/api/v1/servers").json();
  for (const auto& server : listed["servers"]) {
    if (server["port"] == 30001) middle = server["id"];
  }
  EXPECT_EQ(wait_job(alice, job_of(alice.request("DELETE", "/api/v1/servers/" + std::to_string(middle)))), "succeeded");
  HttpReply again = make_server(alice, "a5", bp);
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.json()["server"]["port"], 30001);
}

// Issue 13, expectation 3: the RCON password of a server, on request, to its owner and administrators only; it is the
// one the server gets at its start.
TEST_F(ApiServersTest, TheRconPasswordIsShownToItsOwnerOnRequest) {
  start();
  create_user("ann", Role::kUser);
  create_user("bob", Role::kUser);
  create_user("root", Role::kAdmin);
  Browser ann = logged_in("ann");
  HttpReply server = make_server(ann, "alpha", make_blueprint(ann, "base"));
  ASSERT_EQ(server.status, 201) << server.body;
  const std::string path = "/api/v1/servers/" + std::to_string(server.json()["server"]["id"].get<std::int64_t>());
  EXPECT_EQ(server.body.find("rcon"), std::string::npos);  // never in the server object
  HttpReply shown = ann.get(path + "/rcon-password");
  ASSERT_EQ(shown.status, 200) << shown.body;
  std::string password = shown.json()["rcon_password"];
  EXPECT_EQ(password.size(), 24u);
  EXPECT_EQ(logged_in("root").get(path + "/rcon-password").json()["rcon_password"], password);
  EXPECT_EQ(logged_in("bob").get(path + "/rcon-password").status, 404);
  EXPECT_EQ(Browser(port_).get(path + "/rcon-password").status, 401);

  HttpReply started = ann.post(path + "/start");
  ASSERT_EQ(started.status, 202) << started.body;
  ASSERT_EQ(wait_job(ann, job_of(started)), "succeeded");
  EXPECT_NE(read_fake(instance_of(server) + ".spec").find("rcon_password: \"" + password + "\""), std::string::npos)
      << read_fake(instance_of(server) + ".spec");
}

}  // namespace
}  // namespace left4me::web
