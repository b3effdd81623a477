#include "host/mount_probe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace left4me::host {
namespace {

// The kernel ABI of statmount(2) (include/uapi/linux/mount.h, Linux 6.8); Debian 12's headers predate it.
#if defined(__x86_64__) || defined(__aarch64__)
constexpr long kSysStatmount = 457;
#else
constexpr long kSysStatmount = -1;  // not wired up here: always read the mount table
#endif
constexpr unsigned kStatxMntIdUnique = 0x4000;  // stx_mnt_id is the 64-bit id statmount takes
constexpr std::uint64_t kStatmountMntBasic = 0x2;
constexpr std::uint64_t kStatmountMntPoint = 0x10;
constexpr std::uint64_t kStatmountFsType = 0x20;
constexpr std::uint32_t kMntIdReqSizeVer0 = 24;
// The fixed part of struct statmount is 512 bytes in every version; its [str] fields are offsets into
// the strings that follow it.
constexpr std::size_t kStatmountFixedSize = 512;
constexpr int kMaxStacked = 4096;

struct MntIdReq {
  std::uint32_t size;
  std::uint32_t spare;
  std::uint64_t mnt_id;
  std::uint64_t param;
};
static_assert(sizeof(MntIdReq) == kMntIdReqSizeVer0);

struct StatmountHead {
  std::uint32_t size;
  std::uint32_t mnt_opts;
  std::uint64_t mask;
  std::uint32_t sb_dev_major;
  std::uint32_t sb_dev_minor;
  std::uint64_t sb_magic;
  std::uint32_t sb_flags;
  std::uint32_t fs_type;  // [str]
  std::uint64_t mnt_id;
  std::uint64_t mnt_parent_id;
  std::uint32_t mnt_id_old;
  std::uint32_t mnt_parent_id_old;
  std::uint64_t mnt_attr;
  std::uint64_t mnt_propagation;
  std::uint64_t mnt_peer_group;
  std::uint64_t mnt_master;
  std::uint64_t propagate_from;
  std::uint32_t mnt_root;   // [str]
  std::uint32_t mnt_point;  // [str]
};
static_assert(offsetof(StatmountHead, fs_type) == 36 && offsetof(StatmountHead, mnt_parent_id) == 48 &&
              offsetof(StatmountHead, mnt_point) == 108);

struct Mount {
  std::uint64_t parent_id = 0;
  std::string point;
  std::string fstype;
};

// One string of a statmount reply, checked against the reply's size.
std::optional<std::string> reply_string(const char* buffer, std::uint32_t size, std::uint32_t offset) {
  if (size <= kStatmountFixedSize || offset >= size - kStatmountFixedSize) return std::nullopt;
  const char* text = buffer + kStatmountFixedSize + offset;
  std::size_t room = size - kStatmountFixedSize - offset;
  std::size_t length = ::strnlen(text, room);
  if (length == room) return std::nullopt;  // not terminated within the reply
  return std::string(text, length);
}

std::optional<Mount> stat_mount(std::uint64_t id) {
  if (kSysStatmount < 0) return std::nullopt;
  MntIdReq request{kMntIdReqSizeVer0, 0, id, kStatmountMntBasic | kStatmountMntPoint | kStatmountFsType};
  alignas(8) static thread_local std::array<char, kStatmountFixedSize + 8192> buffer;
  if (::syscall(kSysStatmount, &request, buffer.data(), buffer.size(), 0) != 0) return std::nullopt;
  StatmountHead head;
  std::memcpy(&head, buffer.data(), sizeof head);
  const std::uint64_t wanted = kStatmountMntBasic | kStatmountMntPoint | kStatmountFsType;
  if ((head.mask & wanted) != wanted || head.size > buffer.size()) return std::nullopt;
  std::optional<std::string> point = reply_string(buffer.data(), head.size, head.mnt_point);
  std::optional<std::string> fstype = reply_string(buffer.data(), head.size, head.fs_type);
  if (!point || !fstype) return std::nullopt;
  return Mount{head.mnt_parent_id, std::move(*point), std::move(*fstype)};
}

}  // namespace

std::optional<MountsAt> probe_mounts_at(const std::string& path) {
  struct statx info {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, kStatxMntIdUnique, &info) != 0) {
    // Nothing can be mounted on a path that does not resolve (an idmap point of an instance without
    // idmapped layers, a runtime directory not made yet).
    if (errno == ENOENT || errno == ENOTDIR) return MountsAt{};
    return std::nullopt;
  }
  if ((info.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0) return std::nullopt;
  if ((info.stx_attributes & STATX_ATTR_MOUNT_ROOT) == 0) return MountsAt{};
  if ((info.stx_mask & kStatxMntIdUnique) == 0) return std::nullopt;  // before Linux 6.8
  MountsAt result;
  std::uint64_t id = info.stx_mnt_id;
  for (int depth = 0; depth < kMaxStacked; ++depth) {
    std::optional<Mount> mount = stat_mount(id);
    if (!mount) return std::nullopt;
    if (mount->point != path) break;
    if (++result.count == 1) result.top_fstype = mount->fstype;
    if (mount->parent_id == id) break;  // the namespace's root mount
    id = mount->parent_id;
  }
  // statx said a mount's root is here; a topmost mount somewhere else does not fit (a path that crosses
  // another root, a mount namespace surprise): let the mount table answer.
  if (result.count == 0) return std::nullopt;
  return result;
}

}  // namespace left4me::host
