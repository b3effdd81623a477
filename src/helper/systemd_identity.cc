#include "helper/systemd_identity.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "base/env_file.h"
#include "base/file.h"
#include "base/strings.h"
#include "helper/systemd_tool.h"
#include "host/mount_plan.h"
#include "host/safe_open.h"

namespace left4me::helper {
namespace {

constexpr std::string_view kDropinName = "50-identity.conf";

std::optional<std::string> plain_root_override(const char* key) {
  if (!caller_is_plain_root()) return std::nullopt;
  const char* value = std::getenv(key);
  if (value == nullptr || value[0] != '/') return std::nullopt;
  return std::string(value);
}

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
std::vector<RecordFile> record_files(const IdentitySettings& settings, const model::InstanceName& name, uid_t uid) {
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

}  // namespace

Result<IdentitySettings> load_identity_settings() {
  std::string host_env = plain_root_override("LEFT4ME_HOST_ENV").value_or(std::string(kHostEnv));
  Result<EnvValues> configured = read_env_file(host_env, EnvFile::kOptional);
  if (!configured) return configured.error();
  auto value = [&](const std::string& key) -> std::optional<std::string> {
    auto it = configured->find(key);
    if (it == configured->end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  auto layout = model::Layout::create(value("LEFT4ME_ROOT").value_or(std::string(model::Layout::kDefaultRoot)));
  if (!layout.ok()) return layout.error().with_context(host_env);
  auto base = value("LEFT4ME_INSTANCE_UID_BASE");
  auto count = value("LEFT4ME_INSTANCE_UID_COUNT");
  auto range = host::IdentityRange::create(base ? std::optional<std::string_view>(*base) : std::nullopt,
                                           count ? std::optional<std::string_view>(*count) : std::nullopt);
  if (!range.ok()) return range.error().with_context(host_env);
  IdentitySettings settings{std::move(*layout), *range};
  if (auto dir = plain_root_override("LEFT4ME_SYSTEMD_UNIT_DIR")) settings.unit_dir = *dir;
  if (auto dir = plain_root_override("LEFT4ME_USERDB_DIR")) settings.userdb_dir = *dir;
  return settings;
}

Result<std::optional<uid_t>> instance_server_uid(const IdentitySettings& settings, const model::InstanceName& name) {
  const std::string& root = settings.layout.root();
  auto root_fd = host::open_no_symlinks(AT_FDCWD, root, O_RDONLY | O_DIRECTORY, root);
  if (!root_fd.ok()) return root_fd.error();
  struct stat st {};
  if (::fstat(root_fd->get(), &st) != 0) return Error::from_errno("stat " + root, errno);
  if (st.st_uid == 0) return std::optional<uid_t>();
  auto uid = host::ensure_instance_uid(settings.layout, name, settings.range, st.st_uid);
  if (!uid.ok()) return uid.error();
  return std::optional<uid_t>(*uid);
}

std::string identity_user_name(uid_t uid) { return fmt::format("left4me-{}", uid); }

std::string identity_dropin_text(const model::InstanceName& name, uid_t uid) {
  return fmt::format(
      "# Written by left4me-systemctl from instances/{0}/uid: the server of '{0}' runs as its own uid\n"
      "# (docs/design.md, \"uid scheme\"); the user is the userdb record {1}.user. Removed at disable.\n"
      "[Service]\nUser={2}\nGroup={2}\n",
      name.str(), identity_user_name(uid), uid);
}

std::string identity_dropin_path(const IdentitySettings& settings, const model::InstanceName& name) {
  return fmt::format("{}/{}.d/{}", settings.unit_dir, server_unit(name), kDropinName);
}

Status install_identity(const IdentitySettings& settings, const model::InstanceName& name, uid_t uid) {
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
  const std::string dropin = identity_dropin_path(settings, name);
  if (auto made = make_directories(dropin.substr(0, dropin.rfind('/')), 0755); !made.ok()) return made;
  return write_if_changed(dropin, identity_dropin_text(name, uid));
}

Status remove_identity(const IdentitySettings& settings, const model::InstanceName& name) {
  const std::string dropin = identity_dropin_path(settings, name);
  if (::unlink(dropin.c_str()) != 0 && errno != ENOENT) return Error::from_errno("unlink " + dropin, errno);
  const std::string dropin_dir = dropin.substr(0, dropin.rfind('/'));
  if (::rmdir(dropin_dir.c_str()) != 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST) {
    return Error::from_errno("rmdir " + dropin_dir, errno);
  }
  // The record lives in a directory the service user owns: remove only files that say exactly
  // what we wrote for this instance, so a forged record cannot delete another instance's user.
  auto uid = host::read_instance_uid(settings.layout, name);
  if (!uid.ok() || !*uid || !settings.range.contains(**uid)) return ok_status();
  for (const RecordFile& record : record_files(settings, name, **uid)) {
    if (current_content(record.path) != record.content) continue;
    if (::unlink(record.path.c_str()) != 0 && errno != ENOENT) return Error::from_errno("unlink " + record.path, errno);
  }
  return ok_status();
}

}  // namespace left4me::helper
