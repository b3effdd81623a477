// The only translation unit that includes RESTinio (and asio): it is heavy to compile.
#include <restinio/all.hpp>

#include <atomic>
#include <exception>
#include <mutex>

#include "base/log.h"
#include "web/http.h"

namespace left4me::web {
namespace {

using Traits = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t>;
using ChunkedBuilder = restinio::response_builder_t<restinio::chunked_output_t>;

class ChunkedSink final : public EventSink, public std::enable_shared_from_this<ChunkedSink> {
 public:
  explicit ChunkedSink(ChunkedBuilder builder) : builder_(std::move(builder)) {}

  bool send(std::string data) override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (closed_) return false;
    builder_.append_chunk(restinio::writable_item_t(std::move(data)));
    std::weak_ptr<ChunkedSink> weak = weak_from_this();
    try {
      builder_.flush([weak](const asio::error_code& error) {
        if (!error) return;
        if (auto self = weak.lock()) self->closed_ = true;
      });
    } catch (const std::exception&) {
      closed_ = true;
    }
    return !closed_;
  }

  bool closed() const override { return closed_; }

  void close() override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (done_) return;
    done_ = true;
    closed_ = true;
    try {
      builder_.done();
    } catch (const std::exception&) {
      // the connection is already gone
    }
  }

 private:
  std::mutex mutex_;
  ChunkedBuilder builder_;
  std::atomic<bool> closed_{false};
  bool done_ = false;
};

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

Request convert(const restinio::request_handle_t& raw) {
  Request request;
  request.method = raw->header().method().c_str();
  std::string_view path(raw->header().path().data(), raw->header().path().size());
  request.path = url_decode(path, false).value_or(std::string(path));
  request.query = std::string(raw->header().query().data(), raw->header().query().size());
  for (const auto& field : raw->header()) {
    std::string name(field.name());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = raw->body();
  request.remote_address = raw->remote_endpoint().address().to_string();
  return request;
}

template <typename Builder>
void add_headers(Builder& builder, const Response& response) {
  for (const auto& [name, value] : response.headers) builder.append_header(name, value);
}

restinio::request_handling_status_t handle(const HttpHandler& handler, const restinio::request_handle_t& raw) {
  Request request = convert(raw);
  Response response;
  try {
    response = handler(request);
  } catch (const std::exception& exception) {
    log::error("http: {} {}: unhandled exception: {}", request.method, request.path, exception.what());
    response = Response{500, {{"Content-Type", "application/json"}},
                        R"({"error":{"code":"internal","message":"internal error","field":null}})", nullptr};
  }
  restinio::http_status_line_t status_line{restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
                                           reason_phrase(response.status)};
  if (response.stream) {
    ChunkedBuilder builder = raw->create_response<restinio::chunked_output_t>(status_line);
    add_headers(builder, response);
    builder.flush();
    auto sink = std::make_shared<ChunkedSink>(std::move(builder));
    response.stream(sink);
    return restinio::request_accepted();
  }
  auto builder = raw->create_response(status_line);
  add_headers(builder, response);
  builder.set_body(std::move(response.body));
  return builder.done();
}

class RestinioServer final : public HttpServer {
 public:
  std::uint16_t port() const override { return port_; }

  void stop() override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!running_) return;
    running_->stop();
    running_->wait();
    running_.reset();
  }

  ~RestinioServer() override { stop(); }

  std::mutex mutex_;
  restinio::running_server_handle_t<Traits> running_;
  std::atomic<std::uint16_t> port_{0};
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options, HttpHandler handler) {
  auto server = std::make_unique<RestinioServer>();
  RestinioServer* raw_server = server.get();
  auto shared_handler = std::make_shared<HttpHandler>(std::move(handler));
  try {
    auto settings =
        restinio::server_settings_t<Traits>{}
            .address(options.host)
            .port(options.port)
            .max_pipelined_requests(1)
            .read_next_http_message_timelimit(options.read_timeout)
            .write_http_response_timelimit(options.write_timeout)
            .handle_request_timeout(options.handle_timeout)
            .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                          .max_url_size(options.max_url_bytes)
                                          .max_field_name_size(1024)
                                          .max_field_value_size(options.max_header_bytes)
                                          .max_field_count(100)
                                          .max_body_size(options.max_body_bytes))
            .acceptor_post_bind_hook(
                [raw_server](asio::ip::tcp::acceptor& acceptor) { raw_server->port_ = acceptor.local_endpoint().port(); })
            .request_handler([shared_handler](const restinio::request_handle_t& request) {
              return handle(*shared_handler, request);
            });
    server->running_ = restinio::run_async<Traits>(restinio::own_io_context(), std::move(settings),
                                                   static_cast<std::size_t>(options.threads));
  } catch (const std::exception& exception) {
    return Error::failed(fmt::format("listen on {}:{}: {}", options.host, options.port, exception.what()));
  }
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace left4me::web
