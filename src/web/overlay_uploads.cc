#include "web/overlay_uploads.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"
#include "content/archive_extract.h"
#include "web/crypto.h"

namespace left4me::web {
namespace {

Status write_at(const std::string& path, std::int64_t offset, std::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return Error::from_errno("open the upload's file", errno);
  // A retry after a failed write may find bytes past the recorded count: they are written over.
  if (::ftruncate(fd.get(), offset) != 0) return Error::from_errno("truncate the upload's file", errno);
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd.get(), data.data(), data.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("write the upload's file", errno);
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += n;
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<OverlayUploads>> OverlayUploads::create(std::string dir, std::int64_t max_bytes,
                                                               std::int64_t chunk_bytes) {
  if (Status made = make_directories(dir, 0700); !made) return made.error();
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) ::unlink(entry.path().c_str());
  if (error) return Error::failed("list " + dir + ": " + error.message());
  return std::unique_ptr<OverlayUploads>(new OverlayUploads(std::move(dir), max_bytes, chunk_bytes));
}

Result<Upload> OverlayUploads::start(std::int64_t overlay_id, std::int64_t user_id, const std::string& name,
                                     std::int64_t size) {
  Result<std::string> checked = content::check_entry_path(name, 255);
  if (!checked || checked->empty() || checked->find('/') != std::string::npos || *checked != name) {
    return Error::invalid("name '" + name + "': not a file name (one path component, UTF-8, no control characters)");
  }
  if (size < 0) return Error::invalid("size: must be 0 or more");
  if (size > max_bytes_) {
    return Error(ErrorCode::kLimitReached, "an upload may have at most " + std::to_string(max_bytes_) + " bytes (" +
                                               std::to_string(size) + " announced)");
  }
  Upload upload{random_token(), overlay_id, user_id, name, size, 0};
  if (Status written = write_at(file_of(upload), 0, ""); !written) return written.error();
  std::lock_guard<std::mutex> guard(mutex_);
  uploads_[upload.id] = Entry{upload, std::chrono::steady_clock::now(), false};
  return upload;
}

Result<OverlayUploads::Entry*> OverlayUploads::find(std::string_view id, std::int64_t overlay_id,
                                                    std::int64_t user_id) {
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second.upload.overlay_id != overlay_id || it->second.upload.user_id != user_id) {
    return Error::not_found("upload not found (finished, or idle for an hour and removed)");
  }
  return &it->second;
}

Result<Upload> OverlayUploads::get(std::string_view id, std::int64_t overlay_id, std::int64_t user_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  Result<Entry*> entry = find(id, overlay_id, user_id);
  if (!entry) return entry.error();
  return (*entry)->upload;
}

Result<Upload> OverlayUploads::append(std::string_view id, std::int64_t overlay_id, std::int64_t user_id,
                                      std::int64_t offset, std::string_view data) {
  Upload upload;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    Result<Entry*> entry = find(id, overlay_id, user_id);
    if (!entry) return entry.error();
    Entry& found = **entry;
    if (found.busy) return Error::unavailable("another chunk of this upload is being written; try again");
    auto length = static_cast<std::int64_t>(data.size());
    if (length > chunk_bytes_) {
      return Error::invalid("a chunk may have at most " + std::to_string(chunk_bytes_) + " bytes");
    }
    if (offset + length == found.upload.received && offset < found.upload.received) return found.upload;  // a retry
    if (offset != found.upload.received) {
      return Error::unavailable("offset " + std::to_string(offset) + ": " + std::to_string(found.upload.received) +
                                " bytes received so far; send from there");
    }
    if (offset + length > found.upload.size) {
      return Error::invalid("the chunk passes the announced size of " + std::to_string(found.upload.size) + " bytes");
    }
    found.busy = true;
    upload = found.upload;
  }
  Status written = write_at(file_of(upload), offset, data);
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = uploads_.find(id);
  if (it == uploads_.end()) return Error::not_found("upload not found");
  it->second.busy = false;
  it->second.touched = std::chrono::steady_clock::now();
  if (!written) return written.error();
  it->second.upload.received = offset + static_cast<std::int64_t>(data.size());
  return it->second.upload;
}

Result<Upload> OverlayUploads::take(std::string_view id, std::int64_t overlay_id, std::int64_t user_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  Result<Entry*> entry = find(id, overlay_id, user_id);
  if (!entry) return entry.error();
  Entry& found = **entry;
  if (found.busy) return Error::unavailable("a chunk of this upload is being written; try again");
  if (found.upload.received != found.upload.size) {
    return Error::invalid("the upload is incomplete: " + std::to_string(found.upload.received) + " of " +
                          std::to_string(found.upload.size) + " bytes received");
  }
  found.busy = true;
  return found.upload;
}

void OverlayUploads::discard(const Upload& upload) {
  ::unlink(file_of(upload).c_str());
  std::lock_guard<std::mutex> guard(mutex_);
  uploads_.erase(upload.id);
}

void OverlayUploads::remove_idle(std::chrono::steady_clock::duration idle) {
  auto cutoff = std::chrono::steady_clock::now() - idle;
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto it = uploads_.begin(); it != uploads_.end();) {
    if (it->second.busy || it->second.touched > cutoff) {
      ++it;
      continue;
    }
    ::unlink(file_of(it->second.upload).c_str());
    it = uploads_.erase(it);
  }
}

std::shared_ptr<std::mutex> OverlayUploads::change_lock(std::int64_t overlay_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  std::shared_ptr<std::mutex> lock = locks_[overlay_id].lock();
  if (!lock) {
    lock = std::make_shared<std::mutex>();
    locks_[overlay_id] = lock;
  }
  return lock;
}

}  // namespace left4me::web
