// Real overlayfs and idmapped bind mounts in a temporary LEFT4ME_ROOT (needs root; CI runs as root).
#include "host/overlay_mount.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "base/file.h"
#include "host/mount_table.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

constexpr uid_t kServiceUid = 4242;
constexpr uid_t kUidBase = 3000000;

class OverlayMountTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for real mounts";
    layout_ = *model::Layout::create(dir());
    config_.identity_range = IdentityRange{kUidBase, 100};
    write(layout_->installation() + "/left4dead2/both.txt", "installation");
    write(layout_->installation() + "/left4dead2/base.txt", "installation");
    write(layout_->overlay("1") + "/left4dead2/both.txt", "overlay 1");
    write(layout_->overlay("2") + "/left4dead2/both.txt", "overlay 2");
    for (const char* name : {"a", "b"})
      make_instance(name, layout_->overlay("2") + ":" + layout_->overlay("1") + ":" + layout_->installation());
    own_all(kServiceUid);
    ASSERT_EQ(::chmod(dir().c_str(), 0755), 0);
    before_ = table_lines();
  }

  void TearDown() override {
    // Never leak a mount: unmount whatever is left below the root, innermost first, lazily if need be.
    std::vector<MountEntry> left = MountTable::read()->under(dir());
    for (auto it = left.rbegin(); it != left.rend(); ++it) {
      if (::umount2(it->target.c_str(), 0) != 0) ::umount2(it->target.c_str(), MNT_DETACH);
    }
    EXPECT_TRUE(left.empty()) << left.size() << " mounts were left behind";
  }

  void write(const std::string& path, const std::string& content) {
    ASSERT_OK(make_directories(path.substr(0, path.rfind('/'))));
    ASSERT_OK(write_file_atomic(path, content));
  }
  void make_instance(const std::string& text, const std::string& lowerdirs) {
    model::InstanceName name = *model::InstanceName::create(text);
    write(layout_->instance_env(name),
          "L4D2_PORT=27015\nL4D2_LOWERDIRS=" + lowerdirs + "\nL4D2_ARGS=+map c1m1_hotel\n");
    for (const std::string& dir : {layout_->upper(name), layout_->work(name), layout_->merged(name)}) {
      ASSERT_OK(make_directories(dir));
    }
  }
  void own_all(uid_t uid) {
    ASSERT_EQ(std::system(("chown -R " + std::to_string(uid) + ":" + std::to_string(uid) + " " + dir()).c_str()), 0);
  }
  model::InstanceName name(const char* text) { return *model::InstanceName::create(text); }
  std::vector<std::string> table_lines() {
    std::vector<std::string> lines;
    for (const MountEntry& entry : MountTable::read()->under(dir())) lines.push_back(entry.target);
    return lines;
  }
  std::string read(const std::string& path) {
    Result<std::string> content = read_file(path);
    return content ? *content : "<" + content.error().message() + ">";
  }
  // Runs `action` in a child process with the given uid/gid; returns the child's exit code.
  template <typename Action>
  int as_user(uid_t uid, Action action) {
    pid_t pid = ::fork();
    if (pid == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0)
        ::_exit(99);
      ::_exit(action());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
  }

  std::optional<model::Layout> layout_;
  OverlayConfig config_;
  std::vector<std::string> before_;
};

