#include "model/spec_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace left4me::model {
namespace {

TEST(SpecRulesTest, QuotedEscapesAndTruncates) {
  EXPECT_EQ(quoted_value("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
  EXPECT_EQ(quoted_value(std::string(70, 'x')), "\"" + std::string(64, 'x') + "\"...");
}

}  // namespace
}  // namespace left4me::model
