#include "base/utf8.h"

#include <gtest/gtest.h>

namespace left4me {
namespace {

const std::string kFffd(kReplacementCharacter);

std::string replacements(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += kFffd;
  return out;
}

TEST(Utf8Test, ValidTextIsUnchanged) {
  for (std::string_view text :
       {std::string_view(""), std::string_view("plain ascii"),
        std::string_view("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xAE"), std::string_view("nul\0inside", 10),
        std::string_view("\xEF\xBF\xBF"), std::string_view("\xF4\x8F\xBF\xBF"), std::string_view("\xED\x9F\xBF")}) {
    EXPECT_TRUE(is_valid_utf8(text)) << text;
    EXPECT_EQ(make_valid_utf8(text), text);
  }
}

TEST(Utf8Test, OverlongFormsAreReplaced) {
  // '/' as two, three and four bytes; NUL as two bytes (Java's "modified UTF-8").
  EXPECT_EQ(make_valid_utf8("\xC0\xAF"), replacements(2));
  EXPECT_EQ(make_valid_utf8("\xE0\x80\xAF"), replacements(3));
  EXPECT_EQ(make_valid_utf8("\xF0\x80\x80\xAF"), replacements(4));
  EXPECT_EQ(make_valid_utf8("a\xC0\x80z"), "a" + replacements(2) + "z");
  EXPECT_EQ(make_valid_utf8("\xC1\xBF"), replacements(2));
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
}

TEST(Utf8Test, SurrogatesAreReplaced) {
  EXPECT_EQ(make_valid_utf8("\xED\xA0\x80"), replacements(3));  // U+D800
  EXPECT_EQ(make_valid_utf8("\xED\xBF\xBF"), replacements(3));  // U+DFFF
  // A CESU-8 pair (U+1F3AE written as two surrogates).
  EXPECT_EQ(make_valid_utf8("\xED\xA0\xBC\xED\xBE\xAE"), replacements(6));
  EXPECT_FALSE(is_valid_utf8("x\xED\xA0\x80"));
}

TEST(Utf8Test, TruncatedSequencesBecomeOneReplacement) {
  EXPECT_EQ(make_valid_utf8("\xE2\x82"), kFffd);
  EXPECT_EQ(make_valid_utf8("\xE2\x82"
                            "A"),
            kFffd + "A");
  EXPECT_EQ(make_valid_utf8("\xF0\x9F\x8E"), kFffd);
  EXPECT_EQ(make_valid_utf8("ab\xC3"), "ab" + kFffd);
  EXPECT_EQ(make_valid_utf8("\xF0\x9F\xC3\xA9"), kFffd + "\xC3\xA9");  // a truncated one, then a whole one
  EXPECT_FALSE(is_valid_utf8("\xC3"));
}

TEST(Utf8Test, AboveU10FFFFIsReplaced) {
  EXPECT_EQ(make_valid_utf8("\xF4\x90\x80\x80"), replacements(4));  // U+110000
  EXPECT_EQ(make_valid_utf8("\xF5\x80\x80\x80"), replacements(4));
  EXPECT_EQ(make_valid_utf8("\xF8\x88\x80\x80\x80"), replacements(5));  // the old five-byte form
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
}

TEST(Utf8Test, StrayBytesAreReplacedOneEach) {
  EXPECT_EQ(make_valid_utf8("\x80"), kFffd);
  EXPECT_EQ(make_valid_utf8("a\xBF\xBF"
                            "b"),
            "a" + replacements(2) + "b");
  EXPECT_EQ(make_valid_utf8("\xFE\xFF"), replacements(2));
  // Latin-1 text, as some server names are written.
  EXPECT_EQ(make_valid_utf8("Caf\xE9 du Nord"), "Caf" + kFffd + " du Nord");
}

TEST(Utf8Test, ResultIsAlwaysValid) {
  std::string every_byte;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; j += 7) {
      every_byte += static_cast<char>(i);
      every_byte += static_cast<char>(j);
    }
  }
  EXPECT_FALSE(is_valid_utf8(every_byte));
  EXPECT_TRUE(is_valid_utf8(make_valid_utf8(every_byte)));
}

}  // namespace
}  // namespace left4me
