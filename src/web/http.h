// The web app's view of HTTP: plain request/response values and a streaming sink, so that only
// http_server.cc sees the HTTP library (RESTinio). HttpServer is thread-safe; handlers run on its pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "base/strings.h"

namespace left4me::web {

class EncodedBody;  // compression.h

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // percent-decoded, without the query
  std::string query;                                         // raw, after '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote_address;

  // The first header with that (lower-case) name.
  std::optional<std::string_view> header(std::string_view name) const;
  // A cookie from the Cookie header.
  std::optional<std::string> cookie(std::string_view name) const;
  // A decoded query parameter.
  std::optional<std::string> query_param(std::string_view name) const;
};

// A live response body (server-sent events). Thread-safe; shared by the producer and the server.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Queues bytes for the client; false (and the data dropped) once the client has gone or fell too far behind.
  virtual bool send(std::string data) = 0;
  // The same for bytes sent to many clients: the server writes this one buffer to each of them, uncopied.
  virtual bool send_shared(std::shared_ptr<const std::string> data) { return send(*data); }
  virtual bool closed() const = 0;
  // Ends the response (the client sees the end of the stream).
  virtual void close() = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the headers go out at once and the body is whatever is sent to the sink given here.
  std::function<void(std::shared_ptr<EventSink>)> stream;
  // When set (and stream is not), the body is this open file's first file_size bytes, sent from the kernel
  // (sendfile) as the client reads: a download never sits in memory. Shared so a Response stays copyable.
  std::shared_ptr<const UniqueFd> file;
  std::uint64_t file_size = 0;
  // When set, the body instead of `body`: text kept with its compressed forms (the render cache's, a static file),
  // sent in the form the client accepts (negotiate_encoding in responses.h).
  std::shared_ptr<const EncodedBody> encoded = nullptr;

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using HttpHandler = std::function<Response(Request&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0: any free port (see HttpServer::port)
  int threads = 4;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_url_bytes = 8192;
  std::size_t max_header_bytes = 32 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  // A streamed response must write at least this often (heartbeats) or it is closed.
  std::chrono::seconds handle_timeout{60};
};

class HttpServer {
 public:
  // Binds and starts serving in the background; fails if the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> start(const HttpServerOptions& options, HttpHandler handler);
  virtual ~HttpServer() = default;
  virtual std::uint16_t port() const = 0;
  // Graceful stop, step one: accepts no new connections. Requests already in flight go on, and their
  // responses close their connections. Idempotent.
  virtual void stop_accepting() = 0;
  // Waits until no request is in flight and no stream is open, for at most grace; false if time ran out.
  // (A request counts from the moment its handler runs until its response is written.)
  virtual bool wait_idle(std::chrono::milliseconds grace) = 0;
  // Closes every connection at once and joins the threads; streams still held elsewhere go dead (send
  // returns false). Idempotent.
  virtual void stop() = 0;
};

// Raises this process's soft limit on open files to its hard limit (each connection and stream is a socket; run from
// a shell the soft limit is 1,024). Returns the limit now in force, or why it could not be read or raised.
Result<std::uint64_t> raise_open_file_limit();

// Percent-decoding ('+' as space when form is set); nullopt on malformed escapes.
std::optional<std::string> url_decode(std::string_view text, bool form);
std::string url_encode(std::string_view text);
// Splits an application/x-www-form-urlencoded body (or query) into decoded pairs.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text);
// The one escaper of page text (src/base/strings.h), also as web::html_escape.
using left4me::html_escape;

}  // namespace left4me::web
