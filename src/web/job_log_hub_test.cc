// JobLogHub over real HTTP with the stand-in l4d2ctl: a viewer resuming with Last-Event-ID gets every later line
// once, in order.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class JobLogHubTest : public testing::WebFixture {};

TEST_F(JobLogHubTest, JobLogResumesFromLastEventId) {
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
