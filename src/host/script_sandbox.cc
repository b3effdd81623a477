#include "host/script_sandbox.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "base/strings.h"
#include "host/layer_links.h"
#include "host/safe_open.h"

namespace left4me::host {
namespace {

// The parts of /etc a script's tools need: dynamic linking, TLS roots, name service configuration and the
// alternatives links (awk, editors). Nothing else of /etc is visible.
constexpr std::string_view kEtcFiles[] = {"/etc/ld.so.cache",   "/etc/ld.so.conf", "/etc/ld.so.conf.d",
                                          "/etc/alternatives",  "/etc/ssl",        "/etc/ca-certificates",
                                          "/etc/nsswitch.conf", "/etc/localtime"};
constexpr std::string_view kPath = "PATH=/usr/bin:/usr/sbin:/bin:/sbin";

std::string property(std::string_view key, std::string_view value) {
  return "--property=" + std::string(key) + "=" + std::string(value);
}

}  // namespace

Result<std::string> parse_overlay_id(std::string_view text) {
  bool digits = !text.empty() && text.size() <= 18 && text.front() != '0';
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (!digits) return Error::invalid("overlay id '" + std::string(text) + "' is not a number from 1 (no leading zero)");
  return std::string(text);
}

Result<model::Layout> canonical_layout(const model::Layout& layout) {
  char* resolved = ::realpath(layout.root().c_str(), nullptr);
  if (resolved == nullptr) return Error::from_errno("resolve LEFT4ME_ROOT " + layout.root(), errno);
  std::string root(resolved);
  std::free(resolved);
  return model::Layout::create(root);
}

Result<UniqueFd> open_overlay(const model::Layout& layout, std::string_view overlay_id) {
  Result<UniqueFd> overlays = open_no_symlinks(AT_FDCWD, layout.overlays(), O_RDONLY | O_DIRECTORY, layout.overlays());
  if (!overlays) return overlays.error();
  return open_real_directory(overlays->get(), std::string(overlay_id), "overlays/" + std::string(overlay_id));
}

Result<UniqueFd> open_overlay_script(const model::Layout& layout, std::string_view overlay_id, uid_t owner) {
  const std::string path = layout.overlay_script(overlay_id);
  Result<UniqueFd> script = open_no_symlinks(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, path);
  if (!script) {
    if (script.error().code() == ErrorCode::kNotFound) return Error::not_found(path + ": no such script");
    return script.error();
  }
  struct stat st;
  if (::fstat(script->get(), &st) != 0) return Error::from_errno("stat " + path, errno);
  if (!S_ISREG(st.st_mode)) return Error::invalid(path + " must be a regular file");
  if (st.st_uid != owner) {
    return Error::invalid(path + " belongs to uid " + std::to_string(st.st_uid) + ", not to the service user (uid " +
                          std::to_string(owner) + ")");
  }
  if (st.st_size > kMaxScriptBytes) {
    return Error::invalid(path + " has " + std::to_string(st.st_size) + " bytes, more than " +
                          std::to_string(kMaxScriptBytes));
  }
  return script;
}

std::string script_unit_name(std::string_view overlay_id, pid_t pid) {
  return "left4me-script-" + std::string(overlay_id) + "-" + std::to_string(pid) + ".service";
}

std::vector<std::string> denied_networks(const std::vector<std::string>& own) {
  std::vector<std::string> denied = {"0.0.0.0/8",      "127.0.0.0/8",   "10.0.0.0/8",     "100.64.0.0/10",
                                     "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4",
                                     "240.0.0.0/4",    "::/128",        "::1/128",        "fc00::/7",
                                     "fe80::/10",      "ff00::/8",      "::ffff:0:0/96"};
  denied.insert(denied.end(), own.begin(), own.end());
  return denied;
}

std::vector<std::string> host_addresses() {
  std::vector<std::string> addresses;
  struct ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return addresses;
  for (struct ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (entry->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const struct sockaddr_in*>(entry->ifa_addr);
      if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) addresses.push_back(std::string(text) + "/32");
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(entry->ifa_addr);
      if (::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text)) addresses.push_back(std::string(text) + "/128");
    }
  }
  ::freeifaddrs(list);
  return addresses;
}

