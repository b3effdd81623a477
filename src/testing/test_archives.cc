#include "testing/test_archives.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "base/file.h"

namespace left4me::test {
namespace {

struct WriterDeleter {
  void operator()(struct archive* archive) const { archive_write_free(archive); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};

Status archive_failure(struct archive* archive, std::string_view what) {
  const char* text = archive_error_string(archive);
  return Error::failed("test archive: " + std::string(what) + ": " + (text ? text : "unknown error"));
}

Status set_format(struct archive* archive, ArchiveFormat format) {
  int status = ARCHIVE_OK;
  switch (format) {
    case ArchiveFormat::kZip:
      status = archive_write_set_format_zip(archive);
      break;
    case ArchiveFormat::kTar:
      status = archive_write_set_format_pax_restricted(archive);
      break;
    case ArchiveFormat::kTarGz:
      status = archive_write_set_format_pax_restricted(archive);
      if (status == ARCHIVE_OK) status = archive_write_add_filter_gzip(archive);
      break;
    case ArchiveFormat::k7z:
      status = archive_write_set_format_7zip(archive);
      break;
  }
  return status == ARCHIVE_OK ? ok_status() : archive_failure(archive, "format");
}

Status write_content(struct archive* archive, const ArchiveEntry& entry) {
  if (entry.content == ArchiveEntry::Content::kText) {
    if (!entry.text.empty() && archive_write_data(archive, entry.text.data(), entry.text.size()) < 0) {
      return archive_failure(archive, "data of " + entry.name);
    }
    return ok_status();
  }
  std::string block(64 * 1024, '\0');
  std::uint32_t state = 2463534242u;
  for (std::uint64_t done = 0; done < entry.size;) {
    size_t size = static_cast<size_t>(std::min<std::uint64_t>(block.size(), entry.size - done));
    if (entry.content == ArchiveEntry::Content::kRandom) {
      for (size_t i = 0; i < size; ++i) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        block[i] = static_cast<char>(state);
      }
    }
    if (archive_write_data(archive, block.data(), size) < 0) return archive_failure(archive, "data of " + entry.name);
    done += size;
  }
  return ok_status();
}

void snapshot_into(const std::string& root, const std::string& relative, std::map<std::string, std::string>& lines) {
  std::string path = relative.empty() ? root : root + "/" + relative;
  DIR* listing = ::opendir(path.c_str());
  if (listing == nullptr) return;
  while (struct dirent* entry = ::readdir(listing)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string child = relative.empty() ? name : relative + "/" + name;
    std::string full = root + "/" + child;
    struct stat st;
    if (::lstat(full.c_str(), &st) != 0) continue;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(st.st_mode & 07777));
    if (S_ISDIR(st.st_mode)) {
      lines[child] = "d " + std::string(mode) + " " + child + "\n";
      snapshot_into(root, child, lines);
    } else if (S_ISREG(st.st_mode)) {
      auto content = read_file(full);
      lines[child] = "f " + std::string(mode) + " " + child + " " + std::to_string(st.st_size) + " " +
                     (content.ok() ? *content : "<unreadable>") + "\n";
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlink(full.c_str(), target, sizeof target);
      lines[child] = "l " + child + " " + std::string(target, n > 0 ? static_cast<size_t>(n) : 0) + "\n";
    } else {
      lines[child] = "o " + child + "\n";
    }
  }
  ::closedir(listing);
}

}  // namespace

std::string_view format_name(ArchiveFormat format) {
  switch (format) {
    case ArchiveFormat::kZip:
      return "zip";
    case ArchiveFormat::kTar:
      return "tar";
    case ArchiveFormat::kTarGz:
      return "tar_gz";
    case ArchiveFormat::k7z:
      return "7z";
  }
  return "?";
}

