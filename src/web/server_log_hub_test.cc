// ServerLogHub over real HTTP with the stand-in l4d2ctl: viewers of one console share one follower, which stops
// when the last viewer has gone; every viewer gets every line in order, one that stops reading is dropped without
// holding up the others; the batch window grows with the viewers.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

#include <fmt/format.h>

#include <fstream>
#include <thread>

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

TEST(ServerLogHubBatchWindow, GrowsWithTheViewersUpToItsMost) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ServerLogHub::batch_window(0), milliseconds(20));
  EXPECT_EQ(ServerLogHub::batch_window(1000), milliseconds(20));
  EXPECT_EQ(ServerLogHub::batch_window(1001), milliseconds(30));
  EXPECT_EQ(ServerLogHub::batch_window(2000), milliseconds(30));
  EXPECT_EQ(ServerLogHub::batch_window(3500), milliseconds(50));
  EXPECT_EQ(ServerLogHub::batch_window(5000), milliseconds(60));
  EXPECT_EQ(ServerLogHub::batch_window(100000), milliseconds(60));
}

// The "data: L<n>" lines of a stream, in the order received.
std::vector<int> numbered_lines(const std::string& received) {
  std::vector<int> numbers;
  for (std::size_t at = received.find("data: L"); at != std::string::npos; at = received.find("data: L", at + 1)) {
    numbers.push_back(std::stoi(received.substr(at + 7, 6)));
  }
  return numbers;
}

class ServerLogHubStreamTest : public testing::WebFixture {
 protected:
  // Starts alice's server and returns the path of its console stream and the cookie header to follow it with.
  std::string started_console(std::vector<std::pair<std::string, std::string>>* headers) {
    start();
    create_user("alice", Role::kUser);
    Browser alice = logged_in("alice");
    HttpReply alpha = make_server(alice, "alpha", make_blueprint(alice, "base"));
    std::string id = std::to_string(alpha.json()["server"]["id"].get<int>());
    EXPECT_EQ(wait_job(alice, job_of(alice.post("/api/v1/servers/" + id + "/start"))), "succeeded");
    log_file_ = fake_dir() + "/" + instance_of(alpha) + ".log";
    write_fake(instance_of(alpha) + ".log", "");
    *headers = {{"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]}};
    return "/api/v1/servers/" + id + "/logs";
  }
  // Appends lines L<first>..L<first+count-1>, each padded to about `width` bytes, in one write.
  void append_lines(int first, int count, std::size_t width) {
    std::string text;
    for (int i = first; i < first + count; ++i) text += fmt::format("L{:06} {}\n", i, std::string(width, 'x'));
    std::ofstream(log_file_, std::ios::app) << text;
  }
  std::string log_file_;
};

TEST_F(ServerLogHubStreamTest, EveryViewerGetsEveryLineInOrder) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string path = started_console(&headers);
  std::vector<std::unique_ptr<testing::StreamReader>> viewers;
  for (int i = 0; i < 3; ++i) viewers.push_back(std::make_unique<testing::StreamReader>(port_, path, headers));
  for (auto& viewer : viewers) {
    ASSERT_TRUE(viewer->wait_for(": heartbeat", std::chrono::seconds(5)));  // subscribed
  }
  for (int batch = 0; batch < 20; ++batch) {
    append_lines(batch * 25, 25, 40);
    std::this_thread::sleep_for(std::chrono::milliseconds(7));  // several batches, some lines split across reads
  }
  std::vector<int> expected(500);
  for (int i = 0; i < 500; ++i) expected[static_cast<std::size_t>(i)] = i;
  for (auto& viewer : viewers) {
    ASSERT_TRUE(viewer->wait_for("data: L000499", std::chrono::seconds(10))) << viewer->received().size();
    EXPECT_EQ(numbered_lines(viewer->received()), expected);
  }
}

TEST_F(ServerLogHubStreamTest, AViewerThatStopsReadingIsDroppedWithoutHoldingUpTheOthers) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string path = started_console(&headers);
  testing::StreamReader reading(port_, path, headers);
  testing::StreamReader stuck(port_, path, headers);
  ASSERT_TRUE(reading.wait_for(": heartbeat", std::chrono::seconds(5)));
  ASSERT_TRUE(stuck.wait_for(": heartbeat", std::chrono::seconds(5)));  // both subscribed; stuck reads no more
  // 12 MB: more than the stuck viewer's socket buffers (~4 MB on loopback) and its queue's bound (4 MiB) take.
  constexpr int kLines = 3000;
  std::thread follow(
      [&] { EXPECT_TRUE(reading.wait_for(fmt::format("data: L{:06}", kLines - 1), std::chrono::seconds(30))); });
  for (int first = 0; first < kLines; first += 4) {
    append_lines(first, 4, 4000);
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  follow.join();
  std::vector<int> expected(kLines);
  for (int i = 0; i < kLines; ++i) expected[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(numbered_lines(reading.received()), expected);
  // The stuck viewer's stream was ended: what was queued drains, then the final chunk, without the last lines.
  EXPECT_TRUE(stuck.wait_for("\r\n0\r\n\r\n", std::chrono::seconds(10)));
  std::vector<int> got = numbered_lines(stuck.received());
  EXPECT_LT(got.size(), static_cast<std::size_t>(kLines));
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], static_cast<int>(i));
  }
}

}  // namespace
}  // namespace left4me::web
