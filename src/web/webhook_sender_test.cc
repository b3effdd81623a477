// WebhookSender with the network and the clock as seams: the retry schedule, a delivery retried until the receiver
// accepts, one given up with its last error recorded, a full queue dropping (counted) instead of waiting, and
// sending never waiting for a receiver.
#include "web/webhook_sender.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "testing/test_support.h"
#include "web/migrations.h"

namespace left4me::web {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class WebhookSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(dir_.path() + "/web.db");
    ASSERT_OK(opened);
    database_ = std::move(*opened);
    ASSERT_OK(migrate(*database_));
    webhooks_ = std::make_unique<Webhooks>(*database_);
  }
  Webhook add(const std::string& url, std::vector<std::string> events = {"crash"}) {
    Result<WebhookSpec> spec = check_webhook(url, "json", events);
    EXPECT_OK(spec);
    Result<Webhook> webhook = webhooks_->create(*spec);
    EXPECT_OK(webhook);
    return *webhook;
  }
  // A sender on the fake clock whose POSTs answer from `answers` in turn (a missing one: no connection).
  std::unique_ptr<WebhookSender> sender(WebhookSenderOptions options) {
    return std::make_unique<WebhookSender>(
        *webhooks_, options,
        [this](const std::string& url, const std::string& body, milliseconds) -> Result<long> {
          posts_.push_back({url, body, now_});
          if (posts_.size() > answers_.size()) return Error::unavailable("POST " + url + ": connection refused");
          return answers_[posts_.size() - 1];
        },
        [this] { return now_; });
  }
  static Alert crash() { return Alert{AlertEvent::kCrash, 0, 1, "coop", "SIGKILL", std::nullopt, std::nullopt}; }

  struct Post {
    std::string url, body;
    WebhookSender::Clock::time_point at;
  };
  test::TempDir dir_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<Webhooks> webhooks_;
  WebhookSender::Clock::time_point now_{};
  std::vector<long> answers_;
  std::vector<Post> posts_;
};

TEST(RetryDelayTest, DoublesFromTheFirstRetryUpToAnHour) {
  WebhookSenderOptions options;
  options.first_retry = seconds(10);
  EXPECT_EQ(retry_delay(options, 2), seconds(10));
  EXPECT_EQ(retry_delay(options, 3), seconds(20));
  EXPECT_EQ(retry_delay(options, 4), seconds(40));
  EXPECT_EQ(retry_delay(options, 5), seconds(80));
  EXPECT_EQ(retry_delay(options, 40), std::chrono::hours(1));
}

TEST_F(WebhookSenderTest, RetriesWithBackoffUntilTheReceiverAccepts) {
  Webhook webhook = add("http://127.0.0.1:9/hook");
  add("http://127.0.0.1:9/other", {"failed"});  // wants another event: sent nothing
  answers_ = {500, 503, 204};
  WebhookSenderOptions options;
  options.first_retry = seconds(10);
  auto sending = sender(options);
  sending->send(crash());
  sending->run_due();
  ASSERT_EQ(posts_.size(), 1u);
  EXPECT_EQ(posts_[0].url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(sending->next_due(), now_ + seconds(10));
  now_ += seconds(9);
  sending->run_due();
  EXPECT_EQ(posts_.size(), 1u) << "retried before its time";
  now_ += seconds(1);
  sending->run_due();
  ASSERT_EQ(posts_.size(), 2u);
  EXPECT_EQ(sending->next_due(), now_ + seconds(20));
  now_ += seconds(20);
  sending->run_due();
  ASSERT_EQ(posts_.size(), 3u);
  EXPECT_EQ(posts_[2].body, posts_[0].body);
  EXPECT_FALSE(sending->next_due());
  Result<Webhook> read = webhooks_->get(webhook.id);
  ASSERT_OK(read);
  EXPECT_EQ(read->last_status, 204);
  EXPECT_EQ(read->last_error, "");
  EXPECT_EQ(sending->counts().delivered, 1u);
}

TEST_F(WebhookSenderTest, GivesUpAfterItsTriesAndRecordsTheLastError) {
  Webhook webhook = add("http://127.0.0.1:9/hook");
  answers_ = {500};  // then nothing answers
  WebhookSenderOptions options;
  options.attempts = 3;
  options.first_retry = seconds(1);
  auto sending = sender(options);
  sending->send(crash());
  for (int i = 0; i < 10; ++i) {
    sending->run_due();
    now_ += seconds(10);
  }
  EXPECT_EQ(posts_.size(), 3u);
  Result<Webhook> read = webhooks_->get(webhook.id);
  ASSERT_OK(read);
  EXPECT_FALSE(read->last_status);
  EXPECT_EQ(read->last_error, "POST http://127.0.0.1:9/hook: connection refused (after 3 tries)");
  EXPECT_EQ(read->failed, 1);
  EXPECT_EQ(sending->counts().failed, 1u);
}

TEST_F(WebhookSenderTest, AFullQueueDropsAndCounts) {
  add("http://127.0.0.1:9/hook");
  WebhookSenderOptions options;
  options.capacity = 2;
  auto sending = sender(options);
  for (int i = 0; i < 5; ++i) sending->send(crash());
  EXPECT_EQ(sending->counts().dropped, 3u);
  answers_ = {200, 200};
  sending->run_due();
  EXPECT_EQ(posts_.size(), 2u);
}

TEST_F(WebhookSenderTest, SendingNeverWaitsForAReceiver) {
  add("http://127.0.0.1:9/hook");
  std::mutex gate;
  gate.lock();  // the receiver hangs until the test lets it go
  WebhookSender sending(*webhooks_, WebhookSenderOptions{},
                        [&](const std::string&, const std::string&, milliseconds) -> Result<long> {
                          std::lock_guard<std::mutex> wait(gate);
                          return 200;
                        });
  sending.start();
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) sending.send(crash());
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(500));
  gate.unlock();
  for (int i = 0; i < 500 && sending.counts().delivered < 50; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(sending.counts().delivered, 50u);
  sending.stop();
}

}  // namespace
}  // namespace left4me::web
