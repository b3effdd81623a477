#include "web/webhooks.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "web/accounts.h"

namespace left4me::web {
namespace {

constexpr std::string_view kColumns =
    "id, url, kind, events, created_at, last_attempt_at, last_status, last_error, delivered, failed";

std::string events_text(const std::vector<AlertEvent>& events) {
  std::string text;
  for (AlertEvent event : events) {
    if (!text.empty()) text += ',';
    text += to_string(event);
  }
  return text;
}

Result<Webhook> read_webhook(const Statement& row) {
  Webhook webhook;
  webhook.id = row.column_int(0);
  webhook.spec.url = row.column_text(1);
  std::optional<WebhookKind> kind = parse_webhook_kind(row.column_text(2));
  if (!kind) return Error::failed(fmt::format("webhook {}: unknown kind '{}'", webhook.id, row.column_text(2)));
  webhook.spec.kind = *kind;
  for (const std::string& name : split(row.column_text(3), ',')) {
    if (std::optional<AlertEvent> event = parse_alert_event(name)) webhook.spec.events.push_back(*event);
  }
  webhook.created_at = row.column_int(4);
  webhook.last_attempt_at = row.column_optional_int(5);
  webhook.last_status = row.column_optional_int(6);
  webhook.last_error = row.column_text(7);
  webhook.delivered = row.column_int(8);
  webhook.failed = row.column_int(9);
  return webhook;
}

// What is wrong with url as a webhook's, or nullopt.
std::optional<std::string> url_problem(std::string_view url) {
  if (url.empty()) return "url: required";
  if (url.size() > kMaxWebhookUrlLength) return fmt::format("url: longer than {} bytes", kMaxWebhookUrlLength);
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return "url: spaces and control characters are not allowed";
  }
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return fmt::format("url: '{}' is not an http:// or https:// URL", url);
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view host =
      authority.substr(authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
  if (host.empty() || host.front() == ':') return fmt::format("url: '{}' names no host", url);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(WebhookKind kind) {
  switch (kind) {
    case WebhookKind::kJson:
      return "json";
    case WebhookKind::kDiscord:
      return "discord";
  }
  return {};
}

std::optional<WebhookKind> parse_webhook_kind(std::string_view text) {
  for (WebhookKind kind : {WebhookKind::kJson, WebhookKind::kDiscord}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

bool WebhookSpec::wants(AlertEvent event) const {
  return event == AlertEvent::kTest || std::find(events.begin(), events.end(), event) != events.end();
}

Result<WebhookSpec> check_webhook(std::string_view url, std::string_view kind, const std::vector<std::string>& events) {
  if (std::optional<std::string> problem = url_problem(url)) return Error::invalid(*problem);
  WebhookSpec spec;
  spec.url = std::string(url);
  std::optional<WebhookKind> parsed = parse_webhook_kind(kind);
  if (!parsed) return Error::invalid(fmt::format("kind: '{}' is not one of json, discord", kind));
  spec.kind = *parsed;
  std::vector<AlertEvent> chosen;
  for (const std::string& name : events) {
    std::optional<AlertEvent> event = parse_alert_event(name);
    if (!event || *event == AlertEvent::kTest) {
      return Error::invalid(fmt::format("events: '{}' is not one of crash, auto_restart, failed, job_failed", name));
    }
    chosen.push_back(*event);
  }
  for (AlertEvent event : all_alert_events()) {
    if (std::find(chosen.begin(), chosen.end(), event) != chosen.end()) spec.events.push_back(event);
  }
  if (spec.events.empty()) return Error::invalid("events: choose at least one");
  return spec;
}

Result<Webhook> Webhooks::create(const WebhookSpec& spec) {
  Database::Lock lock(database_);
  auto insert = lock.prepare("INSERT INTO webhooks (url, kind, events, created_at) VALUES (?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, spec.url).bind(2, to_string(spec.kind)).bind(3, events_text(spec.events)).bind(4, unix_now());
  if (Status inserted = insert->run(); !inserted) return inserted.error();
  std::int64_t id = lock.last_insert_id();
  auto select = lock.prepare(fmt::format("SELECT {} FROM webhooks WHERE id = ?", kColumns));
  if (!select) return select.error();
  Result<bool> row = select->bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return Error::failed(fmt::format("webhook {} vanished", id));
  return read_webhook(*select);
}

Result<Webhook> Webhooks::get(std::int64_t id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(fmt::format("SELECT {} FROM webhooks WHERE id = ?", kColumns));
  if (!select) return select.error();
  Result<bool> row = select->bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("webhook {} not found", id));
  return read_webhook(*select);
}

Result<std::vector<Webhook>> Webhooks::list() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(fmt::format("SELECT {} FROM webhooks ORDER BY id", kColumns));
  if (!select) return select.error();
  std::vector<Webhook> webhooks;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    Result<Webhook> webhook = read_webhook(*select);
    if (!webhook) return webhook.error();
    webhooks.push_back(std::move(*webhook));
  }
  return webhooks;
}

Result<Webhook> Webhooks::update(std::int64_t id, const WebhookSpec& spec) {
  {
    Database::Lock lock(database_);
    auto update = lock.prepare("UPDATE webhooks SET url = ?, kind = ?, events = ? WHERE id = ?");
    if (!update) return update.error();
    update->bind(1, spec.url).bind(2, to_string(spec.kind)).bind(3, events_text(spec.events)).bind(4, id);
    if (Status updated = update->run(); !updated) return updated.error();
    if (lock.changes() == 0) return Error::not_found(fmt::format("webhook {} not found", id));
  }
  return get(id);
}

Status Webhooks::remove(std::int64_t id) {
  Database::Lock lock(database_);
  auto remove = lock.prepare("DELETE FROM webhooks WHERE id = ?");
  if (!remove) return remove.error();
  if (Status removed = remove->bind(1, id).run(); !removed) return removed;
  if (lock.changes() == 0) return Error::not_found(fmt::format("webhook {} not found", id));
  return ok_status();
}

Status Webhooks::record_outcome(std::int64_t id, std::optional<long> status, const std::string& error) {
  Database::Lock lock(database_);
  auto update = lock.prepare(
      "UPDATE webhooks SET last_attempt_at = ?, last_status = ?, last_error = ?, delivered = delivered + ?, "
      "failed = failed + ? WHERE id = ?");
  if (!update) return update.error();
  std::optional<std::int64_t> code = status ? std::optional<std::int64_t>(*status) : std::nullopt;
  update->bind(1, unix_now()).bind(2, code).bind(3, error).bind(4, error.empty() ? 1 : 0);
  update->bind(5, error.empty() ? 0 : 1).bind(6, id);
  return update->run();
}

}  // namespace left4me::web
