// left4me-overlay: the privileged helper that mounts and unmounts one instance's overlay.
//
//   left4me-overlay [--host-env FILE] mount|umount <name>
//
// Run as root: through `sudo -n` by the service user, or by systemd (ExecStartPre=+/ExecStopPost=+
// under `nsenter --mount=/proc/1/ns/mnt`). It trusts nothing it is given: the name is validated
// (model::InstanceName), LEFT4ME_ROOT and the instance uid range come from /etc/left4me/host.env, every
// path is derived from the layout and opened without following symlinks, and instance.env is read by
// the strict parser. Its environment is never read; only a plain-root caller (not through sudo) may
// name another host.env (helper_config.h). Every lower layer but the installation is walked, never
// following a link, and refused if it holds a symlink that could lead out of the game tree
// (host/layer_links.h; "layer 1 'overlays/7': symlink 'left4dead2/x' -> '/etc' leads out of the game
// tree (absolute)"), with nothing left mounted.
//
// Exit status: 0 success; 1 failure, with one line "left4me-overlay: <message>" on stderr;
// 2 usage error.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helper/helper_config.h"
#include "host/overlay_mount.h"
#include "model/instance_name.h"

namespace {

using left4me::Error;
using left4me::Result;
using left4me::Status;

int fail(const std::string& message) {
  std::fprintf(stderr, "left4me-overlay: %s\n", message.c_str());
  return 1;
}

int usage(const std::string& problem) {
  std::fprintf(stderr, "left4me-overlay: %s\nusage: left4me-overlay [--host-env FILE] mount|umount <name>\n",
               problem.c_str());
  return 2;
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
  std::vector<std::string_view> args(argv + 1, argv + argc);
  Result<std::optional<std::string>> host_env = left4me::helper::take_host_env_option(args);
  if (!host_env) return usage(host_env.error().message());
  if (args.size() != 2 || (args[0] != "mount" && args[0] != "umount")) return usage("expected mount|umount <name>");
  const std::string_view verb = args[0];
  Result<left4me::model::InstanceName> name = left4me::model::InstanceName::create(args[1]);
  if (!name) return fail(name.error().message());
  Result<left4me::helper::HelperConfig> config = left4me::helper::load_helper_config(*host_env);
  if (!config) return fail(config.error().message());
  const left4me::model::Layout& layout = config->host.layout;

  Status status;
  if (verb == "mount") {
    Result<left4me::host::LowerdirApi> api = parse_api(config->lowerdir_api);
    if (!api) return fail(api.error().message());
    left4me::host::OverlayConfig overlay;
    overlay.identity_range = config->host.uid_range;
    overlay.api = *api;
    status = left4me::host::mount_instance(layout, *name, overlay);
  } else {
    status = left4me::host::unmount_instance(layout, *name);
  }
  if (!status) return fail(std::string(verb) + " '" + name->str() + "': " + status.error().message());
  return 0;
}