TEST_F(OverlayMountTest, LayersStackTopFirstAndWritesLandInUpperOnly) {
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  std::string merged = layout_->merged(name("a"));
  EXPECT_EQ(read(merged + "/left4dead2/both.txt"), "overlay 2");
  EXPECT_EQ(read(merged + "/left4dead2/base.txt"), "installation");
  write(merged + "/left4dead2/base.txt", "changed");
  write(merged + "/left4dead2/new.txt", "new");
  EXPECT_EQ(read(merged + "/left4dead2/base.txt"), "changed");
  EXPECT_EQ(read(layout_->upper(name("a")) + "/left4dead2/base.txt"), "changed");
  EXPECT_EQ(read(layout_->upper(name("a")) + "/left4dead2/new.txt"), "new");
  EXPECT_EQ(read(layout_->installation() + "/left4dead2/base.txt"), "installation");
  EXPECT_FALSE(path_exists(layout_->overlay("1") + "/left4dead2/new.txt"));
  EXPECT_EQ(*instance_mount_state(*layout_, name("a")), MountState::kMounted);
  Result<LayerUsage> usage = writable_layer_usage(*layout_, name("a"));
  ASSERT_OK(usage);
  EXPECT_EQ(usage->apparent_bytes, 10u);  // "changed" + "new"
  EXPECT_EQ(usage->entries, 3u);          // left4dead2/, base.txt, new.txt
  ASSERT_OK(unmount_instance(*layout_, name("a")));
  EXPECT_EQ(table_lines(), before_);
  EXPECT_FALSE(path_exists(layout_->work(name("a")) + "/work"));
  EXPECT_FALSE(path_exists(layout_->idmap_dir(name("a"))));
}

// `list` resolves LEFT4ME_ROOT once and passes it (RootResolved::kYes): the answers are those each status gets
// resolving it itself, also through a symlinked root; and the walk reads a directory of more entries than one
// getdents64 buffer holds to its end.
TEST_F(OverlayMountTest, AResolvedRootGivesTheSameMountStateAndUsage) {
  ASSERT_EQ(::symlink(dir().c_str(), (dir() + "/via").c_str()), 0);
  model::Layout via = *model::Layout::create(dir() + "/via");
  ASSERT_OK(mount_instance(via, name("a"), config_));
  for (int i = 0; i < 600; ++i) {
    write(layout_->merged(name("a")) + "/many/" + std::string(60, 'x') + std::to_string(i), "1");
  }
  Result<model::Layout> resolved = resolved_layout(via);
  ASSERT_OK(resolved);
  EXPECT_EQ(resolved->root(), resolved_layout(*layout_)->root());
  EXPECT_NE(resolved->root(), via.root());
  EXPECT_EQ(*instance_mount_state(via, name("a")), MountState::kMounted);
  EXPECT_EQ(*instance_mount_state(*resolved, name("a"), RootResolved::kYes), MountState::kMounted);
  EXPECT_EQ(*instance_mount_state(*resolved, name("b"), RootResolved::kYes), MountState::kUnmounted);
  Result<LayerUsage> own = writable_layer_usage(via, name("a"));
  Result<LayerUsage> given = writable_layer_usage(*resolved, name("a"), RootResolved::kYes);
  ASSERT_OK(own);
  ASSERT_OK(given);
  EXPECT_EQ(own->entries, 601u);  // many/ and its 600 files
  EXPECT_EQ(own->apparent_bytes, 600u);
  EXPECT_EQ(given->entries, own->entries);
  EXPECT_EQ(given->apparent_bytes, own->apparent_bytes);
  EXPECT_EQ(given->allocated_bytes, own->allocated_bytes);
  ASSERT_OK(unmount_instance(via, name("a")));
  EXPECT_EQ(table_lines(), before_);
}

TEST_F(OverlayMountTest, TwoInstancesNeverSeeEachOthersWrites) {
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  ASSERT_OK(mount_instance(*layout_, name("b"), config_));
  write(layout_->merged(name("a")) + "/left4dead2/both.txt", "from a");
  EXPECT_EQ(read(layout_->merged(name("b")) + "/left4dead2/both.txt"), "overlay 2");
  write(layout_->merged(name("b")) + "/only_b.txt", "b");
  EXPECT_FALSE(path_exists(layout_->merged(name("a")) + "/only_b.txt"));
  ASSERT_OK(unmount_instance(*layout_, name("a")));
  ASSERT_OK(unmount_instance(*layout_, name("b")));
  EXPECT_EQ(table_lines(), before_);
}

