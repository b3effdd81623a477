// Daily restarts through the whole web app over real HTTP with a real SQLite file and the stand-in l4d2ctl: the
// settings through the API and the server page (every bad input refused, changing nothing), the scheduler at a time
// the test gives (once per day and server, also after a restart of the web app; not for a stopped server) and the
// scheduled_restart job (waits while players are on, says the message, restarts once they left).
#include "web/restart_schedules.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ctime>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class RestartSchedulesTest : public testing::WebFixture {
 protected:
  // alice's server "alpha", started (when running is true); its id.
  std::int64_t alpha(Browser& alice, bool running = true) {
    HttpReply server = make_server(alice, "alpha", make_blueprint(alice, "base"));
    EXPECT_EQ(server.status, 201) << server.body;
    instance_ = instance_of(server);
    std::int64_t id = server.json()["server"]["id"];
    if (running) {
      EXPECT_EQ(wait_job(alice, job_of(alice.post(path(id, "/start")))), "succeeded");
    }
    return id;
  }
  static std::string path(std::int64_t id, const std::string& rest = "") {
    return "/api/v1/servers/" + std::to_string(id) + rest;
  }
  HttpReply put(Browser& browser, std::int64_t id, const nlohmann::json& body) {
    return browser.request("PUT", path(id, "/restart-schedule"), body);
  }
  // A time of day six hours from the real clock, so the heartbeat's own looks (at the real time) find nothing due
  // while the test looks at that time itself; and that time (Unix seconds) today or tomorrow.
  struct Planned {
    std::string time;
    std::int64_t due = 0;
  };
  static Planned six_hours_ahead() {
    std::int64_t due = static_cast<std::int64_t>(std::time(nullptr)) / 60 * 60 + 6 * 3600;
    std::int64_t minute = due % 86400 / 60;
    return {fmt::format("{:02}:{:02}", minute / 60, minute % 60), due};
  }
  std::vector<nlohmann::json> scheduled_jobs(Browser& browser) {
    nlohmann::json jobs = browser.get("/api/v1/jobs?type=scheduled_restart").json()["jobs"];
    return std::vector<nlohmann::json>(jobs.begin(), jobs.end());
  }
  std::string instance_;
};

TEST_F(RestartSchedulesTest, SettingsThroughTheApi) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice, false);
  nlohmann::json off = alice.get(path(id, "/restart-schedule")).json()["restart_schedule"];
  EXPECT_EQ(off["enabled"], false);
  EXPECT_EQ(off["time"], "04:00");
  EXPECT_EQ(off["time_zone"], "UTC");
  EXPECT_TRUE(off["next_at"].is_null());
  HttpReply saved = put(alice, id, {{"enabled", true}, {"time", "5:30"}, {"max_wait_minutes", 20}, {"message", "bye"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  nlohmann::json on = alice.get(path(id, "/restart-schedule")).json()["restart_schedule"];
  EXPECT_EQ(on, saved.json()["restart_schedule"]);
  EXPECT_EQ(on["time"], "05:30");
  EXPECT_EQ(on["max_wait_minutes"], 20);
  EXPECT_EQ(on["message"], "bye");
  ASSERT_TRUE(on["next_at"].is_number_integer());
  EXPECT_EQ(on["next_at"].get<std::int64_t>() % 86400, 5 * 3600 + 30 * 60);
  // Members left out keep their value.
  ASSERT_EQ(put(alice, id, {{"enabled", false}}).status, 200);
  nlohmann::json kept = alice.get(path(id, "/restart-schedule")).json()["restart_schedule"];
  EXPECT_EQ(kept["enabled"], false);
  EXPECT_EQ(kept["time"], "05:30");
  EXPECT_EQ(kept["message"], "bye");
}

TEST_F(RestartSchedulesTest, EveryBadInputIsRefusedAndChangesNothing) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice, false);
  ASSERT_EQ(put(alice, id, {{"enabled", true}, {"time", "04:15"}, {"max_wait_minutes", 10}, {"message", "ok"}}).status,
            200);
  nlohmann::json before = alice.get(path(id, "/restart-schedule")).json();
  struct Case {
    nlohmann::json body;
    std::string field;
  };
  for (const Case& bad :
       {Case{{{"time", "24:00"}}, "time"}, Case{{{"time", "noon"}}, "time"}, Case{{{"time", 430}}, "time"},
        Case{{{"max_wait_minutes", -1}}, "max_wait_minutes"}, Case{{{"max_wait_minutes", 721}}, "max_wait_minutes"},
        Case{{{"max_wait_minutes", 1e12}}, "max_wait_minutes"}, Case{{{"max_wait_minutes", 2.5}}, "max_wait_minutes"},
        Case{{{"max_wait_minutes", "many"}}, "max_wait_minutes"}, Case{{{"message", std::string(201, 'x')}}, "message"},
        Case{{{"message", "two\nlines"}}, "message"}, Case{{{"message", "bye; quit"}}, "message"},
        Case{{{"message", 7}}, "message"}, Case{{{"enabled", "yes"}}, "enabled"}}) {
    HttpReply refused = put(alice, id, bad.body);
    EXPECT_EQ(refused.status, 422) << bad.body.dump();
    EXPECT_EQ(refused.json()["error"]["code"], "invalid") << refused.body;
    EXPECT_EQ(refused.json()["error"]["field"], bad.field) << refused.body;
    EXPECT_EQ(refused.json()["error"]["message"].get<std::string>().rfind(bad.field + ": ", 0), 0u) << refused.body;
  }
  EXPECT_EQ(alice.get(path(id, "/restart-schedule")).json(), before);
}

