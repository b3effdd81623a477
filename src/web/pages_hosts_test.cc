// The Hosts page over real HTTP in-process: each host's row (reachable or not, its game build and free disk),
// adding a host with its scanned key (the key scan is App's seam: no sshd here), confirming and scanning the key
// again, deleting (refused while servers remain), administrators only; and the host choice of the new-server form.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

constexpr const char* kGoodHost =
    "name=b&address=127.0.0.1&ssh_port=1&ssh_user=left4me&port_min=27015&"
    "port_max=27020&max_servers=4&cpus=";

class HostsPageTest : public testing::WebFixture {
 protected:
  // Key scans answer with `scanned` (or fail with `scan_error`); confirmed keys are recorded in `pinned`.
  void fake_key_scan() {
    app_->scan_host_keys = [this](const std::string& address, int port) -> Result<std::vector<HostKey>> {
      ++scans;
      if (!scan_error.empty()) return Error::unavailable(scan_error);
      return std::vector<HostKey>{{address + " ssh-rsa AAAArsa", "SHA256:rsa"},
                                  {fmt::format("[{}]:{} ssh-ed25519 AAAA{}", address, port, scanned), scanned}};
    };
    app_->pin_host_key = [this](const Host& host) {
      pinned.push_back(host.key.fingerprint);
      return ok_status();
    };
  }
  // A remote host record with a confirmed key where no sshd answers (a closed port: refused at once).
  Host add_unreachable_host(const std::string& name) { return add_remote_host(name); }
  std::size_t host_count() { return app_->hosts->list()->size(); }
  // The row of host `id` on the page.
  static std::string row_of(const std::string& page, std::int64_t id) {
    std::size_t start = page.find("<tr id=\"host-" + std::to_string(id) + "\"");
    if (start == std::string::npos) return "";
    return page.substr(start, page.find("</tr>", start) - start);
  }

  int scans = 0;
  std::string scanned = "SHA256:first";
  std::string scan_error;
  std::vector<std::string> pinned;
};

TEST_F(HostsPageTest, EachHostsRowSaysWhetherItAnswersWithItsBuildServersAndDisk) {
  write_fake("builds", "16034045\n");
  write_fake("current", "16034045\n");
  write_fake("disk", "21474836480 107374182400\n");
  start();
  create_user("root", Role::kAdmin);
  create_user("ann", Role::kUser);
  Browser admin = logged_in("root");
  Browser ann = logged_in("ann");
  EXPECT_NE(admin.get("/admin").body.find("href=\"/admin/hosts\""), std::string::npos);
  Host far = add_unreachable_host("far");
  ASSERT_OK(app_->status_cache->refresh());

  HttpReply page = admin.get("/admin/hosts");
  ASSERT_EQ(page.status, 200) << page.body;
  std::string local = row_of(page.body, kLocalHostId);
  EXPECT_NE(local.find(">local</th>"), std::string::npos) << local;
  EXPECT_NE(local.find("this machine"), std::string::npos) << local;
  EXPECT_NE(local.find("<span class=\"state good\">reachable</span>"), std::string::npos) << local;
  EXPECT_NE(local.find(" ms</td>"), std::string::npos) << local;
  EXPECT_NE(local.find("16034045"), std::string::npos) << local;
  EXPECT_NE(local.find("20.0 GiB free of 100.0 GiB"), std::string::npos) << local;
  EXPECT_NE(local.find("0 / "), std::string::npos) << local;
  std::string remote = row_of(page.body, far.id);
  EXPECT_NE(remote.find("left4me@127.0.0.1:1"), std::string::npos) << remote;
  EXPECT_NE(remote.find("<span class=\"state bad\">unreachable</span>"), std::string::npos) << remote;
  EXPECT_NE(remote.find("class=\"host-error\""), std::string::npos) << remote;
  EXPECT_NE(remote.find("0 / 5"), std::string::npos) << remote;
  EXPECT_NE(remote.find(">unknown</td>"), std::string::npos) << remote;  // its disk: not read while unreachable
  EXPECT_NE(remote.find("SHA256:test"), std::string::npos) << remote;
  EXPECT_NE(page.body.find("left4me host-authorize 'ssh-ed25519 "), std::string::npos) << page.body;

  // The facts are kept: a host older than the disk field shows "unknown" only once they are read again.
  std::remove((fake_dir() + "/disk").c_str());
  EXPECT_NE(row_of(admin.get("/admin/hosts").body, kLocalHostId).find("20.0 GiB free"), std::string::npos);
  app_->host_facts->forget(kLocalHostId);
  EXPECT_NE(row_of(admin.get("/admin/hosts").body, kLocalHostId).find(">unknown</td>"), std::string::npos);

  for (const char* path : {"/admin/hosts", "/admin/hosts/2/delete"}) EXPECT_EQ(ann.get(path).status, 403);
  EXPECT_EQ(post_form(ann, "/admin/hosts", kGoodHost).status, 403);
  EXPECT_EQ(post_form(ann, "/admin/hosts/2/delete", "").status, 403);
  EXPECT_EQ(host_count(), 2u);
}

