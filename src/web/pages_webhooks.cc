// The Webhooks page (administrators): the outgoing webhooks with how their last delivery went, a form to add one,
// one to edit each, delete, and a button that sends a test message.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "web/handlers.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/webhook_payload.h"

namespace left4me::web::page {
namespace {

// The event checkboxes of a form, checked as `chosen` says.
nlohmann::json event_choices(const std::vector<std::string>& chosen) {
  nlohmann::json choices = nlohmann::json::array();
  for (AlertEvent event : all_alert_events()) {
    if (event == AlertEvent::kTest) continue;
    std::string name(to_string(event));
    choices.push_back({{"event", name}, {"checked", std::find(chosen.begin(), chosen.end(), name) != chosen.end()}});
  }
  return choices;
}

std::vector<std::string> event_names(const WebhookSpec& spec) {
  std::vector<std::string> names;
  for (AlertEvent event : spec.events) names.emplace_back(to_string(event));
  return names;
}

nlohmann::json webhook_row(const Webhook& webhook, const nlohmann::json& attempt) {
  bool retried = attempt.value("id", std::int64_t{0}) == webhook.id;
  std::vector<std::string> chosen =
      retried ? attempt["events"].get<std::vector<std::string>>() : event_names(webhook.spec);
  std::string kind = retried ? attempt.value("kind", "") : std::string(to_string(webhook.spec.kind));
  nlohmann::json row = {{"id", webhook.id},
                        {"url", retried ? attempt.value("url", "") : webhook.spec.url},
                        {"saved_url", webhook.spec.url},
                        {"kind", to_string(webhook.spec.kind)},
                        {"is_json", kind == to_string(WebhookKind::kJson)},
                        {"is_discord", kind == to_string(WebhookKind::kDiscord)},
                        {"events", event_choices(chosen)},
                        {"event_list", fmt::format("{}", fmt::join(event_names(webhook.spec), ", "))},
                        {"error", retried ? attempt.value("error", "") : ""},
                        {"delivered", webhook.delivered},
                        {"failed", webhook.failed},
                        {"last_attempt", time_view(webhook.last_attempt_at.value_or(0))},
                        {"last_status", webhook.last_status ? std::to_string(*webhook.last_status) : ""},
                        {"last_error", webhook.last_error}};
  return row;
}

// The page; `attempt` ({id (0: the new one), url, kind, events, error}) is a refused form to show again.
Response webhooks_page(App& app, Context& context, int status, const nlohmann::json& attempt) {
  nlohmann::json view = base_view(context, "Webhooks", "admin");
  Result<std::vector<Webhook>> webhooks = app.webhooks->list();
  if (!webhooks) return error_from(webhooks.error());
  nlohmann::json rows = nlohmann::json::array();
  for (const Webhook& webhook : *webhooks) rows.push_back(webhook_row(webhook, attempt));
  view["webhooks"] = rows;
  view["has_webhooks"] = !rows.empty();
  bool retried = attempt.value("id", std::int64_t{-1}) == 0;
  std::string kind = retried ? attempt.value("kind", "") : std::string(to_string(WebhookKind::kJson));
  view["new"] = {
      {"url", retried ? attempt.value("url", "") : ""},
      {"is_json", kind == to_string(WebhookKind::kJson)},
      {"is_discord", kind == to_string(WebhookKind::kDiscord)},
      {"events", event_choices(retried ? attempt["events"].get<std::vector<std::string>>()
                                       : std::vector<std::string>{"crash", "auto_restart", "failed", "job_failed"})},
      {"error", retried ? attempt.value("error", "") : ""}};
  return html_page(status, "webhooks", view);
}

// The form's fields, checked; a refusal is the page again with the form as sent and the reason beside it.
Result<WebhookSpec> form_spec(const Form& form, std::int64_t id, nlohmann::json& attempt) {
  std::vector<std::string> events = form.all("events");
  Result<WebhookSpec> spec = check_webhook(form.get("url"), form.get("kind"), events);
  if (!spec) {
    attempt = {{"id", id},
               {"url", form.get("url")},
               {"kind", form.get("kind")},
               {"events", events},
               {"error", spec.error().message()}};
  }
  return spec;
}

}  // namespace

Response webhooks(App& app, Context& context) { return webhooks_page(app, context, 200, nlohmann::json::object()); }

Response create_webhook(App& app, Context& context) {
  nlohmann::json attempt;
  Result<WebhookSpec> spec = form_spec(Form(context.request), 0, attempt);
  if (!spec) return webhooks_page(app, context, 422, attempt);
  Result<Webhook> webhook = app.webhooks->create(*spec);
  if (!webhook) return error_from(webhook.error());
  return redirect("/admin/webhooks?notice=webhook_created");
}

Response save_webhook(App& app, Context& context, const WebhookId& id) {
  Result<Webhook> existing = app.webhooks->get(id.value);
  if (!existing) return error_from(existing.error());
  nlohmann::json attempt;
  Result<WebhookSpec> spec = form_spec(Form(context.request), id.value, attempt);
  if (!spec) return webhooks_page(app, context, 422, attempt);
  Result<Webhook> webhook = app.webhooks->update(id.value, *spec);
  if (!webhook) return error_from(webhook.error());
  return redirect("/admin/webhooks?notice=webhook_saved");
}

Response delete_webhook(App& app, Context&, const WebhookId& id) {
  if (Status removed = app.webhooks->remove(id.value); !removed) return error_from(removed.error());
  return redirect("/admin/webhooks?notice=webhook_deleted");
}

Response test_webhook(App& app, Context& context, const WebhookId& id) {
  Result<Webhook> webhook = app.webhooks->get(id.value);
  if (!webhook) return error_from(webhook.error());
  app.webhook_sender->send_to(*webhook, test_alert(context.user().name));
  return redirect("/admin/webhooks?notice=webhook_test_queued");
}

}  // namespace left4me::web::page
