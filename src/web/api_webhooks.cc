// API routes for the outgoing webhooks (administrators only): list, create, read, change, delete, and send a test.
#include <fmt/format.h>

#include "base/strings.h"
#include "web/accounts.h"
#include "web/api_objects.h"
#include "web/handlers.h"
#include "web/webhook_payload.h"

namespace left4me::web::api {
namespace {

// The webhook's fields from a JSON body (`events` a list of names) or a form (`events` comma-separated).
Result<WebhookSpec> spec_from(const Request& request) {
  Result<nlohmann::json> body = parse_body(request);
  if (!body) return body.error();
  std::vector<std::string> events;
  if (body->contains("events")) {
    const nlohmann::json& given = (*body)["events"];
    if (given.is_string()) {
      for (const std::string& name : split(given.get<std::string>(), ',')) {
        if (!trim(name).empty()) events.emplace_back(trim(name));
      }
    } else if (given.is_array()) {
      for (const nlohmann::json& name : given) {
        if (!name.is_string()) return Error::invalid("events: a list of event names");
        events.push_back(name.get<std::string>());
      }
    } else {
      return Error::invalid("events: a list of event names");
    }
  }
  return check_webhook(string_field(*body, "url").value_or(""), string_field(*body, "kind").value_or(""), events);
}

// The 422 for a refused field, naming it (check_webhook's messages start with the field's name).
Response refused(const Error& error) {
  if (error.code() != ErrorCode::kInvalidArgument) return error_from(error);
  std::string_view message = error.message();
  std::string field(message.substr(0, message.find(':')));
  return error_response(422, "invalid", message, field);
}

}  // namespace

Response list_webhooks(App& app, Context&) {
  Result<std::vector<Webhook>> webhooks = app.webhooks->list();
  if (!webhooks) return error_from(webhooks.error());
  nlohmann::json list = nlohmann::json::array();
  for (const Webhook& webhook : *webhooks) list.push_back(webhook_json(webhook));
  return json_response(200, {{"webhooks", list}});
}

Response create_webhook(App& app, Context& context) {
  Result<WebhookSpec> spec = spec_from(context.request);
  if (!spec) return refused(spec.error());
  Result<Webhook> webhook = app.webhooks->create(*spec);
  if (!webhook) return error_from(webhook.error());
  return json_response(201, {{"webhook", webhook_json(*webhook)}});
}

Response get_webhook(App& app, Context&, const WebhookId& id) {
  Result<Webhook> webhook = app.webhooks->get(id.value);
  if (!webhook) return error_from(webhook.error());
  return json_response(200, {{"webhook", webhook_json(*webhook)}});
}

Response update_webhook(App& app, Context& context, const WebhookId& id) {
  Result<Webhook> existing = app.webhooks->get(id.value);
  if (!existing) return error_from(existing.error());
  Result<WebhookSpec> spec = spec_from(context.request);
  if (!spec) return refused(spec.error());
  Result<Webhook> webhook = app.webhooks->update(id.value, *spec);
  if (!webhook) return error_from(webhook.error());
  return json_response(200, {{"webhook", webhook_json(*webhook)}});
}

Response delete_webhook(App& app, Context&, const WebhookId& id) {
  if (Status removed = app.webhooks->remove(id.value); !removed) return error_from(removed.error());
  return json_response(200, {{"deleted", id.value}});
}

Response test_webhook(App& app, Context& context, const WebhookId& id) {
  Result<Webhook> webhook = app.webhooks->get(id.value);
  if (!webhook) return error_from(webhook.error());
  app.webhook_sender->send_to(*webhook, test_alert(context.user().name));
  return json_response(202, {{"queued", true}});
}

}  // namespace left4me::web::api
