#include "base/utf8.h"

namespace left4me {
namespace {

// The sequence starting at text[start]: its length and whether it is well-formed. An ill-formed one's length
// is its maximal subpart (the longest prefix of a well-formed sequence, at least one byte).
struct Sequence {
  std::size_t length = 1;
  bool valid = false;
};

Sequence next_sequence(std::string_view text, std::size_t start) {
  unsigned char lead = static_cast<unsigned char>(text[start]);
  if (lead < 0x80) return {1, true};
  // Table 3-7: how many continuation bytes follow the lead, and the range of the first one (which excludes
  // overlong forms after E0 and F0, surrogates after ED, and code points above U+10FFFF after F4).
  std::size_t continuations = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuations = 1;
  } else if (lead == 0xE0) {
    continuations = 2;
    low = 0xA0;
  } else if (lead == 0xED) {
    continuations = 2;
    high = 0x9F;
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    continuations = 2;
  } else if (lead == 0xF0) {
    continuations = 3;
    low = 0x90;
  } else if (lead == 0xF4) {
    continuations = 3;
    high = 0x8F;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    continuations = 3;
  } else {
    return {1, false};  // 80..C1 and F5..FF never start a sequence
  }
  std::size_t length = 1;
  for (std::size_t i = 0; i < continuations; ++i, ++length) {
    if (start + length >= text.size()) return {length, false};  // truncated by the end of the text
    unsigned char next = static_cast<unsigned char>(text[start + length]);
    if (next < low || next > high) return {length, false};
    low = 0x80;
    high = 0xBF;
  }
  return {length, true};
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    Sequence sequence = next_sequence(text, i);
    if (!sequence.valid) return false;
    i += sequence.length;
  }
  return true;
}

std::string make_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    Sequence sequence = next_sequence(text, i);
    if (sequence.valid) {
      out.append(text.substr(i, sequence.length));
    } else {
      out.append(kReplacementCharacter);
    }
    i += sequence.length;
  }
  return out;
}

}  // namespace left4me