std::vector<std::string> systemd_run_command(std::string_view systemd_run, std::string_view unit,
                                             const SandboxPaths& paths, uid_t uid, gid_t gid,
                                             const ScriptLimits& limits, const std::vector<std::string>& denied) {
  std::vector<std::string> argv = {
      std::string(systemd_run),  "--wait", "--pipe", "--collect", "--unit=" + std::string(unit),
      "--slice=l4d2-build.slice"};
  auto add = [&](std::string_view key, std::string_view value) { argv.push_back(property(key, value)); };
  add("User", std::to_string(uid));
  add("Group", std::to_string(gid));
  for (std::string_view key :
       {"NoNewPrivileges", "RestrictSUIDSGID", "LockPersonality", "MemoryDenyWriteExecute", "ProtectHome", "PrivateTmp",
        "PrivateDevices", "PrivateIPC", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
        "ProtectControlGroups", "ProtectClock", "ProtectHostname", "RestrictRealtime", "RestrictNamespaces"}) {
    add(key, "yes");
  }
  add("CapabilityBoundingSet", "");
  add("AmbientCapabilities", "");
  add("ProtectSystem", "strict");
  add("ProtectProc", "invisible");
  add("UMask", "0022");
  add("OOMScoreAdjust", "500");
  add("SystemCallFilter", "@system-service");
  add("SystemCallArchitectures", "native");
  add("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX");
  // Deny only: an allow list would win over it (systemd.resource-control), so there is none.
  add("IPAddressDeny", join(denied, " "));
  // The data root (and with it the database, other overlays, the scripts) is covered by an empty tmpfs;
  // /var/lib also when the root lies elsewhere, and /etc but for what the tools need.
  add("TemporaryFileSystem", "/etc /var/lib");
  if (!paths.data_root.starts_with("/var/lib/")) add("TemporaryFileSystem", paths.data_root);
  for (std::string_view file : kEtcFiles) add("BindReadOnlyPaths", "-" + std::string(file));
  add("BindReadOnlyPaths", "-/etc/left4me/sandbox-resolv.conf:/etc/resolv.conf");
  add("BindReadOnlyPaths", paths.script + ":" + std::string(kSandboxScript));
  add("BindPaths", paths.overlay + ":" + std::string(kSandboxOverlayDir));
  add("WorkingDirectory", kSandboxOverlayDir);
  add("Environment", "HOME=/tmp " + std::string(kPath) + " OVERLAY=" + std::string(kSandboxOverlayDir));
  add("CPUQuota", std::to_string(limits.cpu_percent) + "%");
  add("MemoryMax", std::to_string(limits.memory_mb) + "M");
  add("MemorySwapMax", "0");
  add("TasksMax", std::to_string(limits.tasks));
  add("LimitFSIZE", std::to_string(limits.file_mb * 1024 * 1024));
  add("LimitCORE", "0");
  add("RuntimeMaxSec", std::to_string(limits.timeout_seconds));
  argv.insert(argv.end(), {"--", "/bin/bash", std::string(kSandboxScript)});
  return argv;
}

std::vector<std::string> bubblewrap_command(std::string_view prlimit, std::string_view bwrap, const SandboxPaths& paths,
                                            const ScriptLimits& limits) {
  const long long cpu_seconds = std::max<long long>(1, 1LL * limits.timeout_seconds * limits.cpu_percent / 100);
  std::vector<std::string> argv = {std::string(prlimit),
                                   "--as=" + std::to_string(limits.memory_mb * 1024 * 1024),
                                   "--cpu=" + std::to_string(cpu_seconds),
                                   "--nproc=" + std::to_string(limits.tasks),
                                   "--fsize=" + std::to_string(limits.file_mb * 1024 * 1024),
                                   "--core=0",
                                   "--",
                                   std::string(bwrap),
                                   "--unshare-all",
                                   "--die-with-parent",
                                   "--new-session",
                                   "--cap-drop",
                                   "ALL",
                                   "--clearenv",
                                   "--setenv",
                                   "HOME",
                                   "/tmp",
                                   "--setenv",
                                   "PATH",
                                   std::string(kPath.substr(5)),
                                   "--setenv",
                                   "OVERLAY",
                                   std::string(kSandboxOverlayDir),
                                   "--ro-bind",
                                   "/usr",
                                   "/usr"};
  // Merged-/usr hosts have /bin, /lib... as links into /usr; others have directories.
  for (std::string_view top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    const std::string path(top);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char target[256];
      ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
      if (n > 0) argv.insert(argv.end(), {"--symlink", std::string(target, static_cast<size_t>(n)), path});
    } else if (S_ISDIR(st.st_mode)) {
      argv.insert(argv.end(), {"--ro-bind", path, path});
    }
  }
  for (std::string_view file : kEtcFiles)
    argv.insert(argv.end(), {"--ro-bind-try", std::string(file), std::string(file)});
  argv.insert(argv.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/var/tmp"});
  argv.insert(argv.end(), {"--bind", paths.overlay, std::string(kSandboxOverlayDir), "--ro-bind", paths.script,
                           std::string(kSandboxScript), "--chdir", std::string(kSandboxOverlayDir)});
  argv.insert(argv.end(), {"--", "/bin/bash", std::string(kSandboxScript)});
  return argv;
}

Result<std::vector<std::string>> finish_overlay_tree(int overlay_fd) {
  std::vector<std::string> removed;
  Status walked = walk_tree(
      overlay_fd, [&](int parent, const char* name, const struct stat& st, const std::string& relative) -> Status {
        if (S_ISLNK(st.st_mode)) {
          char target[4096];
          ssize_t n = ::readlinkat(parent, name, target, sizeof target);
          if (n < 0) return Error::from_errno("readlink " + relative, errno);
          std::string_view text(target, static_cast<size_t>(n));
          // The mount helper's own rule (layer_links.h): what stays here, it mounts.
          if (static_cast<size_t>(n) < sizeof target && !symlink_leads_out(relative, text)) return ok_status();
          if (::unlinkat(parent, name, 0) != 0 && errno != ENOENT)
            return Error::from_errno("unlink " + relative, errno);
          removed.push_back("removed symlink " + relative + " -> " + std::string(text) +
                            ": it leads out of the overlay");
          return ok_status();
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return ok_status();
        mode_t wanted = (st.st_mode & 07777) | S_IRUSR | S_IROTH | S_IRGRP;
        if (S_ISDIR(st.st_mode)) wanted |= S_IXUSR | S_IXGRP | S_IXOTH;
        if (wanted == (st.st_mode & 07777)) return ok_status();
        // AT_SYMLINK_NOFOLLOW: an entry swapped for a symlink since the stat is refused, not followed.
        if (::fchmodat(parent, name, wanted, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT) {
          return Error::from_errno("chmod " + relative, errno);
        }
        return ok_status();
      });
  if (!walked) return walked.error();
  return removed;
}

}  // namespace left4me::host
