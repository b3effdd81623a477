#include "host/instance_identity.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include "base/strings.h"
#include "host/safe_open.h"
#include "model/instance_name.h"

namespace left4me::host {

namespace {

constexpr long long kMaxUidExclusive = 1LL << 31;

// The last path component of a layout path (the record's file name).
std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// Reads a small file in dirfd without following symlinks; nullopt if it does not exist.
Result<std::optional<std::string>> read_small_at(int dirfd, const std::string& name, std::string_view display) {
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ELOOP) return Error::invalid(std::string(display) + ": is a symlink; refusing");
    return Error::from_errno("open " + std::string(display), errno);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat " + std::string(display), errno);
  if (!S_ISREG(st.st_mode)) return Error::invalid(std::string(display) + ": is not a regular file");
  char buffer[64];
  ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
  if (n < 0) return Error::from_errno("read " + std::string(display), errno);
  return std::optional<std::string>(std::string(buffer, static_cast<size_t>(n)));
}

Result<uid_t> parse_uid(std::string_view text, std::string_view display) {
  std::optional<long long> value = parse_int(trim(text), 1, kMaxUidExclusive - 1);
  if (!value) return Error::invalid(fmt::format("{}: '{}' is not a uid", display, trim(text)));
  return static_cast<uid_t>(*value);
}

}  // namespace

Result<IdentityRange> IdentityRange::create(std::optional<std::string_view> base,
                                            std::optional<std::string_view> count) {
  IdentityRange range;
  if (base && !trim(*base).empty()) {
    std::optional<long long> value = parse_int(trim(*base), 65536, kMaxUidExclusive - 1);
    if (!value) return Error::invalid(fmt::format("LEFT4ME_INSTANCE_UID_BASE: '{}' is not in 65536..2^31-1", *base));
    range.base = static_cast<uid_t>(*value);
  }
  if (count && !trim(*count).empty()) {
    std::optional<long long> value = parse_int(trim(*count), 1, kMaxUidExclusive);
    if (!value) return Error::invalid(fmt::format("LEFT4ME_INSTANCE_UID_COUNT: '{}' is not a positive count", *count));
    range.count = static_cast<std::uint32_t>(*value);
  }
  if (static_cast<long long>(range.base) + range.count > kMaxUidExclusive) {
    return Error::invalid(fmt::format("instance uid range {}+{} passes 2^31", range.base, range.count));
  }
  return range;
}

Result<std::optional<uid_t>> read_instance_uid(const model::Layout& layout, const model::InstanceName& name) {
  std::string path = layout.instance_uid(name);
  Result<UniqueFd> dir =
      open_no_symlinks(AT_FDCWD, layout.instance_dir(name), O_RDONLY | O_DIRECTORY, layout.instance_dir(name));
  if (!dir) return dir.error();
  Result<std::optional<std::string>> text = read_small_at(dir->get(), base_name(path), path);
  if (!text) return text.error();
  if (!*text) return std::optional<uid_t>();
  Result<uid_t> uid = parse_uid(**text, path);
  if (!uid) return uid.error();
  return std::optional<uid_t>(*uid);
}

