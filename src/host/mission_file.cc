#include "host/mission_file.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "base/strings.h"
#include "base/utf8.h"
#include "model/spec_rules.h"

namespace left4me::host {
namespace {

constexpr std::size_t kMaxTokenBytes = 4096;

// One KeyValues node: a key with a string value, or a key with a block of children.
struct Node {
  std::string key;
  std::string value;
  bool block = false;
  std::vector<Node> children;
};

enum class TokenKind { kString, kOpen, kClose, kCondition, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  std::size_t line = 1;
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) position_ = 3;  // a UTF-8 byte order mark
  }

  Result<Token> next() {
    skip_blanks_and_comments();
    Token token{.line = line_};
    if (position_ >= text_.size()) return token;
    char c = text_[position_];
    if (c == '{' || c == '}') {
      ++position_;
      token.kind = c == '{' ? TokenKind::kOpen : TokenKind::kClose;
      return token;
    }
    if (c == '[') return bracketed(token);
    if (c == '"') return quoted(token);
    token.kind = TokenKind::kString;
    while (position_ < text_.size() && !is_blank(text_[position_]) &&
           std::string_view("{}\"[").find(text_[position_]) == std::string_view::npos) {
      token.text += text_[position_++];
      if (token.text.size() > kMaxTokenBytes) return too_long(token);
    }
    return token;
  }

 private:
  static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  void skip_blanks_and_comments() {
    while (position_ < text_.size()) {
      char c = text_[position_];
      if (c == '\n') ++line_;
      if (is_blank(c)) {
        ++position_;
      } else if (text_.substr(position_, 2) == "//") {
        std::size_t end = text_.find('\n', position_);
        position_ = end == std::string_view::npos ? text_.size() : end;
      } else {
        return;
      }
    }
  }

  // "text", with \" and \\ as escapes; a line break inside is allowed (and counted).
  Result<Token> quoted(Token token) {
    token.kind = TokenKind::kString;
    ++position_;
    while (position_ < text_.size() && text_[position_] != '"') {
      char c = text_[position_++];
      if (c == '\\' && position_ < text_.size() && (text_[position_] == '"' || text_[position_] == '\\')) {
        c = text_[position_++];
      }
      if (c == '\n') ++line_;
      token.text += c;
      if (token.text.size() > kMaxTokenBytes) return too_long(token);
    }
    if (position_ >= text_.size()) {
      return Error::invalid("line " + std::to_string(token.line) + ": a string that is never closed");
    }
    ++position_;
    return token;
  }

  // A platform condition such as [$X360]: kept as a token the parser skips.
  Result<Token> bracketed(Token token) {
    std::size_t end = text_.find(']', position_);
    if (end == std::string_view::npos || end - position_ > kMaxTokenBytes) {
      return Error::invalid("line " + std::to_string(token.line) + ": a '[' condition that is never closed");
    }
    token.kind = TokenKind::kCondition;
    position_ = end + 1;
    return token;
  }

  static Error too_long(const Token& token) {
    return Error::invalid("line " + std::to_string(token.line) + ": a token longer than " +
                          std::to_string(kMaxTokenBytes) + " bytes");
  }

  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
};

// Text for people: valid UTF-8, control characters as spaces, trimmed.
std::string clean(std::string_view text) {
  std::string valid = make_valid_utf8(text);
  for (char& c : valid) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return std::string(trim(valid));
}

// A key as an error message quotes it.
std::string quoted_key(std::string_view key) { return "\"" + clean(key.substr(0, 64)) + "\""; }

// The whole text as a list of top-level nodes; an explicit stack instead of recursion.
Result<std::vector<Node>> parse_key_values(std::string_view text) {
  Tokenizer tokenizer(text);
  Node root{.block = true};
  std::vector<Node*> open = {&root};
  std::size_t nodes = 0;
  std::optional<Token> key;
  while (true) {
    auto token = tokenizer.next();
    if (!token.ok()) return token.error();
    const std::string where = "line " + std::to_string(token->line) + ": ";
    if (token->kind == TokenKind::kCondition) continue;
    if (token->kind == TokenKind::kEnd) {
      if (key) return Error::invalid(where + "the key " + quoted_key(key->text) + " has no value");
      if (open.size() > 1) return Error::invalid(where + "a '{' is never closed");
      return std::move(root.children);
    }
    if (token->kind == TokenKind::kClose) {
      if (key) return Error::invalid(where + "the key " + quoted_key(key->text) + " has no value");
      if (open.size() == 1) return Error::invalid(where + "a '}' without its '{'");
      open.pop_back();
      continue;
    }
    if (!key) {
      if (token->kind == TokenKind::kOpen) return Error::invalid(where + "a '{' without a key");
      key = std::move(*token);
      continue;
    }
    if (++nodes > kMaxKeyValuesNodes) {
      return Error::invalid(where + "more than " + std::to_string(kMaxKeyValuesNodes) + " keys");
    }
    Node& node = open.back()->children.emplace_back(Node{.key = std::move(key->text)});
    key.reset();
    if (token->kind == TokenKind::kString) {
      node.value = std::move(token->text);
      continue;
    }
    if (open.size() > kMaxKeyValuesDepth) {
      return Error::invalid(where + "blocks nested deeper than " + std::to_string(kMaxKeyValuesDepth));
    }
    node.block = true;
    open.push_back(&node);
  }
}

// KeyValues keys ignore case.
const Node* child(const Node& node, std::string_view key) {
  for (const Node& entry : node.children) {
    if (model::lowercase(entry.key) == model::lowercase(key)) return &entry;
  }
  return nullptr;
}

std::string string_value(const Node& node, std::string_view key) {
  const Node* found = child(node, key);
  return found != nullptr && !found->block ? clean(found->value) : std::string();
}

MissionMode read_mode(const Node& mode) {
  std::vector<std::pair<long long, MissionMap>> numbered;
  for (const Node& chapter : mode.children) {
    std::optional<long long> number = parse_int(chapter.key, 0, 1000000);
    if (!chapter.block || !number) continue;
    numbered.emplace_back(*number, MissionMap{string_value(chapter, "Map"), string_value(chapter, "DisplayName")});
  }
  std::stable_sort(numbered.begin(), numbered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  MissionMode result{.mode = clean(mode.key)};
  for (auto& [number, map] : numbered) result.maps.push_back(std::move(map));
  return result;
}

}  // namespace

Result<Mission> parse_mission_file(std::string_view text) {
  if (text.size() > kMaxMissionFileBytes) {
    return Error::invalid("is larger than " + std::to_string(kMaxMissionFileBytes) + " bytes");
  }
  auto nodes = parse_key_values(text);
  if (!nodes.ok()) return nodes.error();
  const Node* mission = nullptr;
  for (const Node& node : *nodes) {
    if (node.block && model::lowercase(node.key) == "mission") mission = &node;
  }
  if (mission == nullptr) return Error::invalid("has no \"mission\" block");
  Mission result{.title = string_value(*mission, "DisplayTitle")};
  if (result.title.empty()) result.title = string_value(*mission, "Name");
  if (const Node* modes = child(*mission, "modes"); modes != nullptr && modes->block) {
    for (const Node& mode : modes->children) {
      if (mode.block) result.modes.push_back(read_mode(mode));
    }
  }
  return result;
}

}  // namespace left4me::host
