// Adopting a host instance the panel did not make, over real HTTP with the stand-in l4d2ctl.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class AdoptionTest : public testing::WebFixture {};

// Admins take over a CLI instance explicitly; it then belongs to the chosen owner and blueprint.
TEST_F(AdoptionTest, AdminAdoptsAnInstanceTheHostHas) {
  write_fake("first.spec", "port: 40000\n");
  write_fake("first.state", "running\n");
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser root = logged_in("root");
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base", "c2m1_highway");
  std::int64_t alice_id = alice.get("/api/v1/session").json()["user"]["id"];
  // Only the servers of records are listed, for admins too; the instance is adoptable.
  EXPECT_TRUE(root.get("/api/v1/servers").json()["servers"].empty());
  nlohmann::json adoptable = root.get("/api/v1/servers/adoptable").json()["instances"];
  ASSERT_EQ(adoptable.size(), 1u) << adoptable;
  EXPECT_EQ(adoptable[0]["instance"], "first");
  EXPECT_EQ(adoptable[0]["state"], "running");
  EXPECT_EQ(adoptable[0]["port"], 40000);

  HttpReply missing =
      root.post("/api/v1/servers/adopt", {{"instance", "ghost"}, {"owner_id", alice_id}, {"blueprint_id", bp}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.json()["error"]["field"], "instance");
  HttpReply wrong_owner =
      root.post("/api/v1/servers/adopt", {{"instance", "first"}, {"owner_id", alice_id + 1000}, {"blueprint_id", bp}});
  EXPECT_EQ(wrong_owner.status, 422);
  EXPECT_EQ(wrong_owner.json()["error"]["field"], "blueprint_id");
  HttpReply adopted =
      root.post("/api/v1/servers/adopt", {{"instance", "first"}, {"owner_id", alice_id}, {"blueprint_id", bp}});
  ASSERT_EQ(adopted.status, 201) << adopted.body;
  nlohmann::json server = adopted.json()["server"];
  EXPECT_EQ(server["instance"], "first");
  EXPECT_EQ(server["name"], "first");
  EXPECT_EQ(server["owner_id"], alice_id);
  EXPECT_EQ(server["port"], 27015);  // the instance's own port is outside the range
  EXPECT_EQ(
      root.post("/api/v1/servers/adopt", {{"instance", "first"}, {"owner_id", alice_id}, {"blueprint_id", bp}}).status,
      409);
  EXPECT_TRUE(root.get("/api/v1/servers/adoptable").json()["instances"].empty());

  // Now alice's: its live state shows, and its next start initializes it from the blueprint.
  std::string id = std::to_string(server["id"].get<int>());
  EXPECT_EQ(alice.get("/api/v1/servers/" + id).json()["server"]["state"], "running");
  EXPECT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + id + "/restart"))), "succeeded");
  EXPECT_NE(read_fake("first.spec").find("c2m1_highway"), std::string::npos) << read_fake("first.spec");
  EXPECT_NE(read_fake("calls.log").find("begin initialize first -f"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
