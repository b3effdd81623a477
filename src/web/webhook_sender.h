// WebhookSender: delivers alerts to the webhooks that want them on one background thread, so that nothing that
// raises an alert (the job runner, the status cache) ever waits for a receiver. A bounded queue (an alert that
// finds it full is dropped and counted); each POST has a timeout; a delivery that fails (no answer, or a status
// other than 2xx) is retried after first_retry, then twice as long each time, up to `attempts` tries; how it ended
// is recorded on the webhook (Webhooks::record_outcome). Only the status code of a reply is kept. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"
#include "web/webhook_payload.h"
#include "web/webhooks.h"

namespace left4me::web {

struct WebhookSenderOptions {
  std::size_t capacity = 256;  // deliveries waiting (their retries included)
  int attempts = 5;
  std::chrono::milliseconds first_retry{std::chrono::seconds(10)};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // one POST, connecting included
};

// The wait before try number `attempt` (2, 3, ...): first_retry, then doubling (at most an hour).
std::chrono::milliseconds retry_delay(const WebhookSenderOptions& options, int attempt);

struct WebhookCounts {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;   // given up after every try
  std::uint64_t dropped = 0;  // not queued: the queue was full
};

class WebhookSender {
 public:
  using Clock = std::chrono::steady_clock;
  // POSTs a JSON body and returns the reply's status code (content::http_post_json by default).
  using Post =
      std::function<Result<long>(const std::string& url, const std::string& body, std::chrono::milliseconds timeout)>;
  using Now = std::function<Clock::time_point()>;

  // post and now are the network's and the clock's seams (tests pass their own); empty: the real ones.
  WebhookSender(Webhooks& webhooks, WebhookSenderOptions options, Post post = nullptr, Now now = nullptr);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Starts / stops the delivery thread. stop() waits for a POST in flight (at most the timeout) and drops what
  // still waits, logging how many. Idempotent.
  void start();
  void stop();
  // Queues the alert for every webhook that wants its event; never waits for the network.
  void send(const Alert& alert);
  // Queues the alert for this webhook alone (the admin page's test button).
  void send_to(const Webhook& webhook, const Alert& alert);
  // Runs every delivery that is due now (the thread's work; tests call it with their clock), then returns.
  void run_due();
  // When the next waiting delivery is due, or nullopt when none waits.
  std::optional<Clock::time_point> next_due();
  WebhookCounts counts() const;

 private:
  struct Delivery {
    std::int64_t webhook_id = 0;
    std::string url;
    std::string body;
    int attempt = 1;  // the next try's number
    Clock::time_point due;
  };
  void enqueue(const Webhook& webhook, const Alert& alert);
  void attempt(Delivery delivery);
  void loop();
  std::optional<Clock::time_point> earliest_due() const;  // mutex_ held

  Webhooks& webhooks_;
  WebhookSenderOptions options_;
  Post post_;
  Now now_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::list<Delivery> waiting_;
  bool stopping_ = false;
  std::thread worker_;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace left4me::web
