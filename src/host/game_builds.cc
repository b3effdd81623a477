#include "host/game_builds.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "host/key_values.h"
#include "host/safe_open.h"

namespace left4me::host {
namespace {

constexpr std::string_view kManifest = "steamapps/appmanifest_222860.acf";
constexpr std::string_view kSteamInf = "left4dead2/steam.inf";
constexpr std::string_view kLinkPrefix = "installations/";
constexpr int kMaxTreeDepth = 64;

std::string random_suffix() {
  std::random_device random;
  return std::to_string(random());
}

// Instance names that have a runtime directory.
std::vector<model::InstanceName> runtime_instances(const model::Layout& layout) {
  std::vector<model::InstanceName> names;
  DIR* dir = ::opendir(layout.runtimes().c_str());
  if (!dir) return names;
  while (struct dirent* entry = ::readdir(dir)) {
    if (auto name = model::InstanceName::create(entry->d_name); name.ok()) names.push_back(*name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.str() < b.str(); });
  return names;
}

bool numerically_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

bool is_valid_build_id(std::string_view id) {
  return !id.empty() && id.size() <= 20 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> build_id_from_manifest(std::string_view text, std::string_view source) {
  Result<KeyValue> root = parse_key_values(text, source);
  if (!root) return root.error();
  if (root->key != "AppState") {
    return Error::invalid(fmt::format("{}: the top-level block is '{}', expected 'AppState'", source, root->key));
  }
  const KeyValue* build = root->find_path({"buildid"});
  if (!build) return Error::invalid(fmt::format("{}: AppState has no buildid", source));
  if (!is_valid_build_id(build->value)) {
    return Error::invalid(fmt::format("{}: buildid '{}' is not 1 to 20 decimal digits", source, build->value));
  }
  return build->value;
}

Result<std::string> patch_version_from_steam_inf(std::string_view text, std::string_view source) {
  if (text.size() > 64 * 1024) return Error::invalid(fmt::format("{}: more than 64 KiB", source));
  for (std::string_view line : split(text, '\n')) {
    line = trim(line);
    size_t equals = line.find('=');
    if (equals == std::string_view::npos || trim(line.substr(0, equals)) != "PatchVersion") continue;
    std::string_view version = trim(line.substr(equals + 1));
    bool valid = !version.empty() && version.size() <= 32 &&
                 std::all_of(version.begin(), version.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (!valid)
      return Error::invalid(fmt::format("{}: PatchVersion '{}' is not a version like 2.2.4.3", source, version));
    return std::string(version);
  }
  return Error::invalid(fmt::format("{}: no PatchVersion line", source));
}

Result<DiskSpace> disk_space(const std::string& path) {
  struct statvfs info {};
  if (::statvfs(path.c_str(), &info) != 0) return Error::from_errno("statvfs " + path, errno);
  return DiskSpace{static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize,
                   static_cast<std::uint64_t>(info.f_blocks) * info.f_frsize};
}

Result<BuildInfo> read_build_info(const std::string& dir) {
  const std::string manifest_path = dir + "/" + std::string(kManifest);
  Result<std::string> manifest = read_file(manifest_path);
  if (!manifest) return manifest.error();
  Result<std::string> id = build_id_from_manifest(*manifest, manifest_path);
  if (!id) return id.error();
  return BuildInfo{*id, read_patch_version(dir)};
}

std::string read_patch_version(const std::string& dir) {
  const std::string path = dir + "/" + std::string(kSteamInf);
  Result<std::string> text = read_file(path);
  if (!text) return "";
  Result<std::string> version = patch_version_from_steam_inf(*text, path);
  return version ? *version : "";
}

std::optional<std::string> current_build_id(const model::Layout& layout) {
  char target[256];
  ssize_t n = ::readlink(layout.installation().c_str(), target, sizeof target - 1);
  if (n <= 0) return std::nullopt;
  std::string_view text(target, static_cast<size_t>(n));
  if (!text.starts_with(kLinkPrefix)) return std::nullopt;
  std::string_view id = text.substr(kLinkPrefix.size());
  if (!is_valid_build_id(id)) return std::nullopt;
  return std::string(id);
}

std::optional<std::string> mounted_build_id(const model::Layout& layout, const model::InstanceName& name) {
  Result<std::string> text = read_file(layout.mounted_build(name));
  if (!text) return std::nullopt;
  std::string id(trim(*text));
  if (!is_valid_build_id(id)) return std::nullopt;
  return id;
}

Result<std::vector<InstalledBuild>> installed_builds(const model::Layout& layout, const MountedCheck& is_mounted) {
  std::vector<InstalledBuild> builds;
  DIR* dir = ::opendir(layout.installations().c_str());
  if (!dir) {
    if (errno == ENOENT) return builds;
    return Error::from_errno("open " + layout.installations(), errno);
  }
  while (struct dirent* entry = ::readdir(dir)) {
    if (!is_valid_build_id(entry->d_name)) continue;  // .staging, .lock, anything not ours
    InstalledBuild build;
    build.id = entry->d_name;
    build.version = read_patch_version(layout.installation_build(build.id));
    builds.push_back(std::move(build));
  }
  ::closedir(dir);
  std::sort(builds.begin(), builds.end(), [](const auto& a, const auto& b) { return numerically_less(a.id, b.id); });
  std::optional<std::string> current = current_build_id(layout);
  for (InstalledBuild& build : builds) build.current = current && *current == build.id;
  for (const model::InstanceName& name : runtime_instances(layout)) {
    std::optional<std::string> mounted = mounted_build_id(layout, name);
    if (!mounted || !is_mounted(name)) continue;
    for (InstalledBuild& build : builds) {
      if (build.id == *mounted) build.used_by.push_back(name.str());
    }
  }
  return builds;
}

Status migrate_single_installation(const model::Layout& layout) {
  struct stat info {};
  if (::lstat(layout.installation().c_str(), &info) != 0) {
    if (errno == ENOENT) return ok_status();
    return Error::from_errno("stat " + layout.installation(), errno);
  }
  if (!S_ISDIR(info.st_mode)) return ok_status();
  // The package makes an empty installation/ on a fresh host: nothing to keep.
  if (::rmdir(layout.installation().c_str()) == 0) return ok_status();
  Result<BuildInfo> build = read_build_info(layout.installation());
  if (!build) {
    return Error::failed("cannot move the existing " + layout.installation() +
                         " beside new builds: its build id is unknown (" + build.error().message() +
                         "); remove it and run `l4d2ctl install` again");
  }
  if (auto made = make_directories(layout.installations()); !made.ok()) return made;
  const std::string target = layout.installation_build(build->id);
  if (path_exists(target)) return Error::failed("cannot move " + layout.installation() + ": " + target + " exists");
  if (::rename(layout.installation().c_str(), target.c_str()) != 0) {
    return Error::from_errno("move " + layout.installation() + " to " + target, errno);
  }
  return make_current(layout, build->id);
}

Status make_current(const model::Layout& layout, std::string_view id) {
  if (!is_valid_build_id(id) || !is_directory(layout.installation_build(id))) {
    return Error::not_found(fmt::format("no installed build '{}' in {}", id, layout.installations()));
  }
  const std::string link = layout.installation() + ".new-" + random_suffix();
  const std::string target = std::string(kLinkPrefix) + std::string(id);
  if (::symlink(target.c_str(), link.c_str()) != 0) return Error::from_errno("symlink " + link, errno);
  if (::rename(link.c_str(), layout.installation().c_str()) != 0) {
    int saved = errno;
    ::unlink(link.c_str());
    return Error::from_errno("replace " + layout.installation(), saved);
  }
  return ok_status();
}

std::string_view copy_method_name(CopyMethod method) { return method == CopyMethod::kReflink ? "reflink" : "copy"; }

namespace {

// Copies the data of `from` into `to` (both regular files, `to` empty), keeping holes.
Status copy_data(int from, int to, off_t size, const std::string& shown) {
  off_t at = 0;
  while (at < size) {
    off_t data = ::lseek(from, at, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // only a hole is left
      return Error::from_errno("seek " + shown, errno);
    }
    off_t hole = ::lseek(from, data, SEEK_HOLE);
    if (hole < 0) return Error::from_errno("seek " + shown, errno);
    off_t in = data, out = data;
    while (in < hole) {
      ssize_t n = ::copy_file_range(from, &in, to, &out, static_cast<size_t>(hole - in), 0);
      if (n < 0) return Error::from_errno("copy " + shown, errno);
      if (n == 0) break;
    }
    at = hole;
  }
  if (::ftruncate(to, size) != 0) return Error::from_errno("truncate " + shown, errno);
  return ok_status();
}

struct TreeCopy {
  CopyReport report;
  bool try_reflink = true;
};

Status copy_file(int from_dir, int to_dir, const char* name, const struct stat& info, const std::string& shown,
                 TreeCopy& copy) {
  UniqueFd from(::openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!from.valid()) return Error::from_errno("open " + shown, errno);
  UniqueFd to(::openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!to.valid()) return Error::from_errno("create copy of " + shown, errno);
  bool cloned = false;
  if (copy.try_reflink) {
    cloned = ::ioctl(to.get(), FICLONE, from.get()) == 0;
    // The first refusal says the filesystem cannot: copy everything from then on.
    if (!cloned) copy.try_reflink = false;
  }
  if (!cloned) {
    if (Status copied = copy_data(from.get(), to.get(), info.st_size, shown); !copied) return copied;
  }
  if (::fchmod(to.get(), info.st_mode & 07777) != 0) return Error::from_errno("chmod copy of " + shown, errno);
  struct timespec times[2] = {info.st_atim, info.st_mtim};
  ::futimens(to.get(), times);
  ++copy.report.files;
  copy.report.bytes += static_cast<std::uint64_t>(info.st_size);
  return ok_status();
}

Status copy_directory(int from_dir, int to_dir, const std::string& shown, int depth, TreeCopy& copy);

Status copy_entry(int from_dir, int to_dir, const char* name, const std::string& shown, int depth, TreeCopy& copy) {
  struct stat info {};
  if (::fstatat(from_dir, name, &info, AT_SYMLINK_NOFOLLOW) != 0) return Error::from_errno("stat " + shown, errno);
  if (S_ISREG(info.st_mode)) return copy_file(from_dir, to_dir, name, info, shown, copy);
  if (S_ISLNK(info.st_mode)) {
    char target[4096];
    ssize_t n = ::readlinkat(from_dir, name, target, sizeof target - 1);
    if (n < 0) return Error::from_errno("readlink " + shown, errno);
    target[n] = '\0';
    if (::symlinkat(target, to_dir, name) != 0) return Error::from_errno("symlink copy of " + shown, errno);
    return ok_status();
  }
  if (!S_ISDIR(info.st_mode)) return Error::invalid(shown + ": not a file, directory or symlink; refusing to copy it");
  if (depth >= kMaxTreeDepth)
    return Error::invalid(fmt::format("{}: nested deeper than {} levels", shown, kMaxTreeDepth));
  if (::mkdirat(to_dir, name, 0700) != 0) return Error::from_errno("mkdir copy of " + shown, errno);
  UniqueFd from(::openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  UniqueFd to(::openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!from.valid() || !to.valid()) return Error::from_errno("open " + shown, errno);
  if (Status inner = copy_directory(from.get(), to.get(), shown, depth + 1, copy); !inner) return inner;
  if (::fchmod(to.get(), info.st_mode & 07777) != 0) return Error::from_errno("chmod copy of " + shown, errno);
  struct timespec times[2] = {info.st_atim, info.st_mtim};
  ::futimens(to.get(), times);
  return ok_status();
}

Status copy_directory(int from_dir, int to_dir, const std::string& shown, int depth, TreeCopy& copy) {
  int listing_fd = ::openat(from_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing_fd < 0) return Error::from_errno("open " + shown, errno);
  DIR* listing = ::fdopendir(listing_fd);
  if (!listing) {
    ::close(listing_fd);
    return Error::from_errno("list " + shown, errno);
  }
  Status status = ok_status();
  while (struct dirent* entry = ::readdir(listing)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    status = copy_entry(from_dir, to_dir, entry->d_name, shown + "/" + std::string(name), depth, copy);
    if (!status) break;
  }
  ::closedir(listing);
  return status;
}

}  // namespace

Result<CopyReport> copy_build_tree(const std::string& from, const std::string& to) {
  Result<UniqueFd> source = open_no_symlinks(AT_FDCWD, from, O_RDONLY | O_DIRECTORY, from);
  if (!source) return source.error();
  struct stat info {};
  if (::fstat(source->get(), &info) != 0) return Error::from_errno("stat " + from, errno);
  if (::mkdir(to.c_str(), 0700) != 0) return Error::from_errno("mkdir " + to, errno);
  UniqueFd target(::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!target.valid()) return Error::from_errno("open " + to, errno);
  TreeCopy copy;
  if (Status copied = copy_directory(source->get(), target.get(), from, 0, copy); !copied) return copied.error();
  if (::fchmod(target.get(), info.st_mode & 07777) != 0) return Error::from_errno("chmod " + to, errno);
  copy.report.method = copy.try_reflink && copy.report.files > 0 ? CopyMethod::kReflink : CopyMethod::kCopy;
  return copy.report;
}

Status remove_build(const model::Layout& layout, std::string_view id, const MountedCheck& is_mounted) {
  if (!is_valid_build_id(id) || !is_directory(layout.installation_build(id))) {
    return Error::not_found(fmt::format("no installed build '{}' in {}", id, layout.installations()));
  }
  if (current_build_id(layout) == std::string(id)) {
    return Error::invalid(
        fmt::format("build {} is the current build; make another one current first "
                    "(l4d2ctl install --use <buildid>)",
                    id));
  }
  std::vector<std::string> users;
  for (const model::InstanceName& name : runtime_instances(layout)) {
    if (!is_mounted(name)) continue;
    std::optional<std::string> mounted = mounted_build_id(layout, name);
    // A tree mounted without a record (before builds lived side by side) may be any build: keep them all.
    if (!mounted || *mounted == id) users.push_back(name.str());
  }
  if (!users.empty()) {
    return Error::invalid(fmt::format("build {} is in use by {} (stop or restart them first)", id, join(users, ", ")));
  }
  return remove_tree(layout.installation_build(id));
}

Result<std::vector<std::string>> prune_builds(const model::Layout& layout, int keep, const MountedCheck& is_mounted) {
  std::vector<std::string> removed;
  if (keep <= 0) return removed;
  Result<std::vector<InstalledBuild>> builds = installed_builds(layout, is_mounted);
  if (!builds) return builds.error();
  // Oldest first: everything before the newest `keep` is a candidate.
  size_t candidates = builds->size() > static_cast<size_t>(keep) ? builds->size() - static_cast<size_t>(keep) : 0;
  for (size_t i = 0; i < candidates; ++i) {
    const InstalledBuild& build = (*builds)[i];
    if (build.current || !build.used_by.empty()) continue;
    Status status = remove_build(layout, build.id, is_mounted);
    if (status) {
      removed.push_back(build.id);
    } else if (status.error().code() != ErrorCode::kInvalidArgument) {  // in use: kept, not an error
      return status.error();
    }
  }
  return removed;
}

}  // namespace left4me::host
