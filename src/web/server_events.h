// ServerEvents: each server's history (the server page's "History", GET /api/v1/servers/{id}/events): started,
// stopped or restarted by a user's job, a crash, an automatic restart after a hang, the server ending failed.
// Kept with the server (deleted with it), the newest kKeptPerServer of each. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/states.h"

namespace left4me::web {

struct ServerEvent {
  std::int64_t id = 0;
  std::int64_t server_id = 0;
  std::int64_t at = 0;  // unix seconds
  ServerEventKind kind = ServerEventKind::kStarted;
  std::string reason;                  // for people, one line
  std::optional<std::int64_t> job_id;  // the job that did it, or the one running when it happened
};

// How many the server page shows, and the API answers unless asked for another number.
inline constexpr int kServerEventsShown = 50;

class ServerEvents {
 public:
  static constexpr int kKeptPerServer = 200;

  explicit ServerEvents(Database& database) : database_(database) {}

  // Adds an event now, and forgets the server's oldest beyond kKeptPerServer. kNotFound when the server is gone.
  Result<ServerEvent> record(std::int64_t server_id, ServerEventKind kind, const std::string& reason,
                             std::optional<std::int64_t> job_id);
  // The server's newest events first, at most limit.
  Result<std::vector<ServerEvent>> list(std::int64_t server_id, int limit);

 private:
  Database& database_;
};

}  // namespace left4me::web
