#include "helper/instance_unit.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "base/file.h"
#include "base/strings.h"
#include "helper/systemd_tool.h"
#include "host/instance_env_file.h"
#include "host/instance_identity.h"

namespace left4me::helper {
namespace {

std::string user_record(const model::InstanceName& name, uid_t uid) {
  return fmt::format(
      "{{\"userName\":\"{}\",\"uid\":{},\"gid\":{},\"realName\":\"left4me instance {}\","
      "\"homeDirectory\":\"/nonexistent\",\"shell\":\"/usr/sbin/nologin\",\"disposition\":\"system\","
      "\"locked\":true}}\n",
      identity_user_name(uid), uid, uid, name.str());
}

std::string group_record(const model::InstanceName& name, uid_t uid) {
  return fmt::format(
      "{{\"groupName\":\"{}\",\"gid\":{},\"description\":\"left4me instance {}\",\"disposition\":"
      "\"system\"}}\n",
      identity_user_name(uid), uid, name.str());
}

// The record files: by name and by number, for users and groups (nss-systemd looks up either).
struct RecordFile {
  std::string path;
  std::string content;
};
std::vector<RecordFile> record_files(const UnitSettings& settings, const model::InstanceName& name, uid_t uid) {
  const std::string user = user_record(name, uid);
  const std::string group = group_record(name, uid);
  const std::string base = settings.userdb_dir + "/";
  return {{base + identity_user_name(uid) + ".user", user},
          {base + std::to_string(uid) + ".user", user},
          {base + identity_user_name(uid) + ".group", group},
          {base + std::to_string(uid) + ".group", group}};
}

// Current content of a root-owned file; nullopt if missing (or not a regular file).
std::optional<std::string> current_content(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  auto content = read_file(path);
  if (!content.ok()) return std::nullopt;
  return std::move(*content);
}

Status write_if_changed(const std::string& path, const std::string& content) {
  if (current_content(path) == content) return ok_status();
  return write_file_atomic(path, content, 0644);
}

// Refuses when NSS already knows `uid` or the name as someone other than this instance's records.
Status check_not_taken(uid_t uid) {
  const std::string expected = identity_user_name(uid);
  if (const passwd* user = ::getpwuid(uid); user != nullptr && expected != user->pw_name) {
    return Error::invalid(
        fmt::format("instance uid {} already belongs to user '{}'; choose another "
                    "LEFT4ME_INSTANCE_UID_BASE in host.env",
                    uid, user->pw_name));
  }
  if (const group* found = ::getgrgid(uid); found != nullptr && expected != found->gr_name) {
    return Error::invalid(
        fmt::format("instance gid {} already belongs to group '{}'; choose another "
                    "LEFT4ME_INSTANCE_UID_BASE in host.env",
                    uid, found->gr_name));
  }
  if (const passwd* user = ::getpwnam(expected.c_str()); user != nullptr && user->pw_uid != uid) {
    return Error::invalid(fmt::format("user '{}' exists with uid {}, not {}", expected, user->pw_uid, uid));
  }
  return ok_status();
}

// systemd expands specifiers ('%i' ...) in Environment= values; a literal '%' is written "%%".
std::string unit_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

Status remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Error::from_errno("unlink " + path, errno);
  return ok_status();
}

std::string dropin_dir(const UnitSettings& settings, const model::InstanceName& name) {
  return fmt::format("{}/{}.d", settings.unit_dir, server_unit(name));
}

}  // namespace

UnitSettings UnitSettings::from(const HelperConfig& config) {
  UnitSettings settings{config.host};
  if (config.unit_dir) settings.unit_dir = *config.unit_dir;
  if (config.userdb_dir) settings.userdb_dir = *config.userdb_dir;
  return settings;
}

Result<InstanceUnit> read_instance_unit(const UnitSettings& settings, const model::InstanceName& name) {
  const model::Layout& layout = settings.host.layout;
  Result<model::InstanceEnv> env = host::read_instance_env(layout, name);
  if (!env) return env.error();
  const host::PortRange& ports = settings.host.ports;
  if (!ports.contains(env->port)) {
    return Error::invalid(fmt::format("{}: L4D2_PORT {} is outside the port range {}..{} of host.env",
                                      layout.instance_env(name), env->port, ports.start, ports.end));
  }
  Result<std::optional<uid_t>> uid = host::instance_server_uid(layout, name, settings.host.uid_range);
  if (!uid) return uid.error();
  return InstanceUnit{std::move(*env), *uid, layout.steam_home()};
}

