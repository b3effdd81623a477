// FakeMounter: an in-process host::Mounter for unit tests. It keeps the mount table in memory (mount
// points under the real layout's runtime directories) and behaves as the real mounters do: mount makes
// an instance's binds and then its overlay on merged, repairing a half-made mount; unmount removes every
// mount point an instance can have (instance_mountpoints) and nothing else. While an instance is mounted,
// merged/ shows the installation's srcds_run, as the overlay would. Every mount and unmount is recorded;
// a test can leave an instance half-mounted, add a mount that is not the instance's, or make the next
// call fail. Not thread-safe, except that is_mounted may be called from several threads at once while
// nothing else is called (Instances::list does so).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "host/mounter.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::test {

class FakeMounter final : public host::Mounter {
 public:
  explicit FakeMounter(model::Layout layout) : layout_(std::move(layout)) {}

  Status mount(const model::InstanceName& name) override;
  Status unmount(const model::InstanceName& name) override;
  Result<bool> is_mounted(const model::InstanceName& name) override;
  Result<std::vector<std::string>> mounts_below(const model::InstanceName& name) override;

  // The binds without the overlay on merged, as a crash between two mounts leaves an instance.
  void make_half_mounted(const model::InstanceName& name);
  // A mount at `path` that is none of an instance's mount points (unmount leaves it).
  void add_foreign_mount(const std::string& path) { mounts_.push_back(path); }
  // The next mount, or unmount, fails with `error` and changes nothing.
  void fail_next_mount(Error error) { mount_failure_ = std::move(error); }
  void fail_next_unmount(Error error) { unmount_failure_ = std::move(error); }

  // "mount <name>" and "umount <name>", in call order.
  const std::vector<std::string>& calls() const { return calls_; }
  // Every mount point now mounted, in mount order.
  const std::vector<std::string>& mounts() const { return mounts_; }

 private:
  std::vector<std::string> binds(const model::InstanceName& name) const;
  bool has_mount(const std::string& path) const;
  void remove_instance_mounts(const model::InstanceName& name);

  model::Layout layout_;
  std::vector<std::string> mounts_;
  std::vector<std::string> calls_;
  std::optional<Error> mount_failure_;
  std::optional<Error> unmount_failure_;
};

}  // namespace left4me::test
