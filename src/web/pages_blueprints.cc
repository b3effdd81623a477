// Pages for blueprints: the list, and one form for creating and editing (overlays in order with move
// up/down, cvars as key/value rows, args and server.cfg lines). The form validates with the same model code
// as the API and l4d2ctl, and shows each error beside its field. Row buttons (add, remove, up, down)
// re-render the form without saving, so it works without JavaScript.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/strings.h"
#include "web/blueprint_spec.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

constexpr const char* kModes[] = {"coop",     "realism",    "versus",       "survival",
                                  "scavenge", "teamversus", "teamscavenge", "mutation1"};

struct BlueprintForm {
  std::string name;
  std::string hostname;
  std::string map = "c1m1_hotel";
  std::string mode = "coop";
  std::string max_players = "8";
  std::string rcon_password;  // new password; empty keeps the stored one
  std::vector<std::string> overlays;
  std::vector<std::pair<std::string, std::string>> cvars;
  std::string args;        // one per line
  std::string server_cfg;  // one per line
};

struct FormErrors {
  std::map<std::string, std::string> fields;    // name, map, mode, max_players, hostname, ...
  std::map<std::size_t, std::string> overlays;  // by row
  std::map<std::size_t, std::string> cvars;     // by row
  std::vector<std::string> summary;

  bool empty() const { return summary.empty(); }
  void add_field(const std::string& field, const std::string& message) {
    std::string& slot = fields[field];
    slot += slot.empty() ? message : "; " + message;
    summary.push_back(field + ": " + message);
  }
};

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (std::string line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!trim(line).empty()) lines.push_back(line);
  }
  return lines;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

BlueprintForm form_from_request(const Request& request) {
  Form form(request);
  BlueprintForm out;
  out.name = form.get("name");
  out.hostname = form.get("hostname");
  out.map = form.get("map");
  out.mode = form.get("mode");
  out.max_players = form.get("max_players");
  out.rcon_password = form.get("rcon_password");
  out.overlays = form.all("overlay");
  std::vector<std::string> keys = form.all("cvar_key");
  std::vector<std::string> values = form.all("cvar_value");
  for (std::size_t i = 0; i < keys.size(); ++i) out.cvars.emplace_back(keys[i], i < values.size() ? values[i] : "");
  out.args = form.get("args");
  out.server_cfg = form.get("server_cfg");
  return out;
}

BlueprintForm form_from_blueprint(const Blueprint& blueprint) {
  BlueprintForm out;
  out.name = blueprint.name;
  model::SpecResult spec = model::parse_blueprint_spec(blueprint.spec_yaml, "blueprint");
  if (!spec) return out;
  out.hostname = spec->hostname.value_or("");
  out.map = spec->map;
  out.mode = spec->mode;
  out.max_players = std::to_string(spec->max_players);
  out.overlays = spec->overlays;
  for (const auto& [key, value] : spec->cvars) out.cvars.emplace_back(key, value);
  out.args = join_lines(spec->args);
  out.server_cfg = join_lines(spec->server_cfg);
  return out;
}

// A row button: "up:2", "remove_cvar:0"... Returns true when the form changed (and must be shown again).
bool apply_row_operation(const std::string& operation, BlueprintForm* form) {
  std::size_t colon = operation.find(':');
  std::string verb = operation.substr(0, colon);
  if (verb == "add_overlay") {
    form->overlays.emplace_back();
    return true;
  }
  if (verb == "add_cvar") {
    form->cvars.emplace_back();
    return true;
  }
  if (colon == std::string::npos) return false;
  std::optional<long long> parsed = parse_int(operation.substr(colon + 1), 0, 100000);
  if (!parsed) return false;
  std::size_t index = static_cast<std::size_t>(*parsed);
  std::vector<std::string>& overlays = form->overlays;
  if (verb == "up" && index > 0 && index < overlays.size()) {
    std::swap(overlays[index - 1], overlays[index]);
  } else if (verb == "down" && index + 1 < overlays.size()) {
    std::swap(overlays[index], overlays[index + 1]);
  } else if (verb == "remove_overlay" && index < overlays.size()) {
    overlays.erase(overlays.begin() + static_cast<std::ptrdiff_t>(index));
  } else if (verb == "remove_cvar" && index < form->cvars.size()) {
    form->cvars.erase(form->cvars.begin() + static_cast<std::ptrdiff_t>(index));
  }
  return true;
}