TEST_F(HostsPageTest, AddingAHostShowsItsKeyToConfirmAndBadInputStoresNothing) {
  start();
  fake_key_scan();
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  struct Case {
    std::string form;
    const char* message;
  };
  for (const Case& bad :
       {Case{"name=Not%20A%20Name&address=192.0.2.8&port_min=27015&port_max=27020&max_servers=4",
             "Host not added: name:"},
        Case{"name=b&address=-oProxyCommand%3Did&port_min=27015&port_max=27020&max_servers=4",
             "Host not added: address:"},
        Case{"name=b&address=192.0.2.8&port_min=27030&port_max=27020&max_servers=4", "Host not added: port_min"},
        Case{"name=b&address=192.0.2.8&port_min=27015&port_max=27020&max_servers=many",
             "Host not added: max_servers: not a whole number"},
        Case{"name=b&port_min=27015&port_max=27020&max_servers=4", "Host not added: address: required"},
        Case{"name=local&address=192.0.2.8&port_min=27015&port_max=27020&max_servers=4", "Host not added: "}}) {
    HttpReply refused = post_form(admin, "/admin/hosts", bad.form);
    EXPECT_TRUE(refused.status == 422 || refused.status == 409) << bad.form << " " << refused.status;
    EXPECT_NE(refused.body.find(bad.message), std::string::npos) << bad.form << "\n" << refused.body;
    EXPECT_NE(refused.body.find("id=\"add-host-error\""), std::string::npos) << bad.form;
  }
  EXPECT_EQ(host_count(), 1u);
  // A host whose sshd does not answer: said, typed values kept, nothing stored.
  scan_error = "192.0.2.8 port 22: Connection refused";
  HttpReply unanswered = post_form(admin, "/admin/hosts", kGoodHost);
  EXPECT_EQ(unanswered.status, 409);
  EXPECT_NE(unanswered.body.find("Host not added: 192.0.2.8 port 22: Connection refused."), std::string::npos)
      << unanswered.body;
  EXPECT_NE(unanswered.body.find("value=\"127.0.0.1\""), std::string::npos);
  EXPECT_EQ(host_count(), 1u);

  scan_error.clear();
  ASSERT_EQ(post_form(admin, "/admin/hosts", kGoodHost).status, 303);
  ASSERT_EQ(host_count(), 2u);
  Host added = app_->hosts->list()->back();
  EXPECT_FALSE(added.usable());
  std::string row = row_of(admin.get("/admin/hosts").body, added.id);
  EXPECT_NE(row.find("<code>SHA256:first</code>"), std::string::npos) << row;  // the ed25519 key is preferred
  EXPECT_NE(row.find("key not confirmed"), std::string::npos) << row;
  EXPECT_NE(row.find("Confirm this key of b"), std::string::npos) << row;
  EXPECT_EQ(post_form(admin, "/admin/hosts", kGoodHost).status, 409);  // the name is taken
  EXPECT_EQ(host_count(), 2u);

  std::string base = "/admin/hosts/" + std::to_string(added.id);
  HttpReply wrong = post_form(admin, base + "/confirm-key", "fingerprint=SHA256:other");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("Key not confirmed: "), std::string::npos) << wrong.body;
  EXPECT_FALSE(app_->hosts->get(added.id)->usable());
  EXPECT_TRUE(pinned.empty());
  ASSERT_EQ(post_form(admin, base + "/confirm-key", "fingerprint=SHA256:first").status, 303);
  EXPECT_TRUE(app_->hosts->get(added.id)->usable());
  EXPECT_EQ(pinned, std::vector<std::string>{"SHA256:first"});
  EXPECT_EQ(row_of(admin.get("/admin/hosts").body, added.id).find("Confirm this key"), std::string::npos);

  // The host was reinstalled: scanned again, the new key waits for confirmation and the host takes no servers.
  scanned = "SHA256:second";
  ASSERT_EQ(post_form(admin, base + "/rescan", "").status, 303);
  EXPECT_FALSE(app_->hosts->get(added.id)->usable());
  row = row_of(admin.get("/admin/hosts").body, added.id);
  EXPECT_NE(row.find("<code>SHA256:second</code>"), std::string::npos) << row;
  EXPECT_NE(row.find("Confirm this key of b"), std::string::npos) << row;
  scan_error = "192.0.2.8 port 22: No route to host";
  HttpReply failed_scan = post_form(admin, base + "/rescan", "");
  EXPECT_EQ(failed_scan.status, 409);
  EXPECT_NE(failed_scan.body.find("Key not scanned: 192.0.2.8 port 22: No route to host."), std::string::npos);
  EXPECT_EQ(app_->hosts->get(added.id)->key.fingerprint, "SHA256:second");
  EXPECT_EQ(post_form(admin, "/admin/hosts/1/rescan", "").status, 422);  // local is reached without SSH

  HttpReply confirm_page = admin.get(base + "/delete");
  ASSERT_EQ(confirm_page.status, 200);
  EXPECT_NE(confirm_page.body.find("Delete host b"), std::string::npos);
  EXPECT_EQ(admin.get("/admin/hosts/99/delete").status, 404);
  EXPECT_EQ(post_form(admin, base + "/delete", "", false).status, 403);  // without the CSRF token
  EXPECT_EQ(host_count(), 2u);
  ASSERT_EQ(post_form(admin, base + "/delete", "").status, 303);
  EXPECT_EQ(host_count(), 1u);
  HttpReply local = post_form(admin, "/admin/hosts/1/delete", "");
  EXPECT_EQ(local.status, 422);
  EXPECT_EQ(host_count(), 1u);
}

