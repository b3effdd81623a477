// Blueprints, servers, ports, jobs and live logs over real HTTP with the stand-in l4d2ctl.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/strings.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ResourcesTest : public testing::WebFixture {
 protected:
  std::int64_t make_blueprint(Browser& browser, const std::string& name, const std::string& map = "c1m1_hotel") {
    HttpReply reply = browser.post("/api/v1/blueprints", {{"name", name}, {"spec", spec(map)}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json()["blueprint"]["id"];
  }
  HttpReply make_server(Browser& browser, const std::string& name, std::int64_t blueprint) {
    return browser.post("/api/v1/servers", {{"name", name}, {"blueprint_id", blueprint}});
  }
  std::int64_t job_of(const HttpReply& reply) { return reply.json()["job"]["id"]; }
  // The host instance of a server (what the stand-in l4d2ctl names its files after).
  static std::string instance_of(const HttpReply& server) { return server.json()["server"]["instance"]; }
};

TEST_F(ResourcesTest, BlueprintFieldErrorsComeFromTheSpecRules) {
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

// Regression: saving an edit without the rcon password (which the API never shows) dropped it.
TEST_F(ResourcesTest, BlueprintEditWithoutRconPasswordKeepsIt) {
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

// The list is written as text for speed: each entry must be exactly what GET /api/v1/servers/{id} says.
TEST_F(ResourcesTest, ServerListEntriesEqualTheSingleServer) {
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

TEST_F(ResourcesTest, BlueprintDeleteRefusedWhileServersFollowIt) {
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

TEST_F(ResourcesTest, BlueprintsArePrivate) {
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

TEST_F(ResourcesTest, BlueprintChangesApplyOnNextActionAndShowOutdated) {
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

TEST_F(ResourcesTest, PortsAreLowestFreeAndRangeCanBeFull) {
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
  EXPECT_EQ(make_server(alice, "a1", bp).status, 409);        // names are unique on the panel
  EXPECT_EQ(make_server(alice, "Bad/Name", bp).status, 422);  // the server-name rule
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

// The stand-in's calls of cmd on instance, e.g. "stop first".
std::size_t calls_of(const std::string& log, const std::string& command) {
  std::size_t count = 0;
  for (const std::string& line : split(log, '\n')) {
    if (line.find(" begin " + command) != std::string::npos &&
        line.size() == line.find(" begin " + command) + 7 + command.size()) {
      ++count;
    }
  }
  return count;
}

// Regression (issue 11, item 6): a user named a server like an instance made with the CLI ("first", as
// docs/deploy.md has admins make) and got that instance: its status, console, stop and delete.
TEST_F(ResourcesTest, ServerNamedLikeACliInstanceCannotTakeItOver) {
  // Made before the web app starts, so its first `l4d2ctl list` has it.
  write_fake("first.spec", "port: 27015\n");
  write_fake("first.state", "running\n");
  write_fake("first.log", "console of the CLI instance\n");
  start();
  create_user("mallory", Role::kUser);
  Browser mallory = logged_in("mallory");
  std::int64_t bp = make_blueprint(mallory, "base");
  HttpReply created = make_server(mallory, "first", bp);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(created.json()["server"]["id"].get<int>());
  EXPECT_NE(created.json()["server"].value("instance", "first"), "first");

  // Status: the record's own, never the CLI instance's.
  nlohmann::json shown = mallory.get("/api/v1/servers/" + id).json()["server"];
  EXPECT_EQ(shown["state"], "new") << shown;
  EXPECT_TRUE(shown["live"].is_null()) << shown;
  nlohmann::json listed = mallory.get("/api/v1/servers").json()["servers"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["state"], "new") << listed;
  // Console: not the CLI instance's.
  std::vector<std::pair<std::string, std::string>> headers{
      {"Cookie", "l4d2_session=" + mallory.cookies()["l4d2_session"]}};
  testing::StreamReader console(port_, "/api/v1/servers/" + id + "/logs", headers);
  EXPECT_TRUE(console.wait_for("event: end", std::chrono::seconds(5))) << console.received();
  EXPECT_NE(console.received().find("not been started"), std::string::npos) << console.received();
  EXPECT_EQ(console.received().find("console of the CLI instance"), std::string::npos) << console.received();
  console.close();
  // Stop and delete: the CLI instance keeps running, untouched.
  EXPECT_EQ(wait_job(mallory, job_of(mallory.post("/api/v1/servers/" + id + "/stop"))), "succeeded");
  EXPECT_EQ(wait_job(mallory, job_of(mallory.request("DELETE", "/api/v1/servers/" + id))), "succeeded");
  std::string calls = read_fake("calls.log");
  EXPECT_EQ(calls_of(calls, "stop first"), 0u) << calls;
  EXPECT_EQ(calls_of(calls, "delete first"), 0u) << calls;
  EXPECT_EQ(read_fake("first.state"), "running\n");
  EXPECT_EQ(read_fake("first.spec"), "port: 27015\n");
  EXPECT_EQ(mallory.get("/api/v1/servers/" + id).status, 404);  // the record is gone
}

// An instance of the derived name already on the host (made with the CLI, or left by a lost database): the
// first start fails with the reason and touches nothing; other servers start as usual.
TEST_F(ResourcesTest, FirstStartRefusesAnInstanceThatExistsOnTheHost) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  HttpReply taken = make_server(alice, "taken", bp);
  HttpReply fresh = make_server(alice, "fresh", bp);
  std::string occupied = instance_of(taken);
  write_fake(occupied + ".spec", "port: 30000\n");
  write_fake(occupied + ".state", "running\n");
  std::string id = std::to_string(taken.json()["server"]["id"].get<int>());
  std::int64_t job = job_of(alice.post("/api/v1/servers/" + id + "/start"));
  EXPECT_EQ(wait_job(alice, job), "failed");
  nlohmann::json failed = alice.get("/api/v1/jobs/" + std::to_string(job)).json()["job"];
  EXPECT_NE(failed["reason"].get<std::string>().find("instance '" + occupied + "' already exists on the host"),
            std::string::npos)
      << failed;
  std::string calls = read_fake("calls.log");
  EXPECT_EQ(calls.find("initialize " + occupied), std::string::npos) << calls;
  EXPECT_EQ(calls.find("begin start " + occupied), std::string::npos) << calls;
  EXPECT_EQ(read_fake(occupied + ".spec"), "port: 30000\n");
  EXPECT_EQ(alice.get("/api/v1/servers/" + id).json()["server"]["state"], "new");
  // Stop and delete still leave it alone; the record goes.
  EXPECT_EQ(wait_job(alice, job_of(alice.request("DELETE", "/api/v1/servers/" + id))), "succeeded");
  EXPECT_EQ(read_fake(occupied + ".state"), "running\n");

  std::string other = std::to_string(fresh.json()["server"]["id"].get<int>());
  EXPECT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + other + "/start"))), "succeeded");
  EXPECT_EQ(read_fake(instance_of(fresh) + ".state"), "running\n");
  // Once it has started it manages its instance: later starts do not ask the host first.
  EXPECT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + other + "/restart"))), "succeeded");
  EXPECT_EQ(calls_of(read_fake("calls.log"), "status " + instance_of(fresh) + " --json"), 3u)
      << "one check before the first initialize, one status after each job";
}

