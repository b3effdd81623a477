// Uploads into overlays, in pieces: the HTTP server holds a request body whole, so a file or archive comes as a
// series of chunks (at most OVERLAY_UPLOAD_CHUNK_BYTES each), each appended at its offset to a file under the
// scratch directory, and is placed into the overlay once complete (overlay_files.h, place_upload). Resumable and
// idempotent: a chunk names its offset, which must be what is on disk (a repeated last chunk is answered as
// received). Uploads idle for an hour are removed. Also the per-overlay lock that serializes changes of one
// overlay's files. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::web {

// The route whose bodies may be as large as a chunk (App::dispatch refuses larger bodies elsewhere).
constexpr std::string_view kUploadChunkRoute = "/api/v1/overlays/{id}/uploads/{upload}";

struct Upload {
  std::string id;
  std::int64_t overlay_id = 0;
  std::int64_t user_id = 0;  // who started it: only they may go on with it
  std::string name;          // the file's name (a single path component)
  std::int64_t size = 0;     // announced
  std::int64_t received = 0;
};

class OverlayUploads {
 public:
  // Uploads live under dir (<scratch>/uploads), which is emptied here: uploads do not outlive the process.
  static Result<std::unique_ptr<OverlayUploads>> create(std::string dir, std::int64_t max_bytes,
                                                        std::int64_t chunk_bytes);

  // A new upload of size bytes named name. kInvalidArgument for a name that is no single file name, kLimitReached
  // for a size over max_bytes.
  Result<Upload> start(std::int64_t overlay_id, std::int64_t user_id, const std::string& name, std::int64_t size);
  // The upload id, if it is overlay_id's and user_id's (else kNotFound).
  Result<Upload> get(std::string_view id, std::int64_t overlay_id, std::int64_t user_id);
  // Writes data at offset: offset must be what was received (kUnavailable naming the received count otherwise),
  // unless the chunk is exactly the last one received (a retry: nothing written). kInvalidArgument for a chunk
  // larger than chunk_bytes or one that passes the announced size.
  Result<Upload> append(std::string_view id, std::int64_t overlay_id, std::int64_t user_id, std::int64_t offset,
                        std::string_view data);
  // Ends the upload (its file stays until the returned handle goes); kInvalidArgument while bytes are missing.
  // The caller places the file (its path: file_of) and then calls discard.
  Result<Upload> take(std::string_view id, std::int64_t overlay_id, std::int64_t user_id);
  void discard(const Upload& upload);
  std::string file_of(const Upload& upload) const { return dir_ + "/" + upload.id + ".part"; }
  // Removes uploads nobody added to for idle (an hour when the web app calls it).
  void remove_idle(std::chrono::steady_clock::duration idle);

  // Held while one overlay's files change, so two changes never build on the same tree.
  std::shared_ptr<std::mutex> change_lock(std::int64_t overlay_id);

  std::int64_t max_bytes() const { return max_bytes_; }
  std::int64_t chunk_bytes() const { return chunk_bytes_; }

 private:
  struct Entry {
    Upload upload;
    std::chrono::steady_clock::time_point touched;
    bool busy = false;  // a chunk is being written or the upload was taken
  };
  OverlayUploads(std::string dir, std::int64_t max_bytes, std::int64_t chunk_bytes)
      : dir_(std::move(dir)), max_bytes_(max_bytes), chunk_bytes_(chunk_bytes) {}
  Result<Entry*> find(std::string_view id, std::int64_t overlay_id, std::int64_t user_id);

  const std::string dir_;
  const std::int64_t max_bytes_;
  const std::int64_t chunk_bytes_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> uploads_;
  std::map<std::int64_t, std::weak_ptr<std::mutex>> locks_;
};

}  // namespace left4me::web
