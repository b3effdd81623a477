#include "remote/remote_command.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "base/utf8.h"
#include "model/instance_name.h"
#include "model/spec.h"

namespace left4me::remote {
namespace {

bool is_plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

bool is_control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

Error invalid_at(std::size_t position, const std::string& what) {
  return Error::invalid("command line, at byte " + std::to_string(position + 1) + ": " + what);
}

// Reads one quoted run starting after the opening quote at `open`; returns the index after the closing one.
Result<std::size_t> read_quoted(std::string_view line, std::size_t open, std::string& word) {
  std::size_t close = line.find('\'', open + 1);
  if (close == std::string_view::npos) return invalid_at(open, "a quote that is never closed");
  std::string_view text = line.substr(open + 1, close - open - 1);
  auto control = std::find_if(text.begin(), text.end(), is_control);
  if (control != text.end()) {
    return invalid_at(open + 1 + static_cast<std::size_t>(control - text.begin()), "a control character");
  }
  word.append(text);
  return close + 1;
}

enum class Value { kFlag, kNumber, kBuildId, kOverlayRef, kStandardInput };

struct OptionRule {
  std::string_view short_name;  // empty when there is none
  std::string_view long_name;
  Value value;
};

enum class Target { kNone, kInstance };
enum class Rest { kRefused, kConsoleCommand };

struct CommandRule {
  std::string_view name;
  Target target;
  std::initializer_list<OptionRule> options;
  Rest rest;
};

constexpr OptionRule kJson{"", "--json", Value::kFlag};
constexpr OptionRule kPlayers{"", "--players", Value::kFlag};
constexpr OptionRule kWait{"", "--wait", Value::kFlag};
constexpr OptionRule kTimeout{"", "--timeout", Value::kNumber};
constexpr OptionRule kKeepOnFailure{"", "--keep-on-failure", Value::kFlag};

// l4d2ctl's commands as docs/cli.md states them, less what only makes sense on the host itself (the
// internal __supervise, --help-config). A new command or flag of l4d2ctl's is added here to reach it
// remotely.
const std::array<CommandRule, 11> kCommands = {{
    {"install",
     Target::kNone,
     {kJson,
      {"", "--list", Value::kFlag},
      {"", "--check", Value::kFlag},
      {"", "--use", Value::kBuildId},
      {"", "--remove", Value::kBuildId}},
     Rest::kRefused},
    {"initialize", Target::kInstance, {{"-f", "--file", Value::kStandardInput}}, Rest::kRefused},
    {"start", Target::kInstance, {kWait, kTimeout, kKeepOnFailure}, Rest::kRefused},
    {"stop", Target::kInstance, {kTimeout}, Rest::kRefused},
    {"restart", Target::kInstance, {kWait, kTimeout, kKeepOnFailure}, Rest::kRefused},
    {"delete", Target::kInstance, {{"-y", "--yes", Value::kFlag}}, Rest::kRefused},
    {"status", Target::kInstance, {kJson, kPlayers}, Rest::kRefused},
    {"list", Target::kNone, {kJson, kPlayers}, Rest::kRefused},
    {"logs",
     Target::kInstance,
     {{"-n", "--lines", Value::kNumber}, {"-f", "--follow", Value::kFlag}, {"", "--no-follow", Value::kFlag}},
     Rest::kRefused},
    {"maps", Target::kNone, {kJson, {"", "--overlay", Value::kOverlayRef}}, Rest::kRefused},
    {"rcon", Target::kInstance, {}, Rest::kConsoleCommand},
}};

std::string command_names() {
  std::string names;
  for (const auto& rule : kCommands) names += std::string(names.empty() ? "" : ", ") + std::string(rule.name);
  return names;
}

const OptionRule* find_option(const CommandRule& rule, std::string_view word) {
  for (const auto& option : rule.options) {
    if (word == option.long_name || (!option.short_name.empty() && word == option.short_name)) return &option;
  }
  return nullptr;
}

Status check_value(const OptionRule& option, std::string_view option_word, std::string_view value) {
  std::string subject = "option " + std::string(option_word);
  if (option.value == Value::kStandardInput) {
    if (value != kSpecPlaceholder) return Error::invalid(subject + ": the spec comes on standard input: write '-'");
    return ok_status();
  }
  if (option.value == Value::kOverlayRef) {
    if (!model::is_valid_overlay_ref(value)) {
      return Error::invalid(subject + ": '" + make_valid_utf8(value) +
                            "' is not an overlay id or path under overlays/");
    }
    return ok_status();
  }
  std::size_t max_digits = option.value == Value::kBuildId ? 20 : 7;
  bool digits = !value.empty() && value.size() <= max_digits &&
                std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    return Error::invalid(subject + ": '" + make_valid_utf8(value) + "' is not " +
                          (option.value == Value::kBuildId ? "a build id" : "a whole number"));
  }
  return ok_status();
}

// Adds one option (and its value) at words[index] to the call; returns the index of the next word.
Result<std::size_t> take_option(const CommandRule& rule, const std::vector<std::string>& words, std::size_t index,
                                Call& call) {
  const std::string& word = words[index];
  if (word.find('=') != std::string::npos) {
    return Error::invalid("option '" + word + "': write the value as the next word");
  }
  const OptionRule* option = find_option(rule, word);
  if (option == nullptr) {
    return Error::invalid(std::string(rule.name) + " has no option '" + word + "' that may be used remotely");
  }
  call.args.push_back(word);
  if (option->value == Value::kFlag) return index + 1;
  if (index + 1 >= words.size()) return Error::invalid("option " + word + " needs a value");
  if (auto status = check_value(*option, word, words[index + 1]); !status.ok()) return status.error();
  if (option->value == Value::kStandardInput) call.spec = SpecInput::kStandardInput;
  call.args.push_back(words[index + 1]);
  return index + 2;
}

// The console command of `rcon <name> ...`: everything after the name, behind `--`.
Status take_console_command(const std::vector<std::string>& words, std::size_t index, Call& call) {
  if (index < words.size() && words[index] == "--") ++index;
  if (index >= words.size()) return Error::invalid("rcon needs a console command after the instance name");
  call.args.push_back("--");
  call.args.insert(call.args.end(), words.begin() + static_cast<std::ptrdiff_t>(index), words.end());
  return ok_status();
}

}  // namespace

