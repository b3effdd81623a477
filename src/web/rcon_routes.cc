// The console routes (rcon_console.h): the server page's command box and buttons, its audit section, and the
// same through the JSON API. Who may use them is may()'s to say (ServerAction::kRcon): the route table asks it.
#include <fmt/format.h>

#include "model/spec.h"
#include "web/handlers.h"
#include "web/pages.h"
#include "web/rcon_console.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

// How many audit entries the page and the API show.
constexpr int kAuditShown = 50;

// The maps of the server's installation and its blueprint's overlays (the blueprint page's list).
Result<std::shared_ptr<const model::MapCatalog>> server_maps(App& app, const Server& server) {
  Result<Blueprint> blueprint = app.blueprints->get(server.blueprint_id, Scope{server.owner_id, false});
  if (!blueprint) return blueprint.error();
  model::SpecResult spec = model::parse_blueprint_spec(blueprint->spec_yaml, "blueprint");
  return app.map_lists->get(spec ? spec->overlays : std::vector<std::string>{});
}

// The command a request asks for: `command` as typed, or an `action` (changelevel, kick, say) with its field.
// Returns the text to record and the command, or the text to record and why it is refused.
struct Asked {
  std::string what;
  Result<std::string> command;
};

Asked asked_command(App& app, const Server& server, const std::function<std::string(const char*)>& field) {
  std::string action = field("action");
  if (action.empty()) return {field("command"), field("command")};
  if (action == "changelevel") {
    std::string map = field("map");
    std::string what = "changelevel " + map;
    Result<std::shared_ptr<const model::MapCatalog>> maps = server_maps(app, server);
    if (!maps) return {what, maps.error().with_context("the map list cannot be read")};
    return {what, changelevel_command(**maps, map)};
  }
  if (action == "kick") return {"kick " + field("player"), kick_command(field("player"))};
  if (action == "say") return {"say " + field("text"), say_command(field("text"))};
  return {"action " + action, Error::invalid(fmt::format("action: '{}' is not changelevel, kick or say", action))};
}

Result<ConsoleReply> run_asked(App& app, Context& context, const Server& server, const Asked& asked) {
  RconAudit audit(*app.database);
  if (!asked.command) return refuse_console_command(audit, server, context.user(), asked.what, asked.command.error());
  Result<std::shared_ptr<const Ctl>> ctl = app.host_ctls->get(server.host_id);
  if (!ctl) return ctl.error();
  return run_console_command(**ctl, audit, server, context.user(), *asked.command);
}

nlohmann::json entry_json(const RconAuditEntry& entry) {
  return {{"id", entry.id},        {"user", entry.user_name},  {"user_id", entry.user_id},
          {"at", entry.at},        {"command", entry.command}, {"outcome", to_string(entry.outcome)},
          {"detail", entry.detail}};
}

Result<nlohmann::json> audit_rows(App& app, const Server& server) {
  Result<std::vector<RconAuditEntry>> entries = RconAudit(*app.database).for_server(server.id, kAuditShown);
  if (!entries) return entries.error();
  nlohmann::json rows = nlohmann::json::array();
  for (const RconAuditEntry& entry : *entries) {
    nlohmann::json row = entry_json(entry);
    row["time"] = time_view(entry.at);
    row["failed"] = entry.outcome != RconOutcome::kOk;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<nlohmann::json> console_view(App& app, Context& context, const Server& server) {
  if (may(context.user(), ServerAction::kRcon, server, server.viewer_share) != Decision::kAllowed) {
    return nlohmann::json(nullptr);
  }
  Result<nlohmann::json> rows = audit_rows(app, server);
  if (!rows) return rows.error();
  nlohmann::json groups = nlohmann::json::array();
  if (Result<std::shared_ptr<const model::MapCatalog>> maps = server_maps(app, server)) {
    for (const model::CatalogCampaign& campaign : (*maps)->campaigns) {
      nlohmann::json options = nlohmann::json::array();
      for (const model::CatalogMap& map : campaign.maps) options.push_back({{"map", map.name}, {"title", map.title}});
      groups.push_back({{"title", campaign.title}, {"maps", std::move(options)}});
    }
    nlohmann::json others = nlohmann::json::array();
    for (const model::CatalogMap& map : (*maps)->other_maps)
      others.push_back({{"map", map.name}, {"title", map.title}});
    if (!others.empty()) groups.push_back({{"title", "Other maps"}, {"maps", std::move(others)}});
  }
  return nlohmann::json{{"id", server.id},
                        {"audit", *rows},
                        {"has_audit", !rows->empty()},
                        {"map_groups", groups},
                        {"has_maps", !groups.empty()}};
}

namespace page {

Response console_command(App& app, Context& context, const Server& server) {
  Form form(context.request);
  Asked asked = asked_command(app, server, [&form](const char* name) { return form.get(name); });
  Result<ConsoleReply> reply = run_asked(app, context, server, asked);
  if (!reply) return error_from(reply.error());
  if (!is_htmx(context.request)) return redirect(fmt::format("/servers/{}#rcon", server.id));
  Result<nlohmann::json> rows = audit_rows(app, server);
  if (!rows) return error_from(rows.error());
  return html_fragment(200, "_rcon_reply",
                       {{"command", reply->command},
                        {"outcome", to_string(reply->outcome)},
                        {"failed", reply->outcome != RconOutcome::kOk},
                        {"text", reply->text},
                        {"audit", *rows},
                        {"has_audit", !rows->empty()}});
}

}  // namespace page

namespace api {

Response console_audit(App& app, Context&, const Server& server) {
  Result<std::vector<RconAuditEntry>> entries = RconAudit(*app.database).for_server(server.id, kAuditShown);
  if (!entries) return error_from(entries.error());
  nlohmann::json list = nlohmann::json::array();
  for (const RconAuditEntry& entry : *entries) list.push_back(entry_json(entry));
  return json_response(200, {{"entries", list}});
}

Response console_command(App& app, Context& context, const Server& server) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  Asked asked =
      asked_command(app, server, [&body](const char* name) { return string_field(*body, name).value_or(""); });
  Result<ConsoleReply> reply = run_asked(app, context, server, asked);
  if (!reply) return error_from(reply.error());
  if (reply->outcome == RconOutcome::kRefused) return error_response(422, "invalid", reply->text, "command");
  return json_response(200, {{"command", reply->command},
                             {"outcome", to_string(reply->outcome)},
                             {"reply", reply->outcome == RconOutcome::kOk ? reply->text : ""},
                             {"detail", reply->outcome == RconOutcome::kOk ? "" : reply->text}});
}

}  // namespace api
}  // namespace left4me::web