// Validates the form with the model's rules; on success yaml holds the canonical spec.
FormErrors validate(const BlueprintForm& form, const std::optional<std::string>& stored_rcon, std::string* yaml) {
  FormErrors errors;
  if (auto problem = check_blueprint_name(form.name)) errors.add_field("name", *problem);

  nlohmann::json spec = nlohmann::json::object();
  nlohmann::json overlays = nlohmann::json::array();
  std::vector<std::size_t> overlay_rows;  // spec index -> form row
  for (std::size_t row = 0; row < form.overlays.size(); ++row) {
    if (trim(form.overlays[row]).empty()) continue;
    overlays.push_back(form.overlays[row]);
    overlay_rows.push_back(row);
  }
  spec["overlays"] = overlays;
  if (!form.hostname.empty()) spec["hostname"] = form.hostname;
  spec["map"] = form.map;
  spec["mode"] = form.mode;
  if (auto players = parse_int(trim(form.max_players), -1000000, 1000000)) {
    spec["max_players"] = *players;
  } else {
    spec["max_players"] = form.max_players;  // the model says what is wrong with it
  }
  if (!form.rcon_password.empty()) {
    spec["rcon_password"] = form.rcon_password;
  } else if (stored_rcon) {
    spec["rcon_password"] = *stored_rcon;
  }
  nlohmann::json cvars = nlohmann::json::object();
  for (std::size_t row = 0; row < form.cvars.size(); ++row) {
    const auto& [key, value] = form.cvars[row];
    if (key.empty() && value.empty()) continue;
    if (key.empty()) {
      errors.cvars[row] = "give the cvar a name (or clear its value)";
      errors.summary.push_back("cvars: a value without a name");
      continue;
    }
    if (cvars.contains(key)) {
      errors.cvars[row] = key + " appears twice";
      errors.summary.push_back("cvars." + key + ": appears twice");
      continue;
    }
    cvars[key] = value;
  }
  spec["cvars"] = cvars;
  spec["args"] = split_lines(form.args);
  spec["server_cfg"] = split_lines(form.server_cfg);

  SpecCheck check = check_blueprint_json(spec);
  for (const model::FieldError& error : check.errors) {
    const std::string& field = error.field;
    std::size_t bracket = field.find('[');
    std::string key = field.substr(0, std::min(bracket, field.find('.')));
    std::optional<long long> index;
    if (bracket != std::string::npos)
      index = parse_int(field.substr(bracket + 1, field.find(']') - bracket - 1), 0, 1 << 20);
    if (key == "overlays" && index && static_cast<std::size_t>(*index) < overlay_rows.size()) {
      errors.overlays[overlay_rows[static_cast<std::size_t>(*index)]] = error.message;
      errors.summary.push_back(fmt::format("overlay {}: {}", *index + 1, error.message));
    } else if (key == "cvars" && field.size() > 6) {
      std::string name = field.substr(6);
      std::size_t row = form.cvars.size();
      for (std::size_t i = 0; i < form.cvars.size() && row == form.cvars.size(); ++i) {
        if (form.cvars[i].first == name) row = i;
      }
      for (std::size_t i = 0; i < form.cvars.size() && row == form.cvars.size(); ++i) {
        if (lower(form.cvars[i].first) == lower(name)) row = i;
      }
      if (row < form.cvars.size()) {
        errors.cvars[row] = error.message;
        errors.summary.push_back("cvar " + name + ": " + error.message);
      } else {
        errors.add_field("cvars", name + ": " + error.message);
      }
    } else if ((key == "args" || key == "server_cfg") && index) {
      errors.add_field(key, fmt::format("line {}: {}", *index + 1, error.message));
    } else if (key.empty()) {
      errors.add_field("form", error.message);
    } else {
      errors.add_field(key, error.message);
    }
  }
  if (check.yaml) *yaml = *check.yaml;
  return errors;
}

