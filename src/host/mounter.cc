#include "host/mounter.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "base/subprocess.h"
#include "host/overlay_mount.h"

namespace left4me::host {

namespace {

constexpr std::string_view kDefaultHelper = "/usr/local/libexec/left4me/left4me-overlay";

std::optional<std::string_view> environment(const char* key) {
  const char* value = std::getenv(key);
  if (!value) return std::nullopt;
  return std::string_view(value);
}

Result<bool> mounted_from_table(const model::Layout& layout, const model::InstanceName& name) {
  Result<MountState> state = instance_mount_state(layout, name);
  if (!state) return state.error();
  return *state == MountState::kMounted;
}

class HelperMounter final : public Mounter {
 public:
  explicit HelperMounter(model::Layout layout) : layout_(std::move(layout)) {}

  Status mount(const model::InstanceName& name) override { return run_helper("mount", name); }
  Status unmount(const model::InstanceName& name) override { return run_helper("umount", name); }
  Result<bool> is_mounted(const model::InstanceName& name) override { return mounted_from_table(layout_, name); }

 private:
  Status run_helper(const std::string& verb, const model::InstanceName& name) {
    const char* configured = std::getenv("LEFT4ME_OVERLAY_HELPER");
    std::string helper = configured && *configured ? configured : std::string(kDefaultHelper);
    std::vector<std::string> argv;
    if (::geteuid() != 0) argv = {"sudo", "-n"};
    argv.insert(argv.end(), {helper, verb, name.str()});
    RunOptions options;
    options.timeout = std::chrono::seconds(120);
    Result<RunResult> result = run(argv, options);
    if (!result) return result.error().with_context(verb + " '" + name.str() + "'");
    if (result->status.success()) return ok_status();
    std::string message(trim(result->err));
    if (message.empty()) message = helper + " " + verb + ": " + result->status.describe();
    return Error::failed(verb + " '" + name.str() + "': " + message);
  }

  model::Layout layout_;
};

class DirectMounter final : public Mounter {
 public:
  explicit DirectMounter(model::Layout layout) : layout_(std::move(layout)) {}

  Status mount(const model::InstanceName& name) override {
    Result<IdentityRange> range =
        IdentityRange::create(environment("LEFT4ME_INSTANCE_UID_BASE"), environment("LEFT4ME_INSTANCE_UID_COUNT"));
    if (!range) return range.error();
    OverlayConfig config;
    config.identity_range = *range;
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

 private:
  model::Layout layout_;
};

}  // namespace

std::unique_ptr<Mounter> make_helper_mounter(const model::Layout& layout) {
  return std::make_unique<HelperMounter>(layout);
}

std::unique_ptr<Mounter> make_direct_mounter(const model::Layout& layout) {
  return std::make_unique<DirectMounter>(layout);
}

}  // namespace left4me::host
