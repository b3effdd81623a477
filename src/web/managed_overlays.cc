#include "web/managed_overlays.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "base/file.h"
#include "base/unique_fd.h"
#include "content/staged_tree.h"
#include "web/accounts.h"
#include "web/overlay_files.h"
#include "web/states.h"

namespace left4me::web {
namespace {

constexpr std::string_view kTargetPrefix = "overlay ";

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out;
  for (std::size_t i = 0; i < size; ++i) out += fmt::format("{:02x}", bytes[i]);
  return out;
}

Result<std::string> sha256_of(int fd) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> buffer(1 << 16);
  for (off_t offset = 0;;) {
    ssize_t got = pread(fd, buffer.data(), buffer.size(), offset);
    if (got < 0) return Error::from_errno("reading the download", errno);
    if (got == 0) break;
    crypto_hash_sha256_update(&state, buffer.data(), static_cast<unsigned long long>(got));
    offset += got;
  }
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return hex(digest.data(), digest.size());
}

// The file name a URL ends in ("mmsource-1.12.tar.gz"), or "archive" when it names none.
std::string file_name_of(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? "" : path.substr(slash + 1);
  std::size_t scheme = url.find("://");
  if (name.empty() || (scheme != std::string::npos && slash <= scheme + 2)) return "archive";
  return name.substr(0, 100);
}

// Removes the trees earlier refreshes kept beside the overlay's directory (".<dir>.old-..."); call only while no
// server stacking the overlay runs. Returns how many it removed.
int remove_kept_trees(const std::string& overlays_dir, const std::string& directory) {
  DIR* dir = opendir(overlays_dir.c_str());
  if (dir == nullptr) return 0;
  std::vector<std::string> kept;
  std::string prefix = "." + directory + ".";
  while (dirent* entry = readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name.rfind(prefix, 0) == 0 && content::is_staged_name(name, "old")) kept.emplace_back(name);
  }
  closedir(dir);
  int removed = 0;
  for (const std::string& name : kept) {
    if (remove_tree(overlays_dir + "/" + name)) ++removed;
  }
  return removed;
}

Result<Statement> upsert(Database::Lock& lock, std::string_view column_list, std::string_view updates) {
  return lock.prepare(
      fmt::format("INSERT INTO managed_overlays (overlay_id, {}) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT (overlay_id) DO UPDATE SET {}",
                  column_list, updates));
}

}  // namespace

std::optional<std::string> check_source_url(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return "the source must be an http(s):// URL";
  if (url.size() > 2000) return "the source URL must have at most 2,000 characters";
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "the source URL must not hold spaces or controls";
  }
  if (url.find("://") + 3 >= url.size()) return "the source URL names no host";
  return std::nullopt;
}

Result<ManagedSource> ManagedOverlays::get(std::int64_t overlay_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT source_url, version, sha256, fetched_at, checked_at, last_error, source_upload FROM managed_overlays "
      "WHERE overlay_id = ?");
  if (!select) return select.error();
  select->bind(1, overlay_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  ManagedSource source;
  source.overlay_id = overlay_id;
  if (!*row) return source;
  source.source_url = select->column_text(0);
  source.version = select->column_text(1);
  source.sha256 = select->column_text(2);
  source.fetched_at = select->column_optional_int(3);
  source.checked_at = select->column_optional_int(4);
  source.last_error = select->column_text(5);
  source.source_upload = select->column_text(6);
  return source;
}

Status ManagedOverlays::set_source(std::int64_t overlay_id, const std::string& url, const std::string& sources_dir) {
  if (auto problem = check_source_url(url)) return Error::invalid(*problem);
  {
    Database::Lock lock(database_);
    auto statement = lock.prepare(
        "INSERT INTO managed_overlays (overlay_id, source_url, source_upload) VALUES (?, ?, '') "
        "ON CONFLICT (overlay_id) DO UPDATE SET source_url = excluded.source_url, source_upload = ''");
    if (!statement) return statement.error();
    if (Status set = statement->bind(1, overlay_id).bind(2, url).run(); !set) return set;
  }
  std::string kept = managed_upload_path(sources_dir, overlay_id);
  if (::unlink(kept.c_str()) != 0 && errno != ENOENT) {
    return Error::from_errno(fmt::format("removing the earlier uploaded source '{}'", kept), errno);
  }
  return ok_status();
}