TEST_F(HostsPageTest, AHostWithServersIsNotDeleted) {
  start();
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  Host far = add_unreachable_host("far");
  ASSERT_EQ(post_form(admin, "/blueprints", "name=coop&map=c1m1_hotel&mode=coop&max_players=4&op=save").status, 303);
  std::int64_t blueprint = admin.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  ASSERT_EQ(
      post_form(admin, "/servers", fmt::format("name=there&blueprint_id={}&host_id={}", blueprint, far.id)).status,
      303);
  std::string base = "/admin/hosts/" + std::to_string(far.id);
  HttpReply confirm_page = admin.get(base + "/delete");
  EXPECT_NE(confirm_page.body.find("id=\"host-delete-refused\""), std::string::npos) << confirm_page.body;
  EXPECT_EQ(confirm_page.body.find("action=\"" + base + "/delete\""), std::string::npos);
  HttpReply refused = post_form(admin, base + "/delete", "");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("Host not deleted: host &apos;far&apos; has 1 server(s)"), std::string::npos)
      << refused.body;
  EXPECT_EQ(host_count(), 2u);
}

TEST_F(HostsPageTest, InstallQueuesOneJobOnAHostOrOnePerUsableHost) {
  start({{"LEFT4ME_HOST_RETRY_SECONDS", "0"}});  // far does not answer: its install fails at once
  create_user("root", Role::kAdmin);
  create_user("ann", Role::kUser);
  Browser admin = logged_in("root");
  Browser ann = logged_in("ann");
  Host far = add_unreachable_host("far");
  Host unconfirmed = add_remote_host("waiting", "192.0.2.9", 22, KeyConfirmed::kNo);
  std::string page = admin.get("/admin/hosts").body;
  EXPECT_NE(page.find("action=\"/admin/hosts/1/install\""), std::string::npos);
  EXPECT_NE(page.find(fmt::format("action=\"/admin/hosts/{}/install\"", far.id)), std::string::npos);
  EXPECT_EQ(page.find(fmt::format("action=\"/admin/hosts/{}/install\"", unconfirmed.id)), std::string::npos);
  EXPECT_NE(page.find("action=\"/admin/hosts/install\""), std::string::npos);
  EXPECT_EQ(post_form(ann, "/admin/hosts/install", "").status, 403);
  EXPECT_TRUE(admin.get("/api/v1/jobs").json()["jobs"].empty());

  HttpReply one = post_form(admin, "/admin/hosts/1/install", "");
  ASSERT_EQ(one.status, 303) << one.body;
  nlohmann::json jobs = admin.get("/api/v1/jobs").json()["jobs"];
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(one.header("location"), fmt::format("/jobs/{}", jobs[0]["id"].get<std::int64_t>()));
  EXPECT_EQ(jobs[0]["target"], "installation");
  EXPECT_EQ(wait_job(admin, jobs[0]["id"]), "succeeded");

  HttpReply refused = post_form(admin, fmt::format("/admin/hosts/{}/install", unconfirmed.id), "");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("Installation not queued: "), std::string::npos) << refused.body;
  EXPECT_EQ(admin.get("/api/v1/jobs").json()["jobs"].size(), 1u);

  HttpReply all = post_form(admin, "/admin/hosts/install", "");
  ASSERT_EQ(all.status, 303) << all.body;
  EXPECT_EQ(all.header("location"), "/jobs");
  std::map<std::string, std::int64_t> installs;  // by target
  nlohmann::json listed = admin.get("/api/v1/jobs").json();
  for (const nlohmann::json& job : listed["jobs"]) installs[job["target"]] = job["id"];
  EXPECT_EQ(installs.size(), 2u);
  ASSERT_TRUE(installs.count("installation on far"));
  EXPECT_EQ(wait_job(admin, installs["installation on far"]), "failed");
}

