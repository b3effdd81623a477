// left4me-overlay: the privileged helper that mounts and unmounts one instance's overlay.
//
//   left4me-overlay mount|umount <name>
//
// Run as root: through `sudo -n` by the service user, or by systemd (ExecStartPre=+/ExecStopPost=+
// under `nsenter --mount=/proc/1/ns/mnt`). It trusts nothing it is given: the name is validated
// (model::InstanceName), LEFT4ME_ROOT and the instance uid range come from /etc/left4me/host.env,
// and every path is derived from the layout and opened without following symlinks.
//
// The caller's environment is honoured (LEFT4ME_HOST_ENV naming another host.env, LEFT4ME_ROOT,
// LEFT4ME_INSTANCE_UID_BASE/COUNT, LEFT4ME_OVERLAY_LOWERDIR_API) only when the real uid is 0 and
// the process was not started through sudo (no SUDO_UID): such a caller is root already and could
// mount anything itself, so this grants nothing. Through sudo the environment is ignored.
//
// Exit status: 0 success; 1 failure, with one line "left4me-overlay: <message>" on stderr;
// 2 usage error.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "base/env_file.h"
#include "base/file.h"
#include "base/strings.h"
#include "host/mount_plan.h"
#include "host/overlay_mount.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace {

using left4me::Error;
using left4me::Result;
using left4me::Status;

constexpr std::string_view kHostEnv = "/etc/left4me/host.env";

int fail(const std::string& message) {
  std::fprintf(stderr, "left4me-overlay: %s\n", message.c_str());
  return 1;
}

struct Settings {
  std::string root;
  std::optional<std::string> uid_base;
  std::optional<std::string> uid_count;
  std::optional<std::string> api;
};

Result<Settings> load_settings() {
  const bool trust_environment = ::getuid() == 0 && ::geteuid() == 0 && std::getenv("SUDO_UID") == nullptr;
  auto from_environment = [&](const char* key) -> std::optional<std::string> {
    if (!trust_environment) return std::nullopt;
    const char* value = std::getenv(key);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
  };
  std::string host_env = from_environment("LEFT4ME_HOST_ENV").value_or(std::string(kHostEnv));
  Result<left4me::EnvValues> configured = left4me::read_env_file(host_env, left4me::EnvFile::kOptional);
  if (!configured) return configured.error();
  auto value = [&](const char* key) -> std::optional<std::string> {
    if (std::optional<std::string> overridden = from_environment(key)) return overridden;
    auto it = configured->find(key);
    if (it == configured->end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  Settings settings;
  settings.root = value("LEFT4ME_ROOT").value_or(std::string(left4me::model::Layout::kDefaultRoot));
  settings.uid_base = value("LEFT4ME_INSTANCE_UID_BASE");
  settings.uid_count = value("LEFT4ME_INSTANCE_UID_COUNT");
  settings.api = from_environment("LEFT4ME_OVERLAY_LOWERDIR_API");
  return settings;
}

Result<left4me::host::LowerdirApi> parse_api(const std::optional<std::string>& text) {
  using left4me::host::LowerdirApi;
  if (!text || *text == "auto") return LowerdirApi::kAuto;
  if (*text == "fd") return LowerdirApi::kFd;
  if (*text == "append") return LowerdirApi::kAppend;
  if (*text == "legacy") return LowerdirApi::kLegacy;
  return Error::invalid("LEFT4ME_OVERLAY_LOWERDIR_API: '" + *text + "' is not auto, fd, append or legacy");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string_view(argv[1]) != "mount" && std::string_view(argv[1]) != "umount")) {
    std::fprintf(stderr, "usage: left4me-overlay mount|umount <name>\n");
    return 2;
  }
  const std::string_view verb = argv[1];
  Result<left4me::model::InstanceName> name = left4me::model::InstanceName::create(argv[2]);
  if (!name) return fail(name.error().message());
  Result<Settings> settings = load_settings();
  if (!settings) return fail(settings.error().message());
  Result<left4me::model::Layout> layout = left4me::model::Layout::create(settings->root);
  if (!layout) return fail(layout.error().message());

  Status status;
  if (verb == "mount") {
    Result<left4me::host::IdentityRange> range = left4me::host::IdentityRange::create(
        settings->uid_base ? std::optional<std::string_view>(*settings->uid_base) : std::nullopt,
        settings->uid_count ? std::optional<std::string_view>(*settings->uid_count) : std::nullopt);
    if (!range) return fail(range.error().message());
    Result<left4me::host::LowerdirApi> api = parse_api(settings->api);
    if (!api) return fail(api.error().message());
    left4me::host::OverlayConfig config;
    config.identity_range = *range;
    config.api = *api;
    status = left4me::host::mount_instance(*layout, *name, config);
  } else {
    status = left4me::host::unmount_instance(*layout, *name);
  }
  if (!status) return fail(std::string(verb) + " '" + name->str() + "': " + status.error().message());
  return 0;
}
