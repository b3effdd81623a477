#include "host/key_values.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>

namespace left4me::host {
namespace {

bool same_key(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

enum class TokenKind { kString, kOpen, kClose, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int line = 1;
};

class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Error error(int line, std::string_view what) const {
    return Error::invalid(fmt::format("{}:{}: {}", source_, line, what));
  }

  // The next token; an error for an unterminated string or a control byte outside one.
  Result<Token> next() {
    skip_blanks_and_comments();
    Token token;
    token.line = line_;
    if (at_ >= text_.size()) return token;
    char c = text_[at_];
    if (c == '{' || c == '}') {
      ++at_;
      token.kind = c == '{' ? TokenKind::kOpen : TokenKind::kClose;
      return token;
    }
    token.kind = TokenKind::kString;
    if (c == '"') return quoted(token);
    while (at_ < text_.size()) {
      c = text_[at_];
      if (std::isspace(static_cast<unsigned char>(c)) || c == '{' || c == '}' || c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) return error(line_, "control character outside a string");
      token.text += c;
      ++at_;
    }
    return token;
  }

 private:
  void skip_blanks_and_comments() {
    while (at_ < text_.size()) {
      char c = text_[at_];
      if (c == '\n') ++line_;
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++at_;
      } else if (c == '/' && at_ + 1 < text_.size() && text_[at_ + 1] == '/') {
        while (at_ < text_.size() && text_[at_] != '\n') ++at_;
      } else {
        break;
      }
    }
  }

  Result<Token> quoted(Token& token) {
    ++at_;  // the opening quote
    while (at_ < text_.size()) {
      char c = text_[at_++];
      if (c == '"') return token;
      if (c == '\n') return error(token.line, "unterminated string (a newline before its closing '\"')");
      if (c == '\\' && at_ < text_.size()) {
        char escaped = text_[at_++];
        token.text += escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped;
        continue;
      }
      token.text += c;
    }
    return error(token.line, "unterminated string (the text ends before its closing '\"')");
  }

  std::string_view text_;
  std::string_view source_;
  size_t at_ = 0;
  int line_ = 1;
};

// The entries of a block until its '}' (or the end of the text for the top level, depth 0).
Status parse_entries(Reader& reader, KeyValue& block, int depth, int open_line) {
  while (true) {
    Result<Token> key = reader.next();
    if (!key) return key.error();
    if (key->kind == TokenKind::kEnd) {
      return reader.error(key->line,
                          fmt::format("the block '{}' opened on line {} is never closed", block.key, open_line));
    }
    if (key->kind == TokenKind::kClose) return ok_status();
    if (key->kind == TokenKind::kOpen) return reader.error(key->line, "'{' where a key was expected");
    Result<Token> value = reader.next();
    if (!value) return value.error();
    KeyValue entry;
    entry.key = std::move(key->text);
    if (value->kind == TokenKind::kString) {
      entry.value = std::move(value->text);
    } else if (value->kind == TokenKind::kOpen) {
      if (depth + 1 > kMaxKeyValuesDepth) {
        return reader.error(value->line, fmt::format("blocks nested deeper than {} levels", kMaxKeyValuesDepth));
      }
      entry.block = true;
      if (Status inner = parse_entries(reader, entry, depth + 1, value->line); !inner) return inner;
    } else {
      return reader.error(value->line, fmt::format("the key '{}' has no value", entry.key));
    }
    block.children.push_back(std::move(entry));
  }
}

}  // namespace

const KeyValue* KeyValue::find(std::string_view name) const {
  for (const KeyValue& child : children) {
    if (same_key(child.key, name)) return &child;
  }
  return nullptr;
}

const KeyValue* KeyValue::find_path(std::initializer_list<std::string_view> path) const {
  const KeyValue* at = this;
  for (std::string_view step : path) {
    if (!at->block) return nullptr;
    at = at->find(step);
    if (!at) return nullptr;
  }
  return at->block ? nullptr : at;
}

Result<KeyValue> parse_key_values(std::string_view text, std::string_view source, Trailing trailing) {
  if (text.size() > kMaxKeyValuesBytes) {
    return Error::invalid(fmt::format("{}: {} bytes, more than the {} a KeyValues file may have", source, text.size(),
                                      kMaxKeyValuesBytes));
  }
  Reader reader(text, source);
  Result<Token> key = reader.next();
  if (!key) return key.error();
  if (key->kind != TokenKind::kString) {
    return reader.error(key->line,
                        key->kind == TokenKind::kEnd ? "empty (no block)" : "a brace where a key was expected");
  }
  Result<Token> open = reader.next();
  if (!open) return open.error();
  if (open->kind != TokenKind::kOpen) {
    return reader.error(open->line, fmt::format("the top-level key '{}' is not followed by '{{'", key->text));
  }
  KeyValue root;
  root.key = std::move(key->text);
  root.block = true;
  if (Status entries = parse_entries(reader, root, 1, open->line); !entries) return entries.error();
  if (trailing == Trailing::kRefuse) {
    Result<Token> rest = reader.next();
    if (!rest) return rest.error();
    if (rest->kind != TokenKind::kEnd) {
      return reader.error(rest->line, fmt::format("text after the block '{}' ends", root.key));
    }
  }
  return root;
}

}  // namespace left4me::host
