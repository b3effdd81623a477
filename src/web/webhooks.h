// Webhooks: the outgoing webhooks administrators set up (the Webhooks page, /api/v1/webhooks): where to POST, in
// which shape (plain JSON or Discord's), for which alert events, and how its last delivery went. The rule for
// their fields is check_webhook, one for the page and the API. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/states.h"

namespace left4me::web {

// The body's shape: our JSON object (docs/api.md, "Webhooks"), or a Discord webhook's {"content": ...}.
enum class WebhookKind { kJson, kDiscord };
std::string_view to_string(WebhookKind kind);
std::optional<WebhookKind> parse_webhook_kind(std::string_view text);

inline constexpr std::size_t kMaxWebhookUrlLength = 2048;

// A webhook's fields, checked.
struct WebhookSpec {
  std::string url;
  WebhookKind kind = WebhookKind::kJson;
  std::vector<AlertEvent> events;  // in all_alert_events order, no kTest

  bool wants(AlertEvent event) const;  // kTest: always
};

struct Webhook {
  std::int64_t id = 0;
  WebhookSpec spec;
  std::int64_t created_at = 0;
  // The last delivery that ended (delivered, or given up after its retries).
  std::optional<std::int64_t> last_attempt_at;
  std::optional<std::int64_t> last_status;  // the receiver's HTTP status, none when it never answered
  std::string last_error;                   // empty when the last one was delivered
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
};

// The fields as a form or the API sends them, checked: an http or https URL with a host (no spaces or control
// characters, at most kMaxWebhookUrlLength bytes), kind "json" or "discord", one or more of the alert events (no
// "test"). kInvalidArgument naming the field ("url: ...", "kind: ...", "events: ...") otherwise.
Result<WebhookSpec> check_webhook(std::string_view url, std::string_view kind, const std::vector<std::string>& events);

class Webhooks {
 public:
  explicit Webhooks(Database& database) : database_(database) {}

  Result<Webhook> create(const WebhookSpec& spec);
  // kNotFound when absent.
  Result<Webhook> get(std::int64_t id);
  Result<std::vector<Webhook>> list();
  Result<Webhook> update(std::int64_t id, const WebhookSpec& spec);
  Status remove(std::int64_t id);
  // How a delivery ended: delivered (error empty) or given up, with the receiver's last status if it answered.
  // A webhook deleted meanwhile is no error.
  Status record_outcome(std::int64_t id, std::optional<long> status, const std::string& error);

 private:
  Database& database_;
};

}  // namespace left4me::web
