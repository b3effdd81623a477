#include "host/overlay_mount.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "base/file.h"
#include "base/strings.h"
#include "host/instance_env_file.h"
#include "host/layer_links.h"
#include "host/mount_probe.h"
#include "host/mount_table.h"
#include "host/safe_open.h"

namespace left4me::host {

namespace {

constexpr int kMaxUnmountsPerPoint = 64;
constexpr std::string_view kFuseOverlayXattrPrefix = "user.fuseoverlayfs.";

std::string proc_fd(int fd) { return fmt::format("/proc/self/fd/{}", fd); }
std::string last_component(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The layout with LEFT4ME_ROOT's symlinks resolved: mount table paths and prefix checks need it.
Result<model::Layout> canonical_layout(const model::Layout& layout) {
  char* real = ::realpath(layout.root().c_str(), nullptr);
  if (!real) return Error::from_errno("LEFT4ME_ROOT " + layout.root(), errno);
  std::string path(real);
  std::free(real);
  return model::Layout::create(path);
}

// "runtime/alpha/upper": paths in messages are relative to LEFT4ME_ROOT.
std::string shown(const model::Layout& layout, const std::string& path) {
  if (path.size() > layout.root().size() && path.starts_with(layout.root())) {
    return path.substr(layout.root().size() + 1);
  }
  return path;
}

// The error lines overlayfs left in an fs context ("e overlay: ...").
std::string context_messages(int fs_fd) {
  std::string messages;
  char buffer[1024];
  while (true) {
    ssize_t n = ::read(fs_fd, buffer, sizeof buffer - 1);
    if (n <= 0) break;
    std::string_view line(buffer, static_cast<size_t>(n));
    if (line.size() > 2 && line[1] == ' ') line.remove_prefix(2);
    if (!messages.empty()) messages += "; ";
    messages += trim(line);
  }
  return messages;
}

Error fs_error(std::string_view what, int fs_fd, int err) {
  std::string detail = context_messages(fs_fd);
  Error error = Error::from_errno(what, err);
  return detail.empty() ? error : Error(error.code(), error.message() + " (" + detail + ")");
}

// The instance's state from what sits at each of its mount points, as `mounts_at` reports it (from the
// mount table, or from the kernel per path: mount_probe.h); nullopt when `mounts_at` cannot say for one.
template <typename MountsAtPoint>
std::optional<MountState> classify_points(const model::Layout& layout, const model::InstanceName& name,
                                          MountsAtPoint mounts_at) {
  std::size_t total = 0;
  bool stacked = false;
  std::optional<MountsAt> merged;
  for (const std::string& point : instance_mountpoints(layout, name)) {
    std::optional<MountsAt> at = mounts_at(point);
    if (!at) return std::nullopt;
    total += at->count;
    if (at->count > 1) stacked = true;
    if (point == layout.merged(name)) merged = at;
  }
  if (total == 0) return MountState::kUnmounted;
  if (!stacked && merged && merged->count == 1 && merged->top_fstype == "overlay") return MountState::kMounted;
  return MountState::kDamaged;
}

MountState classify(const MountTable& table, const model::Layout& layout, const model::InstanceName& name) {
  return *classify_points(layout, name, [&table](const std::string& point) {
    const MountEntry* top = table.top_at(point);
    return std::optional<MountsAt>(MountsAt{table.count_at(point), top ? top->fstype : std::string()});
  });
}

// Unmounts every instance mount point, innermost first, as often as something is mounted there.
Status unmount_points(const model::Layout& layout, const model::InstanceName& name) {
  for (const std::string& point : instance_mountpoints(layout, name)) {
    for (int round = 0;; ++round) {
      Result<MountTable> table = MountTable::read();
      if (!table) return table.error();
      const MountEntry* top = table->top_at(point);
      if (!top) break;
      if (round >= kMaxUnmountsPerPoint) {
        return Error::failed(fmt::format("umount {}: still mounted after {} unmounts", shown(layout, point), round));
      }
      // Unmount through the parent directory opened without following symlinks (the service user
      // owns the directories on the way), and only if the path leads to the very mount the table
      // lists. No descriptor may be held on the mount itself: that would keep it busy.
      std::string parent_path = point.substr(0, point.rfind('/'));
      std::string leaf = last_component(point);
      Result<UniqueFd> parent =
          open_no_symlinks(AT_FDCWD, parent_path, O_PATH | O_DIRECTORY, shown(layout, parent_path));
      if (!parent) return parent.error().with_context("umount");
      struct statx sx;
      if (::statx(parent->get(), leaf.c_str(), AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) != 0) {
        return Error::from_errno("statx " + shown(layout, point), errno);
      }
      if (!(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id != static_cast<std::uint64_t>(top->id)) {
        return Error::failed(
            fmt::format("umount {}: the path no longer leads to mount {}; refusing", shown(layout, point), top->id));
      }
      if (::umount2((proc_fd(parent->get()) + "/" + leaf).c_str(), UMOUNT_NOFOLLOW) != 0) {
        int err = errno;
        if (err == EBUSY) return Error::failed(fmt::format("umount {}: busy (still in use)", shown(layout, point)));
        return Error::from_errno("umount " + shown(layout, point), err);
      }
    }
  }
  return ok_status();
}

// A user namespace whose mapping makes the service user's files appear as the instance's uid and
// gid, keeping root as root (overlayfs works with its mounter's, i.e. root's, credentials).
Result<UniqueFd> make_identity_userns(const Identity& identity) {
  int ready[2];
  int hold[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return Error::from_errno("pipe", errno);
  if (::pipe2(hold, O_CLOEXEC) != 0) {
    ::close(ready[0]);
    ::close(ready[1]);
    return Error::from_errno("pipe", errno);
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {ready[0], ready[1], hold[0], hold[1]}) ::close(fd);
    return Error::from_errno("fork", err);
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls. Enter a new user namespace and wait to be released
    // (end of file on `hold` once the parent closes its end).
    ::close(ready[0]);
    ::close(hold[1]);
    char byte = ::unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    ::read(hold[0], &byte, 1);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(hold[0]);
  UniqueFd release(hold[1]);
  char byte = 0;
  ssize_t n = ::read(ready[0], &byte, 1);
  ::close(ready[0]);
  auto finish = [&]() {
    release.reset();
    ::waitpid(pid, nullptr, 0);
  };
  if (n != 1 || byte != 1) {
    finish();
    return Error::failed("unshare(CLONE_NEWUSER) failed in the idmap helper process");
  }
  std::string uid_map = fmt::format("0 0 1\n{} {} 1\n", identity.service_uid, identity.instance_uid);
  std::string gid_map = identity.service_gid == 0
                            ? std::string("0 0 1\n")
                            : fmt::format("0 0 1\n{} {} 1\n", identity.service_gid, identity.instance_gid);
  for (const auto& [file, map] : {std::pair{"uid_map", &uid_map}, std::pair{"gid_map", &gid_map}}) {
    std::string path = fmt::format("/proc/{}/{}", pid, file);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid() || ::write(fd.get(), map->data(), map->size()) != static_cast<ssize_t>(map->size())) {
      int err = errno;
      finish();
      return Error::from_errno("write " + path, err);
    }
  }
  std::string ns_path = fmt::format("/proc/{}/ns/user", pid);
  UniqueFd ns(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
  int err = errno;
  finish();
  if (!ns.valid()) return Error::from_errno("open " + ns_path, err);
  return ns;
}

Status refuse_fuse_overlayfs_upper(int upper_fd, std::string_view upper_shown) {
  auto check = [&](const std::string& path, const std::string& relative) -> Status {
    char names[65536];
    ssize_t size = ::llistxattr(path.c_str(), names, sizeof names);
    if (size < 0) {
      if (errno == ENOTSUP || errno == ENOENT) return ok_status();
      return Error::from_errno("listxattr " + std::string(upper_shown) + "/" + relative, errno);
    }
    for (ssize_t offset = 0; offset < size;) {
      std::string_view attribute(names + offset);
      if (attribute.starts_with(kFuseOverlayXattrPrefix)) {
        return Error::invalid(
            fmt::format("{} was written by fuse-overlayfs ({} on '{}'); wipe upper/ and work/ before mounting",
                        upper_shown, attribute, relative.empty() ? "." : relative));
      }
      offset += static_cast<ssize_t>(attribute.size()) + 1;
    }
    return ok_status();
  };
  if (Status status = check(proc_fd(upper_fd), ""); !status) return status;
  return walk_tree(upper_fd, [&](int parent, const char* entry, const struct stat&, const std::string& relative) {
    return check(proc_fd(parent) + "/" + entry, relative);
  });
}

Status make_overlay(const std::vector<UniqueFd>& lowers, int upper, int work, int merged, LowerdirApi api,
                    std::size_t legacy_limit) {
  if (api == LowerdirApi::kLegacy) {
    std::vector<std::string> paths;
    for (const UniqueFd& fd : lowers) paths.push_back(proc_fd(fd.get()));
    Result<std::string> options = legacy_overlay_options(paths, proc_fd(upper), proc_fd(work), legacy_limit);
    if (!options) return options.error();
    if (::mount("left4me", proc_fd(merged).c_str(), "overlay", MS_NOSUID | MS_NODEV, options->c_str()) != 0) {
      return Error::from_errno("mount overlay", errno);
    }
    return ok_status();
  }
  UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs.valid()) return Error::from_errno("fsopen overlay", errno);
  auto set_layer = [&](const char* key, int fd) -> Status {
    int rc = api == LowerdirApi::kFd ? ::fsconfig(fs.get(), FSCONFIG_SET_FD, key, nullptr, fd)
                                     : ::fsconfig(fs.get(), FSCONFIG_SET_STRING, key, proc_fd(fd).c_str(), 0);
    if (rc != 0) return fs_error(fmt::format("fsconfig {}", key), fs.get(), errno);
    return ok_status();
  };
  if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", "left4me", 0) != 0) {
    return fs_error("fsconfig source", fs.get(), errno);
  }
  for (const UniqueFd& lower : lowers) {
    if (Status status = set_layer("lowerdir+", lower.get()); !status) return status;
  }
  if (Status status = set_layer("upperdir", upper); !status) return status;
  if (Status status = set_layer("workdir", work); !status) return status;
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return fs_error("create overlay", fs.get(), errno);
  }
  UniqueFd mount(::fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV));
  if (!mount.valid()) return fs_error("fsmount overlay", fs.get(), errno);
  if (::move_mount(mount.get(), "", merged, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    return Error::from_errno("attach overlay", errno);
  }
  return ok_status();
}

// Everything that can be checked before mounting anything.
Result<MountPlan> prepare_plan(const model::Layout& layout, const model::InstanceName& name,
                               const OverlayConfig& config, int upper_fd) {
  std::string env_path = layout.instance_env(name);
  Result<model::InstanceEnv> env = read_instance_env(layout, name);
  if (!env) return env.error();
  const std::vector<std::string>* layers = &env->lowerdirs;

  std::vector<std::string> resolved;
  for (size_t i = 0; i < layers->size(); ++i) {
    const std::string& layer = (*layers)[i];
    char* real = ::realpath(layer.c_str(), nullptr);
    if (!real) return Error::from_errno(fmt::format("layer {} '{}'", i + 1, layer), errno);
    resolved.emplace_back(real);
    std::free(real);
    if (!is_directory(resolved.back())) {
      return Error::invalid(fmt::format("layer {} '{}' is not a directory", i + 1, layer));
    }
  }
  // The roots themselves may be symlinks (an installation on another disk); compare canonical paths.
  auto canonical = [](const std::string& path) {
    char* real = ::realpath(path.c_str(), nullptr);
    if (!real) return path;  // a missing root holds no layer
    std::string result(real);
    std::free(real);
    return result;
  };
  AllowedRoots roots{canonical(layout.installation()), canonical(layout.overlays()), canonical(layout.workshop_cache()),
                     canonical(layout.global_overlay_cache())};

  std::optional<Identity> identity;
  Result<std::optional<uid_t>> uid = instance_server_uid(layout, name, config.identity_range);
  if (!uid) return uid.error();
  if (*uid) {
    Result<DataRootOwner> owner = data_root_owner(layout);
    if (!owner) return owner.error();
    identity = Identity{owner->uid, owner->gid, **uid, static_cast<gid_t>(**uid)};
  }
  Result<MountPlan> plan = make_mount_plan(layout, name, resolved, roots, identity);
  if (!plan) return plan.error().with_context(shown(layout, env_path));
  if (Status status = refuse_fuse_overlayfs_upper(upper_fd, shown(layout, layout.upper(name))); !status) {
    return status.error();
  }
  return plan;
}

// The directories overlayfs is given, opened: the lower layers top first, upper and work.
struct OverlayDirs {
  std::vector<UniqueFd> lowers;
  UniqueFd upper;
  UniqueFd work;
};

// Makes runtime/<name>/idmap (root-owned 0700) and mounts one idmapped bind per plan.binds in it.
// Returns each bind's detached tree by name.
Result<std::map<std::string, UniqueFd>> make_idmapped_binds(const model::Layout& layout,
                                                            const model::InstanceName& name, const MountPlan& plan,
                                                            int runtime_fd) {
  std::string idmap_name = last_component(layout.idmap_dir(name));
  if (::mkdirat(runtime_fd, idmap_name.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error::from_errno("mkdir " + shown(layout, layout.idmap_dir(name)), errno);
  }
  Result<UniqueFd> idmap = open_real_directory(runtime_fd, idmap_name, shown(layout, layout.idmap_dir(name)));
  if (!idmap) return idmap.error();
  // Root-owned 0700: the instance's processes cannot reach the binds except through merged.
  if (::fchown(idmap->get(), 0, 0) != 0 || ::fchmod(idmap->get(), 0700) != 0) {
    return Error::from_errno("chown " + shown(layout, layout.idmap_dir(name)), errno);
  }
  Result<UniqueFd> userns = make_identity_userns(*plan.identity);
  if (!userns) return userns.error();
  std::map<std::string, UniqueFd> trees;
  for (const IdmapBind& bind : plan.binds) {
    UniqueFd source;
    if (bind.name == kWritableBindName) {
      source.reset(::fcntl(runtime_fd, F_DUPFD_CLOEXEC, 0));
    } else {
      Result<UniqueFd> opened = open_no_symlinks(AT_FDCWD, bind.source, O_PATH | O_DIRECTORY, bind.source);
      if (!opened) return opened.error();
      source = std::move(*opened);
    }
    UniqueFd tree(::open_tree(source.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
    if (!tree.valid()) return Error::from_errno("open_tree " + shown(layout, bind.source), errno);
    struct mount_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                    (bind.access == Access::kReadOnly ? MOUNT_ATTR_RDONLY : 0);
    attr.userns_fd = static_cast<std::uint64_t>(userns->get());
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
      return Error::from_errno("idmap " + shown(layout, bind.source), errno);
    }
    if (::mkdirat(idmap->get(), bind.name.c_str(), 0700) != 0 && errno != EEXIST) {
      return Error::from_errno("mkdir " + shown(layout, bind.target), errno);
    }
    Result<UniqueFd> target = open_real_directory(idmap->get(), bind.name, shown(layout, bind.target));
    if (!target) return target.error();
    if (::move_mount(tree.get(), "", target->get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
      return Error::from_errno("bind " + shown(layout, bind.target), errno);
    }
    trees.emplace(bind.name, std::move(tree));
  }
  return trees;
}

// upper and work, opened without following symlinks inside `writable` (runtime/<name> or its bind).
Status open_upper_and_work(const model::Layout& layout, const model::InstanceName& name, int writable,
                           OverlayDirs& dirs) {
  Result<UniqueFd> upper =
      open_real_directory(writable, last_component(layout.upper(name)), shown(layout, layout.upper(name)));
  if (!upper) return upper.error();
  Result<UniqueFd> work =
      open_real_directory(writable, last_component(layout.work(name)), shown(layout, layout.work(name)));
  if (!work) return work.error();
  dirs.upper = std::move(*upper);
  dirs.work = std::move(*work);
  return ok_status();
}

// With an identity: the layers as seen through the idmapped binds, which are made first.
Result<OverlayDirs> open_dirs_through_binds(const model::Layout& layout, const model::InstanceName& name,
                                            const MountPlan& plan, int runtime_fd) {
  Result<std::map<std::string, UniqueFd>> trees = make_idmapped_binds(layout, name, plan, runtime_fd);
  if (!trees) return trees.error();
  OverlayDirs dirs;
  for (const LowerLayer& layer : plan.lowers) {
    int tree = trees->at(std::string(layer_root_name(layer.root))).get();
    Result<UniqueFd> fd =
        open_no_symlinks(tree, layer.relative.empty() ? "." : layer.relative, O_RDONLY | O_DIRECTORY, layer.resolved);
    if (!fd) return fd.error();
    dirs.lowers.push_back(std::move(*fd));
  }
  int writable = trees->at(std::string(kWritableBindName)).get();
  if (Status opened = open_upper_and_work(layout, name, writable, dirs); !opened) return opened.error();
  return dirs;
}

// Without an identity: the real directories.
Result<OverlayDirs> open_dirs_directly(const model::Layout& layout, const model::InstanceName& name,
                                       const MountPlan& plan, int runtime_fd) {
  OverlayDirs dirs;
  for (const LowerLayer& layer : plan.lowers) {
    Result<UniqueFd> fd = open_no_symlinks(AT_FDCWD, layer.resolved, O_RDONLY | O_DIRECTORY, layer.resolved);
    if (!fd) return fd.error();
    dirs.lowers.push_back(std::move(*fd));
  }
  if (Status opened = open_upper_and_work(layout, name, runtime_fd, dirs); !opened) return opened.error();
  return dirs;
}

// The layers anyone but root writes (overlays, the Workshop and global overlay caches) must hold no symlink
// out of the game tree (layer_links.h). Checked on the very descriptors the overlay is given; the
// installation is root's (steamcmd, game_update) and is not walked: 100,000 files would cost the start
// what it saves (docs/benchmarks.md).
Status refuse_layers_with_links_out(const model::Layout& layout, const MountPlan& plan, const OverlayDirs& dirs) {
  for (std::size_t i = 0; i < plan.lowers.size(); ++i) {
    if (plan.lowers[i].root == LayerRoot::kInstallation) continue;
    if (Status status = refuse_links_out(dirs.lowers[i].get()); !status) {
      return status.error().with_context(fmt::format("layer {} '{}'", i + 1, shown(layout, plan.lowers[i].resolved)));
    }
  }
  return ok_status();
}

Status mount_plan(const model::Layout& layout, const model::InstanceName& name, const MountPlan& plan, int runtime_fd,
                  const OverlayConfig& config) {
  LowerdirApi api = config.api;
  if (api == LowerdirApi::kAuto) {
    struct utsname uts;
    api = ::uname(&uts) == 0 ? lowerdir_api_for_release(uts.release) : LowerdirApi::kLegacy;
  }
  Result<UniqueFd> merged =
      open_real_directory(runtime_fd, last_component(layout.merged(name)), shown(layout, layout.merged(name)));
  if (!merged) return merged.error();
  Result<OverlayDirs> dirs = plan.identity ? open_dirs_through_binds(layout, name, plan, runtime_fd)
                                           : open_dirs_directly(layout, name, plan, runtime_fd);
  if (!dirs) return dirs.error();
  if (Status links = refuse_layers_with_links_out(layout, plan, *dirs); !links) return links;
  return make_overlay(dirs->lowers, dirs->upper.get(), dirs->work.get(), merged->get(), api,
                      config.legacy_option_limit);
}

// Records which build the instance mounted (runtime/<name>/build, for status and for keeping builds in use):
// the build id when the installation root is installations/<id>, else no record. The directory is the
// service user's: the file is made anew (O_EXCL, never following a symlink) and renamed into place.
Status record_mounted_build(const model::Layout& layout, const model::InstanceName& name, int runtime_fd,
                            const std::string& installation_root) {
  const std::string record = last_component(layout.mounted_build(name));
  const std::string fresh = record + ".new";
  std::string builds = layout.installations();
  if (char* real = ::realpath(builds.c_str(), nullptr)) {
    builds = real;
    std::free(real);
  }
  std::string id = last_component(installation_root);
  bool is_build = installation_root == builds + "/" + id && !id.empty() &&
                  id.find_first_not_of("0123456789") == std::string::npos && id.size() <= 20;
  if (!is_build) {
    if (::unlinkat(runtime_fd, record.c_str(), 0) != 0 && errno != ENOENT) {
      return Error::from_errno("remove " + shown(layout, layout.mounted_build(name)), errno);
    }
    return ok_status();
  }
  ::unlinkat(runtime_fd, fresh.c_str(), 0);
  UniqueFd fd(::openat(runtime_fd, fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return Error::from_errno("create " + shown(layout, layout.mounted_build(name)), errno);
  std::string line = id + "\n";
  struct stat owner {};
  bool written = ::write(fd.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                 ::fstat(runtime_fd, &owner) == 0 && ::fchown(fd.get(), owner.st_uid, owner.st_gid) == 0;
  if (!written || ::renameat(runtime_fd, fresh.c_str(), runtime_fd, record.c_str()) != 0) {
    int saved = errno;
    ::unlinkat(runtime_fd, fresh.c_str(), 0);
    return Error::from_errno("write " + shown(layout, layout.mounted_build(name)), saved);
  }
  return ok_status();
}

Result<UniqueFd> open_runtime(const model::Layout& layout, const model::InstanceName& name) {
  return open_no_symlinks(AT_FDCWD, layout.runtime_dir(name), O_RDONLY | O_DIRECTORY,
                          shown(layout, layout.runtime_dir(name)));
}

}  // namespace

LowerdirApi lowerdir_api_for_release(std::string_view release) {
  std::vector<std::string> parts = split(release, '.');
  if (parts.size() < 2) return LowerdirApi::kLegacy;
  std::optional<long long> major = parse_int(parts[0], 0, 1000);
  std::string minor_digits;
  for (char c : parts[1]) {
    if (c < '0' || c > '9') break;
    minor_digits += c;
  }
  std::optional<long long> minor = parse_int(minor_digits, 0, 1000);
  if (!major || !minor) return LowerdirApi::kLegacy;
  auto at_least = [&](long long want_major, long long want_minor) {
    return *major > want_major || (*major == want_major && *minor >= want_minor);
  };
  if (at_least(6, 13)) return LowerdirApi::kFd;
  if (at_least(6, 8)) return LowerdirApi::kAppend;
  return LowerdirApi::kLegacy;
}

Status mount_instance(const model::Layout& given, const model::InstanceName& name, const OverlayConfig& config) {
  Result<model::Layout> layout = canonical_layout(given);
  if (!layout) return layout.error();
  Result<UniqueFd> runtime = open_runtime(*layout, name);
  if (!runtime) {
    if (runtime.error().code() == ErrorCode::kNotFound) {
      return Error::not_found(shown(*layout, layout->runtime_dir(name)) + ": does not exist (initialize first)");
    }
    return runtime.error();
  }
  Result<MountTable> table = MountTable::read();
  if (!table) return table.error();
  MountState state = classify(*table, *layout, name);
  if (state == MountState::kMounted) return ok_status();
  if (state == MountState::kDamaged) {
    if (Status status = unmount_points(*layout, name); !status) return status.error().with_context("repair");
  }
  Result<UniqueFd> upper =
      open_real_directory(runtime->get(), last_component(layout->upper(name)), shown(*layout, layout->upper(name)));
  if (!upper) return upper.error();
  Result<UniqueFd> work =
      open_real_directory(runtime->get(), last_component(layout->work(name)), shown(*layout, layout->work(name)));
  if (!work) return work.error();
  Result<UniqueFd> merged =
      open_real_directory(runtime->get(), last_component(layout->merged(name)), shown(*layout, layout->merged(name)));
  if (!merged) return merged.error();
  Result<MountPlan> plan = prepare_plan(*layout, name, config, upper->get());
  if (!plan) return plan.error();
  Status status = mount_plan(*layout, name, *plan, runtime->get(), config);
  if (status) status = record_mounted_build(*layout, name, runtime->get(), plan->installation_root);
  if (!status) {
    // Leave nothing half-mounted behind.
    Status undone = unmount_points(*layout, name);
    if (!undone) return Error(status.error().code(), status.error().message() + "; " + undone.error().message());
    return status;
  }
  return ok_status();
}

Status unmount_instance(const model::Layout& given, const model::InstanceName& name) {
  Result<model::Layout> layout = canonical_layout(given);
  if (!layout) return layout.error();
  if (Status status = unmount_points(*layout, name); !status) return status;
  Result<UniqueFd> runtime = open_runtime(*layout, name);
  if (!runtime) {
    if (runtime.error().code() == ErrorCode::kNotFound) return ok_status();
    return runtime.error();
  }
  ::unlinkat(runtime->get(), last_component(layout->mounted_build(name)).c_str(), 0);
  // The idmap mount points are root-owned: remove them so the service user can delete the instance.
  std::string idmap_name = last_component(layout->idmap_dir(name));
  struct stat st;
  if (::fstatat(runtime->get(), idmap_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
    UniqueFd idmap(::openat(runtime->get(), idmap_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (idmap.valid()) {
      for (LayerRoot root : kLayerRoots) {
        ::unlinkat(idmap.get(), std::string(layer_root_name(root)).c_str(), AT_REMOVEDIR);
      }
      ::unlinkat(idmap.get(), std::string(kWritableBindName).c_str(), AT_REMOVEDIR);
      ::unlinkat(runtime->get(), idmap_name.c_str(), AT_REMOVEDIR);
    }
  }
  // overlayfs leaves work/work root-owned with mode 000; the service user cannot remove it.
  std::string work_shown = shown(*layout, layout->work(name));
  Result<UniqueFd> work = open_real_directory(runtime->get(), last_component(layout->work(name)), work_shown);
  if (!work) {
    if (work.error().code() == ErrorCode::kNotFound) return ok_status();
    return Error(work.error().code(), work.error().message() + "; work/work not removed");
  }
  return remove_tree_at(work->get(), "work");
}

Result<model::Layout> resolved_layout(const model::Layout& layout) { return canonical_layout(layout); }

Result<MountState> instance_mount_state(const model::Layout& given, const model::InstanceName& name,
                                        RootResolved resolved) {
  Result<model::Layout> layout = resolved == RootResolved::kYes ? given : canonical_layout(given);
  if (!layout) return layout.error();
  // The kernel's answer per mount point when it has one (no libmount loaded), else the whole table.
  if (std::optional<MountState> probed = classify_points(*layout, name, probe_mounts_at)) return *probed;
  Result<MountTable> table = MountTable::read();
  if (!table) return table.error();
  return classify(*table, *layout, name);
}

Result<LayerUsage> writable_layer_usage(const model::Layout& given, const model::InstanceName& name,
                                        RootResolved resolved) {
  Result<model::Layout> layout = resolved == RootResolved::kYes ? given : canonical_layout(given);
  if (!layout) return layout.error();
  Result<UniqueFd> runtime = open_runtime(*layout, name);
  if (!runtime) return runtime.error();
  Result<UniqueFd> upper =
      open_real_directory(runtime->get(), last_component(layout->upper(name)), shown(*layout, layout->upper(name)));
  if (!upper) return upper.error();
  LayerUsage usage;
  std::set<std::pair<dev_t, ino_t>> linked;
  Status status = walk_tree(upper->get(), [&](int, const char*, const struct stat& st, const std::string&) {
    ++usage.entries;
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && !linked.insert({st.st_dev, st.st_ino}).second) {
      return ok_status();
    }
    usage.allocated_bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
    if (S_ISREG(st.st_mode)) usage.apparent_bytes += static_cast<std::uint64_t>(st.st_size);
    return ok_status();
  });
  if (!status) return status.error().with_context(shown(*layout, layout->upper(name)));
  return usage;
}

}  // namespace left4me::host
