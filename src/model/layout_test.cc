#include "model/layout.h"

#include <gtest/gtest.h>

#include "model/instance_name.h"
#include "testing/test_support.h"

namespace left4me::model {
namespace {

TEST(LayoutTest, EveryPathLivesUnderTheRoot) {
  auto layout = Layout::create("/srv/l4d/");
  ASSERT_OK(layout);
  auto name = *InstanceName::create("alpha");
  EXPECT_EQ(layout->root(), "/srv/l4d");
  EXPECT_EQ(layout->instance_env(name), "/srv/l4d/instances/alpha/instance.env");
  EXPECT_EQ(layout->merged(name), "/srv/l4d/runtime/alpha/merged");
  EXPECT_EQ(layout->last_start_error(name), "/srv/l4d/runtime/alpha/last_start_error");
  EXPECT_EQ(layout->idmap(name, "installation"), "/srv/l4d/runtime/alpha/idmap/installation");
  EXPECT_EQ(layout->overlay("7"), "/srv/l4d/overlays/7");
  EXPECT_EQ(layout->installation_build("16034045"), "/srv/l4d/installations/16034045");
  EXPECT_EQ(layout->installation_staging(), "/srv/l4d/installations/.staging");
  EXPECT_EQ(layout->mounted_build(name), "/srv/l4d/runtime/alpha/build");
  EXPECT_EQ(layout->workshop_item("2306920249"), "/srv/l4d/workshop_cache/2306920249.vpk");
  EXPECT_EQ(layout->workshop_record("2306920249"), "/srv/l4d/workshop_cache/2306920249.json");
}

TEST(LayoutTest, RejectsRelativeAndRoot) {
  EXPECT_FALSE(Layout::create("relative").ok());
  EXPECT_FALSE(Layout::create("/").ok());
  EXPECT_FALSE(Layout::create("").ok());
}

}  // namespace
}  // namespace left4me::model
