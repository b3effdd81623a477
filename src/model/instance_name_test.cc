#include "model/instance_name.h"

#include <gtest/gtest.h>

#include <vector>

#include "model/layout.h"

namespace left4me::model {
namespace {

TEST(InstanceNameTest, AcceptsTheGrammar) {
  for (const std::string& name : std::vector<std::string>{"a", "0", "alpha-1", "a_b", std::string(64, 'x')}) {
    EXPECT_TRUE(InstanceName::create(name).ok()) << name;
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

TEST(LayoutTest, EveryPathLivesUnderTheRoot) {
  auto layout = Layout::create("/srv/l4d/");
  ASSERT_TRUE(layout.ok());
  auto name = *InstanceName::create("alpha");
  EXPECT_EQ(layout->root(), "/srv/l4d");
  EXPECT_EQ(layout->instance_env(name), "/srv/l4d/instances/alpha/instance.env");
  EXPECT_EQ(layout->merged(name), "/srv/l4d/runtime/alpha/merged");
  EXPECT_EQ(layout->idmap(name, "installation"), "/srv/l4d/runtime/alpha/idmap/installation");
  EXPECT_EQ(layout->overlay("7"), "/srv/l4d/overlays/7");
}

TEST(LayoutTest, RejectsRelativeAndRoot) {
  EXPECT_FALSE(Layout::create("relative").ok());
  EXPECT_FALSE(Layout::create("/").ok());
  EXPECT_FALSE(Layout::create("").ok());
}

}  // namespace
}  // namespace left4me::model