TEST_F(RestartSchedulesTest, OtherUsersGetNotFoundAndAdminsMaySetIt) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  create_user("ann", Role::kAdmin);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  Browser ann = logged_in("ann");
  std::int64_t id = alpha(alice, false);
  EXPECT_EQ(bob.get(path(id, "/restart-schedule")).status, 404);
  EXPECT_EQ(put(bob, id, {{"enabled", true}}).status, 404);
  EXPECT_EQ(post_form(bob, "/servers/" + std::to_string(id) + "/restart-schedule",
                      "enabled=1&time=03:00&max_wait_minutes=5&message=")
                .status,
            404);
  EXPECT_EQ(alice.get(path(id, "/restart-schedule")).json()["restart_schedule"]["enabled"], false);
  EXPECT_EQ(put(ann, id, {{"enabled", true}, {"time", "03:00"}}).status, 200);
  EXPECT_EQ(alice.get(path(id, "/restart-schedule")).json()["restart_schedule"]["time"], "03:00");
}

TEST_F(RestartSchedulesTest, ThroughTheServerPage) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice, false);
  std::string page = "/servers/" + std::to_string(id);
  EXPECT_NE(alice.get(page).body.find("Daily restart"), std::string::npos);
  HttpReply saved =
      post_form(alice, page + "/restart-schedule", "enabled=1&time=06%3A45&max_wait_minutes=15&message=Bye");
  ASSERT_EQ(saved.status, 303) << saved.body;
  nlohmann::json stored = alice.get(path(id, "/restart-schedule")).json()["restart_schedule"];
  EXPECT_EQ(stored["enabled"], true);
  EXPECT_EQ(stored["time"], "06:45");
  EXPECT_EQ(stored["max_wait_minutes"], 15);
  EXPECT_EQ(stored["message"], "Bye");
  std::string shown = alice.get(page).body;
  EXPECT_NE(shown.find("Next restart:"), std::string::npos);
  EXPECT_NE(shown.find("Times are Coordinated Universal Time (UTC)"), std::string::npos);
  // A refused form keeps what was typed and says why beside the field; nothing is stored.
  struct Case {
    std::string form;
    std::string why;
  };
  for (const Case& bad :
       {Case{"enabled=1&time=7pm&max_wait_minutes=15&message=", "time: &apos;7pm&apos; is not a time of day"},
        Case{"enabled=1&time=07:00&max_wait_minutes=-3&message=", "max_wait_minutes: &apos;-3&apos; is not a whole"},
        Case{"enabled=1&time=07:00&max_wait_minutes=99999&message=", "max_wait_minutes: &apos;99999&apos;"},
        Case{"enabled=1&time=07:00&max_wait_minutes=5&message=" + std::string(201, 'y'), "message: at most 200 bytes"},
        Case{"enabled=1&time=07:00&max_wait_minutes=5&message=a%0Db", "message: one line without control characters"},
        Case{"enabled=1&time=07:00&max_wait_minutes=5&message=a%3Bquit", "message: without"}}) {
    HttpReply refused = post_form(alice, page + "/restart-schedule", bad.form);
    EXPECT_EQ(refused.status, 422) << bad.form;
    EXPECT_NE(refused.body.find(bad.why), std::string::npos) << bad.form << "\n" << refused.body;
    EXPECT_NE(refused.body.find("aria-invalid=\"true\""), std::string::npos);
  }
  EXPECT_EQ(alice.get(path(id, "/restart-schedule")).json()["restart_schedule"], stored);
}

