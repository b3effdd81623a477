// API routes for blueprints: list, create, read, edit and delete a user's blueprints.
#include "json/parse_json.h"
#include "web/api_objects.h"
#include "web/blueprint_overlays.h"
#include "web/blueprint_spec.h"
#include "web/handlers.h"

namespace left4me::web::api {
namespace {

// The 422 for a spec the model's rules refused: the first problem, and every one under `fields`.
Response invalid_spec(const SpecCheck& check) {
  nlohmann::json errors = nlohmann::json::array();
  for (const model::FieldError& error : check.errors) {
    errors.push_back({{"field", "spec." + error.field}, {"message", error.message}, {"line", error.line}});
  }
  const model::FieldError& first = check.errors.front();
  nlohmann::json payload = {{"error",
                             {{"code", "invalid"},
                              {"message", first.field.empty() ? first.message : first.field + ": " + first.message},
                              {"field", "spec." + first.field},
                              {"fields", errors}}}};
  return json_response(422, payload);
}

// Whether an rcon_password given as null asks to drop the stored one (a generated one is used then).
enum class RconPassword { kKeep, kClear };

// The spec of a body: "spec" (an object, or JSON text from a form) or "spec_yaml" (text); "{}" without either.
struct BodySpec {
  std::optional<std::string> yaml;        // canonical, when valid
  std::vector<std::int64_t> overlay_ids;  // the records of the spec's overlays, in order
  Response invalid;                       // the 422 otherwise
  RconPassword rcon = RconPassword::kKeep;
};

// The body's "spec" as a JSON object whose overlays (ids) are replaced by their refs; picked holds the ids.
std::optional<Response> spec_object(App& app, const Scope& owner, nlohmann::json spec, SpecCheck& check,
                                    PickedOverlays& picked, RconPassword& rcon) {
  if (spec.is_string()) {
    Result<nlohmann::json> parsed = parse_json_limited(spec.get<std::string>());
    if (!parsed) return error_response(422, "invalid", "spec: " + parsed.error().message(), "spec");
    spec = std::move(*parsed);
  }
  if (spec.is_object() && spec.contains("rcon_password") && spec["rcon_password"].is_null()) {
    spec.erase("rcon_password");
    rcon = RconPassword::kClear;
  }
  if (spec.is_object() && spec.contains("overlays")) {
    picked = pick_overlays(*app.overlays, owner, spec["overlays"]);
    spec["overlays"] = picked.refs;
  }
  check = check_blueprint_json(spec);
  return std::nullopt;
}

// The spec of a body, checked by the model's rules, its overlays among those the owner may use, and its map against
// the host's map list for its overlays.
BodySpec read_spec(App& app, const Scope& owner, const nlohmann::json& body) {
  BodySpec out;
  SpecCheck check;
  PickedOverlays picked;
  if (body.contains("spec_yaml") && body["spec_yaml"].is_string()) {
    check = check_blueprint_yaml(body["spec_yaml"].get<std::string>());
    if (check.yaml) {  // YAML names overlays by their refs, as the host does
      model::SpecResult spec = model::parse_blueprint_spec(*check.yaml, "spec");
      if (spec) picked = pick_overlay_refs(*app.overlays, owner, spec->overlays);
    }
  } else if (body.contains("spec")) {
    if (auto refused = spec_object(app, owner, body["spec"], check, picked, out.rcon)) {
      out.invalid = std::move(*refused);
      return out;
    }
  } else {
    check = check_blueprint_yaml("{}");
  }
  if (!picked.errors.empty()) {
    check.errors.insert(check.errors.begin(), picked.errors.begin(), picked.errors.end());
    out.invalid = invalid_spec(check);
    return out;
  }
  if (check.yaml) {
    if (std::optional<std::string> problem = check_blueprint_map(*app.map_lists, *check.yaml)) {
      check.errors.push_back(model::FieldError{0, "map", *problem});
      out.invalid = invalid_spec(check);
      return out;
    }
    out.yaml = std::move(check.yaml);
    out.overlay_ids = std::move(picked.ids);
  } else {
    out.invalid = invalid_spec(check);
  }
  return out;
}

// The blueprint as the API shows it: its spec's overlays as [{id, name, global}].
nlohmann::json shown(App& app, const Blueprint& blueprint, const std::vector<LinkedServer>* linked = nullptr) {
  nlohmann::json out = blueprint_json(blueprint, linked);
  model::SpecResult spec = model::parse_blueprint_spec(blueprint.spec_yaml, "blueprint");
  if (spec && out["spec"].is_object()) out["spec"]["overlays"] = stacked_overlays_json(*app.overlays, spec->overlays);
  return out;
}

}  // namespace

Response list_blueprints(App& app, Context& context) {
  Result<std::vector<Blueprint>> blueprints = app.blueprints->list(context.scope());
  if (!blueprints) return error_from(blueprints.error());
  nlohmann::json list = nlohmann::json::array();
  for (const Blueprint& blueprint : *blueprints) list.push_back(shown(app, blueprint));
  return json_response(200, {{"blueprints", list}});
}

Response create_blueprint(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string name = string_field(*body, "name").value_or("");
  if (auto problem = check_blueprint_name(name)) return error_response(422, "invalid", *problem, "name");
  BodySpec spec = read_spec(app, context.scope(), *body);
  if (!spec.yaml) return spec.invalid;
  Result<Blueprint> blueprint = app.blueprints->create(context.user().id, name, *spec.yaml, spec.overlay_ids);
  if (!blueprint) return error_from(blueprint.error(), "name");
  return json_response(201, {{"blueprint", shown(app, *blueprint)}});
}

Response get_blueprint(App& app, Context&, const Blueprint& blueprint) {
  Result<std::vector<LinkedServer>> linked = app.blueprints->linked_servers(blueprint.id);
  if (!linked) return error_from(linked.error());
  return json_response(200, {{"blueprint", shown(app, blueprint, &*linked)}});
}

Response update_blueprint(App& app, Context& context, const Blueprint& current) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string name = string_field(*body, "name").value_or(current.name);
  if (auto problem = check_blueprint_name(name)) return error_response(422, "invalid", *problem, "name");
  std::string yaml = current.spec_yaml;
  std::optional<std::vector<std::int64_t>> overlay_ids;
  if (body->contains("spec") || body->contains("spec_yaml")) {
    Result<Scope> owner = owner_scope(*app.accounts, current.owner_id);
    if (!owner) return error_from(owner.error());
    BodySpec spec = read_spec(app, *owner, *body);
    if (!spec.yaml) return spec.invalid;
    overlay_ids = std::move(spec.overlay_ids);
    // Responses never show the password, so an edit without one keeps the stored one.
    yaml = spec.rcon == RconPassword::kKeep ? keep_rcon_password(*spec.yaml, current.spec_yaml) : *spec.yaml;
  }
  Result<Blueprint> blueprint = app.blueprints->update(current.id, context.scope(), name, yaml, overlay_ids);
  if (!blueprint) return error_from(blueprint.error(), "name");
  return json_response(200, {{"blueprint", shown(app, *blueprint)}});
}

Response delete_blueprint(App& app, Context& context, const Blueprint& blueprint) {
  Status removed = app.blueprints->remove(blueprint.id, context.scope());
  if (!removed && removed.error().code() == ErrorCode::kAlreadyExists) {
    // The usual conflict error, with the servers that hold on to the blueprint.
    Result<std::vector<LinkedServer>> linked = app.blueprints->linked_servers(blueprint.id);
    if (!linked) return error_from(linked.error());
    nlohmann::json error = {{"code", "conflict"}, {"message", removed.error().message()}, {"field", nullptr}};
    error["servers"] = linked_servers_json(*linked);
    return json_response(409, {{"error", error}});
  }
  if (!removed) return error_from(removed.error());
  return json_response(200, {{"deleted", blueprint.id}});
}

}  // namespace left4me::web::api
