// KeyValues: Valve's text format of .acf and .vdf files (steamapps/appmanifest_222860.acf, the output of
// steamcmd's app_info_print): `"key" "value"` pairs and `"key" { ... }` blocks. The text comes from files the
// service user (or steamcmd) writes, so it is parsed with limits and every bad shape is a clear error.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::host {

inline constexpr std::size_t kMaxKeyValuesBytes = 4 << 20;
inline constexpr int kMaxKeyValuesDepth = 32;

struct KeyValue {
  std::string key;
  std::string value;               // empty for a block
  std::vector<KeyValue> children;  // a block's entries, in order
  bool block = false;

  // The first entry named `key` (case-insensitive, as Steam reads them), or nullptr.
  const KeyValue* find(std::string_view name) const;
  // The value of the path of keys below this block, e.g. {"depots", "branches", "public", "buildid"};
  // nullptr if a step is missing or the last step is a block.
  const KeyValue* find_path(std::initializer_list<std::string_view> path) const;
};

// What may follow the first top-level entry.
enum class Trailing {
  kRefuse,  // a file: nothing but blanks and comments
  kIgnore,  // a block cut out of other output (app_info_print): the rest is not ours
};

// Parses the first top-level entry of `text`, which must be a block (`"AppState" { ... }`). Strings are
// quoted (with \" \\ \n \t escapes) or bare words; `//` starts a comment. Errors name `source` and the line:
// "appmanifest_222860.acf:4: unterminated string", an unclosed or unexpected brace, a key without a value,
// nesting past kMaxKeyValuesDepth, text over kMaxKeyValuesBytes, anything after the block (kRefuse).
Result<KeyValue> parse_key_values(std::string_view text, std::string_view source,
                                  Trailing trailing = Trailing::kRefuse);

}  // namespace left4me::host
