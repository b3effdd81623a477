// The host routes of the API over real HTTP: administrators only, refusals naming the field, deletion refused while
// a host has servers (and a deleted host's pinned key removed), an administrator's choice of host for a new server,
// and a host without a working transport shown unreachable with its servers unknown (never stopped).
#include <gtest/gtest.h>

#include <filesystem>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ApiHostsTest : public testing::WebFixture {
 protected:
  // A remote host record with a confirmed key (no transport reaches it in this test).
  Host add_host(const std::string& name) { return add_remote_host(name); }
};

TEST_F(ApiHostsTest, AdministratorsOnlyAndBadInputIsRefused) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser root = logged_in("root");
  Browser alice = logged_in("alice");
  EXPECT_EQ(alice.get("/api/v1/hosts").status, 403);
  EXPECT_EQ(alice.post("/api/v1/hosts", {{"name", "b"}}).status, 403);
  HttpReply list = root.get("/api/v1/hosts");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["hosts"].size(), 1u);
  EXPECT_EQ(list.json()["hosts"][0]["name"], "local");
  EXPECT_EQ(list.json()["hosts"][0]["port_min"], 27015);
  // The line a new host's `left4me host-authorize` takes.
  EXPECT_EQ(list.json()["panel_key"].get<std::string>().rfind("ssh-ed25519 AAAA", 0), 0u) << list.body;
  nlohmann::json good = {
      {"name", "b"}, {"address", "192.0.2.7"}, {"port_min", 27015}, {"port_max", 27020}, {"max_servers", 4}};
  struct Case {
    const char* member;
    nlohmann::json value;
    const char* field;
  };
  for (const Case& bad : {Case{"address", "-oProxyCommand=touch /tmp/x", "address"}, Case{"address", "a b", "address"},
                          Case{"port_min", 27030, "port_min"}, Case{"port_max", 99999, "port_min"},
                          Case{"max_servers", "many", "max_servers"}, Case{"name", "Not A Name", "name"},
                          Case{"ssh_port", 0, "ssh_port"}}) {
    nlohmann::json body = good;
    body[bad.member] = bad.value;
    HttpReply refused = root.post("/api/v1/hosts", body);
    EXPECT_EQ(refused.status, 422) << bad.member << " " << refused.body;
    EXPECT_EQ(refused.json()["error"]["field"], bad.field) << refused.body;
  }
  // Nothing answers the scan: the host is not added.
  nlohmann::json unanswered = good;
  unanswered["address"] = "127.0.0.1";
  unanswered["ssh_port"] = 1;
  HttpReply scan = root.post("/api/v1/hosts", unanswered);
  EXPECT_EQ(scan.status, 409) << scan.body;
  EXPECT_EQ(root.get("/api/v1/hosts").json()["hosts"].size(), 1u);
  EXPECT_EQ(root.get("/api/v1/hosts/99").status, 404);
  EXPECT_EQ(root.request("PATCH", "/api/v1/hosts/99", {{"max_servers", 3}}).status, 404);
  EXPECT_EQ(root.request("DELETE", "/api/v1/hosts/99").status, 404);
  EXPECT_EQ(root.post("/api/v1/hosts/99/confirm-key", {{"fingerprint", "SHA256:x"}}).status, 404);
  EXPECT_EQ(root.request("DELETE", "/api/v1/hosts/1").status, 422);  // local stays
}

TEST_F(ApiHostsTest, AHostWithServersIsNotDeletedAndAnUnreachableOnesServersAreUnknown) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser root = logged_in("root");
  Browser alice = logged_in("alice");
  Host b = add_host("b");
  std::int64_t blueprint = make_blueprint(root, "coop");
  HttpReply chosen = root.post("/api/v1/servers", {{"name", "far"}, {"blueprint_id", blueprint}, {"host_id", b.id}});
  ASSERT_EQ(chosen.status, 201) << chosen.body;
  EXPECT_EQ(chosen.json()["server"]["host"], "b");
  EXPECT_EQ(chosen.json()["server"]["port"], 27015);
  std::int64_t mine = make_blueprint(alice, "mine");
  HttpReply choosing = alice.post("/api/v1/servers", {{"name", "x"}, {"blueprint_id", mine}, {"host_id", b.id}});
  EXPECT_EQ(choosing.status, 403) << choosing.body;
  HttpReply deleted = root.request("DELETE", "/api/v1/hosts/" + std::to_string(b.id));
  EXPECT_EQ(deleted.status, 409) << deleted.body;
  HttpReply narrowed =
      root.request("PATCH", "/api/v1/hosts/" + std::to_string(b.id), {{"port_min", 27020}, {"port_max", 27010}});
  EXPECT_EQ(narrowed.status, 422) << narrowed.body;
  HttpReply changed = root.request("PATCH", "/api/v1/hosts/" + std::to_string(b.id), {{"max_servers", 1}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json()["host"]["max_servers"], 1);
  EXPECT_EQ(changed.json()["host"]["servers"], 1);
  // b cannot be reached (this build's test has no transport to it): once polled it is unreachable, and its server,
  // once it owns its instance, is unknown; local's servers are not affected.
  std::int64_t far = chosen.json()["server"]["id"];
  ASSERT_OK(app_->servers->claim_instance(far));
  ASSERT_OK(app_->status_cache->refresh());
  HttpReply hosts = root.get("/api/v1/hosts");
  EXPECT_EQ(hosts.json()["hosts"][1]["reachable"], false) << hosts.body;
  EXPECT_EQ(hosts.json()["hosts"][0]["reachable"], true) << hosts.body;
  // The last refresh's wall time, over both hosts.
  EXPECT_EQ(hosts.json()["status_refresh"]["hosts"], 2) << hosts.body;
  EXPECT_GE(hosts.json()["status_refresh"]["number"], 1) << hosts.body;
  EXPECT_GE(hosts.json()["status_refresh"]["wall_ms"], 0.0) << hosts.body;
  EXPECT_EQ(root.get("/api/v1/servers/" + std::to_string(far)).json()["server"]["state"], "unknown");
  // Placement passes over the unreachable host.
  HttpReply placed = root.post("/api/v1/servers", {{"name", "near"}, {"blueprint_id", blueprint}});
  ASSERT_EQ(placed.status, 201) << placed.body;
  EXPECT_EQ(placed.json()["server"]["host"], "local");
}

// Deleting a host forgets its pinned key (<data>/ssh/known_hosts.d/<id>): a later host may get the same id.
TEST_F(ApiHostsTest, ADeletedHostsPinnedKeyFileIsRemoved) {
  start();
  create_user("root", Role::kAdmin);
  Browser root = logged_in("root");
  Host b = add_host("b");
  ASSERT_OK(app_->pin_host_key(b));  // as confirming its key through the API does
  std::string pinned = app_->config.data_dir + "/ssh/known_hosts.d/" + std::to_string(b.id);
  ASSERT_TRUE(std::filesystem::exists(pinned));
  HttpReply deleted = root.request("DELETE", "/api/v1/hosts/" + std::to_string(b.id));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_FALSE(std::filesystem::exists(pinned));
  // A host whose key was never pinned is deleted as well.
  Host c = add_host("c");
  EXPECT_EQ(root.request("DELETE", "/api/v1/hosts/" + std::to_string(c.id)).status, 200);
}

}  // namespace
}  // namespace left4me::web