TEST_F(OverlayMountTest, IdentityAnInstanceCannotWriteAnotherInstancesFilesAndDiskStaysTheServiceUsers) {
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  ASSERT_OK(mount_instance(*layout_, name("b"), config_));
  uid_t uid_a = **read_instance_uid(*layout_, name("a"));
  uid_t uid_b = **read_instance_uid(*layout_, name("b"));
  EXPECT_NE(uid_a, uid_b);
  std::string file_a = layout_->merged(name("a")) + "/left4dead2/written_by_a.txt";
  EXPECT_EQ(as_user(uid_a,
                    [&] {
                      int fd = ::open(file_a.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
                      return fd >= 0 && ::write(fd, "a", 1) == 1 ? 0 : 1;
                    }),
            0);
  struct stat seen, on_disk;
  ASSERT_EQ(::stat(file_a.c_str(), &seen), 0);
  EXPECT_EQ(seen.st_uid, uid_a);
  ASSERT_EQ(::stat((layout_->upper(name("a")) + "/left4dead2/written_by_a.txt").c_str(), &on_disk), 0);
  EXPECT_EQ(on_disk.st_uid, kServiceUid);
  EXPECT_EQ(on_disk.st_gid, kServiceUid);
  auto cannot_write = [](const std::string& path) {
    return [path] { return ::open(path.c_str(), O_WRONLY | O_APPEND) < 0 && errno == EACCES ? 0 : 1; };
  };
  // B's uid can write neither A's merged view, nor A's layer on disk, nor the service user's files.
  EXPECT_EQ(as_user(uid_b, cannot_write(file_a)), 0);
  EXPECT_EQ(as_user(uid_b, cannot_write(layout_->upper(name("a")) + "/left4dead2/written_by_a.txt")), 0);
  EXPECT_EQ(as_user(uid_a, cannot_write(layout_->installation() + "/left4dead2/base.txt")), 0);
  // The idmapped binds themselves are out of the instances' reach.
  EXPECT_EQ(
      as_user(uid_a, [&] { return ::access(layout_->idmap(name("a"), "installation").c_str(), R_OK) != 0 ? 0 : 1; }),
      0);
  // Inside its own merged tree an instance owns its files (copy-up works).
  EXPECT_EQ(as_user(uid_b,
                    [&] {
                      int fd =
                          ::open((layout_->merged(name("b")) + "/left4dead2/base.txt").c_str(), O_WRONLY | O_APPEND);
                      return fd >= 0 && ::write(fd, "b", 1) == 1 ? 0 : 1;
                    }),
            0);
  ASSERT_OK(unmount_instance(*layout_, name("a")));
  ASSERT_OK(unmount_instance(*layout_, name("b")));
}

TEST_F(OverlayMountTest, MountIsIdempotentAndCyclesLeaveTheTableAsBefore) {
  for (int cycle = 0; cycle < 20; ++cycle) {
    ASSERT_OK(mount_instance(*layout_, name("a"), config_));
    std::vector<std::string> mounted = table_lines();
    ASSERT_OK(mount_instance(*layout_, name("a"), config_));
    ASSERT_EQ(table_lines(), mounted) << "a second mount stacked something";
    std::vector<std::string> sorted = mounted;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "stacked mounts";
    ASSERT_OK(unmount_instance(*layout_, name("a")));
    ASSERT_OK(unmount_instance(*layout_, name("a")));
    ASSERT_EQ(table_lines(), before_);
  }
}

TEST_F(OverlayMountTest, RepairsHalfMountedAndStackedInstances) {
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  std::vector<std::string> healthy = table_lines();
  // Crash between two mounts: the binds exist, the overlay does not.
  ASSERT_EQ(::umount2(layout_->merged(name("a")).c_str(), 0), 0);
  EXPECT_EQ(*instance_mount_state(*layout_, name("a")), MountState::kDamaged);
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  EXPECT_EQ(table_lines(), healthy);
  // The upstream symptom: a second bind stacked on an idmap bind.
  std::string bind = layout_->idmap(name("a"), "overlays");
  ASSERT_EQ(::mount(layout_->overlays().c_str(), bind.c_str(), nullptr, MS_BIND, nullptr), 0);
  EXPECT_EQ(*instance_mount_state(*layout_, name("a")), MountState::kDamaged);
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  EXPECT_EQ(table_lines(), healthy);
  // Everything vanished behind the tool's back (reboot).
  for (const std::string& point : instance_mountpoints(*layout_, name("a"))) ::umount2(point.c_str(), 0);
  EXPECT_EQ(*instance_mount_state(*layout_, name("a")), MountState::kUnmounted);
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  EXPECT_EQ(read(layout_->merged(name("a")) + "/left4dead2/both.txt"), "overlay 2");
  ASSERT_OK(unmount_instance(*layout_, name("a")));
  EXPECT_EQ(table_lines(), before_);
}

TEST_F(OverlayMountTest, RefusesUpperReplacedBySymlinkAndLowerdirOutsideTheRoots) {
  std::string upper = layout_->upper(name("a"));
  ASSERT_OK(remove_tree(upper));
  ASSERT_EQ(::symlink("/etc", upper.c_str()), 0);
  Status status = mount_instance(*layout_, name("a"), config_);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "runtime/a/upper must be a real directory, found a symlink");
  EXPECT_EQ(table_lines(), before_);

  std::string outside = dir() + "/elsewhere";
  write(outside + "/file", "x");
  ASSERT_EQ(::symlink(outside.c_str(), layout_->overlay("evil").c_str()), 0);
  make_instance("c", layout_->overlay("evil") + ":" + layout_->installation());
  Status evil = mount_instance(*layout_, name("c"), config_);
  ASSERT_FALSE(evil.ok());
  EXPECT_EQ(evil.error().message(), "instances/c/instance.env: layer 1 '" + outside +
                                        "' is outside the allowed roots (installation, overlays, workshop_cache, "
                                        "global_overlay_cache)");
  EXPECT_EQ(table_lines(), before_);
}

