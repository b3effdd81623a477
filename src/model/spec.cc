#include "model/spec.h"

#include <sys/random.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <exception>
#include <map>
#include <sstream>

#include "base/strings.h"
#include "model/spec_rules.h"

namespace left4me::model {
namespace {

constexpr std::size_t kMaxSpecBytes = 1 << 20;
constexpr std::size_t kMaxArgs = 256;
constexpr std::size_t kMaxServerCfgLines = 1000;
constexpr std::size_t kMaxCvars = 1000;
// A spec nests two levels (the top mapping, then cvars or a list). yaml-cpp recurses per level and gives up
// only near 1000 with "bad file"; a limit this low refuses deep input with a clear message before any node
// tree is built.
constexpr int kMaxNestingDepth = 64;

enum class Kind { kInstance, kBlueprint };

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return quoted_value(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

// A scalar written without quotes or tag ("!" marks a quoted one), so YAML would resolve its type.
bool is_plain(const YAML::Node& node) { return node.Tag() == "?"; }

// YAML 1.1 booleans written plainly become the console's 1 and 0 ("sv_alltalk: on" must not reach the game as
// the word "on", which a numeric cvar reads as 0).
std::optional<std::string> console_boolean(std::string_view text) {
  static constexpr std::array<std::string_view, 9> kTrue = {"true", "True", "TRUE", "yes", "Yes",
                                                            "YES",  "on",   "On",   "ON"};
  static constexpr std::array<std::string_view, 9> kFalse = {"false", "False", "FALSE", "no", "No",
                                                             "NO",    "off",   "Off",   "OFF"};
  if (std::find(kTrue.begin(), kTrue.end(), text) != kTrue.end()) return "1";
  if (std::find(kFalse.begin(), kFalse.end(), text) != kFalse.end()) return "0";
  return std::nullopt;
}

// Records where each document of a YAML stream starts and where its collections first nest deeper than
// kMaxNestingDepth, building nothing.
class DocumentCounter final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  std::optional<YAML::Mark> too_deep;

  void OnDocumentStart(const YAML::Mark& mark) override {
    starts.push_back(mark);
    depth_ = 0;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void open(const YAML::Mark& mark) {
    if (++depth_ > kMaxNestingDepth && !too_deep) too_deep = mark;
  }
  int depth_ = 0;
};

// Walks one YAML document into a Spec, collecting every problem instead of stopping at the first.
class SpecParser {
 public:
  explicit SpecParser(Kind kind) : kind_(kind) {}

  void parse(std::string_view yaml) {
    if (yaml.size() > kMaxSpecBytes) {
      add(0, "", "the spec is larger than 1 MiB");
      return;
    }
    // yaml-cpp 0.7's LoadAll loops forever, allocating, on some malformed input (a stray ',':
    // jbeder/yaml-cpp#1040): the parser reports the same empty document again and again without consuming
    // anything. So documents are counted with a bounded loop that notices a repeat, and only the first is loaded.
    // The same pass refuses deep nesting before YAML::Load builds anything.
    DocumentCounter counter;
    YAML::Node document;
    try {
      std::istringstream stream{std::string(yaml)};
      YAML::Parser parser(stream);
      for (int i = 0; i < 8 && !counter.too_deep && parser.HandleNextDocument(counter); ++i) {
      }
      if (!counter.too_deep) document = YAML::Load(std::string(yaml));
    } catch (const YAML::DeepRecursion& e) {
      counter.too_deep = e.mark;
    } catch (const YAML::ParserException& e) {
      add(e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "malformed YAML: " + e.msg);
      return;
    } catch (const std::exception& e) {
      add(0, "", std::string("malformed YAML: ") + e.what());
      return;
    }
    if (counter.too_deep) {
      add(counter.too_deep->line >= 0 ? counter.too_deep->line + 1 : 0, "",
          "the spec is nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
      return;
    }
    const std::vector<YAML::Mark>& starts = counter.starts;
    for (std::size_t i = 1; i < starts.size(); ++i) {
      if (starts[i].pos == starts[i - 1].pos) {
        add(starts[i].line + 1, "", "malformed YAML: unexpected character");
        return;
      }
    }
    if (starts.empty()) {
      add(0, "", "the spec is empty; expected a mapping of keys such as 'port: 27015'");
      return;
    }
    if (starts.size() > 1) {
      add(starts[1].line + 1, "", "expected one YAML document, found another here");
      return;
    }
    parse_top(document);
  }

  Spec& spec() { return spec_; }
  std::vector<FieldError>& errors() { return errors_; }

 private:
  using FieldParser = void (SpecParser::*)(const YAML::Node& value, int line, const std::string& field);
  struct Key {
    std::string_view name;
    FieldParser parse;
  };

  void add(int line, std::string field, std::string message) {
    errors_.push_back({line, std::move(field), std::move(message)});
  }

  // 1-based line of node, or fallback where yaml-cpp has none (null nodes point at the next token).
  static int line_of(const YAML::Node& node, int fallback) {
    if (node.IsNull() || node.Mark().line < 0) return fallback;
    return node.Mark().line + 1;
  }

  void parse_top(const YAML::Node& top) {
    if (!top.IsMap()) {
      add(line_of(top, 1), "", "expected a mapping of keys at the top level, got " + describe(top));
      return;
    }
    static constexpr std::array<Key, 10> kKeys = {{
        {"port", &SpecParser::parse_port},
        {"overlays", &SpecParser::parse_overlays},
        {"hostname", &SpecParser::parse_hostname},
        {"map", &SpecParser::parse_map},
        {"max_players", &SpecParser::parse_max_players},
        {"mode", &SpecParser::parse_mode},
        {"rcon_password", &SpecParser::parse_rcon_password},
        {"cvars", &SpecParser::parse_cvars},
        {"args", &SpecParser::parse_args},
        {"server_cfg", &SpecParser::parse_server_cfg},
    }};
    std::map<std::string, int> seen;
    for (const auto& entry : top) {
      int line = line_of(entry.first, 0);
      if (!entry.first.IsScalar()) {
        add(line, "", "keys must be plain names, got " + describe(entry.first));
        continue;
      }
      const std::string key = entry.first.Scalar();
      if (auto [it, inserted] = seen.emplace(key, line); !inserted) {
        add(line, printable(key), "duplicate key (first at line " + std::to_string(it->second) + ")");
        continue;
      }
      if (key == "name") {
        add(line, key,
            kind_ == Kind::kInstance ? "not allowed: the instance name is given on the command line"
                                     : "not allowed in a blueprint: each server's name is chosen when it is created");
        continue;
      }
      if (key == "port" && kind_ == Kind::kBlueprint) {
        add(line, key, "not allowed in a blueprint: each server gets its own port");
        continue;
      }
      auto rule = std::find_if(kKeys.begin(), kKeys.end(), [&](const Key& k) { return k.name == key; });
      if (rule == kKeys.end()) {
        add(line, printable(key),
            "unknown key; expected one of " + std::string(kind_ == Kind::kInstance ? "port, " : "") +
                "overlays, hostname, map, max_players, mode, rcon_password, cvars, args, server_cfg");
        continue;
      }
      (this->*(rule->parse))(entry.second, line, key);
    }
    if (kind_ == Kind::kInstance && !seen.contains("port")) {
      add(0, "port",
          "required in an instance spec (" + std::to_string(kMinPort) + ".." + std::to_string(kMaxPort) + ")");
    }
  }

  // The text of a non-null scalar, else an error naming what was found.
  std::optional<std::string> text(const YAML::Node& value, int line, const std::string& field) {
    if (value.IsScalar()) return value.Scalar();
    add(line, field, "expected a string, got " + describe(value));
    return std::nullopt;
  }

  std::optional<int> integer(const YAML::Node& value, int line, const std::string& field, int min, int max) {
    if (!value.IsScalar() || !(is_plain(value) || value.Tag() == "tag:yaml.org,2002:int")) {
      add(line, field, "expected a whole number, got " + describe(value));
      return std::nullopt;
    }
    auto number = parse_int(value.Scalar(), -(1LL << 62), 1LL << 62);
    if (!number) {
      add(line, field, "expected a whole number, got " + describe(value));
      return std::nullopt;
    }
    if (*number < min || *number > max) {
      add(line, field, value.Scalar() + " is outside " + std::to_string(min) + ".." + std::to_string(max));
      return std::nullopt;
    }
    return static_cast<int>(*number);
  }

  bool expect_list(const YAML::Node& value, int line, const std::string& field, std::size_t max_items) {
    if (!value.IsSequence()) {
      add(line, field, "expected a list, got " + describe(value) + (value.IsNull() ? " (write [] for none)" : ""));
      return false;
    }
    if (value.size() > max_items) {
      add(line, field, "has " + std::to_string(value.size()) + " entries; at most " + std::to_string(max_items));
      return false;
    }
    return true;
  }

  void parse_port(const YAML::Node& value, int line, const std::string& field) {
    if (auto port = integer(value, line, field, kMinPort, kMaxPort)) spec_.port = *port;
  }

  void parse_max_players(const YAML::Node& value, int line, const std::string& field) {
    if (auto players = integer(value, line, field, kMinMaxPlayers, kMaxMaxPlayers)) spec_.max_players = *players;
  }

  void parse_hostname(const YAML::Node& value, int line, const std::string& field) {
    auto hostname = text(value, line, field);
    if (!hostname) return;
    if (auto problem = check_hostname(*hostname)) return add(line, field, quoted_value(*hostname) + " " + *problem);
    spec_.hostname = std::move(*hostname);
  }

  void parse_map(const YAML::Node& value, int line, const std::string& field) {
    auto map = text(value, line, field);
    if (!map) return;
    if (!is_valid_map_name(*map)) {
      return add(line, field, quoted_value(*map) + " is not a map name: use 1-64 characters A-Z, a-z, 0-9 or '_'");
    }
    spec_.map = std::move(*map);
  }

  void parse_mode(const YAML::Node& value, int line, const std::string& field) {
    auto mode = text(value, line, field);
    if (!mode) return;
    if (!is_valid_game_mode(*mode)) {
      return add(line, field,
                 quoted_value(*mode) +
                     " is not a game mode: use coop, realism, versus, survival, scavenge, teamversus, "
                     "teamscavenge, mutationN or communityN (N 1..99)");
    }
    spec_.mode = std::move(*mode);
  }

  void parse_rcon_password(const YAML::Node& value, int line, const std::string& field) {
    auto password = text(value, line, field);
    if (!password) return;
    // The message never repeats the password: it may be a real one with a typo.
    if (auto problem = check_rcon_password(*password)) return add(line, field, *problem);
    spec_.rcon_password = std::move(*password);
  }

  void parse_overlays(const YAML::Node& value, int line, const std::string& field) {
    if (!expect_list(value, line, field, kMaxOverlays)) return;
    std::vector<std::pair<std::string, int>> refs;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string item_field = field + "[" + std::to_string(i) + "]";
      const int item_line = line_of(value[i], line);
      auto ref = text(value[i], item_line, item_field);
      if (!ref) continue;
      if (!is_valid_overlay_ref(*ref)) {
        add(item_line, item_field,
            quoted_value(*ref) +
                " is not an overlay: use an id or a path under overlays/ whose parts are 1-64 "
                "characters A-Z, a-z, 0-9, '_', '.' or '-' not starting with '.', '_' or '-'");
        continue;
      }
      bool clash = false;
      for (const auto& [earlier, earlier_line] : refs) {
        if (*ref == earlier) {
          add(item_line, item_field,
              quoted_value(*ref) + " is listed twice (first at line " + std::to_string(earlier_line) +
                  "); overlayfs refuses a layer twice");
        } else if (ref->starts_with(earlier + "/") || earlier.starts_with(*ref + "/")) {
          add(item_line, item_field,
              quoted_value(*ref) + " overlaps " + quoted_value(earlier) +
                  "; overlayfs refuses a layer inside another layer");
        } else {
          continue;
        }
        clash = true;
        break;
      }
      if (!clash) refs.emplace_back(std::move(*ref), item_line);
    }
    for (auto& [ref, ref_line] : refs) spec_.overlays.push_back(std::move(ref));
  }

  void parse_cvars(const YAML::Node& value, int line, const std::string& field) {
    if (!value.IsMap()) {
      add(line, field,
          "expected a mapping of cvar names to values, got " + describe(value) +
              (value.IsNull() ? " (write {} for none)" : ""));
      return;
    }
    if (value.size() > kMaxCvars) {
      add(line, field, "has " + std::to_string(value.size()) + " entries; at most " + std::to_string(kMaxCvars));
      return;
    }
    std::map<std::string, int> seen;  // lowercase: Source cvar names ignore case
    for (const auto& entry : value) {
      const int item_line = line_of(entry.first, line);
      if (!entry.first.IsScalar()) {
        add(item_line, field, "cvar names must be plain names, got " + describe(entry.first));
        continue;
      }
      const std::string name = entry.first.Scalar();
      const std::string item_field = field + "." + printable(name);
      if (!is_valid_cvar_name(name)) {
        add(item_line, item_field,
            quoted_value(name) +
                " is not a cvar name: use 1-64 characters A-Z, a-z, 0-9 or '_', "
                "not starting with a digit");
        continue;
      }
      if (auto [it, inserted] = seen.emplace(lowercase(name), item_line); !inserted) {
        add(item_line, item_field, "duplicate cvar (first at line " + std::to_string(it->second) + ")");
        continue;
      }
      if (auto owner = managed_by(name)) {
        add(item_line, item_field, name + " is managed by " + *owner + ", not by cvars");
        continue;
      }
      if (!entry.second.IsScalar()) {
        add(item_line, item_field,
            "expected a string, number or true/false, got " + describe(entry.second) +
                (entry.second.IsNull() ? " (write \"\" for an empty value)" : ""));
        continue;
      }
      std::string rendered = entry.second.Scalar();
      if (is_plain(entry.second)) rendered = console_boolean(rendered).value_or(rendered);
      if (auto problem = check_console_value(rendered, kMaxCvarValueBytes)) {
        add(item_line, item_field, "value " + quoted_value(rendered) + " " + *problem);
        continue;
      }
      spec_.cvars.emplace(name, std::move(rendered));
    }
  }

  void parse_args(const YAML::Node& value, int line, const std::string& field) {
    if (!expect_list(value, line, field, kMaxArgs)) return;
    std::vector<std::string> args;
    bool valid = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string item_field = field + "[" + std::to_string(i) + "]";
      const int item_line = line_of(value[i], line);
      auto arg = text(value[i], item_line, item_field);
      if (!arg) {
        valid = false;
        continue;
      }
      if (auto problem = check_arg(*arg, i == 0)) {
        add(item_line, item_field, quoted_value(*arg) + " " + *problem);
        valid = false;
        continue;
      }
      args.push_back(std::move(*arg));
    }
    if (valid) spec_.args = std::move(args);
  }

  void parse_server_cfg(const YAML::Node& value, int line, const std::string& field) {
    if (!expect_list(value, line, field, kMaxServerCfgLines)) return;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string item_field = field + "[" + std::to_string(i) + "]";
      const int item_line = line_of(value[i], line);
      auto text_line = text(value[i], item_line, item_field);
      if (!text_line) continue;
      if (auto problem = check_server_cfg_line(*text_line)) {
        add(item_line, item_field, "line " + quoted_value(*text_line) + " " + *problem);
        continue;
      }
      spec_.server_cfg.push_back(std::move(*text_line));
    }
  }