std::string identity_user_name(uid_t uid) { return fmt::format("left4me-{}", uid); }

std::string instance_dropin_text(const model::InstanceName& name, const InstanceUnit& unit) {
  std::string text = fmt::format(
      "# Written by left4me-systemctl at every start of '{0}' from instances/{0}/instance.env (read by the strict\n"
      "# parser, its port checked against host.env) and instances/{0}/uid; removed at disable. The unit reads no\n"
      "# file of the service user's: these checked values are all it takes from the instance.\n"
      "[Service]\n",
      name.str());
  if (unit.uid) text += fmt::format("User={0}\nGroup={0}\n", *unit.uid);
  // srcds loads ~/.steam/sdk32/steamclient.so; the instance user's record says /nonexistent.
  text += fmt::format("Environment=HOME={}\n", unit_escape(unit.home));
  text += fmt::format("Environment=L4D2_PORT={}\n", unit.env.port);
  text += fmt::format("Environment=\"L4D2_ARGS={}\"\n", unit_escape(join(unit.env.args, " ")));
  // The game port carries the game, A2S and RCON (TCP); SocketBindDeny=any (10-hardening.conf) refuses
  // every other port, so one server cannot take another's.
  text += fmt::format("SocketBindAllow=udp:{0}\nSocketBindAllow=tcp:{0}\n", unit.env.port);
  return text;
}

std::string instance_dropin_path(const UnitSettings& settings, const model::InstanceName& name) {
  return fmt::format("{}/{}", dropin_dir(settings, name), kInstanceDropinName);
}

Status install_instance_unit(const UnitSettings& settings, const model::InstanceName& name, const InstanceUnit& unit) {
  if (unit.uid) {
    const uid_t uid = *unit.uid;
    if (auto free = check_not_taken(uid); !free.ok()) return free;
    if (auto made = make_directories(settings.userdb_dir, 0755); !made.ok()) return made;
    for (const RecordFile& record : record_files(settings, name, uid)) {
      if (auto written = write_if_changed(record.path, record.content); !written.ok()) return written;
    }
    if (settings.userdb_dir == kUserdbDir) {
      const passwd* user = ::getpwuid(uid);
      if (user == nullptr || identity_user_name(uid) != user->pw_name) {
        return Error::unavailable(
            fmt::format("instance uid {} does not resolve after writing {}/{}.user: systemd needs nss-systemd (package "
                        "libnss-systemd, 'systemd' on the passwd: and group: lines of /etc/nsswitch.conf)",
                        uid, settings.userdb_dir, identity_user_name(uid)));
      }
    }
  }
  if (auto made = make_directories(dropin_dir(settings, name), 0755); !made.ok()) return made;
  if (auto legacy = remove_file(dropin_dir(settings, name) + "/" + std::string(kLegacyIdentityDropinName));
      !legacy.ok()) {
    return legacy;
  }
  return write_if_changed(instance_dropin_path(settings, name), instance_dropin_text(name, unit));
}

Status remove_instance_unit(const UnitSettings& settings, const model::InstanceName& name) {
  for (std::string_view file : {kInstanceDropinName, kLegacyIdentityDropinName}) {
    if (auto removed = remove_file(dropin_dir(settings, name) + "/" + std::string(file)); !removed.ok()) return removed;
  }
  const std::string dir = dropin_dir(settings, name);
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST) {
    return Error::from_errno("rmdir " + dir, errno);
  }
  // The record lives in a directory the service user owns: remove only files that say exactly
  // what we wrote for this instance, so a forged record cannot delete another instance's user.
  const model::Layout& layout = settings.host.layout;
  auto uid = host::read_instance_uid(layout, name);
  if (!uid.ok() || !*uid || !settings.host.uid_range.contains(**uid)) return ok_status();
  for (const RecordFile& record : record_files(settings, name, **uid)) {
    if (current_content(record.path) != record.content) continue;
    if (auto removed = remove_file(record.path); !removed.ok()) return removed;
  }
  return ok_status();
}

}  // namespace left4me::helper
