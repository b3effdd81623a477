#include "web/responses.h"

#include <cassert>

#include "base/log.h"
#include "base/strings.h"
#include "json/parse_json.h"
#include "web/compression.h"

namespace left4me::web {
namespace {

std::string* find_header(Response& response, std::string_view name) {
  for (auto& [key, value] : response.headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

// The body in its cached or static forms: the accepted one that exists, the plain text otherwise.
std::pair<Encoding, std::string_view> pick_form(const AcceptedEncodings& accepted, const EncodedBody& body) {
  bool gzip = body.may_have(Encoding::kGzip);
  bool brotli = body.may_have(Encoding::kBrotli);
  while (true) {
    Encoding encoding = choose_encoding(accepted, gzip, brotli);
    std::optional<std::string_view> form = body.in(encoding);
    if (form) return {encoding, *form};
    // Not kept (it was not smaller): the next choice without it.
    (encoding == Encoding::kGzip ? gzip : brotli) = false;
  }
}

// Whether an If-None-Match header names the tag (a list of tags, or "*").
bool none_match_hits(std::string_view header, std::string_view tag) {
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view entry = trim(header.substr(0, comma));
    if (entry.starts_with("W/")) entry.remove_prefix(2);
    if (entry == tag || entry == "*") return true;
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
  }
  return false;
}

void send_encoded(const Request& request, Response& response, const EncodedBody& body) {
  AcceptedEncodings accepted = parse_accept_encoding(request.header("accept-encoding"));
  auto [encoding, form] = pick_form(accepted, body);
  if (body.may_have(Encoding::kGzip) || body.may_have(Encoding::kBrotli)) {
    response.header("Vary", "Accept-Encoding");
  }
  if (encoding != Encoding::kIdentity) response.header("Content-Encoding", std::string(encoding_token(encoding)));
  std::string* tag = find_header(response, "ETag");
  if (tag != nullptr && encoding != Encoding::kIdentity && tag->size() >= 2 && tag->back() == '"') {
    tag->insert(tag->size() - 1, "-" + std::string(encoding_token(encoding)));
  }
  std::optional<std::string_view> none_match = request.header("if-none-match");
  if (tag != nullptr && none_match && response.status == 200 && none_match_hits(*none_match, *tag)) {
    response.status = 304;
    response.body.clear();
    return;
  }
  response.body.assign(form);
}

}  // namespace

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

std::optional<std::int64_t> id_field(const nlohmann::json& body, const char* name) {
  if (!body.contains(name)) return std::nullopt;
  const nlohmann::json& value = body[name];
  if (value.is_number_integer() && value.get<std::int64_t>() > 0) return value.get<std::int64_t>();
  if (value.is_string()) {
    if (auto parsed = parse_int(value.get<std::string>(), 1, INT64_MAX)) return *parsed;
  }
  return std::nullopt;
}

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

void negotiate_encoding(const Request& request, Response& response) {
  // An event stream is never compressed: a compressor holds back what it was given until it has enough, and a
  // viewer must see each event as it is written.
  if (response.stream) return;
  if (std::shared_ptr<const EncodedBody> body = std::move(response.encoded)) {
    send_encoded(request, response, *body);
    return;
  }
  const std::string* type = find_header(response, "Content-Type");
  if (response.body.size() < kMinCompressedBodyBytes || type == nullptr || !is_compressible_type(*type) ||
      find_header(response, "Content-Encoding") != nullptr) {
    return;
  }
  response.header("Vary", "Accept-Encoding");
  Encoding encoding = choose_encoding(parse_accept_encoding(request.header("accept-encoding")), true, true);
  if (encoding == Encoding::kIdentity) return;
  std::string compressed = encoding == Encoding::kGzip ? gzip_compress(response.body, Effort::kPerRequest)
                                                       : brotli_compress(response.body, Effort::kPerRequest);
  if (compressed.size() >= response.body.size()) return;
  response.body = std::move(compressed);
  response.header("Content-Encoding", std::string(encoding_token(encoding)));
}

}  // namespace left4me::web
