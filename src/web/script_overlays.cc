#include "web/script_overlays.h"

#include <fmt/format.h>

#include "base/file.h"
#include "base/utf8.h"
#include "model/layout.h"
#include "web/accounts.h"

namespace left4me::web {

std::optional<std::string> check_script(const std::string& script) {
  if (script.size() > kMaxScriptBytes) {
    return fmt::format("the script has {} bytes; at most {} ({} KiB) are allowed", script.size(), kMaxScriptBytes,
                       kMaxScriptBytes / 1024);
  }
  if (!is_valid_utf8(script)) return "the script must be UTF-8 text";
  if (script.find('\0') != std::string::npos) return "the script must not hold NUL bytes";
  return std::nullopt;
}

std::optional<std::string> check_script_description(const std::string& description) {
  if (description.size() > kMaxScriptDescription) {
    return fmt::format("the description must have at most {} bytes", kMaxScriptDescription);
  }
  if (!is_valid_utf8(description) || description.find('\0') != std::string::npos) {
    return "the description must be UTF-8 text";
  }
  return std::nullopt;
}

Result<std::string> overlay_script_path(const std::string& host_root, const std::string& directory) {
  Result<model::Layout> layout = model::Layout::create(host_root);
  if (!layout) return layout.error();
  return layout->overlay_script(directory);
}

std::string script_job_target(std::int64_t overlay_id) { return fmt::format("script overlay {}", overlay_id); }

Result<ScriptOverlay> ScriptOverlays::get(const Overlay& overlay) {
  ScriptOverlay out;
  out.overlay_id = overlay.id;
  {
    Database::Lock lock(database_, LockMode::kRead);
    auto select = lock.prepare(
        "SELECT description, saved_at, coalesce(example, ''), example_sha256 FROM script_overlays "
        "WHERE overlay_id = ?");
    if (!select) return select.error();
    select->bind(1, overlay.id);
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (*row) {
      out.description = select->column_text(0);
      out.saved_at = select->column_optional_int(1);
      out.example = select->column_text(2);
      out.example_sha256 = select->column_text(3);
    }
  }
  Result<std::string> path = overlay_script_path(host_root_, overlay.directory);
  if (!path) return path.error();
  if (!path_exists(*path)) return out;
  Result<std::string> script = read_file(*path);
  if (!script) return script.error();
  out.script = std::move(*script);
  return out;
}

Status ScriptOverlays::save(const Overlay& overlay, const std::string& script, const std::string& description) {
  if (auto problem = check_script(script)) return Error::invalid(*problem);
  if (auto problem = check_script_description(description)) return Error::invalid(*problem);
  Result<model::Layout> layout = model::Layout::create(host_root_);
  if (!layout) return layout.error();
  if (Status made = make_directories(layout->scripts(), 0755); !made) return made;
  // The record first: a failed write of the file then leaves the old script with a newer time, never a new
  // script the record does not know of.
  Database::Lock lock(database_);
  auto upsert = lock.prepare(
      "INSERT INTO script_overlays (overlay_id, description, saved_at) VALUES (?, ?, ?) "
      "ON CONFLICT (overlay_id) DO UPDATE SET description = excluded.description, saved_at = excluded.saved_at");
  if (!upsert) return upsert.error();
  if (Status stored = upsert->bind(1, overlay.id).bind(2, description).bind(3, unix_now()).run(); !stored) {
    return stored;
  }
  return write_file_atomic(layout->overlay_script(overlay.directory), script, 0644);
}

Result<std::optional<std::int64_t>> ScriptOverlays::find_example(const std::string& example) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT overlay_id FROM script_overlays WHERE example = ?");
  if (!select) return select.error();
  select->bind(1, example);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(select->column_int(0));
}

Status ScriptOverlays::record_example(std::int64_t overlay_id, const std::string& example, const std::string& sha256) {
  Database::Lock lock(database_);
  auto upsert = lock.prepare(
      "INSERT INTO script_overlays (overlay_id, example, example_sha256) VALUES (?, ?, ?) "
      "ON CONFLICT (overlay_id) DO UPDATE SET example = excluded.example, example_sha256 = excluded.example_sha256");
  if (!upsert) return upsert.error();
  return upsert->bind(1, overlay_id).bind(2, example).bind(3, sha256).run();
}

}  // namespace left4me::web
