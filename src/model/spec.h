// Spec: a validated instance spec (spec.yaml for `l4d2ctl initialize`) or blueprint spec (the web app's
// blueprints: the same keys minus name and port), parsed from YAML. See docs/spec.md.
// Value types and pure functions; thread-safe (generate_rcon_password reads the kernel's random source).
#pragma once

#include <cassert>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace left4me::model {

inline constexpr int kMinPort = 1024;
inline constexpr int kMaxPort = 65535;
inline constexpr int kMinMaxPlayers = 1;
inline constexpr int kMaxMaxPlayers = 32;
inline constexpr int kDefaultMaxPlayers = 8;  // a full versus game; coop uses 4 of them
inline constexpr std::string_view kDefaultMap = "c1m1_hotel";
inline constexpr std::string_view kDefaultMode = "coop";
// overlayfs stacks at most 500 lower layers and the installation is always one of them.
inline constexpr std::size_t kMaxOverlays = 499;
inline constexpr std::size_t kRconPasswordLength = 24;  // of generated passwords

struct Spec {
  std::optional<int> port;              // always set in an instance spec, never in a blueprint
  std::vector<std::string> overlays;    // overlay refs under overlays/, top layer first
  std::optional<std::string> hostname;  // absent: the instance name
  std::string map = std::string(kDefaultMap);
  int max_players = kDefaultMaxPlayers;
  std::string mode = std::string(kDefaultMode);
  std::optional<std::string> rcon_password;  // absent: generated at initialize and kept
  std::map<std::string, std::string> cvars;  // name -> value exactly as rendered (YAML true/false -> 1/0)
  std::vector<std::string> args;             // extra srcds arguments, one token each
  std::vector<std::string> server_cfg;       // free server.cfg lines, one line each

  bool operator==(const Spec&) const = default;
};

// One problem found in a spec; a parse reports every problem it finds.
struct FieldError {
  int line = 0;         // 1-based; 0 when the problem has no place in the file (a missing key)
  std::string field;    // "port", "overlays[2]", "cvars.sv_cheats"; empty for document-level problems
  std::string message;  // lowercase, names the value and the rule, e.g. "70000 is outside 1024..65535"

  bool operator==(const FieldError&) const = default;
};

// Either a valid Spec or every FieldError found, with the file name for messages.
class [[nodiscard]] SpecResult {
 public:
  SpecResult(std::string file_name, Spec spec) : file_name_(std::move(file_name)), data_(std::move(spec)) {}
  SpecResult(std::string file_name, std::vector<FieldError> errors)
      : file_name_(std::move(file_name)), data_(std::move(errors)) {}

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const Spec& value() const& {
    assert(ok());
    return std::get<0>(data_);
  }
  Spec&& value() && {
    assert(ok());
    return std::get<0>(std::move(data_));
  }
  const Spec& operator*() const& { return value(); }
  const Spec* operator->() const { return &value(); }
  // Not empty when !ok(); in the order found (document order).
  const std::vector<FieldError>& errors() const {
    assert(!ok());
    return std::get<1>(data_);
  }
  // One line per error, "<file>:<line>: <field>: <message>" (":<line>" and "<field>: " only when known).
  std::string message() const;
  // kInvalidArgument with message(), for callers that report through Result.
  Error error() const { return Error::invalid(message()); }
  // The Spec, or error().
  Result<Spec> to_result() const;

 private:
  std::string file_name_;
  std::variant<Spec, std::vector<FieldError>> data_;
};

// Formats one error as SpecResult::message() does.
std::string format_field_error(std::string_view file_name, const FieldError& error);

// An instance spec: `port` required, `name` refused (the name comes from the command line).
// file_name only appears in messages. Never throws.
SpecResult parse_instance_spec(std::string_view yaml, std::string_view file_name);
// A blueprint spec: the same keys and rules, but `port` and `name` are refused.
SpecResult parse_blueprint_spec(std::string_view yaml, std::string_view file_name);

// YAML that parses back to the same Spec (an instance spec if spec.port is set, else a blueprint spec).
// Every string is double-quoted, so nothing changes type on the way back.
std::string format_spec_yaml(const Spec& spec);

// An overlay ref: one or more '/'-separated components, each ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$
// (so never empty, "." or ".."), at most 255 characters; names overlays/<ref>.
bool is_valid_overlay_ref(std::string_view ref);
// nullopt if password is a valid rcon_password (8..64 printable ASCII characters, none of space " ' ; \),
// otherwise why not.
std::optional<std::string> check_rcon_password(std::string_view password);

// kRconPasswordLength random characters from [A-Za-z0-9], from getrandom(2).
Result<std::string> generate_rcon_password();

}  // namespace left4me::model