namespace {

// The uids recorded in instances/*/uid: this instance's, and every other instance's.
struct RecordedUids {
  std::optional<uid_t> mine;
  std::map<uid_t, std::string> taken;  // uid -> another instance recording it
};

Result<RecordedUids> scan_recorded_uids(const model::Layout& layout, int instances_fd,
                                        const model::InstanceName& name) {
  const std::string record = base_name(layout.instance_uid(name));
  int copy = ::fcntl(instances_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Error::from_errno("dup", errno);
  DIR* dir = ::fdopendir(copy);
  if (!dir) {
    ::close(copy);
    return Error::from_errno("opendir " + layout.instances(), errno);
  }
  RecordedUids recorded;
  Status scan;
  while (struct dirent* entry = ::readdir(dir)) {
    if (!model::InstanceName::is_valid(entry->d_name)) continue;
    UniqueFd other(::openat(instances_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!other.valid()) continue;  // not a real directory: not an instance
    std::string display = layout.instances() + "/" + entry->d_name + "/" + record;
    Result<std::optional<std::string>> text = read_small_at(other.get(), record, display);
    if (!text) {
      scan = text.error();
      break;
    }
    if (!*text) continue;
    Result<uid_t> uid = parse_uid(**text, display);
    if (!uid) {
      scan = uid.error();
      break;
    }
    if (name.str() == entry->d_name) {
      recorded.mine = *uid;
    } else {
      recorded.taken.emplace(*uid, entry->d_name);
    }
  }
  ::closedir(dir);
  if (!scan) return scan.error();
  return recorded;
}

// The instance's own record, re-validated: in the range, not the service uid, no other instance's.
Result<uid_t> check_own_uid(const model::Layout& layout, const model::InstanceName& name, const RecordedUids& recorded,
                            const IdentityRange& range, uid_t service_uid) {
  std::string display = layout.instance_uid(name);
  uid_t mine = *recorded.mine;
  if (!range.contains(mine) || mine == service_uid) {
    return Error::invalid(fmt::format("{}: uid {} is outside the instance range {}..{}", display, mine, range.base,
                                      static_cast<long long>(range.base) + range.count - 1));
  }
  if (auto it = recorded.taken.find(mine); it != recorded.taken.end()) {
    return Error::invalid(fmt::format("{}: uid {} is also recorded for instance '{}'", display, mine, it->second));
  }
  return mine;
}

std::optional<uid_t> lowest_free_uid(const IdentityRange& range, uid_t service_uid, const RecordedUids& recorded) {
  for (std::uint32_t i = 0; i < range.count; ++i) {
    uid_t candidate = range.base + i;
    if (candidate != service_uid && !recorded.taken.contains(candidate)) return candidate;
  }
  return std::nullopt;
}

// Writes instances/<name>/uid atomically (uid.new, fsync, rename), opening everything without
// following symlinks.
Status write_uid_record(const model::Layout& layout, int instances_fd, const model::InstanceName& name, uid_t uid) {
  const std::string record = base_name(layout.instance_uid(name));
  const std::string display = layout.instance_uid(name);
  Result<UniqueFd> own = open_real_directory(instances_fd, name.str(), layout.instance_dir(name));
  if (!own) return own.error();
  const std::string temporary = record + ".new";
  if (::unlinkat(own->get(), temporary.c_str(), 0) != 0 && errno != ENOENT) {
    return Error::from_errno("unlink " + display + ".new", errno);
  }
  UniqueFd file(::openat(own->get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file.valid()) return Error::from_errno("create " + display + ".new", errno);
  std::string text = fmt::format("{}\n", uid);
  if (::write(file.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(file.get()) != 0) {
    return Error::from_errno("write " + display + ".new", errno);
  }
  if (::renameat(own->get(), temporary.c_str(), own->get(), record.c_str()) != 0) {
    return Error::from_errno("rename " + display, errno);
  }
  return ok_status();
}

}  // namespace

Result<uid_t> ensure_instance_uid(const model::Layout& layout, const model::InstanceName& name,
                                  const IdentityRange& range, uid_t service_uid) {
  Result<UniqueFd> instances =
      open_no_symlinks(AT_FDCWD, layout.instances(), O_RDONLY | O_DIRECTORY, layout.instances());
  if (!instances) return instances.error();
  // Two helpers starting two instances at once must not pick the same free uid.
  if (::flock(instances->get(), LOCK_EX) != 0) return Error::from_errno("flock " + layout.instances(), errno);
  Result<RecordedUids> recorded = scan_recorded_uids(layout, instances->get(), name);
  if (!recorded) return recorded.error();
  if (recorded->mine) return check_own_uid(layout, name, *recorded, range, service_uid);
  std::optional<uid_t> chosen = lowest_free_uid(range, service_uid, *recorded);
  if (!chosen) return Error::failed(fmt::format("no free instance uid left in {}+{}", range.base, range.count));
  if (Status written = write_uid_record(layout, instances->get(), name, *chosen); !written) return written.error();
  return *chosen;
}

Result<DataRootOwner> data_root_owner(const model::Layout& layout) {
  struct stat st {};
  if (::stat(layout.root().c_str(), &st) != 0) return Error::from_errno("stat " + layout.root(), errno);
  return DataRootOwner{st.st_uid, st.st_gid};
}

Result<std::optional<uid_t>> instance_server_uid(const model::Layout& layout, const model::InstanceName& name,
                                                 const IdentityRange& range) {
  Result<DataRootOwner> owner = data_root_owner(layout);
  if (!owner) return owner.error();
  if (owner->uid == 0) return std::optional<uid_t>();
  Result<uid_t> uid = ensure_instance_uid(layout, name, range, owner->uid);
  if (!uid) return uid.error();
  return std::optional<uid_t>(*uid);
}

}  // namespace left4me::host
