// The job runner over real HTTP with the stand-in l4d2ctl: one server's jobs in order and different servers' in
// parallel, repeated starts sharing one job, and a first start that never takes over an instance the host already
// has.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

#include <atomic>
#include <thread>

#include "base/strings.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class JobRunnerTest : public testing::WebFixture {};

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
TEST_F(JobRunnerTest, ServerNamedLikeACliInstanceCannotTakeItOver) {
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
TEST_F(JobRunnerTest, FirstStartRefusesAnInstanceThatExistsOnTheHost) {
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
  calls = read_fake("calls.log");
  EXPECT_EQ(calls_of(calls, "status " + instance_of(fresh) + " --json"), 1u) << "one check before the first initialize";
  EXPECT_EQ(calls_of(calls, "status " + instance_of(fresh) + " --json --players"), 2u)
      << "one status after each job, with the players";
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

TEST_F(JobRunnerTest, JobsOfOneServerRunInOrderAndServersRunInParallel) {
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

TEST_F(JobRunnerTest, TwentySimultaneousStartsGiveOneServer) {
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

}  // namespace
}  // namespace left4me::web
