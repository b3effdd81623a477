// ServerLogHub over real HTTP with the stand-in l4d2ctl: viewers of one console share one follower, which stops
// when the last viewer has gone.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

#include <fstream>

#include "base/strings.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ServerLogHubTest : public testing::WebFixture {};

TEST_F(ServerLogHubTest, TwoViewersShareOneLogFollower) {
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

}  // namespace
}  // namespace left4me::web
