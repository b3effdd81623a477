// Jobs on another host (issue 17): through that host's Ctl over ssh (a stand-in ssh, testdata/fake_ssh_host.sh,
// that runs the stand-in l4d2ctl as l4d2ctl-remote would; tests/integration/hosts/ has the real ssh), waiting for a
// host that does not answer and completing when it returns, giving up with the reason, never waiting for a changed
// host key, and installs per host.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/web_fixture.h"

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "base/strings.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

constexpr const char* kAddress = "10.99.0.2";

class HostsJobsTest : public testing::WebFixture {
 protected:
  // `ssh` on PATH is the stand-in (the panel runs ssh by name); the previous PATH comes back after.
  void SetUp() override {
    old_path_ = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
    bin_ = bin_dir_.path();
    ASSERT_EQ(::symlink(LEFT4ME_WEB_FAKE_SSH_HOST, (bin_ + "/ssh").c_str()), 0);
    ::setenv("PATH", (bin_ + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    WebFixture::TearDown();
    ::setenv("PATH", old_path_.c_str(), 1);
  }

  void start_with(const std::string& retry_seconds) {
    start({{"FAKE_L4D2CTL", LEFT4ME_WEB_FAKE_CTL}, {"LEFT4ME_HOST_RETRY_SECONDS", retry_seconds}});
    create_user("root", Role::kAdmin);
    host_id_ = add_remote_host("b", kAddress, 22).id;
  }

  // A server of root's on host b (or local), started from a blueprint; its answer.
  HttpReply server_on(Browser& root, const std::string& name, std::int64_t host_id) {
    if (blueprint_ == 0) blueprint_ = make_blueprint(root, "base");
    HttpReply created =
        root.post("/api/v1/servers", {{"name", name}, {"blueprint_id", blueprint_}, {"host_id", host_id}});
    EXPECT_EQ(created.status, 201) << created.body;
    return created;
  }
  static std::string id_of(const HttpReply& server) {
    return std::to_string(server.json()["server"]["id"].get<std::int64_t>());
  }
  std::string job_lines(Browser& browser, std::int64_t job) {
    std::string text;
    nlohmann::json reply = browser.get("/api/v1/jobs/" + std::to_string(job) + "/lines").json();
    for (const nlohmann::json& line : reply["lines"]) text += line["line"].get<std::string>() + "\n";
    return text;
  }
  // Waits until the job's log has the text.
  bool wait_for_line(Browser& browser, std::int64_t job, const std::string& text) {
    for (int i = 0; i < 500; ++i) {
      if (job_lines(browser, job).find(text) != std::string::npos) return true;
      ::usleep(20000);
    }
    return false;
  }
  // How many times the stand-in l4d2ctl began `command` (e.g. "start web-2 --wait").
  std::size_t began(const std::string& command) {
    std::size_t count = 0;
    for (const std::string& line : split(read_fake("calls.log"), '\n')) {
      if (line.find(" begin " + command) != std::string::npos) ++count;
    }
    return count;
  }

  test::TempDir bin_dir_;
  std::string bin_;
  std::string old_path_;
  std::int64_t host_id_ = 0;
  std::int64_t blueprint_ = 0;
};

TEST_F(HostsJobsTest, JobsOfAServerRunOnItsHost) {
  start_with("30");
  Browser root = logged_in("root");
  HttpReply remote = server_on(root, "far", host_id_);
  HttpReply near = server_on(root, "near", kLocalHostId);
  std::string far_instance = instance_of(remote);
  EXPECT_EQ(wait_job(root, job_of(root.post("/api/v1/servers/" + id_of(remote) + "/start"))), "succeeded");
  EXPECT_EQ(wait_job(root, job_of(root.post("/api/v1/servers/" + id_of(near) + "/start"))), "succeeded");
  // The remote server's calls went through ssh to its host, the spec on standard input; the local one's did not.
  std::string ssh = read_fake("ssh.log");
  EXPECT_NE(ssh.find(std::string(kAddress) + " status " + far_instance + " --json"), std::string::npos) << ssh;
  EXPECT_NE(ssh.find(std::string(kAddress) + " initialize " + far_instance + " -f -"), std::string::npos) << ssh;
  EXPECT_NE(ssh.find(std::string(kAddress) + " start " + far_instance + " --wait"), std::string::npos) << ssh;
  EXPECT_EQ(ssh.find(instance_of(near)), std::string::npos) << ssh;
  EXPECT_NE(read_fake("ssh-spec-" + std::string(kAddress)).find("port: 27015"), std::string::npos)
      << read_fake("ssh-spec-" + std::string(kAddress));
  EXPECT_EQ(read_fake(far_instance + ".state"), "running\n");
  EXPECT_EQ(root.get("/api/v1/servers/" + id_of(remote)).json()["server"]["state"], "running");
  // Its console follows there, and RCON asks there.
  write_fake(far_instance + ".log", "a line of the far console\n");
  testing::StreamReader console(port_, "/api/v1/servers/" + id_of(remote) + "/logs",
                                {{"Cookie", "l4d2_session=" + root.cookies()["l4d2_session"]}});
  EXPECT_TRUE(console.wait_for("a line of the far console", std::chrono::seconds(5))) << console.received();
  console.close();
  HttpReply asked = root.post("/api/v1/servers/" + id_of(remote) + "/rcon", {{"command", "status"}});
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(asked.json()["outcome"], "ok") << asked.body;
  EXPECT_EQ(read_fake(far_instance + ".rcon"), "status\n");
  ssh = read_fake("ssh.log");
  EXPECT_NE(ssh.find(std::string(kAddress) + " logs " + far_instance + " --lines 100 --follow"), std::string::npos)
      << ssh;
  EXPECT_NE(ssh.find(std::string(kAddress) + " rcon " + far_instance + " -- status"), std::string::npos) << ssh;
  // Stop and delete go there too.
  EXPECT_EQ(wait_job(root, job_of(root.post("/api/v1/servers/" + id_of(remote) + "/stop"))), "succeeded");
  EXPECT_EQ(wait_job(root, job_of(root.request("DELETE", "/api/v1/servers/" + id_of(remote)))), "succeeded");
  ssh = read_fake("ssh.log");
  EXPECT_NE(ssh.find(std::string(kAddress) + " stop " + far_instance), std::string::npos) << ssh;
  EXPECT_NE(ssh.find(std::string(kAddress) + " delete " + far_instance), std::string::npos) << ssh;
  EXPECT_EQ(root.get("/api/v1/servers/" + id_of(remote)).status, 404);
}

// The host is away when the job starts: the job waits (its log says so), the host's other jobs stay queued (one
// worker waits, not all), another host's jobs run meanwhile; the host returns and the job completes, the server
// started once.
TEST_F(HostsJobsTest, AJobWaitsForItsHostAndCompletesWhenItReturns) {
  start_with("60");
  Browser root = logged_in("root");
  HttpReply first = server_on(root, "first", host_id_);
  HttpReply second = server_on(root, "second", host_id_);
  HttpReply near = server_on(root, "near", kLocalHostId);
  write_fake(std::string("down-") + kAddress, "");
  std::int64_t waiting = job_of(root.post("/api/v1/servers/" + id_of(first) + "/start"));
  ASSERT_TRUE(wait_for_line(root, waiting, "trying again in")) << job_lines(root, waiting);
  EXPECT_NE(job_lines(root, waiting)
                .find("cannot reach left4me@10.99.0.2:22 over ssh: ssh: connect to host "
                      "10.99.0.2 port 22: Connection refused"),
            std::string::npos)
      << job_lines(root, waiting);
  std::int64_t held = job_of(root.post("/api/v1/servers/" + id_of(second) + "/start"));
  EXPECT_EQ(wait_job(root, job_of(root.post("/api/v1/servers/" + id_of(near) + "/start"))), "succeeded");
  EXPECT_EQ(root.get("/api/v1/jobs/" + std::to_string(held)).json()["job"]["state"], "queued");
  EXPECT_EQ(root.get("/api/v1/jobs/" + std::to_string(waiting)).json()["job"]["state"], "running");
  ASSERT_EQ(::unlink((fake_dir() + "/down-" + kAddress).c_str()), 0);
  EXPECT_EQ(wait_job(root, waiting, std::chrono::seconds(20)), "succeeded") << job_lines(root, waiting);
  EXPECT_EQ(wait_job(root, held, std::chrono::seconds(20)), "succeeded") << job_lines(root, held);
  EXPECT_EQ(began("start " + instance_of(first) + " --wait"), 1u) << read_fake("calls.log");
  EXPECT_EQ(read_fake(instance_of(first) + ".state"), "running\n");
  EXPECT_EQ(read_fake(instance_of(second) + ".state"), "running\n");
}

TEST_F(HostsJobsTest, AJobGivesUpOnAHostThatStaysAwayWithTheReason) {
  start_with("2");
  Browser root = logged_in("root");
  HttpReply far = server_on(root, "far", host_id_);
  write_fake(std::string("down-") + kAddress, "");
  std::int64_t job = job_of(root.post("/api/v1/servers/" + id_of(far) + "/start"));
  EXPECT_EQ(wait_job(root, job, std::chrono::seconds(20)), "failed");
  std::string reason = root.get("/api/v1/jobs/" + std::to_string(job)).json()["job"]["reason"];
  EXPECT_EQ(reason,
            "cannot reach left4me@10.99.0.2:22 over ssh: ssh: connect to host 10.99.0.2 port 22: "
            "Connection refused");
  EXPECT_NE(job_lines(root, job).find("gave up after waiting 2 s for the host"), std::string::npos)
      << job_lines(root, job);
  EXPECT_EQ(began("initialize " + instance_of(far)), 0u);
  EXPECT_NE(root.get("/api/v1/servers/" + id_of(far)).json()["server"]["state"], "running");
}

TEST_F(HostsJobsTest, AChangedHostKeyFailsTheJobAtOnce) {
  start_with("60");
  Browser root = logged_in("root");
  HttpReply far = server_on(root, "far", host_id_);
  write_fake(std::string("key-changed-") + kAddress, "");
  auto began_at = std::chrono::steady_clock::now();
  std::int64_t job = job_of(root.post("/api/v1/servers/" + id_of(far) + "/start"));
  EXPECT_EQ(wait_job(root, job, std::chrono::seconds(20)), "failed");
  EXPECT_LT(std::chrono::steady_clock::now() - began_at, std::chrono::seconds(10));
  std::string reason = root.get("/api/v1/jobs/" + std::to_string(job)).json()["job"]["reason"];
  EXPECT_EQ(reason.rfind("the host key of left4me@10.99.0.2:22 changed: it now offers ED25519 SHA256:changed", 0), 0u)
      << reason;
  EXPECT_EQ(job_lines(root, job).find("trying again"), std::string::npos) << job_lines(root, job);
}

TEST_F(HostsJobsTest, InstallsRunPerHostEachItsOwnJob) {
  start_with("30");
  Browser root = logged_in("root");
  HttpReply all = root.post("/api/v1/install", {{"host_id", "all"}});
  ASSERT_EQ(all.status, 202) << all.body;
  ASSERT_EQ(all.json()["jobs"].size(), 2u);
  EXPECT_EQ(all.json()["jobs"][0]["target"], "installation");
  EXPECT_EQ(all.json()["jobs"][1]["target"], "installation on b");
  nlohmann::json queued = all.json()["jobs"];
  for (const nlohmann::json& job : queued) EXPECT_EQ(wait_job(root, job["id"].get<std::int64_t>()), "succeeded");
  EXPECT_NE(read_fake("ssh.log").find(std::string(kAddress) + " install --json"), std::string::npos)
      << read_fake("ssh.log");
  HttpReply one = root.post("/api/v1/install", {{"host_id", host_id_}});
  ASSERT_EQ(one.status, 202) << one.body;
  EXPECT_EQ(one.json()["job"]["target"], "installation on b");
  EXPECT_EQ(wait_job(root, job_of(one)), "succeeded");
  // The local host's install stays the one the admin page and GET /api/v1/install show.
  EXPECT_EQ(root.get("/api/v1/install").json()["job"]["target"], "installation");
  // Bad hosts.
  EXPECT_EQ(root.post("/api/v1/install", {{"host_id", 99}}).status, 422);
  EXPECT_EQ(root.post("/api/v1/install", {{"host_id", "b"}}).status, 422);
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  EXPECT_EQ(alice.post("/api/v1/install", {{"host_id", "all"}}).status, 403);
}

}  // namespace
}  // namespace left4me::web
