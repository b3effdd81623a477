#include "host/mount_table.h"

#include <dlfcn.h>
#include <libmount/libmount.h>

#include <cerrno>
#include <memory>
#include <optional>

namespace left4me::host {

namespace {

// libmount is opened on first use instead of being linked: linked, the dynamic loader binds libmount,
// libblkid and libselinux (all built with BIND_NOW, ~900 symbols) at the start of every l4d2ctl run,
// 0.4 ms each time, and `l4d2ctl status`, which runs for every dashboard refresh, does not read the table
// on kernels with statmount (mount_probe.h). The functions are the library's own; only the loading is lazy.
struct LibMount {
  decltype(&mnt_new_table) new_table = nullptr;
  decltype(&mnt_unref_table) unref_table = nullptr;
  decltype(&mnt_table_parse_file) table_parse_file = nullptr;
  decltype(&mnt_new_iter) new_iter = nullptr;
  decltype(&mnt_free_iter) free_iter = nullptr;
  decltype(&mnt_table_next_fs) table_next_fs = nullptr;
  decltype(&mnt_fs_get_id) fs_get_id = nullptr;
  decltype(&mnt_fs_get_parent_id) fs_get_parent_id = nullptr;
  decltype(&mnt_fs_get_root) fs_get_root = nullptr;
  decltype(&mnt_fs_get_target) fs_get_target = nullptr;
  decltype(&mnt_fs_get_fstype) fs_get_fstype = nullptr;
  decltype(&mnt_fs_get_source) fs_get_source = nullptr;
  decltype(&mnt_fs_get_options) fs_get_options = nullptr;
};

constexpr const char* kLibMount = "libmount.so.1";

template <typename Function>
bool bind(void* library, const char* symbol, Function* out) {
  *out = reinterpret_cast<Function>(::dlsym(library, symbol));
  return *out != nullptr;
}

struct Loaded {
  std::optional<LibMount> library;
  std::string error;
};

Loaded load_libmount() {
  void* library = ::dlopen(kLibMount, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    return {std::nullopt, std::string("cannot load ") + kLibMount + " (package libmount1): " + (why ? why : "")};
  }
  LibMount lib;
  bool all =
      bind(library, "mnt_new_table", &lib.new_table) && bind(library, "mnt_unref_table", &lib.unref_table) &&
      bind(library, "mnt_table_parse_file", &lib.table_parse_file) && bind(library, "mnt_new_iter", &lib.new_iter) &&
      bind(library, "mnt_free_iter", &lib.free_iter) && bind(library, "mnt_table_next_fs", &lib.table_next_fs) &&
      bind(library, "mnt_fs_get_id", &lib.fs_get_id) && bind(library, "mnt_fs_get_parent_id", &lib.fs_get_parent_id) &&
      bind(library, "mnt_fs_get_root", &lib.fs_get_root) && bind(library, "mnt_fs_get_target", &lib.fs_get_target) &&
      bind(library, "mnt_fs_get_fstype", &lib.fs_get_fstype) &&
      bind(library, "mnt_fs_get_source", &lib.fs_get_source) &&
      bind(library, "mnt_fs_get_options", &lib.fs_get_options);
  if (!all) return {std::nullopt, std::string(kLibMount) + " lacks a function left4me needs: " + ::dlerror()};
  return {lib, ""};  // never closed: the process keeps it
}

Result<const LibMount*> libmount() {
  static const Loaded loaded = load_libmount();  // once, thread-safe
  if (!loaded.library) return Error::failed(loaded.error);
  return &*loaded.library;
}

std::string or_empty(const char* text) { return text ? std::string(text) : std::string(); }

}  // namespace

Result<MountTable> MountTable::read(const std::string& mountinfo) {
  Result<const LibMount*> loaded = libmount();
  if (!loaded) return loaded.error();
  const LibMount& lib = **loaded;
  auto unref_table = [&lib](libmnt_table* table) { lib.unref_table(table); };
  auto free_iter = [&lib](libmnt_iter* iter) { lib.free_iter(iter); };
  std::unique_ptr<libmnt_table, decltype(unref_table)> table(lib.new_table(), unref_table);
  if (!table) return Error::failed("libmount: cannot allocate a table");
  int rc = lib.table_parse_file(table.get(), mountinfo.c_str());
  if (rc != 0) return Error::from_errno("parse " + mountinfo, rc < 0 ? -rc : EINVAL);
  std::unique_ptr<libmnt_iter, decltype(free_iter)> iter(lib.new_iter(MNT_ITER_FORWARD), free_iter);
  if (!iter) return Error::failed("libmount: cannot allocate an iterator");
  MountTable result;
  libmnt_fs* fs = nullptr;
  while (lib.table_next_fs(table.get(), iter.get(), &fs) == 0) {
    MountEntry entry;
    entry.id = lib.fs_get_id(fs);
    entry.parent_id = lib.fs_get_parent_id(fs);
    entry.root = or_empty(lib.fs_get_root(fs));
    entry.target = or_empty(lib.fs_get_target(fs));
    entry.fstype = or_empty(lib.fs_get_fstype(fs));
    entry.source = or_empty(lib.fs_get_source(fs));
    entry.options = or_empty(lib.fs_get_options(fs));
    result.entries_.push_back(std::move(entry));
  }
  return result;
}

std::size_t MountTable::count_at(std::string_view path) const {
  std::size_t count = 0;
  for (const MountEntry& entry : entries_) {
    if (entry.target == path) ++count;
  }
  return count;
}

const MountEntry* MountTable::top_at(std::string_view path) const {
  // The top mount is the one at `path` that no other mount at `path` sits on.
  const MountEntry* top = nullptr;
  for (const MountEntry& entry : entries_) {
    if (entry.target != path) continue;
    bool covered = false;
    for (const MountEntry& other : entries_) {
      if (other.target == path && other.parent_id == entry.id) covered = true;
    }
    if (!covered) top = &entry;
  }
  return top;
}

std::vector<MountEntry> MountTable::under(std::string_view prefix) const {
  std::vector<MountEntry> result;
  for (const MountEntry& entry : entries_) {
    std::string_view target = entry.target;
    bool below = target.size() > prefix.size() && target.starts_with(prefix) &&
                 (prefix.ends_with('/') || target[prefix.size()] == '/');
    if (target == prefix || below) result.push_back(entry);
  }
  return result;
}

Result<bool> is_mountpoint(const std::string& path) {
  Result<MountTable> table = MountTable::read();
  if (!table) return table.error();
  return table->is_mountpoint(path);
}

}  // namespace left4me::host
