// Pages for blueprints: the list, and one form for creating and editing (overlays in order with move
// up/down, cvars as key/value rows, args and server.cfg lines). The form validates with the same model code
// as the API and l4d2ctl, and shows each error beside its field. Row buttons (add, remove, up, down)
// re-render the form without saving, so it works without JavaScript.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/strings.h"
#include "model/game_modes.h"
#include "model/maps.h"
#include "model/spec_rules.h"
#include "web/blueprint_overlays.h"
#include "web/blueprint_spec.h"
#include "web/handlers.h"
#include "web/overlay_directories.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web::page {
namespace {

// The form's fields as text; a new blueprint starts from the spec's defaults.
struct BlueprintForm {
  std::string name;
  std::string hostname;
  std::string map = std::string(model::kDefaultMap);
  std::string mode = std::string(model::kDefaultMode);
  std::string max_players = std::to_string(model::kDefaultMaxPlayers);
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

BlueprintForm form_from_blueprint(App& app, const Blueprint& blueprint) {
  BlueprintForm out;
  out.name = blueprint.name;
  model::SpecResult spec = model::parse_blueprint_spec(blueprint.spec_yaml, "blueprint");
  if (!spec) return out;
  out.hostname = spec->hostname.value_or("");
  out.map = spec->map;
  out.mode = spec->mode;
  out.max_players = std::to_string(spec->max_players);
  // The form's rows name overlays by id; the spec by their directories.
  for (const std::string& ref : spec->overlays) {
    Result<Overlay> overlay = app.overlays->by_directory(ref);
    out.overlays.push_back(overlay ? std::to_string(overlay->id) : "");
  }
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

// The form's cvar rows as the spec's cvars; a value without a name and a name given twice are errors of their row.
nlohmann::json cvars_of(const BlueprintForm& form, FormErrors& errors) {
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
  return cvars;
}

// The form as the API's JSON spec, with the picked overlays' refs.
nlohmann::json spec_of(const BlueprintForm& form, const std::optional<std::string>& stored_rcon,
                       const PickedOverlays& picked, FormErrors& errors) {
  nlohmann::json spec = nlohmann::json::object();
  spec["overlays"] = picked.refs;
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
  spec["cvars"] = cvars_of(form, errors);
  spec["args"] = split_lines(form.args);
  spec["server_cfg"] = split_lines(form.server_cfg);
  return spec;
}

// The cvar row a spec error names ("cvars.NAME"): the row of that name, else of that name in another case.
std::optional<std::size_t> cvar_row(const BlueprintForm& form, const std::string& name) {
  for (std::size_t i = 0; i < form.cvars.size(); ++i) {
    if (form.cvars[i].first == name) return i;
  }
  for (std::size_t i = 0; i < form.cvars.size(); ++i) {
    if (model::lowercase(form.cvars[i].first) == model::lowercase(name)) return i;
  }
  return std::nullopt;
}

// Puts a spec error beside the form field (or row) it is about.
void place_error(const model::FieldError& error, const BlueprintForm& form,
                 const std::vector<std::size_t>& overlay_rows, FormErrors& errors) {
  const std::string& field = error.field;
  std::size_t bracket = field.find('[');
  std::string key = field.substr(0, std::min(bracket, field.find('.')));
  std::optional<long long> index;
  if (bracket != std::string::npos) {
    index = parse_int(field.substr(bracket + 1, field.find(']') - bracket - 1), 0, 1 << 20);
  }
  if (key == "overlays" && index && static_cast<std::size_t>(*index) < overlay_rows.size()) {
    errors.overlays[overlay_rows[static_cast<std::size_t>(*index)]] = error.message;
    errors.summary.push_back(fmt::format("overlay {}: {}", *index + 1, error.message));
  } else if (key == "cvars" && field.size() > 6) {
    std::string name = field.substr(6);
    if (std::optional<std::size_t> row = cvar_row(form, name)) {
      errors.cvars[*row] = error.message;
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

struct Validated {
  FormErrors errors;
  std::optional<std::string> yaml;  // the canonical spec, when the model's rules accept it
  std::vector<std::int64_t> overlay_ids;
};

// Validates the form with the model's rules and its map against the host's map list (the same checks as the API's).
Validated validate(App& app, const Scope& owner, const BlueprintForm& form,
                   const std::optional<std::string>& stored_rcon) {
  Validated out;
  if (auto problem = check_blueprint_name(form.name)) out.errors.add_field("name", *problem);
  // Rows left at "(choose an overlay)" are left out; overlay_rows maps each picked overlay to its form row.
  std::vector<std::size_t> overlay_rows;
  nlohmann::json ids = nlohmann::json::array();
  for (std::size_t row = 0; row < form.overlays.size(); ++row) {
    if (trim(form.overlays[row]).empty()) continue;
    ids.push_back(form.overlays[row]);
    overlay_rows.push_back(row);
  }
  PickedOverlays picked = pick_overlays(*app.overlays, owner, ids);
  SpecCheck check = check_blueprint_json(spec_of(form, stored_rcon, picked, out.errors));
  check.errors.insert(check.errors.begin(), picked.errors.begin(), picked.errors.end());
  if (!picked.errors.empty()) check.yaml.reset();
  for (const model::FieldError& error : check.errors) place_error(error, form, overlay_rows, out.errors);
  out.overlay_ids = std::move(picked.ids);
  if (check.yaml) {
    if (std::optional<std::string> problem = check_blueprint_map(*app.map_lists, *check.yaml)) {
      out.errors.add_field("map", *problem);
      check.yaml.reset();
    }
  }
  out.yaml = std::move(check.yaml);
  return out;
}

// The start map as a list grouped by campaign (the host's list for the form's overlays), with the chosen map
// selected; a chosen map the list lacks stays selectable (marked) so the form never changes it silently. An
// empty list when the host's list cannot be read: the form then offers a text field.
nlohmann::json map_choices(MapLists& maps, const BlueprintForm& form, const std::vector<Overlay>& usable) {
  std::vector<std::string> overlays;
  for (const std::string& row : form.overlays) {
    for (const Overlay& overlay : usable) {
      if (std::to_string(overlay.id) == row) overlays.push_back(overlay.directory);
    }
  }
  Result<std::shared_ptr<const model::MapCatalog>> catalog = maps.get(overlays);
  if (!catalog) return nlohmann::json::array();
  nlohmann::json groups = nlohmann::json::array();
  auto options = [&](const std::vector<model::CatalogMap>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const model::CatalogMap& map : list) {
      out.push_back({{"map", map.name}, {"title", map.title}, {"selected", map.name == form.map}});
    }
    return out;
  };
  if (!form.map.empty() && !model::catalog_has_map(**catalog, form.map)) {
    groups.push_back({{"title", "Not in the list"},
                      {"maps", {{{"map", form.map}, {"title", form.map + " (not in the list)"}, {"selected", true}}}}});
  }
  for (const model::CatalogCampaign& campaign : (*catalog)->campaigns) {
    std::string origin = campaign.origin == "official" ? "" : " (" + campaign.origin + ")";
    groups.push_back({{"title", campaign.title + origin}, {"maps", options(campaign.maps)}});
  }
  if (!(*catalog)->other_maps.empty()) {
    groups.push_back({{"title", "Other maps"}, {"maps", options((*catalog)->other_maps)}});
  }
  return groups;
}

// The form's overlays that ship their own cfg/server.cfg: the rendered one hides it (docs/spec.md, "server.cfg").
nlohmann::json shadowed_server_cfgs(App& app, const BlueprintForm& form, const std::vector<Overlay>& usable) {
  nlohmann::json names = nlohmann::json::array();
  std::string root = host_root(app.config);
  for (const std::string& row : form.overlays) {
    for (const Overlay& overlay : usable) {
      if (std::to_string(overlay.id) == row && has_own_server_cfg(root, overlay.directory)) {
        names.push_back({{"name", overlay.name}});
      }
    }
  }
  return names;
}

// The game modes of model/game_modes.h by title with the internal name beside it; a mode the table lacks (the
// spec accepts any mutationN) stays selectable.
nlohmann::json mode_choices(const BlueprintForm& form) {
  nlohmann::json modes = nlohmann::json::array();
  if (!form.mode.empty() && model::find_game_mode(form.mode) == nullptr) {
    modes.push_back({{"name", form.mode}, {"title", form.mode}, {"selected", true}});
  }
  for (const model::GameMode& mode : model::game_modes()) {
    modes.push_back({{"name", std::string(mode.name)},
                     {"title", fmt::format("{} ({})", mode.title, mode.name)},
                     {"selected", mode.name == form.mode}});
  }
  return modes;
}

// Each overlay row's choices: the overlays the owner may use (global ones marked), the row's own selected.
nlohmann::json overlay_choices(const std::vector<Overlay>& usable, const std::string& row) {
  nlohmann::json choices = nlohmann::json::array();
  for (const Overlay& overlay : usable) {
    std::string id = std::to_string(overlay.id);
    choices.push_back(
        {{"id", id}, {"label", overlay.global() ? overlay.name + " (global)" : overlay.name}, {"selected", id == row}});
  }
  return choices;
}

nlohmann::json form_view(const BlueprintForm& form, const FormErrors& errors, const std::vector<Overlay>& usable) {
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
                        {"choices", overlay_choices(usable, form.overlays[i])},
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
  view["modes"] = mode_choices(form);
  return view;
}

Response blueprint_form_page(App& app, Context& context, int status, const std::optional<Blueprint>& blueprint,
                             const BlueprintForm& form, const FormErrors& errors, nlohmann::json extra) {
  nlohmann::json view = base_view(context, blueprint ? "Blueprint " + blueprint->name : "New blueprint", "blueprints");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<Scope> owner = blueprint ? owner_scope(*app.accounts, blueprint->owner_id) : Result<Scope>(context.scope());
  if (!owner) return error_from(owner.error());
  Result<std::vector<Overlay>> usable = app.overlays->list(*owner);
  if (!usable) return error_from(usable.error());
  view["form"] = form_view(form, errors, *usable);
  view["form"]["map_groups"] = map_choices(*app.map_lists, form, *usable);
  view["form"]["shadowed_cfgs"] = shadowed_server_cfgs(app, form, *usable);
  view["form"]["has_map_groups"] = !view["form"]["map_groups"].empty();
  view["is_new"] = !blueprint;
  view["action"] = blueprint ? fmt::format("/blueprints/{}", blueprint->id) : "/blueprints";
  if (blueprint) {
    model::SpecResult spec = model::parse_blueprint_spec(blueprint->spec_yaml, "blueprint");
    view["blueprint"] = {{"id", blueprint->id},
                         {"name", blueprint->name},
                         {"version", blueprint->version},
                         {"updated", time_view(blueprint->updated_at)},
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
  Result<Scope> owner = current ? owner_scope(*app.accounts, current->owner_id) : Result<Scope>(context.scope());
  if (!owner) return error_from(owner.error());
  Validated checked = validate(app, *owner, form, stored_rcon);
  FormErrors& errors = checked.errors;
  if (!errors.empty()) return blueprint_form_page(app, context, 422, current, form, errors, nlohmann::json::object());
  const std::string& yaml = *checked.yaml;
  Result<Blueprint> saved =
      current ? app.blueprints->update(current->id, context.scope(), form.name, yaml, checked.overlay_ids)
              : app.blueprints->create(context.user().id, form.name, yaml, checked.overlay_ids);
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

Response blueprints(App& app, Context& context) {
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
                    {"updated", time_view(blueprint.updated_at)}});
  }
  nlohmann::json view = base_view(context, "Blueprints", "blueprints");
  view["blueprints"] = list;
  view["has_blueprints"] = !list.empty();
  return html_page(200, "blueprints", view);
}

Response new_blueprint(App& app, Context& context) {
  return blueprint_form_page(app, context, 200, std::nullopt, BlueprintForm{}, FormErrors{}, nlohmann::json::object());
}

Response create_blueprint(App& app, Context& context) { return submit_blueprint(app, context, std::nullopt); }

Response show_blueprint(App& app, Context& context, const Blueprint& blueprint) {
  return blueprint_form_page(app, context, 200, blueprint, form_from_blueprint(app, blueprint), FormErrors{},
                             nlohmann::json::object());
}

Response save_blueprint(App& app, Context& context, const Blueprint& blueprint) {
  return submit_blueprint(app, context, blueprint);
}

Response delete_blueprint(App& app, Context& context, const Blueprint& blueprint) {
  Status removed = app.blueprints->remove(blueprint.id, context.scope());
  if (!removed && removed.error().code() == ErrorCode::kAlreadyExists) {  // servers follow it
    return blueprint_form_page(
        app, context, 409, blueprint, form_from_blueprint(app, blueprint), FormErrors{},
        {{"delete_error",
          "This blueprint cannot be deleted while servers follow it. Move them to another blueprint or delete them "
          "first."},
         {"error", "The blueprint was not deleted: servers follow it (listed under Delete)."}});
  }
  if (!removed) return error_from(removed.error());
  return redirect("/blueprints?notice=blueprint_deleted");
}

}  // namespace left4me::web::page
