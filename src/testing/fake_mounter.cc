#include "testing/fake_mounter.h"

#include <algorithm>

#include "base/file.h"
#include "host/game_builds.h"
#include "host/mount_plan.h"

namespace left4me::test {
namespace {

// Returns the armed failure once, or nothing.
std::optional<Error> take(std::optional<Error>& failure) {
  std::optional<Error> taken = std::move(failure);
  failure.reset();
  return taken;
}

}  // namespace

std::vector<std::string> FakeMounter::binds(const model::InstanceName& name) const {
  return {layout_.idmap(name, "installation"), layout_.idmap(name, host::kWritableBindName)};
}

bool FakeMounter::has_mount(const std::string& path) const {
  return std::find(mounts_.begin(), mounts_.end(), path) != mounts_.end();
}

void FakeMounter::remove_instance_mounts(const model::InstanceName& name) {
  for (const std::string& point : host::instance_mountpoints(layout_, name)) {
    std::erase(mounts_, point);
  }
  (void)remove_tree(layout_.merged(name) + "/srcds_run");  // merged is a plain directory again
  (void)remove_tree(layout_.mounted_build(name));
}

Status FakeMounter::mount(const model::InstanceName& name) {
  calls_.push_back("mount " + name.str());
  if (auto failure = take(mount_failure_)) return *failure;
  Result<bool> intact = is_mounted(name);
  if (*intact) return ok_status();
  remove_instance_mounts(name);  // a damaged instance is unmounted and mounted again
  for (const std::string& bind : binds(name)) mounts_.push_back(bind);
  mounts_.push_back(layout_.merged(name));
  // Like the real mount: the build the installation link names is recorded, none for a plain directory.
  std::optional<std::string> build = host::current_build_id(layout_);
  Status recorded =
      build ? write_file_atomic(layout_.mounted_build(name), *build + "\n") : remove_tree(layout_.mounted_build(name));
  if (!recorded) return recorded;
  Result<std::string> game = read_file(layout_.installation() + "/srcds_run");
  if (game.ok()) return write_file_atomic(layout_.merged(name) + "/srcds_run", *game, 0755);
  return ok_status();
}

Status FakeMounter::unmount(const model::InstanceName& name) {
  calls_.push_back("umount " + name.str());
  if (auto failure = take(unmount_failure_)) return *failure;
  remove_instance_mounts(name);
  return ok_status();
}

Result<bool> FakeMounter::is_mounted(const model::InstanceName& name) {
  std::vector<std::string> points = binds(name);
  points.push_back(layout_.merged(name));
  return std::all_of(points.begin(), points.end(), [this](const std::string& point) { return has_mount(point); });
}

Result<std::vector<std::string>> FakeMounter::mounts_below(const model::InstanceName& name) {
  std::string runtime = layout_.runtime_dir(name);
  std::vector<std::string> below;
  for (const std::string& point : mounts_) {
    if (point == runtime || point.starts_with(runtime + "/")) below.push_back(point);
  }
  return below;
}

void FakeMounter::make_half_mounted(const model::InstanceName& name) {
  remove_instance_mounts(name);
  for (const std::string& bind : binds(name)) mounts_.push_back(bind);
}

}  // namespace left4me::test