TEST_F(RestartSchedulesTest, SchedulerQueuesOneRestartPerDayAlsoAfterTheWebAppRestarts) {
  start({{"JOB_WORKER_ENABLED", "true"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice);
  Planned planned = six_hours_ahead();
  ASSERT_EQ(put(alice, id, {{"enabled", true}, {"time", planned.time}, {"max_wait_minutes", 0}}).status, 200);
  write_fake(instance_ + ".players", "0");
  app_->look_for_scheduled_restarts(planned.due - 60);  // before its time
  EXPECT_TRUE(scheduled_jobs(alice).empty());
  app_->look_for_scheduled_restarts(planned.due + 5);
  app_->look_for_scheduled_restarts(planned.due + 6);
  std::vector<nlohmann::json> jobs = scheduled_jobs(alice);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["server_id"], id);
  EXPECT_EQ(wait_job(alice, jobs[0]["id"]), "succeeded");
  std::string lines = alice.get("/api/v1/jobs/" + std::to_string(jobs[0]["id"].get<std::int64_t>()) + "/lines").body;
  EXPECT_NE(lines.find("nobody plays on it"), std::string::npos) << lines;
  EXPECT_NE(lines.find("$ l4d2ctl restart " + instance_ + " --wait"), std::string::npos) << lines;
  // A restarted web app (same database) does not queue that day's restart again; the next day's it does.
  stop();
  start({{"JOB_WORKER_ENABLED", "true"}});
  alice = logged_in("alice");
  app_->look_for_scheduled_restarts(planned.due + 7);
  EXPECT_EQ(scheduled_jobs(alice).size(), 1u);
  app_->look_for_scheduled_restarts(planned.due + 86400 + 1);
  EXPECT_EQ(scheduled_jobs(alice).size(), 2u);
  EXPECT_EQ(alice.get(path(id, "/restart-schedule")).json()["restart_schedule"]["last_at"], planned.due + 86400);
}

TEST_F(RestartSchedulesTest, SchedulerSkipsAStoppedServerAndAMissedTime) {
  start({{"JOB_WORKER_ENABLED", "true"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice);
  Planned planned = six_hours_ahead();
  ASSERT_EQ(put(alice, id, {{"enabled", true}, {"time", planned.time}, {"max_wait_minutes", 30}}).status, 200);
  // The panel was down from before the time until after its window: skipped to the next day.
  app_->look_for_scheduled_restarts(planned.due + 31 * 60);
  EXPECT_TRUE(scheduled_jobs(alice).empty());
  // Stopped: nothing queued that day, not even once it is started again within the window.
  ASSERT_EQ(wait_job(alice, job_of(alice.post(path(id, "/stop")))), "succeeded");
  app_->look_for_scheduled_restarts(planned.due + 86400 + 10);
  EXPECT_TRUE(scheduled_jobs(alice).empty());
  ASSERT_EQ(wait_job(alice, job_of(alice.post(path(id, "/start")))), "succeeded");
  app_->look_for_scheduled_restarts(planned.due + 86400 + 20);
  EXPECT_TRUE(scheduled_jobs(alice).empty());
  // A server deleted takes its schedule along.
  ASSERT_EQ(wait_job(alice, job_of(alice.request("DELETE", path(id)))), "succeeded");
  Result<std::vector<StoredRestartSchedule>> left = app_->restart_schedules->enabled();
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST_F(RestartSchedulesTest, JobWaitsForPlayersToLeaveSaysTheMessageThenRestarts) {
  start({{"JOB_WORKER_ENABLED", "true"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice);
  Planned planned = six_hours_ahead();
  ASSERT_EQ(
      put(alice, id, {{"enabled", true}, {"time", planned.time}, {"max_wait_minutes", 1}, {"message", "Restart soon!"}})
          .status,
      200);
  write_fake(instance_ + ".players", "1");
  app_->look_for_scheduled_restarts(planned.due);
  std::vector<nlohmann::json> jobs = scheduled_jobs(alice);
  ASSERT_EQ(jobs.size(), 1u);
  std::int64_t job = jobs[0]["id"];
  auto lines = [&] { return alice.get("/api/v1/jobs/" + std::to_string(job) + "/lines").body; };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (read_fake(instance_ + ".rcon").find("say Restart soon!") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    ::usleep(50000);
  }
  EXPECT_EQ(read_fake(instance_ + ".rcon"), "say Restart soon!\n");
  ::sleep(1);
  EXPECT_EQ(alice.get("/api/v1/jobs/" + std::to_string(job)).json()["job"]["state"], "running");
  EXPECT_NE(lines().find("1 player(s) on it"), std::string::npos) << lines();
  EXPECT_EQ(read_fake("calls.log").find("begin restart"), std::string::npos);
  write_fake(instance_ + ".players", "0");
  EXPECT_EQ(wait_job(alice, job, std::chrono::seconds(20)), "succeeded");
  std::string log = lines();
  EXPECT_NE(log.find("daily restart at " + planned.time + " UTC: waiting at most 1 min"), std::string::npos) << log;
  EXPECT_NE(log.find("nobody plays on it (after waiting"), std::string::npos) << log;
  EXPECT_NE(log.find("$ l4d2ctl restart " + instance_ + " --wait"), std::string::npos) << log;
  EXPECT_NE(read_fake("calls.log").find("begin restart " + instance_), std::string::npos);
  EXPECT_EQ(read_fake(instance_ + ".rcon"), "say Restart soon!\n");  // nobody left to tell again
}

TEST_F(RestartSchedulesTest, JobAtTheMaximumWaitTellsThePlayersThenRestartsAnyway) {
  start({{"JOB_WORKER_ENABLED", "true"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice);
  Planned planned = six_hours_ahead();
  ASSERT_EQ(
      put(alice, id, {{"enabled", true}, {"time", planned.time}, {"max_wait_minutes", 0}, {"message", "Now!"}}).status,
      200);
  write_fake(instance_ + ".players", "3");
  app_->look_for_scheduled_restarts(planned.due);
  std::int64_t job = scheduled_jobs(alice).at(0)["id"];
  EXPECT_EQ(wait_job(alice, job, std::chrono::seconds(20)), "succeeded");
  std::string log = alice.get("/api/v1/jobs/" + std::to_string(job) + "/lines").body;
  EXPECT_NE(log.find("3 player(s) on it"), std::string::npos) << log;
  EXPECT_NE(log.find("the maximum: restarting it anyway"), std::string::npos) << log;
  EXPECT_EQ(read_fake(instance_ + ".rcon"), "say Now!\n");
  EXPECT_NE(read_fake("calls.log").find("begin restart " + instance_), std::string::npos);
}

TEST_F(RestartSchedulesTest, JobLeavesAServerStoppedMeanwhileAlone) {
  start({{"JOB_WORKER_ENABLED", "true"}});
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t id = alpha(alice);
  Planned planned = six_hours_ahead();
  ASSERT_EQ(put(alice, id, {{"enabled", true}, {"time", planned.time}, {"max_wait_minutes", 1}}).status, 200);
  write_fake(instance_ + ".players", "2");
  app_->look_for_scheduled_restarts(planned.due);
  std::int64_t job = scheduled_jobs(alice).at(0)["id"];
  ::sleep(1);
  write_fake(instance_ + ".state", "stopped");  // stopped on the host (l4d2ctl stop) while the job waits
  EXPECT_EQ(wait_job(alice, job, std::chrono::seconds(20)), "succeeded");
  std::string log = alice.get("/api/v1/jobs/" + std::to_string(job) + "/lines").body;
  EXPECT_NE(log.find("the server stopped meanwhile: nothing to do"), std::string::npos) << log;
  EXPECT_EQ(read_fake("calls.log").find("begin restart"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