  Kind kind_;
  Spec spec_;
  std::vector<FieldError> errors_;
};

SpecResult parse(std::string_view yaml, std::string_view file_name, Kind kind) {
  SpecParser parser(kind);
  parser.parse(yaml);
  if (!parser.errors().empty()) return SpecResult(std::string(file_name), std::move(parser.errors()));
  return SpecResult(std::string(file_name), std::move(parser.spec()));
}

}  // namespace

std::string format_field_error(std::string_view file_name, const FieldError& error) {
  std::string out(file_name);
  if (error.line > 0) out += ":" + std::to_string(error.line);
  out += ": ";
  if (!error.field.empty()) out += error.field + ": ";
  out += error.message;
  return out;
}

std::string SpecResult::message() const {
  if (ok()) return {};
  std::vector<std::string> lines;
  for (const FieldError& error : errors()) lines.push_back(format_field_error(file_name_, error));
  return join(lines, "\n");
}

Result<Spec> SpecResult::to_result() const {
  if (ok()) return value();
  return error();
}

SpecResult parse_instance_spec(std::string_view yaml, std::string_view file_name) {
  return parse(yaml, file_name, Kind::kInstance);
}

SpecResult parse_blueprint_spec(std::string_view yaml, std::string_view file_name) {
  return parse(yaml, file_name, Kind::kBlueprint);
}