Result<std::vector<std::string>> split_command(std::string_view line) {
  if (line.empty()) return Error::invalid("command line: empty (this key runs l4d2ctl commands only)");
  if (line.size() > kMaxCommandBytes) {
    return Error::invalid("command line: longer than " + std::to_string(kMaxCommandBytes) + " bytes");
  }
  if (!is_valid_utf8(line)) return Error::invalid("command line: not valid UTF-8");
  std::vector<std::string> words(1);
  bool started = false;  // the current word has begun (it may still be empty: '')
  auto end_word = [&](std::size_t at) -> Status {
    if (!started) return invalid_at(at, "words are separated by one space");
    if (words.back().empty()) return invalid_at(at, "an empty word");
    return ok_status();
  };
  for (std::size_t i = 0; i < line.size();) {
    char c = line[i];
    if (c == ' ') {
      if (auto status = end_word(i); !status.ok()) return status.error();
      words.emplace_back();
      started = false;
      ++i;
      continue;
    }
    started = true;
    if (c == '\'') {
      auto next = read_quoted(line, i, words.back());
      if (!next.ok()) return next.error();
      i = *next;
    } else if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
      words.back() += '\'';
      i += 2;
    } else if (is_plain(c)) {
      words.back() += c;
      ++i;
    } else {
      return invalid_at(
          i, is_control(c) ? std::string("a control character") : "'" + std::string(1, c) + "' outside single quotes");
    }
  }
  if (auto status = end_word(line.size() - 1); !status.ok()) return status.error();
  return words;
}

Result<std::string> quote_command(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& word : words) {
    if (word.empty()) return Error::invalid("an empty word cannot be carried");
    if (!is_valid_utf8(word) || std::any_of(word.begin(), word.end(), is_control)) {
      return Error::invalid("'" + make_valid_utf8(word) + "': control characters or invalid UTF-8 cannot be carried");
    }
    if (!line.empty()) line += ' ';
    if (std::all_of(word.begin(), word.end(), is_plain)) {
      line += word;
      continue;
    }
    line += '\'';
    for (char c : word) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

Result<Call> check_call(const std::vector<std::string>& words) {
  if (words.empty()) return Error::invalid("no command (this key runs l4d2ctl commands only)");
  auto rule = std::find_if(kCommands.begin(), kCommands.end(),
                           [&](const CommandRule& candidate) { return candidate.name == words[0]; });
  if (rule == kCommands.end()) {
    return Error::invalid("'" + words[0] + "' is not a command this key may run (commands: " + command_names() + ")");
  }
  Call call;
  call.args.push_back(words[0]);
  bool named = rule->target == Target::kNone;
  for (std::size_t i = 1; i < words.size();) {
    const std::string& word = words[i];
    if (!word.empty() && word[0] == '-') {
      auto next = take_option(*rule, words, i, call);
      if (!next.ok()) return next.error();
      i = *next;
      continue;
    }
    if (named) return Error::invalid(std::string(rule->name) + ": unexpected word '" + word + "'");
    if (auto name = model::InstanceName::create(word); !name.ok()) return name.error();
    call.args.push_back(word);
    named = true;
    ++i;
    if (rule->rest == Rest::kConsoleCommand) {
      if (auto status = take_console_command(words, i, call); !status.ok()) return status.error();
      return call;
    }
  }
  if (!named) return Error::invalid(std::string(rule->name) + " needs an instance name");
  if (rule->name == "initialize" && call.spec != SpecInput::kStandardInput) {
    return Error::invalid("initialize needs '-f -' (the spec comes on standard input)");
  }
  if (rule->name == "logs") {
    bool follow = std::find(call.args.begin(), call.args.end(), "--follow") != call.args.end() ||
                  std::find(call.args.begin(), call.args.end(), "-f") != call.args.end();
    bool no_follow = std::find(call.args.begin(), call.args.end(), "--no-follow") != call.args.end();
    if (follow && !no_follow) call.lifetime = Lifetime::kWhileRead;
  }
  return call;
}

}  // namespace left4me::remote
