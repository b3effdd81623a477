#include "host/mounter.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "base/subprocess.h"
#include "host/mount_table.h"
#include "host/overlay_mount.h"

namespace left4me::host {

namespace {

Result<bool> mounted_from_table(const model::Layout& layout, const model::InstanceName& name,
                                RootResolved resolved = RootResolved::kNo) {
  Result<MountState> state = instance_mount_state(layout, name, resolved);
  if (!state) return state.error();
  return *state == MountState::kMounted;
}

Result<std::vector<std::string>> mounts_below_from_table(const model::Layout& layout, const model::InstanceName& name) {
  Result<MountTable> table = MountTable::read();
  if (!table) return table.error();
  std::vector<std::string> targets;
  for (const MountEntry& entry : table->under(layout.runtime_dir(name))) targets.push_back(entry.target);
  return targets;
}

class HelperMounter final : public Mounter {
 public:
  HelperMounter(model::Layout layout, std::string helper) : layout_(std::move(layout)), helper_(std::move(helper)) {}

  Status mount(const model::InstanceName& name) override { return run_helper("mount", name); }
  Status unmount(const model::InstanceName& name) override { return run_helper("umount", name); }
  Result<bool> is_mounted(const model::InstanceName& name) override { return mounted_from_table(layout_, name); }
  Result<bool> is_mounted_resolved(const model::Layout& resolved, const model::InstanceName& name) override {
    return mounted_from_table(resolved, name, RootResolved::kYes);
  }
  Result<std::vector<std::string>> mounts_below(const model::InstanceName& name) override {
    return mounts_below_from_table(layout_, name);
  }

 private:
  Status run_helper(const std::string& verb, const model::InstanceName& name) {
    std::vector<std::string> argv;
    if (::geteuid() != 0) argv = {"sudo", "-n"};
    argv.insert(argv.end(), {helper_, verb, name.str()});
    RunOptions options;
    options.timeout = std::chrono::seconds(120);
    Result<RunResult> result = run(argv, options);
    if (!result) return result.error().with_context(verb + " '" + name.str() + "'");
    if (result->status.success()) return ok_status();
    std::string message(trim(result->err));
    if (message.empty()) message = helper_ + " " + verb + ": " + result->status.describe();
    return Error::failed(verb + " '" + name.str() + "': " + message);
  }

  model::Layout layout_;
  std::string helper_;
};

class DirectMounter final : public Mounter {
 public:
  DirectMounter(model::Layout layout, const IdentityRange& uid_range)
      : layout_(std::move(layout)), uid_range_(uid_range) {}

  Status mount(const model::InstanceName& name) override {
    OverlayConfig config;
    config.identity_range = uid_range_;
    Status status = mount_instance(layout_, name, config);
    if (!status) return status.error().with_context("mount '" + name.str() + "'");
    return status;
  }
  Status unmount(const model::InstanceName& name) override {
    Status status = unmount_instance(layout_, name);
    if (!status) return status.error().with_context("umount '" + name.str() + "'");
    return status;
  }
  Result<bool> is_mounted(const model::InstanceName& name) override { return mounted_from_table(layout_, name); }
  Result<bool> is_mounted_resolved(const model::Layout& resolved, const model::InstanceName& name) override {
    return mounted_from_table(resolved, name, RootResolved::kYes);
  }
  Result<std::vector<std::string>> mounts_below(const model::InstanceName& name) override {
    return mounts_below_from_table(layout_, name);
  }

 private:
  model::Layout layout_;
  IdentityRange uid_range_;
};

}  // namespace

std::unique_ptr<Mounter> make_helper_mounter(const model::Layout& layout, const std::string& helper) {
  return std::make_unique<HelperMounter>(layout, helper);
}

std::unique_ptr<Mounter> make_direct_mounter(const model::Layout& layout, const IdentityRange& uid_range) {
  return std::make_unique<DirectMounter>(layout, uid_range);
}

}  // namespace left4me::host
