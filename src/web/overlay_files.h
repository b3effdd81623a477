// The files of an overlay as the web app reads and changes them (the file browser, the config editor, uploads):
// every path is checked (content::check_entry_path: no "..", nothing absolute), every directory is opened below
// the overlay's own with O_NOFOLLOW, so no symlink is ever followed, and every change is built in a staged tree
// (content/staged_tree.h) and swapped in with one rename, leaving the overlay unchanged when it fails. Free
// functions; the caller serializes changes of one overlay (OverlayUploads::change_lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "web/config.h"
#include "web/overlays.h"

namespace left4me::web {

// The overlay's directory: overlays/<directory> under the host root l4d2ctl is given (LEFT4ME_ROOT).
std::string overlay_directory(const WebConfig& config, const Overlay& overlay);

// A path inside an overlay as a visitor gives it ("left4dead2/cfg", "" or "/" for the root): the path
// without "." components nor a trailing '/', or kInvalidArgument naming it.
Result<std::string> check_overlay_path(std::string_view path);

struct OverlayEntry {
  std::string name;
  bool directory = false;
  std::int64_t size = 0;  // a file's bytes; a directory's: 0
};

// The directory at path (relative to overlay_dir), sorted by name, directories first. kNotFound when it is
// missing (a missing overlay directory is an empty root), kInvalidArgument when a component is no directory.
Result<std::vector<OverlayEntry>> list_overlay_directory(const std::string& overlay_dir, const std::string& path);

struct OverlayFile {
  UniqueFd fd;
  std::int64_t size = 0;
  std::string name;  // the last component
};

// Opens the regular file at path for reading (O_NOFOLLOW at every step); kNotFound when there is none.
Result<OverlayFile> open_overlay_file(const std::string& overlay_dir, const std::string& path);

// Removes the file or directory (with everything in it) at path; kNotFound when there is none,
// kInvalidArgument for the root.
Status remove_overlay_path(const std::string& overlay_dir, const std::string& path);

// Text files the editor may change: below left4dead2/cfg/ and left4dead2/addons/sourcemod/configs/.
bool is_editable_path(std::string_view path);
constexpr std::size_t kMaxEditableBytes = 256 * 1024;

// The text of the editable file at path: nullopt when there is none. Refused (kInvalidArgument): a path the
// editor may not change, a file over kMaxEditableBytes or not UTF-8.
Result<std::optional<std::string>> read_overlay_text(const std::string& overlay_dir, const std::string& path);

// Writes text as the file at path (created with its directories if new). Refused (kInvalidArgument, the path
// named): a path the editor may not change, text that is not UTF-8 or holds NUL, more than kMaxEditableBytes;
// kLimitReached when the overlay would grow past max_tree_bytes.
Status write_overlay_text(const std::string& overlay_dir, const std::string& path, std::string_view text,
                          std::optional<std::int64_t> max_tree_bytes);

// Whether an upload named so is unpacked as an archive (.zip, .tar, .tar.gz, .tgz, .tar.bz2, .tar.xz,
// .tar.zst, .7z) or placed as one file.
bool is_archive_name(std::string_view name);

struct PlacedUpload {
  std::uint64_t files = 0;
  std::int64_t tree_bytes = 0;  // the overlay's size afterwards
};

// Puts an uploaded file into the overlay below directory path: an archive (is_archive_name) unpacked, merged
// with the files there (the archive's replace those of the same path), anything else placed as `name`. Refused
// with the overlay unchanged: every entry the archive library refuses (the message names it), more than
// max_entries entries, more bytes unpacked than max_tree_bytes or the library's 8 GiB (a zip bomb stops there,
// kLimitReached), a tree larger than max_tree_bytes afterwards (kLimitReached: the quota).
Result<PlacedUpload> place_upload(const std::string& upload_file, std::string_view name, const std::string& overlay_dir,
                                  const std::string& path, std::optional<std::int64_t> max_tree_bytes,
                                  std::uint64_t max_entries);

// The bytes of the regular files below overlay_dir (0 when it is missing): what counts toward a quota.
Result<std::int64_t> overlay_tree_bytes(const std::string& overlay_dir);

}  // namespace left4me::web
