// JSON text from outside the process (request bodies, l4d2ctl's output, state files) parsed with a limit on
// nesting: nlohmann's copy, comparison and dump recurse, so a value nested 200,000 deep overflows the stack.
// Every parse in left4me goes through parse_json_limited (or, to check without building, is_object_naming).
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "base/result.h"

namespace left4me {

// Far deeper than anything left4me reads (a blueprint body is three levels), far shallower than a stack allows.
inline constexpr int kMaxJsonDepth = 64;

// Parses text as one JSON value in which arrays and objects nest at most max_depth (>= 1) levels: a top-level
// object is level 1. kInvalidArgument when deeper ("JSON nested deeper than 64 levels"): the parser refuses
// the first array or object past the limit as it opens, so nothing deeper is ever built. kInvalidArgument
// when not valid JSON ("not valid JSON at byte 17"). Messages name no subject; callers add it ("body: ...").
Result<nlohmann::json> parse_json_limited(std::string_view text, int max_depth = kMaxJsonDepth);

// Whether text is one JSON object (nothing after it; arrays and objects nested at most max_depth levels, as
// above) in which the top-level `key` is present and every occurrence of it is the string `value`, checked
// without building the document (nlohmann's SAX parser): for text that is passed on whole once it is known to be
// about `value` (l4d2ctl list's entries from the monitor's file).
bool is_object_naming(std::string_view text, std::string_view key, std::string_view value,
                      int max_depth = kMaxJsonDepth);

}  // namespace left4me
