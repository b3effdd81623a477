#include "base/strings.h"

#include <gtest/gtest.h>

namespace left4me {
namespace {

TEST(StringsTest, SplitKeepsEmptyParts) {
  EXPECT_EQ(split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ':'), (std::vector<std::string>{""}));
}

TEST(StringsTest, Trim) {
  EXPECT_EQ(trim("  a b \t\n"), "a b");
  EXPECT_EQ(trim("   "), "");
}

TEST(StringsTest, ParseIntRejectsJunkAndRange) {
  EXPECT_EQ(parse_int("27015", 1, 65535), 27015);
  EXPECT_EQ(parse_int("70000", 1, 65535), std::nullopt);
  EXPECT_EQ(parse_int("12a", 0, 100), std::nullopt);
  EXPECT_EQ(parse_int("", 0, 100), std::nullopt);
  EXPECT_EQ(parse_int("-3", -5, 5), -3);
}

TEST(StringsTest, ShellQuote) {
  EXPECT_EQ(shell_quote("plain/path"), "plain/path");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(StringsTest, QuoteName) {
  EXPECT_EQ(quote_name("maps/c1m1.bsp"), "'maps/c1m1.bsp'");
  EXPECT_EQ(quote_name("a\nb\x7f"), "'a?b?'");
  EXPECT_EQ(quote_name(std::string(250, 'x')), "'" + std::string(200, 'x') + "...'");
  std::string invalid = quote_name("bad\xff");
  EXPECT_EQ(invalid.find('\xff'), std::string::npos) << invalid;
}

}  // namespace
}  // namespace left4me
