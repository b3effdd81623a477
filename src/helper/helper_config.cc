#include "helper/helper_config.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <cstdlib>

#include "base/env_file.h"
#include "base/unique_fd.h"

namespace left4me::helper {
namespace {

constexpr std::string_view kHostEnvOption = "--host-env";

std::optional<std::string> setting(const EnvValues& values, const char* key) {
  auto found = values.find(key);
  if (found == values.end() || found->second.empty()) return std::nullopt;
  return found->second;
}

}  // namespace

Status enter_host_mount_namespace() {
  struct stat own {
  }, init{};
  if (::stat("/proc/self/ns/mnt", &own) != 0) return Error::from_errno("stat /proc/self/ns/mnt", errno);
  if (::stat("/proc/1/ns/mnt", &init) != 0) {
    // Without CAP_SYS_PTRACE over PID 1 (some VMs' agents as PID 1) the namespace cannot be looked at, let
    // alone entered: there is no systemd sandbox around us then either, so this one is the host's.
    if (errno == EACCES || errno == EPERM) return ok_status();
    return Error::from_errno("stat /proc/1/ns/mnt", errno);
  }
  if (own.st_dev == init.st_dev && own.st_ino == init.st_ino) return ok_status();
  UniqueFd namespace_fd(::open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC));
  if (!namespace_fd.valid()) return Error::from_errno("open /proc/1/ns/mnt", errno);
  if (::setns(namespace_fd.get(), CLONE_NEWNS) != 0) return Error::from_errno("enter PID 1's mount namespace", errno);
  if (::chdir("/") != 0) return Error::from_errno("chdir /", errno);
  return ok_status();
}

bool caller_is_plain_root() {
  return ::getuid() == 0 && ::geteuid() == 0 && std::getenv("SUDO_UID") == nullptr &&
         std::getenv("SUDO_USER") == nullptr && std::getenv("SUDO_COMMAND") == nullptr;
}

Result<std::optional<std::string>> take_host_env_option(std::vector<std::string_view>& args) {
  if (args.empty() || args[0] != kHostEnvOption) return std::optional<std::string>();
  if (!caller_is_plain_root())
    return Error(ErrorCode::kPermissionDenied, "--host-env is accepted only from root, not through sudo");
  if (args.size() < 2 || args[1].empty() || args[1][0] != '/')
    return Error::invalid("--host-env needs an absolute path");
  std::optional<std::string> named{std::string(args[1])};
  args.erase(args.begin(), args.begin() + 2);
  return named;
}

Result<HelperConfig> load_helper_config(const std::optional<std::string>& named) {
  const std::string path = named.value_or(std::string(host::kHostEnvPath));
  Result<EnvValues> values = read_env_file(path, named ? EnvFile::kRequired : EnvFile::kOptional);
  if (!values) return values.error();
  Result<host::HostEnv> host = host::parse_host_env(*values, path);
  if (!host) return host.error();
  HelperConfig config{path, std::move(*host), {}, {}, {}, {}, {}};
  if (named) {
    config.systemctl = setting(*values, "LEFT4ME_SYSTEMCTL");
    config.journalctl = setting(*values, "LEFT4ME_JOURNALCTL");
    config.unit_dir = setting(*values, "LEFT4ME_SYSTEMD_UNIT_DIR");
    config.userdb_dir = setting(*values, "LEFT4ME_USERDB_DIR");
    config.lowerdir_api = setting(*values, "LEFT4ME_OVERLAY_LOWERDIR_API");
  }
  return config;
}

}  // namespace left4me::helper
