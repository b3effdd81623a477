// API routes for an overlay's files (docs/api.md, "Overlay files"): browsing, downloading, deleting, the config
// editor, and uploads in chunks placed into the tree. Reads need an overlay the caller may use (route.h opens it,
// else 404); changes need may_change_overlay (else 403) and an overlay of kind files (else 409).
#include <fmt/format.h>
#include <unistd.h>

#include "base/strings.h"
#include "base/utf8.h"
#include "model/layout.h"
#include "web/api_objects.h"
#include "web/handlers.h"
#include "web/overlay_files.h"
#include "web/overlay_quota.h"
#include "web/overlay_uploads.h"

namespace left4me::web {
namespace {

// kPermissionDenied (403) unless the caller may change the overlay, kUnavailable (409) unless it holds uploaded
// files (the other kinds' files come from their sources).
Status may_change_files(const Context& context, const Overlay& overlay) {
  if (!may_change_overlay(overlay, context.scope())) {
    return Error(ErrorCode::kPermissionDenied,
                 fmt::format("overlay '{}' is {}: you may not change it", overlay.name,
                             overlay.global() ? "global (administrators change it)" : "not yours"));
  }
  if (overlay.kind != OverlayKind::kFiles) {
    return Error::unavailable(fmt::format("overlay '{}' is a {} overlay: its files are not changed by hand",
                                          overlay.name, overlay_kind_name(overlay.kind)));
  }
  return ok_status();
}

// Uploads go into overlays of kind files, or become a managed global overlay's source (an administrator's: its
// finish is POST /api/v1/overlays/{id}/managed/upload).
Status may_upload(const Context& context, const Overlay& overlay) {
  if (overlay.kind == OverlayKind::kManaged && overlay.global() && may_change_overlay(overlay, context.scope())) {
    return ok_status();
  }
  return may_change_files(context, overlay);
}

}  // namespace

std::string overlay_directory(const WebConfig& config, const Overlay& overlay) {
  const std::string& root = config.host_root;
  Result<model::Layout> layout = model::Layout::create(root);
  return layout ? layout->overlay(overlay.directory) : root + "/overlays/" + overlay.directory;
}

Result<std::string> save_overlay_text(App& app, const Context& context, const Overlay& overlay,
                                      const std::string& requested, const std::string& text) {
  if (Status allowed = may_change_files(context, overlay); !allowed) return allowed.error();
  Result<std::string> path = check_overlay_path(requested);
  if (!path) return path.error();
  std::shared_ptr<std::mutex> lock = app.uploads->change_lock(overlay.id);
  std::lock_guard<std::mutex> guard(*lock);
  Result<std::optional<std::int64_t>> room = overlay_room(*app.database, overlay, app.config.overlay_quota_bytes);
  if (!room) return room.error();
  std::string directory = overlay_directory(app.config, overlay);
  if (Status written = write_overlay_text(directory, *path, text, *room); !written) return written.error();
  Result<std::int64_t> bytes = overlay_tree_bytes(directory);
  if (!bytes) return bytes.error();
  if (Status recorded = app.overlays->set_size(overlay.id, *bytes); !recorded) return recorded.error();
  return *path;
}

}  // namespace left4me::web

