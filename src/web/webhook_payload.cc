#include "web/webhook_payload.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

namespace left4me::web {
namespace {

constexpr std::size_t kDiscordLimit = 2000;

std::string rfc3339(std::int64_t unix_seconds) {
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc);
}

std::string_view headline(AlertEvent event) {
  switch (event) {
    case AlertEvent::kCrash:
      return "crashed and was restarted";
    case AlertEvent::kAutoRestart:
      return "stopped answering and was restarted";
    case AlertEvent::kFailed:
      return "failed: the supervisor gave up restarting it";
    case AlertEvent::kJobFailed:
      return "job failed";
    case AlertEvent::kTest:
      return "test message from the left4me panel";
  }
  return {};
}

// Cuts text to at most limit bytes without splitting a UTF-8 character.
std::string cut(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "...";
}

}  // namespace

Alert test_alert(std::string_view sent_by) {
  return Alert{AlertEvent::kTest,
               static_cast<std::int64_t>(std::time(nullptr)),
               std::nullopt,
               "",
               fmt::format("sent by {} from the Webhooks page", sent_by),
               std::nullopt,
               std::nullopt};
}

std::string json_payload(const Alert& alert) {
  nlohmann::json body = {{"event", to_string(alert.event)},
                         {"time", rfc3339(alert.at)},
                         {"server", nullptr},
                         {"reason", alert.reason},
                         {"job", nullptr},
                         {"source", "left4me"}};
  if (alert.server_id) body["server"] = {{"id", *alert.server_id}, {"name", alert.server}};
  if (alert.job_id) {
    body["job"] = {{"id", *alert.job_id},
                   {"type", alert.job_type ? nlohmann::json(to_string(*alert.job_type)) : nlohmann::json(nullptr)}};
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string discord_payload(const Alert& alert) {
  std::string text;
  if (alert.event == AlertEvent::kJobFailed && alert.job_type) {
    text = fmt::format("left4me: {} job {} failed", to_string(*alert.job_type), alert.job_id.value_or(0));
    if (!alert.server.empty()) text += fmt::format(" on server {}", alert.server);
  } else if (!alert.server.empty()) {
    text = fmt::format("left4me: server {} {}", alert.server, headline(alert.event));
  } else {
    text = fmt::format("left4me: {}", headline(alert.event));
  }
  if (!alert.reason.empty()) text += ": " + alert.reason;
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  nlohmann::json body = {{"content", cut(std::move(text), kDiscordLimit)},
                         {"allowed_mentions", {{"parse", nlohmann::json::array()}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string payload(WebhookKind kind, const Alert& alert) {
  switch (kind) {
    case WebhookKind::kJson:
      return json_payload(alert);
    case WebhookKind::kDiscord:
      return discord_payload(alert);
  }
  return {};
}

}  // namespace left4me::web