Status ManagedOverlays::set_uploaded_source(std::int64_t overlay_id, const std::string& sources_dir,
                                            const std::string& file, const std::string& name) {
  if (!is_archive_name(name)) {
    return Error::invalid(fmt::format("'{}' is no archive: the source must be a zip, tar, tar.gz or 7z file", name));
  }
  if (Status made = make_directories(sources_dir, 0700); !made) return made;
  std::string kept = managed_upload_path(sources_dir, overlay_id);
  if (::rename(file.c_str(), kept.c_str()) != 0) {
    return Error::from_errno(fmt::format("keeping the uploaded source as '{}'", kept), errno);
  }
  Database::Lock lock(database_);
  auto statement = lock.prepare(
      "INSERT INTO managed_overlays (overlay_id, source_url, source_upload) VALUES (?, '', ?) "
      "ON CONFLICT (overlay_id) DO UPDATE SET source_url = '', source_upload = excluded.source_upload");
  if (!statement) return statement.error();
  return statement->bind(1, overlay_id).bind(2, name).run();
}

std::string managed_sources_dir(const std::string& data_dir) { return data_dir + "/managed-sources"; }

std::string managed_upload_path(const std::string& sources_dir, std::int64_t overlay_id) {
  return fmt::format("{}/{}.archive", sources_dir, overlay_id);
}

Status ManagedOverlays::record_installed(std::int64_t overlay_id, const std::string& version,
                                         const std::string& sha256) {
  Database::Lock lock(database_);
  auto statement = upsert(lock, "version, sha256, fetched_at",
                          "version = excluded.version, sha256 = excluded.sha256, fetched_at = excluded.fetched_at");
  if (!statement) return statement.error();
  return statement->bind(1, overlay_id).bind(2, version).bind(3, sha256).bind(4, unix_now()).run();
}

Status ManagedOverlays::record_checked(std::int64_t overlay_id, const std::string& error) {
  Database::Lock lock(database_);
  auto statement = lock.prepare(
      "UPDATE managed_overlays SET last_error = ?, checked_at = CASE WHEN ? = '' THEN ? ELSE checked_at END "
      "WHERE overlay_id = ?");
  if (!statement) return statement.error();
  return statement->bind(1, error).bind(2, error).bind(3, unix_now()).bind(4, overlay_id).run();
}

Result<bool> ManagedOverlays::in_use(std::int64_t overlay_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT 1 FROM servers s JOIN blueprint_overlays o ON o.blueprint_id = s.blueprint_id "
      "WHERE o.overlay_id = ? AND s.state NOT IN (?, ?) LIMIT 1");
  if (!select) return select.error();
  select->bind(1, overlay_id).bind(2, to_string(ServerState::kNew)).bind(3, to_string(ServerState::kStopped));
  return select->step();
}

std::string managed_job_target(std::int64_t overlay_id) { return fmt::format("{}{}", kTargetPrefix, overlay_id); }

