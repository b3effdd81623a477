// Alert: something a webhook is sent for (a server's crash, automatic restart or failed state, a failed job, a
// test), and the bodies it is sent as: our plain JSON object (docs/api.md, "Webhooks") or a Discord webhook's
// message. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "web/states.h"
#include "web/webhooks.h"

namespace left4me::web {

struct Alert {
  AlertEvent event = AlertEvent::kTest;
  std::int64_t at = 0;  // unix seconds
  std::optional<std::int64_t> server_id;
  std::string server;  // the server's name; empty when the alert is about none
  std::string reason;  // one line for people
  std::optional<std::int64_t> job_id;
  std::optional<JobType> job_type;
};

// The admin page's test message, sent by the named administrator now.
Alert test_alert(std::string_view sent_by);

// {"event": "crash", "time": "2026-12-03T10:00:00Z", "server": {"id": 3, "name": "coop"} | null,
//  "reason": "...", "job": {"id": 12, "type": "start"} | null, "source": "left4me"}
std::string json_payload(const Alert& alert);
// {"content": "...", "allowed_mentions": {"parse": []}}: one line of at most 2000 characters (Discord's limit),
// mentioning nobody whatever a server's name says.
std::string discord_payload(const Alert& alert);
std::string payload(WebhookKind kind, const Alert& alert);

}  // namespace left4me::web