std::string format_spec_yaml(const Spec& spec) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (spec.port) out << YAML::Key << "port" << YAML::Value << *spec.port;
  if (spec.hostname) out << YAML::Key << "hostname" << YAML::Value << YAML::DoubleQuoted << *spec.hostname;
  out << YAML::Key << "map" << YAML::Value << YAML::DoubleQuoted << spec.map;
  out << YAML::Key << "mode" << YAML::Value << YAML::DoubleQuoted << spec.mode;
  out << YAML::Key << "max_players" << YAML::Value << spec.max_players;
  if (spec.rcon_password) {
    out << YAML::Key << "rcon_password" << YAML::Value << YAML::DoubleQuoted << *spec.rcon_password;
  }
  auto string_list = [&](std::string_view key, const std::vector<std::string>& items) {
    out << YAML::Key << std::string(key) << YAML::Value;
    if (items.empty()) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const std::string& item : items) out << YAML::DoubleQuoted << item;
    out << YAML::EndSeq;
  };
  string_list("overlays", spec.overlays);
  out << YAML::Key << "cvars" << YAML::Value;
  if (spec.cvars.empty()) out << YAML::Flow;
  out << YAML::BeginMap;
  for (const auto& [name, value] : spec.cvars) out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << value;
  out << YAML::EndMap;
  string_list("args", spec.args);
  string_list("server_cfg", spec.server_cfg);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