std::optional<std::int64_t> parse_managed_job_target(const std::string& target) {
  if (target.rfind(kTargetPrefix, 0) != 0 || target.size() == kTargetPrefix.size()) return std::nullopt;
  std::int64_t id = 0;
  for (char c : target.substr(kTargetPrefix.size())) {
    if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10) return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

namespace {

// The archive to install: a download in the scratch directory, removed when this goes, or the kept upload.
class Download {
 public:
  Download(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  static Download kept(std::string path, UniqueFd fd) {
    Download upload("", std::move(fd));
    upload.kept_path_ = std::move(path);
    return upload;
  }
  Download(Download&& other) noexcept
      : path_(std::move(other.path_)), kept_path_(std::move(other.kept_path_)), fd_(std::move(other.fd_)) {
    other.path_.clear();
  }
  Download& operator=(Download&&) = delete;
  ~Download() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  const std::string& path() const { return kept_path_.empty() ? path_ : kept_path_; }
  int fd() const { return fd_.get(); }

 private:
  std::string path_;  // removed with this
  std::string kept_path_;
  UniqueFd fd_;
};

// Downloads the source into the scratch directory, reporting progress by tenths.
Result<Download> download(std::int64_t overlay_id, const std::string& url, const ManagedRefreshOptions& options,
                          const std::function<void(const std::string&)>& publish) {
  std::string path = fmt::format("{}/managed-{}-XXXXXX", options.scratch_dir, overlay_id);
  UniqueFd fd(mkostemp(path.data(), O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno(fmt::format("making a download file in '{}'", options.scratch_dir), errno);
  Download file(path, std::move(fd));
  int reported = 0;
  auto progress = [&](std::uint64_t done, std::uint64_t total) {
    if (total == 0) return;
    int tenth = static_cast<int>(done * 10 / total);
    if (tenth <= reported) return;
    reported = tenth;
    publish(fmt::format("downloaded {} of {} bytes", done, total));
  };
  Result<std::uint64_t> bytes =
      content::http_download(url, file.fd(), options.max_download_bytes, options.http, progress);
  if (!bytes) return bytes.error();
  publish(fmt::format("downloaded {} bytes from {}", *bytes, url));
  return file;
}

// The source's archive: the uploaded one, or a download of the URL.
Result<Download> fetch(const ManagedSource& source, const ManagedRefreshOptions& options,
                       const std::function<void(const std::string&)>& publish) {
  if (source.source_upload.empty()) return download(source.overlay_id, source.source_url, options, publish);
  std::string path = managed_upload_path(options.sources_dir, source.overlay_id);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid())
    return Error::from_errno(fmt::format("opening the uploaded source '{}'", source.source_upload), errno);
  publish(fmt::format("the source is the uploaded archive {}", source.source_upload));
  return Download::kept(path, std::move(fd));
}

// What the version names the archive by.
std::string source_name(const ManagedSource& source) {
  return source.source_upload.empty() ? file_name_of(source.source_url) : source.source_upload;
}

}  // namespace

Result<ExitStatus> refresh_managed_overlay(const Overlay& overlay, ManagedOverlays& managed,
                                           const ManagedRefreshOptions& options,
                                           const std::function<void(const std::string&)>& publish,
                                           const std::function<bool()>& in_use) {
  Result<ManagedSource> source = managed.get(overlay.id);
  if (!source) return source.error();
  auto failed = [&](const Error& error) -> Error {
    (void)managed.record_checked(overlay.id, error.message());
    return error;
  };
  if (source->source_url.empty() && source->source_upload.empty()) {
    return failed(Error::invalid("this overlay has no source: set its URL or upload an archive first"));
  }
  if (!in_use()) {
    if (int removed = remove_kept_trees(options.overlays_dir, overlay.directory); removed > 0) {
      publish(fmt::format("removed {} earlier tree(s) no running server uses any more", removed));
    }
  }
  Result<Download> file = fetch(*source, options, publish);
  if (!file) return failed(file.error());
  Result<std::string> sha256 = sha256_of(file->fd());
  if (!sha256) return failed(sha256.error());
  std::string target = options.overlays_dir + "/" + overlay.directory;
  if (*sha256 == source->sha256 && access(target.c_str(), F_OK) == 0) {
    publish(fmt::format("unchanged (sha256 {}): version {} stays installed", sha256->substr(0, 12), source->version));
    (void)managed.record_checked(overlay.id, "");
    return ExitStatus{};
  }
  Result<content::ExtractReport> report = content::extract_archive(file->path(), target, content::ExtractMode::kReplace,
                                                                   options.limits, content::OldTree::kKeep);
  if (!report) return failed(report.error());
  std::string version = fmt::format("{} ({})", source_name(*source), sha256->substr(0, 12));
  publish(fmt::format("installed {}: {} files, {} directories, {} bytes", version, report->files, report->directories,
                      report->bytes));
  if (!report->kept_old_tree.empty()) {
    if (!in_use()) {
      (void)remove_tree(report->kept_old_tree);
    } else {
      publish("running servers keep the previous tree until their next start");
    }
  }
  if (Status status = managed.record_installed(overlay.id, version, *sha256); !status) return status.error();
  (void)managed.record_checked(overlay.id, "");
  return ExitStatus{};
}

}  // namespace left4me::web