TEST_F(OverlayMountTest, WorkReplacedBySymlinkBeforeUmountDeletesNothingOutside) {
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  std::string victim = dir() + "/victim";
  write(victim + "/work/precious", "keep");
  std::string work = layout_->work(name("a"));
  ASSERT_EQ(::rename(work.c_str(), (work + ".old").c_str()), 0);
  ASSERT_EQ(::symlink(victim.c_str(), work.c_str()), 0);
  Status status = unmount_instance(*layout_, name("a"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "runtime/a/work must be a real directory, found a symlink; work/work not removed");
  EXPECT_EQ(read(victim + "/work/precious"), "keep");
  EXPECT_EQ(table_lines(), before_);
}

TEST_F(OverlayMountTest, RefusesAnUpperLayerLeftByFuseOverlayfs) {
  std::string file = layout_->upper(name("a")) + "/left4dead2/x";
  write(file, "x");
  ASSERT_EQ(::setxattr(file.c_str(), "user.fuseoverlayfs.origin", "y", 1, 0), 0);
  Status status = mount_instance(*layout_, name("a"), config_);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "runtime/a/upper was written by fuse-overlayfs (user.fuseoverlayfs.origin on 'left4dead2/x'); wipe upper/ "
            "and work/ before mounting");
  EXPECT_EQ(table_lines(), before_);
}

