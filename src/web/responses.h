// Response helpers shared by the route modules: JSON bodies, the error shape
// {"error":{"code":..,"message":..,"field":..}}, and the one mapping from ErrorCode to HTTP status.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "web/http.h"

namespace left4me::web {

Response json_response(int status, const nlohmann::json& body);
Response error_response(int status, std::string_view code, std::string_view message,
                        std::optional<std::string> field = std::nullopt);
// kInvalidArgument 422, kNotFound 404, kAlreadyExists 409, kPermissionDenied 403, kUnavailable 409
// (a full port range, a busy resource), kLimitReached 409 `limit_reached` (a per-user limit; field ignored),
// anything else 500 (the message is logged, not shown).
Response error_from(const Error& error, std::optional<std::string> field = std::nullopt);
// The one check for anything a visitor chose that goes into a response header (today a redirect's Location: the
// login page's ?next=, the action forms' `back`): a path on this site, so '/' first but not "//" or "/\" (both
// name another host to a browser), and only visible ASCII without '\' (browsers drop tabs and line breaks and
// read '\' as '/', so "/\t/evil.example" becomes another host; CR LF would start a header of its own).
// The target unchanged when it is such a path; nullopt otherwise.
std::optional<std::string> same_origin_path(std::string_view target);
// A server-sent-event answer (text/event-stream, not cached nor buffered by a proxy): its body is whatever
// `stream` sends to the sink it is given.
Response event_stream(std::function<void(std::shared_ptr<EventSink>)> stream);
// A 303 to target when same_origin_path accepts it, else to fallback (a fixed path of this site).
Response redirect(std::string_view target, std::string_view fallback = "/");
// The request body as a JSON object: a JSON body (nested at most kMaxJsonDepth levels), or a form (every value
// a string). kInvalidArgument naming the body otherwise ("body: JSON nested deeper than 64 levels"), which
// the caller answers with bad_body().
Result<nlohmann::json> parse_body(const Request& request);
// The 400 for a body parse_body refused.
Response bad_body(const Error& error);
// A string member of a body object, or nullopt.
std::optional<std::string> string_field(const nlohmann::json& body, const char* name);
// A positive id from a body member given as a number or as text (forms), or nullopt.
std::optional<std::int64_t> id_field(const nlohmann::json& body, const char* name);
std::optional<bool> bool_field(const nlohmann::json& body, const char* name);
// The last step of every answer: its body in the content coding the request's Accept-Encoding prefers, with
// Content-Encoding and `Vary: Accept-Encoding`. A cached or static body (response.encoded) is sent in a form made
// before, its ETag given the coding's suffix ("v1" -> "v1-gzip"), and a matching If-None-Match answered 304; any
// other text body of at least kMinCompressedBodyBytes is compressed for this response. Streams (server-sent
// events), bodies that already have a Content-Encoding and other types go out as they are.
void negotiate_encoding(const Request& request, Response& response);

}  // namespace left4me::web