nlohmann::json form_view(const BlueprintForm& form, const FormErrors& errors) {
  nlohmann::json view = {{"name", form.name},
                         {"hostname", form.hostname},
                         {"map", form.map},
                         {"mode", form.mode},
                         {"max_players", form.max_players},
                         {"args", form.args},
                         {"server_cfg", form.server_cfg}};
  nlohmann::json overlays = nlohmann::json::array();
  for (std::size_t i = 0; i < form.overlays.size(); ++i) {
    auto error = errors.overlays.find(i);
    overlays.push_back({{"index", i},
                        {"number", i + 1},
                        {"value", form.overlays[i]},
                        {"can_up", i > 0},
                        {"can_down", i + 1 < form.overlays.size()},
                        {"error", error == errors.overlays.end() ? "" : error->second}});
  }
  nlohmann::json cvars = nlohmann::json::array();
  for (std::size_t i = 0; i < form.cvars.size(); ++i) {
    auto error = errors.cvars.find(i);
    cvars.push_back({{"index", i},
                     {"number", i + 1},
                     {"key", form.cvars[i].first},
                     {"value", form.cvars[i].second},
                     {"error", error == errors.cvars.end() ? "" : error->second}});
  }
  view["overlays"] = overlays;
  view["cvars"] = cvars;
  for (const auto& [field, message] : errors.fields) view[field + "_error"] = message;
  nlohmann::json summary = nlohmann::json::array();
  for (const std::string& message : errors.summary) summary.push_back(message);
  view["errors"] = summary;
  view["has_errors"] = !summary.empty();
  nlohmann::json modes = nlohmann::json::array();
  for (const char* mode : kModes) modes.push_back(mode);
  view["modes"] = modes;
  return view;
}

Response blueprint_form_page(App& app, Context& context, int status, const std::optional<Blueprint>& blueprint,
                             const BlueprintForm& form, const FormErrors& errors, nlohmann::json extra) {
  nlohmann::json view = base_view(context, blueprint ? "Blueprint " + blueprint->name : "New blueprint", "blueprints");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  view["form"] = form_view(form, errors);
  view["is_new"] = !blueprint;
  view["action"] = blueprint ? fmt::format("/blueprints/{}", blueprint->id) : "/blueprints";
  if (blueprint) {
    model::SpecResult spec = model::parse_blueprint_spec(blueprint->spec_yaml, "blueprint");
    view["blueprint"] = {{"id", blueprint->id},
                         {"name", blueprint->name},
                         {"version", blueprint->version},
                         {"updated", format_time(blueprint->updated_at)},
                         {"rcon_set", spec.ok() && spec->rcon_password.has_value()}};
    Result<std::vector<LinkedServer>> linked = app.blueprints->linked_servers(blueprint->id);
    if (!linked) return error_from(linked.error());
    nlohmann::json servers = nlohmann::json::array();
    for (const LinkedServer& server : *linked) servers.push_back({{"id", server.id}, {"name", server.name}});
    view["linked"] = servers;
    view["has_linked"] = !servers.empty();
  }
  return html_page(status, "blueprint_form", view);
}

std::optional<Blueprint> find_blueprint(App& app, Context& context, Response* failure) {
  return find_in_scope<Blueprint>(*app.blueprints, context, "blueprint", failure);
}

