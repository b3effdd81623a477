#include "web/webhook_sender.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/log.h"
#include "content/http_client.h"

namespace left4me::web {
namespace {

constexpr std::chrono::milliseconds kLongestRetry = std::chrono::hours(1);

Result<long> post_with_curl(const std::string& url, const std::string& body, std::chrono::milliseconds timeout) {
  content::HttpOptions options;
  options.connect_timeout = timeout;
  options.timeout = timeout;
  options.max_redirects = 0;
  return content::http_post_json(url, body, options);
}

}  // namespace

std::chrono::milliseconds retry_delay(const WebhookSenderOptions& options, int attempt) {
  std::chrono::milliseconds delay = options.first_retry;
  for (int i = 2; i < attempt && delay < kLongestRetry; ++i) delay *= 2;
  return std::min(delay, kLongestRetry);
}

WebhookSender::WebhookSender(Webhooks& webhooks, WebhookSenderOptions options, Post post, Now now)
    : webhooks_(webhooks),
      options_(options),
      post_(post ? std::move(post) : Post(post_with_curl)),
      now_(now ? std::move(now) : Now([] { return Clock::now(); })) {}

WebhookSender::~WebhookSender() { stop(); }

void WebhookSender::start() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (worker_.joinable() || stopping_) return;
  worker_ = std::thread([this] { loop(); });
}

void WebhookSender::stop() {
  std::size_t left = 0;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    left = waiting_.size();
    waiting_.clear();
  }
  if (left > 0) log::warning("webhooks: {} delivery(ies) not sent: the web app stopped", left);
}

WebhookCounts WebhookSender::counts() const { return WebhookCounts{delivered_, failed_, dropped_}; }

void WebhookSender::send(const Alert& alert) {
  Result<std::vector<Webhook>> all = webhooks_.list();
  if (!all) {
    log::error("webhooks: {}", all.error().message());
    return;
  }
  for (const Webhook& webhook : *all) {
    if (webhook.spec.wants(alert.event)) enqueue(webhook, alert);
  }
}

void WebhookSender::send_to(const Webhook& webhook, const Alert& alert) { enqueue(webhook, alert); }

void WebhookSender::enqueue(const Webhook& webhook, const Alert& alert) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (waiting_.size() >= options_.capacity) {
      std::uint64_t dropped = ++dropped_;
      log::warning("webhooks: the queue is full ({} waiting): {} alert for webhook {} dropped ({} so far)",
                   waiting_.size(), to_string(alert.event), webhook.id, dropped);
      return;
    }
    waiting_.push_back(Delivery{webhook.id, webhook.spec.url, payload(webhook.spec.kind, alert), 1, now_()});
  }
  wake_.notify_all();
}

std::optional<WebhookSender::Clock::time_point> WebhookSender::next_due() {
  std::lock_guard<std::mutex> guard(mutex_);
  return earliest_due();
}

void WebhookSender::run_due() {
  for (;;) {
    std::optional<Delivery> due;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      Clock::time_point now = now_();
      auto found = std::find_if(waiting_.begin(), waiting_.end(), [&](const Delivery& d) { return d.due <= now; });
      if (found == waiting_.end() || stopping_) return;
      due = std::move(*found);
      waiting_.erase(found);
    }
    attempt(std::move(*due));
  }
}

void WebhookSender::attempt(Delivery delivery) {
  Result<long> answer = post_(delivery.url, delivery.body, options_.timeout);
  std::optional<long> status = answer ? std::optional<long>(*answer) : std::nullopt;
  if (status && *status >= 200 && *status < 300) {
    ++delivered_;
    if (Status recorded = webhooks_.record_outcome(delivery.webhook_id, status, ""); !recorded) {
      log::error("webhooks: {}", recorded.error().message());
    }
    return;
  }
  // Only the status code or the transfer's error is kept: never what the receiver sent.
  std::string error = status ? fmt::format("HTTP status {}", *status) : answer.error().message();
  if (delivery.attempt < options_.attempts) {
    delivery.attempt += 1;
    delivery.due = now_() + retry_delay(options_, delivery.attempt);
    log::info("webhooks: webhook {}: try {} failed ({}); retrying in {} ms", delivery.webhook_id, delivery.attempt - 1,
              error, retry_delay(options_, delivery.attempt).count());
    std::lock_guard<std::mutex> guard(mutex_);
    waiting_.push_back(std::move(delivery));  // a retry keeps its place, even over the capacity
    return;
  }
  ++failed_;
  std::string final_error = fmt::format("{} (after {} tries)", error, delivery.attempt);
  log::warning("webhooks: webhook {}: gave up: {}", delivery.webhook_id, final_error);
  if (Status recorded = webhooks_.record_outcome(delivery.webhook_id, status, final_error); !recorded) {
    log::error("webhooks: {}", recorded.error().message());
  }
}

void WebhookSender::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    std::optional<Clock::time_point> next = earliest_due();
    // The real clock here: the seam is for tests that drive run_due themselves.
    if (next && *next <= Clock::now()) {
      lock.unlock();
      run_due();
      lock.lock();
    } else if (next) {
      wake_.wait_until(lock, *next);
    } else {
      wake_.wait(lock);
    }
  }
}

std::optional<WebhookSender::Clock::time_point> WebhookSender::earliest_due() const {
  std::optional<Clock::time_point> next;
  for (const Delivery& delivery : waiting_) {
    if (!next || delivery.due < *next) next = delivery.due;
  }
  return next;
}

}  // namespace left4me::web
