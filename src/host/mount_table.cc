#include "host/mount_table.h"

#include <libmount/libmount.h>

#include <cerrno>
#include <memory>

namespace left4me::host {

namespace {

struct TableDeleter {
  void operator()(libmnt_table* table) const { mnt_unref_table(table); }
};
struct IterDeleter {
  void operator()(libmnt_iter* iter) const { mnt_free_iter(iter); }
};

std::string or_empty(const char* text) { return text ? std::string(text) : std::string(); }

}  // namespace

Result<MountTable> MountTable::read(const std::string& mountinfo) {
  std::unique_ptr<libmnt_table, TableDeleter> table(mnt_new_table());
  if (!table) return Error::failed("libmount: cannot allocate a table");
  int rc = mnt_table_parse_file(table.get(), mountinfo.c_str());
  if (rc != 0) return Error::from_errno("parse " + mountinfo, rc < 0 ? -rc : EINVAL);
  std::unique_ptr<libmnt_iter, IterDeleter> iter(mnt_new_iter(MNT_ITER_FORWARD));
  if (!iter) return Error::failed("libmount: cannot allocate an iterator");
  MountTable result;
  libmnt_fs* fs = nullptr;
  while (mnt_table_next_fs(table.get(), iter.get(), &fs) == 0) {
    MountEntry entry;
    entry.id = mnt_fs_get_id(fs);
    entry.parent_id = mnt_fs_get_parent_id(fs);
    entry.root = or_empty(mnt_fs_get_root(fs));
    entry.target = or_empty(mnt_fs_get_target(fs));
    entry.fstype = or_empty(mnt_fs_get_fstype(fs));
    entry.source = or_empty(mnt_fs_get_source(fs));
    entry.options = or_empty(mnt_fs_get_options(fs));
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
