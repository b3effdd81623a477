#include "host/key_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "base/strings.h"
#include "base/utf8.h"

namespace left4me::host {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_key(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }

// A key as an error message quotes it: valid UTF-8, no control characters, at most 64 bytes of it.
std::string quoted_key(std::string_view key) {
  std::string text = make_valid_utf8(key.substr(0, 64));
  for (char& c : text) {
    if (is_control(c)) c = ' ';
  }
  return "\"" + std::string(trim(text)) + "\"";
}

enum class TokenKind { kString, kOpen, kClose, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  std::size_t line = 1;
};

class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : text_(text), source_(source) {
    if (text_.starts_with("\xEF\xBB\xBF")) at_ = 3;  // a UTF-8 byte order mark
  }

  Error error(std::size_t line, std::string_view what) const {
    if (source_.empty()) return Error::invalid(fmt::format("line {}: {}", line, what));
    return Error::invalid(fmt::format("{}:{}: {}", source_, line, what));
  }

  // The next token, past blanks, comments and platform conditions.
  Result<Token> next() {
    while (true) {
      skip_blanks_and_comments();
      if (at_ >= text_.size() || text_[at_] != '[') break;
      std::size_t end = text_.find(']', at_);
      if (end == std::string_view::npos || end - at_ > kMaxKeyValuesTokenBytes) {
        return error(line_, "a '[' condition that is never closed");
      }
      line_ += static_cast<std::size_t>(std::count(text_.begin() + at_, text_.begin() + end, '\n'));
      at_ = end + 1;
    }
    Token token{.line = line_};
    if (at_ >= text_.size()) return token;
    char c = text_[at_];
    if (c == '{' || c == '}') {
      ++at_;
      token.kind = c == '{' ? TokenKind::kOpen : TokenKind::kClose;
      return token;
    }
    token.kind = TokenKind::kString;
    if (c == '"') return quoted(std::move(token));
    while (at_ < text_.size() && !is_blank(text_[at_]) &&
           std::string_view("{}\"[").find(text_[at_]) == std::string_view::npos) {
      if (is_control(text_[at_])) return error(line_, "a control character outside a string");
      token.text += text_[at_++];
      if (token.text.size() > kMaxKeyValuesTokenBytes) return too_long(token);
    }
    return token;
  }

 private:
  void skip_blanks_and_comments() {
    while (at_ < text_.size()) {
      char c = text_[at_];
      if (c == '\n') ++line_;
      if (is_blank(c)) {
        ++at_;
      } else if (text_.substr(at_, 2) == "//") {
        std::size_t end = text_.find('\n', at_);
        at_ = end == std::string_view::npos ? text_.size() : end;
      } else {
        return;
      }
    }
  }

  Result<Token> quoted(Token token) {
    ++at_;  // the opening quote
    while (at_ < text_.size() && text_[at_] != '"') {
      char c = text_[at_++];
      if (c == '\n') ++line_;  // a line break inside a string is kept
      if (c == '\\' && at_ < text_.size()) {
        char escaped = text_[at_];
        if (escaped == '"' || escaped == '\\' || escaped == 'n' || escaped == 't') {
          c = escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped;
          ++at_;
        }
      }
      token.text += c;
      if (token.text.size() > kMaxKeyValuesTokenBytes) return too_long(token);
    }
    if (at_ >= text_.size()) return error(token.line, "a string that is never closed");
    ++at_;  // the closing quote
    return token;
  }

  Error too_long(const Token& token) const {
    return error(token.line, fmt::format("a token longer than {} bytes", kMaxKeyValuesTokenBytes));
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t at_ = 0;
  std::size_t line_ = 1;
};

enum class Extent { kFirstEntry, kWhole };

struct OpenBlock {
  KeyValue* block;
  std::size_t line;  // where its '{' is
};

// The top-level entries, read with an explicit stack (a hostile text cannot exhaust the call stack). With
// kFirstEntry it stops once the first top-level entry is complete, which must be a block.
Result<std::vector<KeyValue>> parse(Reader& reader, Extent extent) {
  KeyValue root{.block = true};
  std::vector<OpenBlock> open = {{&root, 0}};
  std::size_t nodes = 0;
  std::optional<Token> key;
  while (true) {
    if (extent == Extent::kFirstEntry && open.size() == 1 && !root.children.empty()) return std::move(root.children);
    auto token = reader.next();
    if (!token.ok()) return token.error();
    std::size_t line = token->line;
    if (token->kind == TokenKind::kEnd || token->kind == TokenKind::kClose) {
      if (key) return reader.error(line, "the key " + quoted_key(key->text) + " has no value");
      if (token->kind == TokenKind::kClose) {
        if (open.size() == 1) return reader.error(line, "a '}' without its '{'");
        open.pop_back();
        continue;
      }
      if (open.size() > 1) {
        return reader.error(line, fmt::format("the block {} opened on line {} is never closed",
                                              quoted_key(open.back().block->key), open.back().line));
      }
      if (extent == Extent::kFirstEntry) return reader.error(line, "empty (no block)");
      return std::move(root.children);
    }
    if (!key) {
      if (token->kind == TokenKind::kOpen) return reader.error(line, "a '{' without a key");
      key = std::move(*token);
      continue;
    }
    if (++nodes > kMaxKeyValuesNodes) return reader.error(line, fmt::format("more than {} keys", kMaxKeyValuesNodes));
    if (token->kind == TokenKind::kString && extent == Extent::kFirstEntry && open.size() == 1) {
      return reader.error(line, "the top-level key " + quoted_key(key->text) + " is not followed by '{'");
    }
    KeyValue& entry = open.back().block->children.emplace_back(KeyValue{.key = std::move(key->text)});
    key.reset();
    if (token->kind == TokenKind::kString) {
      entry.value = std::move(token->text);
      continue;
    }
    if (open.size() > kMaxKeyValuesDepth) {
      return reader.error(line, fmt::format("blocks nested deeper than {} levels", kMaxKeyValuesDepth));
    }
    entry.block = true;
    open.push_back({&entry, line});
  }
}

Status check_size(std::string_view text, std::string_view source) {
  if (text.size() <= kMaxKeyValuesBytes) return ok_status();
  return Error::invalid(fmt::format("{}: {} bytes, more than the {} a KeyValues file may have",
                                    source.empty() ? "the text" : source, text.size(), kMaxKeyValuesBytes));
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
  if (auto size = check_size(text, source); !size.ok()) return size.error();
  Reader reader(text, source);
  auto entries = parse(reader, Extent::kFirstEntry);
  if (!entries.ok()) return entries.error();
  KeyValue& root = entries->front();
  if (trailing == Trailing::kRefuse) {
    Result<Token> rest = reader.next();
    if (!rest.ok()) return rest.error();
    if (rest->kind != TokenKind::kEnd) {
      return reader.error(rest->line, "text after the block " + quoted_key(root.key) + " ends");
    }
  }
  return std::move(root);
}

Result<std::vector<KeyValue>> parse_key_values_entries(std::string_view text, std::string_view source) {
  if (auto size = check_size(text, source); !size.ok()) return size.error();
  Reader reader(text, source);
  return parse(reader, Extent::kWhole);
}

}  // namespace left4me::host