// Admins take over a CLI instance explicitly; it then belongs to the chosen owner and blueprint.
TEST_F(ResourcesTest, AdminAdoptsAnInstanceTheHostHas) {
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

// Parses calls.log lines "<time> begin|end <cmd> <args>" into ordered events.
std::vector<std::string> call_events(const std::string& log) {
  std::vector<std::string> events;
  for (const std::string& line : split(log, '\n')) {
    std::vector<std::string> parts = split(line, ' ');
    if (parts.size() >= 4 && (parts[2] == "start" || parts[2] == "stop" || parts[2] == "restart")) {
      events.push_back(parts[1] + " " + parts[2] + " " + parts[3]);
    }
  }
  return events;
}

TEST_F(ResourcesTest, JobsOfOneServerRunInOrderAndServersRunInParallel) {
  start({{"JOB_WORKER_THREADS", "4"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  HttpReply alpha = make_server(alice, "alpha", bp);
  HttpReply beta = make_server(alice, "beta", bp);
  std::string a = std::to_string(alpha.json()["server"]["id"].get<int>());
  std::string b = std::to_string(beta.json()["server"]["id"].get<int>());
  write_fake("delay", "0.4");
  std::int64_t first = job_of(alice.post("/api/v1/servers/" + a + "/start"));
  std::int64_t second = job_of(alice.post("/api/v1/servers/" + a + "/stop"));
  std::int64_t third = job_of(alice.post("/api/v1/servers/" + b + "/start"));
  EXPECT_EQ(wait_job(alice, first), "succeeded");
  EXPECT_EQ(wait_job(alice, second), "succeeded");
  EXPECT_EQ(wait_job(alice, third), "succeeded");
  std::vector<std::string> events = call_events(read_fake("calls.log"));
  auto position = [&](const std::string& event) {
    return std::find(events.begin(), events.end(), event) - events.begin();
  };
  // alpha: start ends before its stop begins (serial, in order).
  EXPECT_LT(position("end start " + instance_of(alpha)), position("begin stop " + instance_of(alpha)))
      << join(events, "\n");
  // beta's start overlaps alpha's start (parallel).
  EXPECT_LT(position("begin start " + instance_of(beta)), position("end start " + instance_of(alpha)))
      << join(events, "\n");
}

TEST_F(ResourcesTest, QueuedJobCanBeCancelledRunningCannot) {
  start({{"JOB_WORKER_THREADS", "1"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  std::string a = std::to_string(make_server(alice, "alpha", bp).json()["server"]["id"].get<int>());
  write_fake("delay", "0.5");
  std::int64_t running = job_of(alice.post("/api/v1/servers/" + a + "/start"));
  std::int64_t queued = job_of(alice.post("/api/v1/servers/" + a + "/stop"));
  for (int i = 0; i < 100 && alice.get("/api/v1/jobs/" + std::to_string(running)).json()["job"]["state"] != "running";
       ++i) {
    ::usleep(10000);
  }
  HttpReply busy = alice.post("/api/v1/jobs/" + std::to_string(running) + "/cancel");
  EXPECT_EQ(busy.status, 409);
  HttpReply cancelled = alice.post("/api/v1/jobs/" + std::to_string(queued) + "/cancel");
  ASSERT_EQ(cancelled.status, 200);
  EXPECT_EQ(cancelled.json()["job"]["state"], "cancelled");
  EXPECT_EQ(wait_job(alice, running), "succeeded");
  ::usleep(300000);
  EXPECT_EQ(alice.get("/api/v1/jobs/" + std::to_string(queued)).json()["job"]["state"], "cancelled");
  EXPECT_EQ(read_fake("calls.log").find("begin stop"), std::string::npos);  // it never ran
  EXPECT_EQ(alice.get("/api/v1/jobs?state=cancelled").json()["jobs"].size(), 1u);
}

TEST_F(ResourcesTest, TwentySimultaneousStartsGiveOneServer) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  HttpReply alpha = make_server(alice, "alpha", bp);
  std::string a = std::to_string(alpha.json()["server"]["id"].get<int>());
  write_fake("delay", "0.3");
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  std::string cookie = alice.cookies()["l4d2_session"];
  std::string csrf = alice.csrf();
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      HttpReply reply = testing::http_request(port_, "POST", "/api/v1/servers/" + a + "/start", "",
                                              {{"Cookie", "l4d2_session=" + cookie}, {"X-CSRF-Token", csrf}});
      if (reply.status == 202) ++accepted;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted, 20);
  for (int i = 0; i < 300; ++i) {
    nlohmann::json jobs = alice.get("/api/v1/jobs?state=queued").json()["jobs"];
    nlohmann::json running = alice.get("/api/v1/jobs?state=running").json()["jobs"];
    if (jobs.empty() && running.empty()) break;
    ::usleep(20000);
  }
  std::size_t starts = 0;
  for (const std::string& line : split(read_fake("calls.log"), '\n')) {
    if (line.find("begin start " + instance_of(alpha)) != std::string::npos) ++starts;
  }
  EXPECT_GE(starts, 1u);
  EXPECT_LE(starts, 2u);  // one queued start absorbs the rest; at most one more queued behind a running one
  EXPECT_EQ(read_fake(instance_of(alpha) + ".state"), "running\n");
  EXPECT_EQ(alice.get("/api/v1/servers/" + a).json()["server"]["state"], "running");
}

TEST_F(ResourcesTest, InstallRunsAsAdminJobWithProgress) {
  start();
  create_user("root", Role::kAdmin);
  Browser root = logged_in("root");
  HttpReply queued = root.post("/api/v1/install");
  ASSERT_EQ(queued.status, 202);
  EXPECT_EQ(wait_job(root, job_of(queued)), "succeeded");
  nlohmann::json job = root.get("/api/v1/install").json()["job"];
  EXPECT_EQ(job["progress"]["phase"], "done");
  EXPECT_EQ(job["progress"]["percent"], 100);
}

TEST_F(ResourcesTest, TwoViewersShareOneLogFollower) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  HttpReply alpha = make_server(alice, "alpha", bp);
  std::string a = std::to_string(alpha.json()["server"]["id"].get<int>());
  ASSERT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + a + "/start"))), "succeeded");
  std::string log_file = instance_of(alpha) + ".log";
  write_fake(log_file, "old line 1\nold line 2\n");
  std::vector<std::pair<std::string, std::string>> headers{
      {"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]}};
  testing::StreamReader first(port_, "/api/v1/servers/" + a + "/logs", headers);
  ASSERT_TRUE(first.wait_for("data: old line 2", std::chrono::seconds(5))) << first.received();
  testing::StreamReader second(port_, "/api/v1/servers/" + a + "/logs", headers);
  ASSERT_TRUE(second.wait_for("data: old line 2", std::chrono::seconds(5))) << second.received();  // backlog
  {
    std::ofstream log(fake_dir() + "/" + log_file, std::ios::app);
    log << "fresh line\n";
  }
  EXPECT_TRUE(first.wait_for("data: fresh line", std::chrono::seconds(5)));
  EXPECT_TRUE(second.wait_for("data: fresh line", std::chrono::seconds(5)));
  EXPECT_EQ(split(read_fake("followers.log"), '\n').size(), 2u);  // one line + the empty tail: one follower
  EXPECT_EQ(app_->server_logs->follower_count(), 1u);
  EXPECT_TRUE(first.wait_for(": heartbeat", std::chrono::seconds(3)));
  first.close();
  second.close();
  // The heartbeat notices both viewers left and stops the follower.
  bool stopped = false;
  for (int i = 0; i < 60 && !stopped; ++i) {
    stopped = app_->server_logs->follower_count() == 0;
    ::usleep(100000);
  }
  EXPECT_TRUE(stopped);
}

TEST_F(ResourcesTest, JobLogResumesFromLastEventId) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t bp = make_blueprint(alice, "base");
  std::string a = std::to_string(make_server(alice, "alpha", bp).json()["server"]["id"].get<int>());
  write_fake("delay", "0.5");
  std::string job = std::to_string(job_of(alice.post("/api/v1/servers/" + a + "/start")));
  std::vector<std::pair<std::string, std::string>> headers{
      {"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]}};
  testing::StreamReader first(port_, "/api/v1/jobs/" + job + "/log", headers);
  ASSERT_TRUE(first.wait_for("id: 2\n", std::chrono::seconds(5))) << first.received();
  first.close();  // the viewer drops after line 2
  headers.emplace_back("Last-Event-ID", "2");
  testing::StreamReader second(port_, "/api/v1/jobs/" + job + "/log", headers);
  ASSERT_TRUE(second.wait_for("event: end", std::chrono::seconds(10))) << second.received();
  EXPECT_EQ(second.received().find("id: 2\n"), std::string::npos);
  // Every later line arrives exactly once, in order.
  HttpReply lines = alice.get("/api/v1/jobs/" + job + "/lines");
  std::size_t last = 0;
  nlohmann::json parsed_lines = lines.json();
  for (const auto& line : parsed_lines["lines"]) {
    std::int64_t seq = line["seq"];
    if (seq <= 2) continue;
    std::string event = "id: " + std::to_string(seq) + "\ndata: " + line["line"].get<std::string>() + "\n";
    std::size_t at = second.received().find(event);
    ASSERT_NE(at, std::string::npos) << event;
    EXPECT_GT(at, last);
    last = at;
  }
  EXPECT_NE(second.received().find("data: succeeded"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
