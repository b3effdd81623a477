// Managed global overlays (issue 14, item 5): a global overlay of kind managed whose contents an administrator
// does not upload file by file but names by a source, an archive at an http(s) URL (MetaMod:Source and SourceMod,
// say), fetched again by a refresh_managed job. A refresh downloads the archive, and when its SHA-256 differs from
// what is installed, extracts it into a new tree beside the overlay and swaps it in with one rename: a server
// never sees a half-written tree, and servers running from the previous tree keep it (an overlay mount holds the
// directory it was given) until their next start; the kept tree is removed once no server stacking the overlay
// runs. The source may instead be an archive an administrator uploaded (in chunks, overlay_uploads.h), kept under
// the data directory and installed by the same refresh. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/subprocess.h"
#include "content/archive_extract.h"
#include "content/http_client.h"
#include "web/database.h"
#include "web/overlays.h"

namespace left4me::web {

struct ManagedSource {
  std::int64_t overlay_id = 0;
  std::string source_url;  // "" until an administrator sets one, or while the source is an upload
  // The uploaded archive's file name when the source is an upload (managed_upload_path), else "".
  std::string source_upload;
  // What is installed: the archive's file name and the first 12 hex digits of its SHA-256; "" before the first.
  std::string version;
  std::string sha256;                      // of the installed archive, hex
  std::optional<std::int64_t> fetched_at;  // when the installed archive was fetched
  std::optional<std::int64_t> checked_at;  // the last refresh that ended well, changed or not
  std::string last_error;                  // of the last refresh, "" when it ended well
};

// nullopt when url is an http(s) URL of at most 2,000 characters without spaces or control characters; else why.
std::optional<std::string> check_source_url(const std::string& url);

class ManagedOverlays {
 public:
  explicit ManagedOverlays(Database& database) : database_(database) {}

  // The overlay's source (an empty one when none was set).
  Result<ManagedSource> get(std::int64_t overlay_id);
  // Makes url the source and removes an uploaded source kept in sources_dir (the URL replaces it). kInvalidArgument
  // for a URL check_source_url refuses.
  Status set_source(std::int64_t overlay_id, const std::string& url, const std::string& sources_dir);
  // Makes the uploaded archive at file the source, named name (which the version shows): moves it to
  // managed_upload_path(sources_dir, overlay_id) in one rename, replacing an earlier upload; the URL is cleared.
  // kInvalidArgument for a name that is no archive's (zip, tar, tar.gz, 7z).
  Status set_uploaded_source(std::int64_t overlay_id, const std::string& sources_dir, const std::string& file,
                             const std::string& name);
  Status record_installed(std::int64_t overlay_id, const std::string& version, const std::string& sha256);
  Status record_checked(std::int64_t overlay_id, const std::string& error);
  // Whether a server whose blueprint stacks the overlay may be running from it now: any not recorded new or
  // stopped (a failed one too, which its supervisor may be starting again).
  Result<bool> in_use(std::int64_t overlay_id);

 private:
  Database& database_;
};

// The directory uploaded sources are kept in: <data>/managed-sources.
std::string managed_sources_dir(const std::string& data_dir);
// Where an overlay's uploaded source archive is kept: <sources_dir>/<overlay id>.archive.
std::string managed_upload_path(const std::string& sources_dir, std::int64_t overlay_id);

struct ManagedRefreshOptions {
  std::string overlays_dir;  // <host root>/overlays
  std::string sources_dir;   // uploaded sources (<data>/managed-sources)
  std::string scratch_dir;   // the download lands here first
  std::uint64_t max_download_bytes = 2ull << 30;
  content::ExtractLimits limits;
  content::HttpOptions http;
};

// The refresh_managed job's target for an overlay: "overlay <id>" (one overlay's refreshes run in order).
std::string managed_job_target(std::int64_t overlay_id);
std::optional<std::int64_t> parse_managed_job_target(const std::string& target);

// Refreshes one managed overlay as described above, reporting each step through publish. in_use tells whether a
// server stacking the overlay runs now (then a replaced tree is kept). Records the outcome in `managed`.
Result<ExitStatus> refresh_managed_overlay(const Overlay& overlay, ManagedOverlays& managed,
                                           const ManagedRefreshOptions& options,
                                           const std::function<void(const std::string&)>& publish,
                                           const std::function<bool()>& in_use);

}  // namespace left4me::web
