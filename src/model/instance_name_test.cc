#include "model/instance_name.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/test_support.h"

namespace left4me::model {
namespace {

TEST(InstanceNameTest, AcceptsTheGrammar) {
  for (const std::string& name : std::vector<std::string>{"a", "0", "alpha-1", "a_b", std::string(64, 'x')}) {
    EXPECT_OK(InstanceName::create(name)) << name;
  }
}

TEST(InstanceNameTest, RejectsEverythingElse) {
  for (const std::string& name :
       std::vector<std::string>{"", "A", "../x", "a/b", "-rf", "_a", "a b", "a.b", std::string(65, 'x'), "a\nb"}) {
    auto result = InstanceName::create(name);
    ASSERT_FALSE(result.ok()) << name;
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().message().find("invalid instance name"), std::string::npos);
  }
}

}  // namespace
}  // namespace left4me::model
