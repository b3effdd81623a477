// The bridge between the web app's blueprints and the model's spec rules (model/spec.h): validation
// with field-level errors, the canonical stored form, and rendering an instance spec for l4d2ctl.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/spec.h"

namespace left4me::web {

struct SpecCheck {
  std::optional<std::string> yaml;        // canonical blueprint YAML when valid
  std::vector<model::FieldError> errors;  // every problem otherwise
};

// Validates a blueprint spec given as a JSON object (the API's form) with the same rules l4d2ctl uses. Strings
// and member names that are not UTF-8 (form fields are bytes) are field errors too.
SpecCheck check_blueprint_json(const nlohmann::json& spec);
// Validates a blueprint spec given as YAML text.
SpecCheck check_blueprint_yaml(std::string_view yaml);
// The stored canonical YAML as a JSON object (for API responses).
nlohmann::json blueprint_spec_to_json(std::string_view canonical_yaml);
// The stored YAML without its rcon_password, for showing: the password is never sent back.
std::string blueprint_spec_yaml_for_display(std::string_view canonical_yaml);
// An edit's canonical YAML with the previous spec's rcon_password when the edit has none: clients never
// see the password, so an edit that leaves it out keeps it.
std::string keep_rcon_password(std::string_view edited_yaml, std::string_view previous_yaml);
// The instance spec (blueprint + port) that `l4d2ctl initialize -f` reads. A blueprint without a hostname
// gets `server_name` (the server's name in the panel), so players see that name, not the host's instance
// name (web-<id>); one without an rcon_password gets `rcon_password` (the server's own, derive_rcon_password).
Result<std::string> render_instance_spec(std::string_view blueprint_yaml, int port, std::string_view server_name,
                                         std::string_view rcon_password);
// The RCON password of the server `server_id` started from this blueprint: the blueprint's, else the server's own
// (derive_rcon_password with the secret key), as render_instance_spec gives it.
Result<std::string> server_rcon_password(std::string_view blueprint_yaml, std::string_view secret_key,
                                         std::int64_t server_id);

}  // namespace left4me::web