// Issue 14, item 8: a layer holding a symlink out of the game tree is refused, naming the layer and the
// link, with nothing mounted; the installation (root's) is not walked, links inside the tree are fine.
TEST_F(OverlayMountTest, RefusesALayerHoldingASymlinkOutOfTheGameTree) {
  ASSERT_EQ(::symlink("/usr/lib", (layout_->installation() + "/left4dead2/bin").c_str()), 0);
  ASSERT_EQ(::symlink("both.txt", (layout_->overlay("1") + "/left4dead2/alias.txt").c_str()), 0);
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  EXPECT_EQ(read(layout_->merged(name("a")) + "/left4dead2/alias.txt"), "overlay 2");
  ASSERT_OK(unmount_instance(*layout_, name("a")));

  struct Hostile {
    std::string link;    // below overlays/h
    std::string target;  // what it points at
    std::string why;
  };
  const std::vector<Hostile> hostile = {
      {"left4dead2/addons/x.vpk", "/etc/shadow", "absolute"},
      {"left4dead2/cfg/up", "../../../../..", "climbs above the layer"},
      {"left4dead2/cfg/y", "here/../../../etc",
       "'..' after a named component: a symlinked directory there would climb from its own target"},
  };
  std::string layer = layout_->overlay("h");
  for (bool identity : {true, false}) {
    for (const Hostile& bad : hostile) {
      ASSERT_OK(remove_tree(layer));
      write(layer + "/left4dead2/cfg/here/keep.cfg", "x");
      ASSERT_OK(make_directories(layer + "/left4dead2/addons"));
      ASSERT_EQ(::symlink(bad.target.c_str(), (layer + "/" + bad.link).c_str()), 0);
      make_instance("c", layer + ":" + layout_->overlay("1") + ":" + layout_->installation());
      own_all(identity ? kServiceUid : 0);
      Status status = mount_instance(*layout_, name("c"), config_);
      ASSERT_FALSE(status.ok()) << bad.link;
      EXPECT_EQ(status.error().message(), "layer 1 'overlays/h': symlink '" + bad.link + "' -> '" + bad.target +
                                              "' leads out of the game tree (" + bad.why + ")");
      EXPECT_EQ(table_lines(), before_) << bad.link;
      EXPECT_EQ(*instance_mount_state(*layout_, name("c")), MountState::kUnmounted);
    }
  }
}

TEST_F(OverlayMountTest, EveryLowerdirApiMountsTheSameStack) {
  for (LowerdirApi api : {LowerdirApi::kFd, LowerdirApi::kAppend, LowerdirApi::kLegacy}) {
    config_.api = api;
    ASSERT_OK(mount_instance(*layout_, name("a"), config_)) << static_cast<int>(api);
    EXPECT_EQ(read(layout_->merged(name("a")) + "/left4dead2/both.txt"), "overlay 2");
    ASSERT_OK(unmount_instance(*layout_, name("a")));
  }
  // Past the one-page limit the legacy path refuses, and leaves nothing mounted.
  config_.api = LowerdirApi::kLegacy;
  config_.legacy_option_limit = 64;
  Status status = mount_instance(*layout_, name("a"), config_);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("over the 64-byte limit of mount(2)"), std::string::npos)
      << status.error().message();
  EXPECT_EQ(table_lines(), before_);
}

TEST_F(OverlayMountTest, WithoutAServiceUserMountsThePlainLayers) {
  own_all(0);
  ASSERT_OK(mount_instance(*layout_, name("a"), config_));
  EXPECT_EQ(read(layout_->merged(name("a")) + "/left4dead2/both.txt"), "overlay 2");
  EXPECT_EQ(table_lines(), std::vector<std::string>{layout_->merged(name("a"))});
  ASSERT_OK(unmount_instance(*layout_, name("a")));
  EXPECT_EQ(table_lines(), before_);
}

TEST(LowerdirApiForRelease, PicksByKernelVersion) {
  EXPECT_EQ(lowerdir_api_for_release("6.18.44-fc-v669"), LowerdirApi::kFd);
  EXPECT_EQ(lowerdir_api_for_release("6.13.0"), LowerdirApi::kFd);
  EXPECT_EQ(lowerdir_api_for_release("6.12.9-amd64"), LowerdirApi::kAppend);
  EXPECT_EQ(lowerdir_api_for_release("6.8.0"), LowerdirApi::kAppend);
  EXPECT_EQ(lowerdir_api_for_release("6.1.0-18-amd64"), LowerdirApi::kLegacy);
  EXPECT_EQ(lowerdir_api_for_release("7.0"), LowerdirApi::kFd);
  EXPECT_EQ(lowerdir_api_for_release("garbage"), LowerdirApi::kLegacy);
}

}  // namespace
}  // namespace left4me::host
