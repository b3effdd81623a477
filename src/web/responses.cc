#include "web/responses.h"

#include <cassert>

#include "base/log.h"
#include "json/parse_json.h"

namespace left4me::web {

Response json_response(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.header("Content-Type", "application/json");
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response error_response(int status, std::string_view code, std::string_view message, std::optional<std::string> field) {
  nlohmann::json error = {{"code", code}, {"message", message}, {"field", nullptr}};
  if (field) error["field"] = *field;
  return json_response(status, {{"error", error}});
}

Response error_from(const Error& error, std::optional<std::string> field) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument:
      return error_response(422, "invalid", error.message(), field);
    case ErrorCode::kNotFound:
      return error_response(404, "not_found", error.message(), field);
    case ErrorCode::kAlreadyExists:
      return error_response(409, "conflict", error.message(), field);
    case ErrorCode::kPermissionDenied:
      return error_response(403, "forbidden", error.message(), field);
    case ErrorCode::kUnavailable:
      return error_response(409, "unavailable", error.message(), field);
    case ErrorCode::kLimitReached:
      return error_response(409, "limit_reached", error.message());  // no field is to blame
    default:
      log::error("internal error: {}", error.message());
      return error_response(500, "internal", "internal error; see the web app's log");
  }
}

std::optional<std::string> same_origin_path(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  if (target.size() > 1 && target[1] == '/') return std::nullopt;
  for (char c : target) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '\\') return std::nullopt;
  }
  return std::string(target);
}

Response event_stream(std::function<void(std::shared_ptr<EventSink>)> stream) {
  Response response;
  response.header("Content-Type", "text/event-stream");
  response.header("Cache-Control", "no-store");
  response.header("X-Accel-Buffering", "no");
  response.stream = std::move(stream);
  return response;
}

Response redirect(std::string_view target, std::string_view fallback) {
  assert(same_origin_path(fallback).has_value());
  Response response;
  response.status = 303;
  response.header("Location", same_origin_path(target).value_or(std::string(fallback)));
  return response;
}

Result<nlohmann::json> parse_body(const Request& request) {
  std::string_view type = request.header("content-type").value_or("");
  bool looks_json = !request.body.empty() && request.body.front() == '{';
  if (type.substr(0, 33) == "application/x-www-form-urlencoded" && !looks_json) {
    nlohmann::json body = nlohmann::json::object();
    for (auto& [key, value] : parse_form(request.body)) body[key] = value;
    return body;
  }
  if (request.body.empty()) return nlohmann::json::object();
  Result<nlohmann::json> body = parse_json_limited(request.body);
  if (!body.ok()) return body.error().with_context("body");
  if (!body->is_object()) return Error::invalid("body: expected a JSON object");
  return body;
}

Response bad_body(const Error& error) { return error_response(400, "bad_request", error.message()); }

std::optional<std::string> string_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<bool> bool_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) {
    std::string text = it->get<std::string>();
    return text == "1" || text == "true" || text == "on" || text == "yes";
  }
  return std::nullopt;
}

}  // namespace left4me::web
