// The job routes of the API over real HTTP with the stand-in l4d2ctl: cancelling a queued job (not a running one)
// and the installation as an administrator's job with its progress.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ApiJobsTest : public testing::WebFixture {};

TEST_F(ApiJobsTest, QueuedJobCanBeCancelledRunningCannot) {
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

TEST_F(ApiJobsTest, InstallRunsAsAdminJobWithProgress) {
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

}  // namespace
}  // namespace left4me::web