bool is_valid_overlay_ref(std::string_view ref) {
  if (ref.empty() || ref.size() > 255) return false;
  for (const std::string& part : split(ref, '/')) {
    if (!is_valid_overlay_id(part)) return false;
  }
  return true;
}

std::optional<std::string> check_rcon_password(std::string_view password) {
  if (password.size() < 8 || password.size() > 64) {
    return "must be 8..64 characters, got " + std::to_string(password.size());
  }
  for (char c : password) {
    if (c <= ' ' || c > '~' || c == '"' || c == '\'' || c == ';' || c == '\\') {
      return "must be printable ASCII without spaces, quotes, ';' or '\\'";
    }
  }
  return std::nullopt;
}

Result<std::string> generate_rcon_password() {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string password;
  while (password.size() < kRconPasswordLength) {
    std::array<unsigned char, 64> bytes{};
    ssize_t got = getrandom(bytes.data(), bytes.size(), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("getrandom", errno);
    }
    for (ssize_t i = 0; i < got && password.size() < kRconPasswordLength; ++i) {
      // Rejection sampling keeps every character equally likely: 248 = 4 * 62.
      if (bytes[i] < 248) password += kAlphabet[bytes[i] % kAlphabet.size()];
    }
  }
  return password;
}

}  // namespace left4me::model
