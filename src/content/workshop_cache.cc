#include "content/workshop_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>

#include "base/file.h"
#include "base/unique_fd.h"
#include "json/parse_json.h"

namespace left4me::content {
namespace {

constexpr std::size_t kVpkHeaderBytes = 12;

std::string random_suffix() {
  std::random_device random;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", random(), random());
  return text;
}

// A file being written in a directory, unlinked unless it was renamed into place.
class TempFile {
 public:
  TempFile(int dir_fd, std::string name) : dir_fd_(dir_fd), name_(std::move(name)) {}
  ~TempFile() {
    if (!name_.empty()) ::unlinkat(dir_fd_, name_.c_str(), 0);
  }
  const std::string& name() const { return name_; }
  void kept() { name_.clear(); }

 private:
  int dir_fd_;
  std::string name_;
};

Result<UniqueFd> open_directory(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.valid()) return fd;
  if (errno == ENOTDIR || errno == ELOOP) return Error::invalid(path + ": must be a real directory");
  if (errno == ENOENT) return Error::not_found(path + ": does not exist");
  return Error::from_errno("open " + path, errno);
}

// Opens (creating, mode 0755) the directory name in dir_fd, refusing a symlink or anything else.
Result<UniqueFd> open_child_directory(int dir_fd, const std::string& name, const std::string& display) {
  if (::mkdirat(dir_fd, name.c_str(), 0755) != 0 && errno != EEXIST)
    return Error::from_errno("mkdir " + display, errno);
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.valid()) return fd;
  if (errno == ENOTDIR || errno == ELOOP) {
    return Error::invalid(display + ": must be a real directory, found a symlink or a file");
  }
  return Error::from_errno("open " + display, errno);
}

Status copy_stream(int from, int to, std::uint64_t max_bytes, std::uint64_t& copied, const std::string& display) {
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read " + display, errno);
    if (n == 0) return ok_status();
    if (copied + static_cast<std::uint64_t>(n) > max_bytes) {
      return Error(ErrorCode::kLimitReached,
                   display + ": larger than the " + std::to_string(max_bytes) + " bytes steam gives as its file_size");
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t written = ::write(to, buffer + done, static_cast<size_t>(n - done));
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) return Error::from_errno("write " + display, errno);
      done += written;
    }
    copied += static_cast<std::uint64_t>(n);
  }
}

Status check_vpk(int fd, const std::string& id) {
  char header[kVpkHeaderBytes];
  ssize_t n = ::pread(fd, header, sizeof header, 0);
  if (n < 0) return Error::from_errno("read workshop item " + id, errno);
  if (!has_vpk_header(std::string_view(header, static_cast<size_t>(n)))) {
    return Error::invalid("the downloaded file is not a VPK (no VPK header)");
  }
  return ok_status();
}

Status write_record(const model::Layout& layout, const PublishedFile& file) {
  nlohmann::json record = {{"id", file.id},
                           {"title", file.title},
                           {"filename", file.filename},
                           {"file_size", file.file_size},
                           {"time_updated", file.time_updated}};
  return write_file_atomic(layout.workshop_record(file.id), record.dump() + "\n");
}

bool is_item_file(std::string_view name, std::string* id) {
  if (name.size() < 5 || name.substr(name.size() - 4) != ".vpk") return false;
  std::string_view stem = name.substr(0, name.size() - 4);
  if (!is_workshop_id(stem)) return false;
  if (id != nullptr) *id = std::string(stem);
  return true;
}

// Every entry of a directory (no "." and ".."), with lstat's answer.
Result<std::vector<std::pair<std::string, struct stat>>> list_directory(int dir_fd, const std::string& display) {
  int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Error::from_errno("dup " + display, errno);
  DIR* listing = ::fdopendir(copy);
  if (listing == nullptr) {
    ::close(copy);
    return Error::from_errno("opendir " + display, errno);
  }
  std::vector<std::pair<std::string, struct stat>> entries;
  while (struct dirent* entry = ::readdir(listing)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) entries.emplace_back(name, st);
  }
  ::closedir(listing);
  return entries;
}

}  // namespace

bool has_vpk_header(std::string_view data) {
  if (data.size() < kVpkHeaderBytes) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  bool signature = bytes[0] == 0x34 && bytes[1] == 0x12 && bytes[2] == 0xaa && bytes[3] == 0x55;
  std::uint32_t version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (static_cast<std::uint32_t>(bytes[7]) << 24);
  return signature && (version == 1 || version == 2);
}

std::optional<CacheRecord> WorkshopCache::record(const std::string& id) const {
  auto text = read_file(layout_.workshop_record(id));
  if (!text.ok() || !path_exists(layout_.workshop_item(id))) return std::nullopt;
  auto parsed = parse_json_limited(*text, 4);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const nlohmann::json& json = *parsed;
  CacheRecord record;
  record.id = id;
  record.title = json.value("title", "");
  record.filename = json.value("filename", "");
  record.file_size = json.value("file_size", std::uint64_t{0});
  record.time_updated = json.value("time_updated", std::int64_t{0});
  return record;
}