TEST_F(HostsPageTest, AnAdministratorChoosesTheNewServersHostAndAUserCannot) {
  start();
  create_user("root", Role::kAdmin);
  create_user("ann", Role::kUser);
  Browser admin = logged_in("root");
  Browser ann = logged_in("ann");
  Host far = add_unreachable_host("far");
  // added, its key not confirmed yet: no choice
  Host unconfirmed = add_remote_host("waiting", "192.0.2.9", 22, KeyConfirmed::kNo);
  for (Browser* browser : {&admin, &ann}) {
    ASSERT_EQ(post_form(*browser, "/blueprints", "name=coop&map=c1m1_hotel&mode=coop&max_players=4&op=save").status,
              303);
  }
  std::string admin_blueprint =
      std::to_string(admin.get("/api/v1/blueprints").json()["blueprints"][0]["id"].get<int>());
  std::string ann_blueprint = std::to_string(ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"].get<int>());

  std::string form = admin.get("/servers/new").body;
  EXPECT_NE(form.find("<option value=\"\">automatic (most free capacity)</option>"), std::string::npos) << form;
  EXPECT_NE(form.find(fmt::format("<option value=\"{}\">far</option>", far.id)), std::string::npos) << form;
  EXPECT_EQ(form.find(">waiting</option>"), std::string::npos);
  EXPECT_EQ(ann.get("/servers/new").body.find("name=\"host_id\""), std::string::npos);

  for (const std::string& bad : {std::string("999"), std::string("abc"), std::to_string(unconfirmed.id)}) {
    HttpReply refused = post_form(admin, "/servers", "name=there&blueprint_id=" + admin_blueprint + "&host_id=" + bad);
    EXPECT_EQ(refused.status, 422) << bad;
    EXPECT_NE(refused.body.find("id=\"server-host-error\""), std::string::npos) << bad << "\n" << refused.body;
  }
  EXPECT_TRUE(admin.get("/api/v1/servers").json()["servers"].empty());
  EXPECT_EQ(post_form(ann, "/servers", "name=mine&blueprint_id=" + ann_blueprint + "&host_id=" + std::to_string(far.id))
                .status,
            403);
  EXPECT_TRUE(ann.get("/api/v1/servers").json()["servers"].empty());

  ASSERT_EQ(
      post_form(admin, "/servers", "name=there&blueprint_id=" + admin_blueprint + "&host_id=" + std::to_string(far.id))
          .status,
      303);
  ASSERT_OK(app_->status_cache->refresh());  // far does not answer: the automatic choice passes over it
  ASSERT_EQ(post_form(admin, "/servers", "name=here&blueprint_id=" + admin_blueprint + "&host_id=").status, 303);
  ASSERT_EQ(post_form(ann, "/servers", "name=mine&blueprint_id=" + ann_blueprint).status, 303);
  std::map<std::string, std::int64_t> hosts;
  Result<std::vector<Server>> servers = app_->servers->list_all();
  ASSERT_OK(servers);
  for (const Server& server : *servers) hosts[server.name] = server.host_id;
  ASSERT_EQ(hosts.size(), 3u);
  EXPECT_EQ(hosts["there"], far.id);
  EXPECT_EQ(hosts["here"], kLocalHostId);
  EXPECT_EQ(hosts["mine"], kLocalHostId);
}

}  // namespace
}  // namespace left4me::web
