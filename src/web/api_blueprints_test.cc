// The blueprint routes of the API over real HTTP with the stand-in l4d2ctl: field errors from the spec rules, the
// rcon password kept across edits, privacy, changes applied at the next action, and deletes refused while used.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

#include <set>

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ApiBlueprintsTest : public testing::WebFixture {};

TEST_F(ApiBlueprintsTest, BlueprintFieldErrorsComeFromTheSpecRules) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  HttpReply bad =
      alice.post("/api/v1/blueprints",
                 {{"name", "b"}, {"spec", {{"max_players", 99}, {"port", 27015}, {"cvars", {{"a", "1;quit"}}}}}});
  ASSERT_EQ(bad.status, 422);
  nlohmann::json error = bad.json()["error"];
  std::set<std::string> fields;
  for (const auto& field : error["fields"]) fields.insert(field["field"]);
  EXPECT_TRUE(fields.count("spec.max_players")) << bad.body;
  EXPECT_TRUE(fields.count("spec.port")) << bad.body;  // a blueprint has no port
  EXPECT_TRUE(fields.count("spec.cvars.a")) << bad.body;
  EXPECT_EQ(alice.post("/api/v1/blueprints", {{"name", ""}, {"spec", spec()}}).json()["error"]["field"], "name");
  HttpReply yaml = alice.post("/api/v1/blueprints", {{"name", "y"}, {"spec_yaml", "map: c5m1_waterfront\n"}});
  ASSERT_EQ(yaml.status, 201) << yaml.body;
  EXPECT_EQ(yaml.json()["blueprint"]["spec"]["map"], "c5m1_waterfront");
  EXPECT_EQ(alice.post("/api/v1/blueprints", {{"name", "y"}, {"spec", spec()}}).status, 409);
}

// Issue 13, "pick, don't type": a map the host does not list for the blueprint's overlays is refused, naming the
// closest ones; any map it lists is accepted, an overlay's campaign map too.
TEST_F(ApiBlueprintsTest, BlueprintMapMustBeInTheHostsMapList) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  HttpReply typo = alice.post("/api/v1/blueprints", {{"name", "typo"}, {"spec", spec("c2m9_typo")}});
  ASSERT_EQ(typo.status, 422) << typo.body;
  nlohmann::json error = typo.json()["error"];
  EXPECT_EQ(error["field"], "spec.map");
  EXPECT_NE(error["message"].get<std::string>().find("'c2m9_typo' is not in the map list"), std::string::npos);
  EXPECT_NE(error["message"].get<std::string>().find("closest: c2m1_highway"), std::string::npos) << typo.body;

  Result<Overlay> campaign = app_->overlays->adopt(1, "campaign");  // a directory named before overlays were records
  ASSERT_OK(campaign);
  nlohmann::json overlay_map = {{"map", "dw_01_path"}, {"overlays", {campaign->id}}};
  EXPECT_EQ(alice.post("/api/v1/blueprints", {{"name", "bare"}, {"spec", {{"map", "dw_01_path"}}}}).status, 422);
  HttpReply dark_wood = alice.post("/api/v1/blueprints", {{"name", "dark"}, {"spec", overlay_map}});
  EXPECT_EQ(dark_wood.status, 201) << dark_wood.body;
  std::int64_t id = make_blueprint(alice, "other", "c3m1_plankcountry");
  HttpReply edit = alice.request("PUT", "/api/v1/blueprints/" + std::to_string(id), {{"spec", spec("c9m9_none")}});
  EXPECT_EQ(edit.status, 422) << edit.body;
  EXPECT_EQ(alice.get("/api/v1/blueprints/" + std::to_string(id)).json()["blueprint"]["spec"]["map"],
            "c3m1_plankcountry");
}

