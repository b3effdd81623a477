#include "model/spec_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace left4me::model {
namespace {

TEST(SpecRulesTest, Utf8ValidationRejectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("Café ☕ 𝄞"));
  for (const std::string& bad :
       std::vector<std::string>{"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << quoted_value(bad);
  }
}

TEST(SpecRulesTest, QuotedEscapesAndTruncates) {
  EXPECT_EQ(quoted_value("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
  EXPECT_EQ(quoted_value(std::string(70, 'x')), "\"" + std::string(64, 'x') + "\"...");
}

}  // namespace
}  // namespace left4me::model
