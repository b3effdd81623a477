// UTF-8 validity for text that arrives from outside (a game server's A2S strings and RCON replies): JSON and
// terminals need valid UTF-8, and such text is made valid once, where it is decoded. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace left4me {

// U+FFFD REPLACEMENT CHARACTER, in UTF-8.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// True if text is well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no surrogates (U+D800..DFFF),
// nothing above U+10FFFF, no truncated sequence. NUL is valid.
bool is_valid_utf8(std::string_view text);

// text with every ill-formed sequence replaced by U+FFFD: one replacement per maximal subpart (the Unicode and
// WHATWG practice), so "\xE2\x82" becomes one U+FFFD and "\xC0\x80" two. Valid text comes back unchanged.
std::string make_valid_utf8(std::string_view text);

}  // namespace left4me