ArchiveEntry ArchiveEntry::file(std::string name, std::string text, mode_t permissions) {
  ArchiveEntry entry;
  entry.name = std::move(name);
  entry.type = AE_IFREG;
  entry.text = std::move(text);
  entry.permissions = permissions;
  return entry;
}

ArchiveEntry ArchiveEntry::zeros(std::string name, std::uint64_t size) {
  ArchiveEntry entry = file(std::move(name), "");
  entry.content = Content::kZeros;
  entry.size = size;
  return entry;
}

ArchiveEntry ArchiveEntry::random(std::string name, std::uint64_t size) {
  ArchiveEntry entry = zeros(std::move(name), size);
  entry.content = Content::kRandom;
  return entry;
}

ArchiveEntry ArchiveEntry::directory(std::string name) {
  ArchiveEntry entry;
  entry.name = std::move(name);
  entry.type = AE_IFDIR;
  entry.permissions = 0755;
  return entry;
}

ArchiveEntry ArchiveEntry::symlink(std::string name, std::string target) {
  ArchiveEntry entry;
  entry.name = std::move(name);
  entry.type = AE_IFLNK;
  entry.permissions = 0777;
  entry.link = std::move(target);
  return entry;
}

ArchiveEntry ArchiveEntry::hardlink(std::string name, std::string target) {
  ArchiveEntry entry = file(std::move(name), "");
  entry.hardlink_target = std::move(target);
  return entry;
}

ArchiveEntry ArchiveEntry::special(std::string name, mode_t type) {
  ArchiveEntry entry;
  entry.name = std::move(name);
  entry.type = type;
  return entry;
}

Status write_test_archive(const std::string& path, ArchiveFormat format, const std::vector<ArchiveEntry>& entries) {
  std::unique_ptr<struct archive, WriterDeleter> archive(archive_write_new());
  if (auto set = set_format(archive.get(), format); !set.ok()) return set;
  if (archive_write_open_filename(archive.get(), path.c_str()) != ARCHIVE_OK) {
    return archive_failure(archive.get(), "open " + path);
  }
  for (const ArchiveEntry& entry : entries) {
    std::unique_ptr<struct archive_entry, EntryDeleter> header(archive_entry_new());
    // 7z stores names as UTF-16, converted from UTF-8 only when told the name is UTF-8 (the C locale knows
    // no other encoding); the other formats store the bytes as given.
    if (format == ArchiveFormat::k7z) {
      archive_entry_set_pathname_utf8(header.get(), entry.name.c_str());
    } else {
      archive_entry_set_pathname(header.get(), entry.name.c_str());
    }
    archive_entry_set_filetype(header.get(), entry.type);
    archive_entry_set_perm(header.get(), entry.permissions);
    archive_entry_set_mtime(header.get(), 1700000000, 0);
    std::uint64_t size = entry.content == ArchiveEntry::Content::kText ? entry.text.size() : entry.size;
    if (entry.type == AE_IFREG && entry.hardlink_target.empty())
      archive_entry_set_size(header.get(), static_cast<la_int64_t>(size));
    if (!entry.link.empty()) archive_entry_set_symlink(header.get(), entry.link.c_str());
    if (!entry.hardlink_target.empty()) archive_entry_set_hardlink(header.get(), entry.hardlink_target.c_str());
    if (archive_write_header(archive.get(), header.get()) < ARCHIVE_WARN) {
      return archive_failure(archive.get(), "header of " + entry.name);
    }
    if (entry.type == AE_IFREG && entry.hardlink_target.empty()) {
      if (auto written = write_content(archive.get(), entry); !written.ok()) return written;
    }
  }
  if (archive_write_close(archive.get()) != ARCHIVE_OK) return archive_failure(archive.get(), "close " + path);
  return ok_status();
}

std::string snapshot_tree(const std::string& root) {
  std::map<std::string, std::string> lines;
  snapshot_into(root, "", lines);
  std::string text;
  for (const auto& [path, line] : lines) text += line;
  return text;
}

}  // namespace left4me::test