// Regression: saving an edit without the rcon password (which the API never shows) dropped it.
TEST_F(ApiBlueprintsTest, BlueprintEditWithoutRconPasswordKeepsIt) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  HttpReply created = alice.post(
      "/api/v1/blueprints", {{"name", "b"}, {"spec", {{"map", "c1m1_hotel"}, {"rcon_password", "hunter2-secret"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find("hunter2-secret"), std::string::npos) << "the password is never shown";
  std::string path = "/api/v1/blueprints/" + std::to_string(created.json()["blueprint"]["id"].get<std::int64_t>());

  HttpReply edited = alice.request("PUT", path, {{"spec", {{"map", "c2m1_highway"}}}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["blueprint"]["spec"]["map"], "c2m1_highway");
  EXPECT_EQ(edited.json()["blueprint"]["spec"]["rcon_password_set"], true);
  HttpReply as_yaml = alice.request("PUT", path, {{"spec_yaml", "map: c3m1_plankcountry\n"}});
  ASSERT_EQ(as_yaml.status, 200) << as_yaml.body;
  EXPECT_EQ(as_yaml.json()["blueprint"]["spec"]["rcon_password_set"], true);
  EXPECT_EQ(as_yaml.body.find("hunter2-secret"), std::string::npos);

  // The server started from it gets the kept password.
  std::int64_t blueprint = created.json()["blueprint"]["id"];
  HttpReply server = make_server(alice, "alpha", blueprint);
  ASSERT_EQ(server.status, 201) << server.body;
  HttpReply started =
      alice.post("/api/v1/servers/" + std::to_string(server.json()["server"]["id"].get<int>()) + "/start");
  ASSERT_EQ(wait_job(alice, job_of(started)), "succeeded");
  std::string spec_file = instance_of(server) + ".spec";
  EXPECT_NE(read_fake(spec_file).find("hunter2-secret"), std::string::npos) << read_fake(spec_file);

  // null asks for a generated one; a new password replaces the old.
  HttpReply cleared = alice.request("PUT", path, {{"spec", {{"map", "c2m1_highway"}, {"rcon_password", nullptr}}}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json()["blueprint"]["spec"]["rcon_password_set"], false);
  HttpReply replaced = alice.request("PUT", path, {{"spec", {{"rcon_password", "another-secret"}}}});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.json()["blueprint"]["spec"]["rcon_password_set"], true);
}

TEST_F(ApiBlueprintsTest, BlueprintDeleteRefusedWhileServersFollowIt) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  std::int64_t other = make_blueprint(alice, "other");
  ASSERT_EQ(make_server(alice, "alpha", bp).status, 201);
  ASSERT_EQ(make_server(alice, "beta", bp).status, 201);
  HttpReply refused = alice.request("DELETE", "/api/v1/blueprints/" + std::to_string(bp));
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("alpha, beta"), std::string::npos);
  EXPECT_EQ(refused.json()["error"]["servers"].size(), 2u);
  EXPECT_EQ(alice.get("/api/v1/blueprints/" + std::to_string(bp)).json()["blueprint"]["servers"].size(), 2u);
  // Reassign both away, then the delete goes through.
  nlohmann::json listed = alice.get("/api/v1/servers").json();
  for (const auto& server : listed["servers"]) {
    HttpReply moved = alice.request("PUT", "/api/v1/servers/" + std::to_string(server["id"].get<int>()) + "/blueprint",
                                    {{"blueprint_id", other}});
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(moved.json()["server"]["blueprint_id"], other);
  }
  EXPECT_EQ(alice.request("DELETE", "/api/v1/blueprints/" + std::to_string(bp)).status, 200);
}

TEST_F(ApiBlueprintsTest, BlueprintsArePrivate) {
  start();
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  create_user("root", Role::kAdmin);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  std::int64_t bp = make_blueprint(alice, "secret");
  // Bob can neither see it nor build a server on it nor move his server onto it.
  HttpReply stolen = make_server(bob, "bobs", bp);
  EXPECT_EQ(stolen.status, 422);
  EXPECT_EQ(stolen.json()["error"]["field"], "blueprint_id");
  std::int64_t bobs_bp = make_blueprint(bob, "mine");
  HttpReply server = make_server(bob, "bobs", bobs_bp);
  ASSERT_EQ(server.status, 201);
  HttpReply moved =
      bob.request("PUT", "/api/v1/servers/" + std::to_string(server.json()["server"]["id"].get<int>()) + "/blueprint",
                  {{"blueprint_id", bp}});
  EXPECT_EQ(moved.status, 422);
  // Admins see everything.
  Browser root = logged_in("root");
  EXPECT_EQ(root.get("/api/v1/blueprints").json()["blueprints"].size(), 2u);
  EXPECT_EQ(root.get("/api/v1/blueprints/" + std::to_string(bp)).status, 200);
}

TEST_F(ApiBlueprintsTest, BlueprintChangesApplyOnNextActionAndShowOutdated) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base", "c1m1_hotel");
  HttpReply server = make_server(alice, "alpha", bp);
  std::string id = std::to_string(server.json()["server"]["id"].get<int>());
  std::string spec_file = instance_of(server) + ".spec";
  EXPECT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + id + "/start"))), "succeeded");
  EXPECT_NE(read_fake(spec_file).find("c1m1_hotel"), std::string::npos);
  EXPECT_EQ(alice.get("/api/v1/servers/" + id).json()["server"]["outdated"], false);
  HttpReply edited = alice.request("PUT", "/api/v1/blueprints/" + std::to_string(bp), {{"spec", spec("c2m1_highway")}});
  ASSERT_EQ(edited.status, 200);
  EXPECT_EQ(edited.json()["blueprint"]["version"], 2);
  // Nothing changes on the host until the next action; the server says it runs an older version.
  EXPECT_NE(read_fake(spec_file).find("c1m1_hotel"), std::string::npos);
  nlohmann::json now = alice.get("/api/v1/servers/" + id).json()["server"];
  EXPECT_EQ(now["outdated"], true);
  EXPECT_EQ(now["applied_version"], 1);
  EXPECT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + id + "/restart"))), "succeeded");
  EXPECT_NE(read_fake(spec_file).find("c2m1_highway"), std::string::npos);
  EXPECT_EQ(alice.get("/api/v1/servers/" + id).json()["server"]["outdated"], false);
  // Moving to another blueprint also shows as outdated until the next start.
  std::int64_t other = make_blueprint(alice, "other", "c3m1_plankcountry");
  alice.request("PUT", "/api/v1/servers/" + id + "/blueprint", {{"blueprint_id", other}});
  EXPECT_EQ(alice.get("/api/v1/servers/" + id).json()["server"]["outdated"], true);
}