namespace left4me::web::api {
namespace {

// The path a request names (?path= or a body's "path"), checked; "" is the root.
Result<std::string> requested_path(const Context& context, const nlohmann::json* body = nullptr) {
  std::optional<std::string> path = context.request.query_param("path");
  if (body != nullptr) path = string_field(*body, "path");
  return check_overlay_path(path.value_or(""));
}

Response path_error(const Error& error) { return error_from(error, "path"); }

std::optional<Response> refuse_change(const Context& context, const Overlay& overlay) {
  if (Status allowed = may_change_files(context, overlay); !allowed) return error_from(allowed.error());
  return std::nullopt;
}

// Records the overlay's size after a change (what its owner's quota counts).
Status record_size(App& app, const Overlay& overlay, std::int64_t bytes) {
  return app.overlays->set_size(overlay.id, bytes);
}

Result<std::int64_t> measure_and_record(App& app, const Overlay& overlay) {
  Result<std::int64_t> bytes = overlay_tree_bytes(overlay_directory(app.config, overlay));
  if (!bytes) return bytes.error();
  if (Status recorded = record_size(app, overlay, *bytes); !recorded) return recorded.error();
  return *bytes;
}

nlohmann::json upload_json(const Upload& upload, std::int64_t chunk_bytes) {
  return {{"id", upload.id},
          {"name", upload.name},
          {"size", upload.size},
          {"received", upload.received},
          {"chunk_bytes", chunk_bytes}};
}

// "attachment; filename=..." with the name as plain ASCII and RFC 5987's UTF-8 form.
std::string content_disposition(const std::string& name) {
  std::string plain;
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    plain += (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') ? '_' : c;
  }
  return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", plain, url_encode(name));
}

}  // namespace

Response list_overlay_files(App& app, Context& context, const Overlay& overlay) {
  Result<std::string> path = requested_path(context);
  if (!path) return path_error(path.error());
  Result<std::vector<OverlayEntry>> entries = list_overlay_directory(overlay_directory(app.config, overlay), *path);
  if (!entries) return path_error(entries.error());
  nlohmann::json list = nlohmann::json::array();
  for (const OverlayEntry& entry : *entries) {
    list.push_back({{"name", entry.name}, {"type", entry.directory ? "directory" : "file"}, {"size", entry.size}});
  }
  return json_response(200, {{"path", *path}, {"entries", std::move(list)}, {"size_bytes", overlay.size_bytes}});
}

Response download_overlay_file(App& app, Context& context, const Overlay& overlay) {
  Result<std::string> path = requested_path(context);
  if (!path) return path_error(path.error());
  Result<OverlayFile> file = open_overlay_file(overlay_directory(app.config, overlay), *path);
  if (!file) return path_error(file.error());
  Response response;
  response.header("Content-Type", "application/octet-stream");
  response.header("Content-Disposition", content_disposition(file->name));
  response.file = std::make_shared<const UniqueFd>(std::move(file->fd));
  response.file_size = static_cast<std::uint64_t>(file->size);
  return response;
}

Response delete_overlay_file(App& app, Context& context, const Overlay& overlay) {
  if (auto refused = refuse_change(context, overlay)) return *refused;
  Result<std::string> path = requested_path(context);
  if (!path) return path_error(path.error());
  std::shared_ptr<std::mutex> lock = app.uploads->change_lock(overlay.id);
  std::lock_guard<std::mutex> guard(*lock);
  if (Status removed = remove_overlay_path(overlay_directory(app.config, overlay), *path); !removed) {
    return path_error(removed.error());
  }
  Result<std::int64_t> bytes = measure_and_record(app, overlay);
  if (!bytes) return error_from(bytes.error());
  return json_response(200, {{"path", *path}, {"size_bytes", *bytes}});
}

Response get_overlay_text(App& app, Context& context, const Overlay& overlay) {
  Result<std::string> path = requested_path(context);
  if (!path) return path_error(path.error());
  Result<std::optional<std::string>> text = read_overlay_text(overlay_directory(app.config, overlay), *path);
  if (!text) return path_error(text.error());
  return json_response(200, {{"path", *path}, {"text", text->value_or("")}, {"exists", text->has_value()}});
}

Response put_overlay_text(App& app, Context& context, const Overlay& overlay) {
  if (auto refused = refuse_change(context, overlay)) return *refused;
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::optional<std::string> text = string_field(*body, "text");
  if (!text) return error_response(422, "invalid", "text: a string is required", "text");
  Result<std::string> saved = save_overlay_text(app, context, overlay, string_field(*body, "path").value_or(""), *text);
  if (!saved) return error_from(saved.error(), saved.error().code() == ErrorCode::kInvalidArgument ? "path" : "text");
  return json_response(200,
                       {{"path", *saved}, {"size_bytes", app.overlays->get(overlay.id, context.scope())->size_bytes}});
}

Response start_overlay_upload(App& app, Context& context, const Overlay& overlay) {
  if (Status allowed = may_upload(context, overlay); !allowed) return error_from(allowed.error());
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::optional<std::string> name = string_field(*body, "name");
  if (!name) return error_response(422, "invalid", "name: the file's name is required", "name");
  auto size = body->find("size");
  if (size == body->end() || !size->is_number_integer()) {
    return error_response(422, "invalid", "size: the file's size in bytes is required", "size");
  }
  std::int64_t bytes = size->get<std::int64_t>();
  if (overlay.kind == OverlayKind::kManaged && !is_archive_name(*name)) {
    return error_response(
        422, "invalid",
        fmt::format("'{}' is no archive: a managed overlay's source is a zip, tar, tar.gz or 7z file", *name), "name");
  }
  if (overlay.kind == OverlayKind::kFiles &&
      !is_archive_name(*name)) {  // a single file that cannot fit is refused before it is sent
    Result<std::optional<std::int64_t>> room = overlay_room(*app.database, overlay, app.config.overlay_quota_bytes);
    if (!room) return error_from(room.error());
    if (*room && bytes > **room) {
      return error_response(
          409, "limit_reached",
          fmt::format("'{}' has {} bytes; the owner's overlay quota leaves {} for this overlay", *name, bytes, **room));
    }
  }
  Result<Upload> upload = app.uploads->start(overlay.id, context.user().id, *name, bytes);
  if (!upload)
    return error_from(upload.error(), upload.error().code() == ErrorCode::kInvalidArgument ? "name" : "size");
  return json_response(201, {{"upload", upload_json(*upload, app.uploads->chunk_bytes())}});
}

Response get_overlay_upload(App& app, Context& context, const Overlay& overlay) {
  Result<Upload> upload = app.uploads->get(context.params.at(1), overlay.id, context.user().id);
  if (!upload) return error_from(upload.error());
  return json_response(200, {{"upload", upload_json(*upload, app.uploads->chunk_bytes())}});
}

Response put_overlay_upload_chunk(App& app, Context& context, const Overlay& overlay) {
  if (Status allowed = may_upload(context, overlay); !allowed) return error_from(allowed.error());
  std::optional<long long> offset = parse_int(context.request.query_param("offset").value_or(""), 0, INT64_MAX);
  if (!offset) return error_response(422, "invalid", "offset: ?offset= the chunk's first byte is required", "offset");
  Result<Upload> upload =
      app.uploads->append(context.params.at(1), overlay.id, context.user().id, *offset, context.request.body);
  if (!upload) {
    nlohmann::json answer = {
        {"error", {{"code", "conflict"}, {"message", upload.error().message()}, {"field", "offset"}}}};
    if (upload.error().code() != ErrorCode::kUnavailable) return error_from(upload.error(), "offset");
    Result<Upload> current = app.uploads->get(context.params.at(1), overlay.id, context.user().id);
    if (current) answer["upload"] = upload_json(*current, app.uploads->chunk_bytes());
    return json_response(409, answer);
  }
  return json_response(200, {{"upload", upload_json(*upload, app.uploads->chunk_bytes())}});
}

Response finish_overlay_upload(App& app, Context& context, const Overlay& overlay) {
  if (auto refused = refuse_change(context, overlay)) return *refused;
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  Result<std::string> path = requested_path(context, &*body);
  if (!path) return path_error(path.error());
  Result<Upload> upload = app.uploads->take(context.params.at(1), overlay.id, context.user().id);
  if (!upload) return error_from(upload.error());
  std::shared_ptr<std::mutex> lock = app.uploads->change_lock(overlay.id);
  std::lock_guard<std::mutex> guard(*lock);
  Result<std::optional<std::int64_t>> room = overlay_room(*app.database, overlay, app.config.overlay_quota_bytes);
  Result<PlacedUpload> placed =
      room ? place_upload(app.uploads->file_of(*upload), upload->name, overlay_directory(app.config, overlay), *path,
                          *room, static_cast<std::uint64_t>(app.config.upload_max_entries))
           : Result<PlacedUpload>(room.error());
  app.uploads->discard(*upload);
  if (!placed) return error_from(placed.error());
  if (Status recorded = record_size(app, overlay, placed->tree_bytes); !recorded) return error_from(recorded.error());
  return json_response(200, {{"name", upload->name},
                             {"path", *path},
                             {"archive", is_archive_name(upload->name)},
                             {"files", placed->files},
                             {"size_bytes", placed->tree_bytes}});
}

}  // namespace left4me::web::api
