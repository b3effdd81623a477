// KeyValues: Valve's text format of .acf and .vdf files (steamapps/appmanifest_222860.acf, the output of
// steamcmd's app_info_print) and of an addon's missions/*.txt: `"key" "value"` pairs and `"key" { ... }`
// blocks. The text comes from files the service user, steamcmd or an uploaded addon writes, so it is read
// as hostile: no recursion, limits on size, depth, keys and token length, and every bad shape is a clear
// error naming the source and the line. #base and #include are plain keys, never followed. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::host {

inline constexpr std::size_t kMaxKeyValuesBytes = 4 << 20;
inline constexpr std::size_t kMaxKeyValuesDepth = 32;
inline constexpr std::size_t kMaxKeyValuesNodes = 100000;
inline constexpr std::size_t kMaxKeyValuesTokenBytes = 4096;

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

// The syntax both functions read: strings are quoted (with \" \\ \n \t escapes; a line break inside is
// kept) or bare words; `//` starts a comment; a platform condition such as [$X360] is skipped; a UTF-8
// byte order mark is skipped. Errors read "<source>:<line>: <what>" ("line <n>: <what>" when source is
// empty): a string never closed, a brace without its pair, a key without a value, nesting past
// kMaxKeyValuesDepth, more than kMaxKeyValuesNodes keys, a token over kMaxKeyValuesTokenBytes, text over
// kMaxKeyValuesBytes.

// Parses the first top-level entry of `text`, which must be a block (`"AppState" { ... }`); with kRefuse
// nothing may follow it.
Result<KeyValue> parse_key_values(std::string_view text, std::string_view source,
                                  Trailing trailing = Trailing::kRefuse);

// Parses every top-level entry of `text` (a mission file may have `#base` lines before its block).
Result<std::vector<KeyValue>> parse_key_values_entries(std::string_view text, std::string_view source);

}  // namespace left4me::host