Result<ItemSource> WorkshopCache::fetch(const PublishedFile& file, const ItemProgress& progress) {
  if (auto made = make_directories(layout_.workshop_cache()); !made.ok()) return made.error();
  auto cache = open_directory(layout_.workshop_cache());
  if (!cache.ok()) return cache.error();
  TempFile temp(cache->get(), "." + file.id + ".vpk.part-" + random_suffix());
  UniqueFd out(::openat(cache->get(), temp.name().c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!out.valid()) return Error::from_errno("create " + layout_.workshop_cache() + "/" + temp.name(), errno);
  std::uint64_t bytes = 0;
  ItemSource source = file.file_url.empty() ? ItemSource::kSteamcmd : ItemSource::kFileUrl;
  if (source == ItemSource::kFileUrl) {
    auto report = [&](std::uint64_t done, std::uint64_t) {
      if (progress) progress(file.id, done, file.file_size);
    };
    auto downloaded = http_download(file.file_url, out.get(), file.file_size, options_.http, report);
    if (!downloaded.ok()) return downloaded.error();
    bytes = *downloaded;
  } else {
    if (!options_.steamcmd) return Error::unavailable("steam gives no file_url and no steamcmd is configured");
    auto path = options_.steamcmd(file.id);
    if (!path.ok()) return path.error();
    UniqueFd in(::open(path->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in.valid()) return Error::from_errno("open " + *path, errno);
    if (auto copied = copy_stream(in.get(), out.get(), file.file_size, bytes, *path); !copied.ok())
      return copied.error();
  }
  if (bytes != file.file_size) {
    return Error::failed(std::string(source == ItemSource::kFileUrl ? "file_url" : "steamcmd") + " gave " +
                         std::to_string(bytes) + " bytes; steam gives its file_size as " +
                         std::to_string(file.file_size));
  }
  if (auto checked = check_vpk(out.get(), file.id); !checked.ok()) return checked.error();
  if (::fchmod(out.get(), 0644) != 0 || ::fsync(out.get()) != 0) return Error::from_errno("sync " + temp.name(), errno);
  std::string name = file.id + ".vpk";
  if (::renameat(cache->get(), temp.name().c_str(), cache->get(), name.c_str()) != 0) {
    return Error::from_errno("rename " + temp.name(), errno);
  }
  temp.kept();
  if (auto recorded = write_record(layout_, file); !recorded.ok()) return recorded.error();
  return source;
}

ItemOutcome WorkshopCache::refresh_one(const PublishedFile& file, const ItemProgress& progress) {
  ItemOutcome outcome{.id = file.id};
  if (!file.status.ok()) {
    outcome.status = file.status;
    return outcome;
  }
  if (!is_workshop_id(file.id)) {
    outcome.status = Error::invalid("not a Workshop id (1 to 20 digits)");
    return outcome;
  }
  auto cached = record(file.id);
  struct stat st;
  if (cached && cached->time_updated == file.time_updated && cached->file_size == file.file_size &&
      ::stat(layout_.workshop_item(file.id).c_str(), &st) == 0 &&
      static_cast<std::uint64_t>(st.st_size) == file.file_size) {
    outcome.action = ItemAction::kUpToDate;
    return outcome;
  }
  auto fetched = fetch(file, progress);
  if (!fetched.ok()) {
    outcome.status = fetched.error();
    return outcome;
  }
  outcome.action = ItemAction::kDownloaded;
  outcome.source = *fetched;
  return outcome;
}

std::vector<ItemOutcome> WorkshopCache::refresh(const std::vector<PublishedFile>& files, const ItemProgress& progress) {
  std::vector<ItemOutcome> outcomes;
  outcomes.reserve(files.size());
  for (const auto& file : files) outcomes.push_back(refresh_one(file, progress));
  return outcomes;
}

Result<int> WorkshopCache::remove_partial_downloads() const {
  auto cache = open_directory(layout_.workshop_cache());
  if (!cache.ok()) return cache.error().code() == ErrorCode::kNotFound ? Result<int>(0) : Result<int>(cache.error());
  auto entries = list_directory(cache->get(), layout_.workshop_cache());
  if (!entries.ok()) return entries.error();
  int removed = 0;
  for (const auto& [name, st] : *entries) {
    size_t marker = name.find(".vpk.part-");
    if (!S_ISREG(st.st_mode) || name.front() != '.' || marker == std::string::npos) continue;
    if (!is_workshop_id(std::string_view(name).substr(1, marker - 1))) continue;
    if (::unlinkat(cache->get(), name.c_str(), 0) != 0) return Error::from_errno("remove " + name, errno);
    ++removed;
  }
  return removed;
}

Status WorkshopCache::remove(const std::string& id) const {
  if (!is_workshop_id(id)) return Error::invalid("'" + id + "' is not a Workshop id");
  for (const std::string& path : {layout_.workshop_item(id), layout_.workshop_record(id)}) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Error::from_errno("remove " + path, errno);
  }
  return ok_status();
}

namespace {

// Makes addons/<id>.vpk the cached file: a hard link (a copy across filesystems) renamed over the old name.
Status link_one(int cache_fd, int addons_fd, const std::string& id, const std::string& display) {
  std::string name = id + ".vpk";
  struct stat cached;
  struct stat present;
  if (::fstatat(cache_fd, name.c_str(), &cached, AT_SYMLINK_NOFOLLOW) != 0) {
    return Error::from_errno("stat cached item " + id, errno);
  }
  if (::fstatat(addons_fd, name.c_str(), &present, AT_SYMLINK_NOFOLLOW) == 0 && present.st_dev == cached.st_dev &&
      present.st_ino == cached.st_ino) {
    return ok_status();
  }
  TempFile temp(addons_fd, "." + name + ".link-" + random_suffix());
  if (::linkat(cache_fd, name.c_str(), addons_fd, temp.name().c_str(), 0) != 0) {
    if (errno != EXDEV) return Error::from_errno("link " + display + "/" + name, errno);
    UniqueFd in(::openat(cache_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd out(::openat(addons_fd, temp.name().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!in.valid() || !out.valid()) return Error::from_errno("copy " + display + "/" + name, errno);
    std::uint64_t copied = 0;
    auto done = copy_stream(in.get(), out.get(), static_cast<std::uint64_t>(cached.st_size), copied, name);
    if (!done.ok()) return done;
    if (::fchmod(out.get(), 0644) != 0 || ::fsync(out.get()) != 0) return Error::from_errno("sync " + name, errno);
  }
  if (::renameat(addons_fd, temp.name().c_str(), addons_fd, name.c_str()) != 0) {
    return Error::from_errno("rename into " + display + "/" + name, errno);
  }
  temp.kept();
  return ok_status();
}

}  // namespace

Status WorkshopCache::link_into(const std::string& overlay_dir, const std::vector<std::string>& ids,
                                Prune prune) const {
  auto cache = open_directory(layout_.workshop_cache());
  if (!cache.ok()) return cache.error();
  for (const auto& id : ids) {
    struct stat st;
    if (!is_workshop_id(id)) return Error::invalid("'" + id + "' is not a Workshop id");
    if (::fstatat(cache->get(), (id + ".vpk").c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
      return Error::not_found("workshop item " + id + " is not in the cache");
    }
  }
  auto overlay = open_directory(overlay_dir);
  if (!overlay.ok()) return overlay.error();
  auto game = open_child_directory(overlay->get(), "left4dead2", overlay_dir + "/left4dead2");
  if (!game.ok()) return game.error();
  std::string display = overlay_dir + "/left4dead2/addons";
  auto addons = open_child_directory(game->get(), "addons", display);
  if (!addons.ok()) return addons.error();
  for (const auto& id : ids) {
    if (auto linked = link_one(cache->get(), addons->get(), id, display); !linked.ok()) return linked;
  }
  if (prune == Prune::kNo) return ok_status();
  auto entries = list_directory(addons->get(), display);
  if (!entries.ok()) return entries.error();
  std::set<std::string> wanted(ids.begin(), ids.end());
  for (const auto& [name, st] : *entries) {
    std::string id;
    if (!S_ISREG(st.st_mode) || !is_item_file(name, &id) || wanted.count(id) != 0) continue;
    if (::unlinkat(addons->get(), name.c_str(), 0) != 0)
      return Error::from_errno("remove " + display + "/" + name, errno);
  }
  return ok_status();
}

Result<std::vector<std::string>> unreferenced_items(const model::Layout& layout,
                                                    const std::vector<std::string>& overlay_dirs) {
  auto cache = open_directory(layout.workshop_cache());
  if (!cache.ok()) {
    if (cache.error().code() == ErrorCode::kNotFound) return std::vector<std::string>{};
    return cache.error();
  }
  auto cached = list_directory(cache->get(), layout.workshop_cache());
  if (!cached.ok()) return cached.error();
  std::set<std::pair<dev_t, ino_t>> used_inodes;
  std::set<std::string> used_names;
  for (const auto& overlay_dir : overlay_dirs) {
    std::string addons_path = overlay_dir + "/left4dead2/addons";
    auto addons = open_directory(addons_path);
    if (!addons.ok()) {
      if (addons.error().code() == ErrorCode::kNotFound) continue;  // an overlay without addons uses nothing
      return addons.error();
    }
    auto entries = list_directory(addons->get(), addons_path);
    if (!entries.ok()) return entries.error();
    for (const auto& [name, st] : *entries) {
      if (!S_ISREG(st.st_mode)) continue;
      used_inodes.emplace(st.st_dev, st.st_ino);
      used_names.insert(name);
    }
  }
  std::vector<std::string> unused;
  for (const auto& [name, st] : *cached) {
    std::string id;
    if (!S_ISREG(st.st_mode) || !is_item_file(name, &id)) continue;
    if (used_inodes.count({st.st_dev, st.st_ino}) == 0 && used_names.count(name) == 0) unused.push_back(id);
  }
  std::sort(unused.begin(), unused.end());
  return unused;
}

}  // namespace left4me::content
