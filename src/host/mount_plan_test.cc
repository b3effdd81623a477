#include "host/mount_plan.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/test_support.h"

namespace left4me::host {
namespace {

model::Layout test_layout() { return *model::Layout::create("/srv/l4m"); }
model::InstanceName alpha() { return *model::InstanceName::create("alpha"); }

TEST(MountPlan, WithoutIdentityMountsTheRealDirectories) {
  std::vector<std::string> lowers = {"/srv/l4m/overlays/2", "/srv/l4m/installation"};
  Result<MountPlan> plan =
      make_mount_plan(test_layout(), alpha(), lowers, AllowedRoots::from_layout(test_layout()), std::nullopt);
  ASSERT_OK(plan);
  EXPECT_TRUE(plan->binds.empty());
  ASSERT_EQ(plan->lowers.size(), 2u);
  EXPECT_EQ(plan->lowers[0].mounted, "/srv/l4m/overlays/2");
  EXPECT_EQ(plan->lowers[0].root, LayerRoot::kOverlays);
  EXPECT_EQ(plan->lowers[0].relative, "2");
  EXPECT_EQ(plan->lowers[1].relative, "");
  EXPECT_EQ(plan->upper, "/srv/l4m/runtime/alpha/upper");
  EXPECT_EQ(plan->work, "/srv/l4m/runtime/alpha/work");
  EXPECT_EQ(plan->mountpoints(), (std::vector<std::string>{"/srv/l4m/runtime/alpha/merged"}));
}

TEST(MountPlan, WithIdentityBindsEachUsedRootOnceAndTheWritableLayer) {
  std::vector<std::string> lowers = {"/srv/l4m/workshop_cache/5", "/srv/l4m/overlays/2", "/srv/l4m/overlays/7/sub",
                                     "/srv/l4m/installation"};
  Identity identity{980, 980, 0x70000000, 0x70000000};
  Result<MountPlan> plan =
      make_mount_plan(test_layout(), alpha(), lowers, AllowedRoots::from_layout(test_layout()), identity);
  ASSERT_OK(plan);
  const std::string idmap = "/srv/l4m/runtime/alpha/idmap/";
  std::vector<IdmapBind> expected = {
      {"writable", "/srv/l4m/runtime/alpha", idmap + "writable", Access::kReadWrite},
      {"installation", "/srv/l4m/installation", idmap + "installation", Access::kReadOnly},
      {"overlays", "/srv/l4m/overlays", idmap + "overlays", Access::kReadOnly},
      {"workshop_cache", "/srv/l4m/workshop_cache", idmap + "workshop_cache", Access::kReadOnly},
  };
  EXPECT_EQ(plan->binds, expected);
  EXPECT_EQ(plan->lowers[0].mounted, idmap + "workshop_cache/5");
  EXPECT_EQ(plan->lowers[2].mounted, idmap + "overlays/7/sub");
  EXPECT_EQ(plan->lowers[3].mounted, idmap + "installation");
  EXPECT_EQ(plan->upper, idmap + "writable/upper");
  EXPECT_EQ(plan->work, idmap + "writable/work");
  EXPECT_EQ(plan->mountpoints().back(), "/srv/l4m/runtime/alpha/merged");
  EXPECT_EQ(plan->mountpoints().size(), 5u);
}

TEST(MountPlan, RefusesLayersOutsideTheRootsAndRepeats) {
  AllowedRoots roots = AllowedRoots::from_layout(test_layout());
  Result<MountPlan> outside = make_mount_plan(test_layout(), alpha(), {"/etc"}, roots, std::nullopt);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message(),
            "layer 1 '/etc' is outside the allowed roots (installation, overlays, workshop_cache, "
            "global_overlay_cache)");
  // A sibling sharing a prefix is not inside.
  EXPECT_FALSE(make_mount_plan(test_layout(), alpha(), {"/srv/l4m/overlays2/x"}, roots, std::nullopt).ok());
  EXPECT_FALSE(make_mount_plan(test_layout(), alpha(), {"/srv/l4m/runtime/beta/upper"}, roots, std::nullopt).ok());
  Result<MountPlan> repeat =
      make_mount_plan(test_layout(), alpha(), {"/srv/l4m/overlays/1", "/srv/l4m/overlays/1"}, roots, std::nullopt);
  ASSERT_FALSE(repeat.ok());
  EXPECT_EQ(repeat.error().message(), "layer 2 '/srv/l4m/overlays/1' repeats layer 1");
  EXPECT_FALSE(make_mount_plan(test_layout(), alpha(), {}, roots, std::nullopt).ok());
}

TEST(InstanceMountpoints, CoversEveryPossibleMountInnermostFirst) {
  std::vector<std::string> points = instance_mountpoints(test_layout(), alpha());
  const std::string idmap = "/srv/l4m/runtime/alpha/idmap/";
  EXPECT_EQ(points, (std::vector<std::string>{"/srv/l4m/runtime/alpha/merged", idmap + "global_overlay_cache",
                                              idmap + "workshop_cache", idmap + "overlays", idmap + "installation",
                                              idmap + "writable"}));
}

TEST(LegacyOverlayOptions, BuildsTheStringAndRefusesPastOnePage) {
  Result<std::string> options = legacy_overlay_options({"/a", "/b"}, "/u", "/w", 4096);
  ASSERT_OK(options);
  EXPECT_EQ(*options, "lowerdir=/a:/b,upperdir=/u,workdir=/w");
  std::vector<std::string> many(500, "/var/lib/left4me/overlays/123");
  Result<std::string> too_long = legacy_overlay_options(many, "/u", "/w", 4096);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().message(),
            "500 layers need a 15032-byte lowerdir= option, over the 4096-byte limit of mount(2) on kernels before "
            "6.8");
  EXPECT_FALSE(legacy_overlay_options({"/a,b"}, "/u", "/w", 4096).ok());
  EXPECT_FALSE(legacy_overlay_options({"/a:b"}, "/u", "/w", 4096).ok());
}

}  // namespace
}  // namespace left4me::host
