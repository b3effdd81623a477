#include "web/blueprint_spec.h"

#include <utility>
#include <vector>

#include "base/utf8.h"
#include "model/spec_rules.h"
#include "web/crypto.h"

namespace left4me::web {
namespace {

// Every member name and string of spec that is not UTF-8, as field errors ("hostname", "cvars.sv_tags",
// "args[1]"). Form fields arrive as bytes, and both nlohmann's dump and YAML take only UTF-8.
std::vector<model::FieldError> invalid_utf8_fields(const nlohmann::json& spec) {
  std::vector<model::FieldError> errors;
  std::vector<std::pair<const nlohmann::json*, std::string>> pending{{&spec, ""}};
  while (!pending.empty()) {
    auto [value, field] = pending.back();
    pending.pop_back();
    if (value->is_string() && !is_valid_utf8(value->get_ref<const std::string&>())) {
      errors.push_back({0, field, "is not valid UTF-8"});
    } else if (value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it) {
        if (!is_valid_utf8(it.key())) {
          errors.push_back({0, field.empty() ? "spec" : field, "has a name that is not valid UTF-8"});
          continue;
        }
        pending.emplace_back(&it.value(), field.empty() ? it.key() : field + "." + it.key());
      }
    } else if (value->is_array()) {
      for (std::size_t i = 0; i < value->size(); ++i) {
        pending.emplace_back(&(*value)[i], field + "[" + std::to_string(i) + "]");
      }
    }
  }
  return errors;
}

nlohmann::json spec_to_json(const model::Spec& spec) {
  nlohmann::json out = nlohmann::json::object();
  out["overlays"] = spec.overlays;
  out["hostname"] = spec.hostname ? nlohmann::json(*spec.hostname) : nlohmann::json(nullptr);
  out["map"] = spec.map;
  out["max_players"] = spec.max_players;
  out["mode"] = spec.mode;
  out["rcon_password_set"] = spec.rcon_password.has_value();
  out["cvars"] = spec.cvars;
  out["args"] = spec.args;
  out["server_cfg"] = spec.server_cfg;
  return out;
}

}  // namespace

SpecCheck check_blueprint_yaml(std::string_view yaml) {
  model::SpecResult parsed = model::parse_blueprint_spec(yaml, "blueprint");
  if (!parsed) return SpecCheck{std::nullopt, parsed.errors()};
  return SpecCheck{model::format_spec_yaml(*parsed), {}};
}

SpecCheck check_blueprint_json(const nlohmann::json& spec) {
  if (!spec.is_object()) return SpecCheck{std::nullopt, {model::FieldError{0, "spec", "must be an object"}}};
  if (std::vector<model::FieldError> errors = invalid_utf8_fields(spec); !errors.empty()) {
    return SpecCheck{std::nullopt, std::move(errors)};
  }
  // JSON is YAML: one key per line keeps the model's line numbers meaningful.
  return check_blueprint_yaml(spec.dump(2));
}

nlohmann::json blueprint_spec_to_json(std::string_view canonical_yaml) {
  model::SpecResult parsed = model::parse_blueprint_spec(canonical_yaml, "blueprint");
  if (!parsed) return nlohmann::json::object();
  return spec_to_json(*parsed);
}

std::string blueprint_spec_yaml_for_display(std::string_view canonical_yaml) {
  model::SpecResult parsed = model::parse_blueprint_spec(canonical_yaml, "blueprint");
  if (!parsed) return {};
  model::Spec spec = std::move(parsed).value();
  spec.rcon_password.reset();
  return model::format_spec_yaml(spec);
}

std::string keep_rcon_password(std::string_view edited_yaml, std::string_view previous_yaml) {
  model::SpecResult edited = model::parse_blueprint_spec(edited_yaml, "blueprint");
  model::SpecResult previous = model::parse_blueprint_spec(previous_yaml, "blueprint");
  if (!edited || !previous || edited->rcon_password || !previous->rcon_password) return std::string(edited_yaml);
  model::Spec spec = std::move(edited).value();
  spec.rcon_password = previous->rcon_password;
  return model::format_spec_yaml(spec);
}

Result<std::string> render_instance_spec(std::string_view blueprint_yaml, int port, std::string_view server_name,
                                         std::string_view rcon_password) {
  model::SpecResult parsed = model::parse_blueprint_spec(blueprint_yaml, "blueprint");
  if (!parsed) return parsed.error();
  model::Spec spec = std::move(parsed).value();
  spec.port = port;
  if (!spec.hostname && !model::check_hostname(server_name)) spec.hostname = std::string(server_name);
  if (!spec.rcon_password) spec.rcon_password = std::string(rcon_password);
  return model::format_spec_yaml(spec);
}

Result<std::string> server_rcon_password(std::string_view blueprint_yaml, std::string_view secret_key,
                                         std::int64_t server_id) {
  model::SpecResult parsed = model::parse_blueprint_spec(blueprint_yaml, "blueprint");
  if (!parsed) return parsed.error();
  if (parsed->rcon_password) return *parsed->rcon_password;
  return derive_rcon_password(secret_key, server_id);
}

}  // namespace left4me::web
