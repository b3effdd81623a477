// Server history on a real SQLite file: events newest first, bounded per server, gone with their server; and
// ServerHistory sending host events to the right server's history, the running job's log and the webhooks.
#include "web/server_events.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "testing/test_support.h"
#include "web/accounts.h"
#include "web/blueprints.h"
#include "web/job_log_hub.h"
#include "web/jobs.h"
#include "web/migrations.h"
#include "web/server_history.h"
#include "web/servers.h"

namespace left4me::web {
namespace {

class ServerEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("LEFT4ME_FAST_PASSWORD_HASH", "1", 1);
    auto opened = Database::open(dir_.path() + "/web.db");
    ASSERT_OK(opened);
    database_ = std::move(*opened);
    ASSERT_OK(migrate(*database_));
    servers_ = std::make_unique<Servers>(*database_, PortRange{27015, 27020}, DefaultLimits{});
    Accounts accounts(*database_, "secret");
    Result<User> user = accounts.create_user("alice", "password-alice", Role::kUser);
    ASSERT_OK(user);
    owner_ = user->id;
    Result<Blueprint> blueprint =
        Blueprints(*database_, DefaultLimits{}).create(owner_, "base", "map: c1m1_hotel\n", {});
    ASSERT_OK(blueprint);
    Result<Server> server = servers_->create(owner_, "coop", blueprint->id);
    ASSERT_OK(server);
    ASSERT_OK(servers_->claim_instance(server->id));
    server_ = *servers_->get(server->id, Scope{0, true});
  }

  test::TempDir dir_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<Servers> servers_;
  std::int64_t owner_ = 0;
  Server server_;
};

TEST_F(ServerEventsTest, NewestFirstBoundedAndGoneWithTheServer) {
  ServerEvents events(*database_);
  for (int i = 0; i < ServerEvents::kKeptPerServer + 5; ++i) {
    ASSERT_OK(events.record(server_.id, ServerEventKind::kCrash, "crash " + std::to_string(i), std::nullopt));
  }
  Result<std::vector<ServerEvent>> listed = events.list(server_.id, 1000);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), static_cast<std::size_t>(ServerEvents::kKeptPerServer));
  EXPECT_EQ(listed->front().reason, "crash " + std::to_string(ServerEvents::kKeptPerServer + 4));
  EXPECT_EQ(listed->back().reason, "crash 5");
  EXPECT_EQ(events.list(server_.id, 3)->size(), 3u);
  EXPECT_EQ(events.record(server_.id + 100, ServerEventKind::kFailed, "", std::nullopt).error().code(),
            ErrorCode::kNotFound);
  ASSERT_OK(servers_->remove(server_.id));
  EXPECT_TRUE(events.list(server_.id, 1000)->empty());
}

TEST_F(ServerEventsTest, HistoryRecordsTellsTheRunningJobAndAlerts) {
  ServerEvents events(*database_);
  Jobs jobs(*database_);
  JobLogHub hub(jobs);
  Webhooks webhooks(*database_);
  Result<WebhookSpec> spec = check_webhook("http://127.0.0.1:9/hook", "json", {"crash", "job_failed"});
  ASSERT_OK(spec);
  ASSERT_OK(webhooks.create(*spec));
  std::vector<std::string> bodies;
  WebhookSender sender(webhooks, WebhookSenderOptions{},
                       [&](const std::string&, const std::string& body, std::chrono::milliseconds) -> Result<long> {
                         bodies.push_back(body);
                         return 200;
                       });
  Result<Job> job = jobs.enqueue(JobType::kStart, server_.name, server_.id, owner_, Dedupe::kNo);
  ASSERT_OK(job);
  hub.begin(job->id);
  ServerHistory history(events, *servers_, hub, sender, [&](std::int64_t id) {
    return id == server_.id ? std::optional<std::int64_t>(job->id) : std::nullopt;
  });

  history.on_host_events({{server_.instance, ServerEventKind::kCrash, "the server process ended: signal SIGKILL"},
                          {"someone-elses", ServerEventKind::kCrash, "not ours"}});
  history.on_job_finished(*job, JobState::kSucceeded, "");
  history.on_job_finished(*job, JobState::kFailed, "l4d2ctl exit code 1");

  Result<std::vector<ServerEvent>> listed = events.list(server_.id, 10);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].kind, ServerEventKind::kStarted);
  EXPECT_EQ((*listed)[0].reason, "by job " + std::to_string(job->id));
  EXPECT_EQ((*listed)[1].kind, ServerEventKind::kCrash);
  EXPECT_EQ((*listed)[1].job_id, job->id);
  Result<std::vector<JobLine>> lines = jobs.lines_after(job->id, 0);
  ASSERT_OK(lines);
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].line, "server event: crash: the server process ended: signal SIGKILL");

  sender.run_due();
  ASSERT_EQ(bodies.size(), 2u);  // the crash and the failed job; a start is no alert
  EXPECT_EQ(nlohmann::json::parse(bodies[0])["event"], "crash");
  EXPECT_EQ(nlohmann::json::parse(bodies[1])["event"], "job_failed");
  EXPECT_EQ(nlohmann::json::parse(bodies[1])["server"]["name"], "coop");
}

}  // namespace
}  // namespace left4me::web