// Create (no blueprint) or update: a row operation re-renders, "save" validates and stores.
Response submit_blueprint(App& app, Context& context, const std::optional<Blueprint>& current) {
  BlueprintForm form = form_from_request(context.request);
  std::string operation = Form(context.request).get("op");
  if (!operation.empty() && operation != "save" && apply_row_operation(operation, &form)) {
    return blueprint_form_page(app, context, 200, current, form, FormErrors{}, nlohmann::json::object());
  }
  std::optional<std::string> stored_rcon;
  if (current) {
    model::SpecResult spec = model::parse_blueprint_spec(current->spec_yaml, "blueprint");
    if (spec) stored_rcon = spec->rcon_password;
  }
  std::string yaml;
  FormErrors errors = validate(form, stored_rcon, &yaml);
  if (!errors.empty()) return blueprint_form_page(app, context, 422, current, form, errors, nlohmann::json::object());
  Result<Blueprint> saved = current ? app.blueprints->update(current->id, context.scope(), form.name, yaml)
                                    : app.blueprints->create(context.user().id, form.name, yaml);
  if (!saved) {
    if (saved.error().code() != ErrorCode::kAlreadyExists && saved.error().code() != ErrorCode::kInvalidArgument) {
      return error_from(saved.error());
    }
    errors.add_field("name", saved.error().message());
    return blueprint_form_page(app, context, 422, current, form, errors, nlohmann::json::object());
  }
  return redirect(
      fmt::format("/blueprints/{}?notice={}", saved->id, current ? "blueprint_saved" : "blueprint_created"));
}

}  // namespace

void register_blueprint_pages(App& app) {
  app.add_route({"GET", "/blueprints", Access::kUser, [&app](Context& context) {
                   Result<std::vector<Blueprint>> blueprints = app.blueprints->list(context.scope());
                   if (!blueprints) return error_from(blueprints.error());
                   nlohmann::json list = nlohmann::json::array();
                   for (const Blueprint& blueprint : *blueprints) {
                     model::SpecResult spec = model::parse_blueprint_spec(blueprint.spec_yaml, "blueprint");
                     Result<std::vector<LinkedServer>> linked = app.blueprints->linked_servers(blueprint.id);
                     list.push_back({{"id", blueprint.id},
                                     {"name", blueprint.name},
                                     {"version", blueprint.version},
                                     {"map", spec ? spec->map : ""},
                                     {"mode", spec ? spec->mode : ""},
                                     {"max_players", spec ? std::to_string(spec->max_players) : ""},
                                     {"servers", linked ? linked->size() : 0},
                                     {"mine", blueprint.owner_id == context.user().id},
                                     {"updated", format_time(blueprint.updated_at)}});
                   }
                   nlohmann::json view = base_view(context, "Blueprints", "blueprints");
                   view["blueprints"] = list;
                   view["has_blueprints"] = !list.empty();
                   return html_page(200, "blueprints", view);
                 }});

  app.add_route({"GET", "/blueprints/new", Access::kUser, [&app](Context& context) {
                   return blueprint_form_page(app, context, 200, std::nullopt, BlueprintForm{}, FormErrors{},
                                              nlohmann::json::object());
                 }});

  app.add_route({"POST", "/blueprints", Access::kUser,
                 [&app](Context& context) { return submit_blueprint(app, context, std::nullopt); }});

  app.add_route({"GET", "/blueprints/{id}", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Blueprint> blueprint = find_blueprint(app, context, &failure);
                   if (!blueprint) return failure;
                   return blueprint_form_page(app, context, 200, blueprint, form_from_blueprint(*blueprint),
                                              FormErrors{}, nlohmann::json::object());
                 }});

  app.add_route({"POST", "/blueprints/{id}", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Blueprint> blueprint = find_blueprint(app, context, &failure);
                   if (!blueprint) return failure;
                   return submit_blueprint(app, context, blueprint);
                 }});

  app.add_route({"POST", "/blueprints/{id}/delete", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Blueprint> blueprint = find_blueprint(app, context, &failure);
                   if (!blueprint) return failure;
                   std::vector<LinkedServer> linked;
                   if (Status status = app.blueprints->remove(blueprint->id, context.scope(), &linked); !status) {
                     if (linked.empty()) return error_from(status.error());
                     return blueprint_form_page(
                         app, context, 409, blueprint, form_from_blueprint(*blueprint), FormErrors{},
                         {{"delete_error",
                           "This blueprint cannot be deleted while servers follow it. Move them to another blueprint "
                           "or delete them first."},
                          {"error", "The blueprint was not deleted: servers follow it (listed under Delete)."}});
                   }
                   return redirect("/blueprints?notice=blueprint_deleted");
                 }});
}

}  // namespace left4me::web