// Blueprints pick overlays by id from the ones their owner may use, in order; the spec keeps their directories.
TEST_F(ApiBlueprintsTest, BlueprintOverlaysAreIdsOfUsableOverlays) {
  start();
  create_user("admin", Role::kAdmin);
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("admin");
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  std::int64_t mine = alice.post("/api/v1/overlays", {{"name", "mine"}}).json()["overlay"]["id"];
  std::int64_t global = admin.post("/api/v1/overlays", {{"name", "shared"}, {"global", true}}).json()["overlay"]["id"];
  std::int64_t bobs = bob.post("/api/v1/overlays", {{"name", "bobs"}}).json()["overlay"]["id"];
  auto with = [](nlohmann::json overlays) {
    return nlohmann::json{{"map", "c1m1_hotel"}, {"overlays", std::move(overlays)}};
  };
  for (const nlohmann::json& refused : {nlohmann::json{mine, bobs}, nlohmann::json{mine, 99999},
                                        nlohmann::json{mine, "campaign"}, nlohmann::json{mine, mine}}) {
    HttpReply reply = alice.post("/api/v1/blueprints", {{"name", "x"}, {"spec", with(refused)}});
    EXPECT_EQ(reply.status, 422) << refused;
    EXPECT_EQ(reply.json()["error"]["field"], "spec.overlays[1]") << reply.body;
  }
  HttpReply created = alice.post("/api/v1/blueprints", {{"name", "b"}, {"spec", with({global, mine})}});
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json blueprint = created.json()["blueprint"];
  EXPECT_EQ(blueprint["spec"]["overlays"], (nlohmann::json{{{"id", global}, {"name", "shared"}, {"global", true}},
                                                           {{"id", mine}, {"name", "mine"}, {"global", false}}}));
  std::string yaml = blueprint["spec_yaml"];  // the host's refs: the overlays' directories, their ids here
  EXPECT_NE(yaml.find(std::to_string(mine), yaml.find("overlays:")), std::string::npos) << yaml;
  // The overlay knows its user now: it cannot be deleted, and the refusal names the blueprint.
  HttpReply in_use = alice.request("DELETE", "/api/v1/overlays/" + std::to_string(mine));
  EXPECT_EQ(in_use.status, 409);
  EXPECT_NE(in_use.json()["error"]["message"].get<std::string>().find("'b'"), std::string::npos) << in_use.body;
  std::string path = "/api/v1/blueprints/" + std::to_string(blueprint["id"].get<std::int64_t>());
  ASSERT_EQ(alice.request("PUT", path, {{"spec", with(nlohmann::json::array({global}))}}).status, 200);
  EXPECT_EQ(alice.request("DELETE", "/api/v1/overlays/" + std::to_string(mine)).status, 200);
}

}  // namespace
}  // namespace left4me::web
