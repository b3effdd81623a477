// The only translation unit that includes RESTinio (and asio): it is heavy to compile.
#include <restinio/all.hpp>

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/log.h"
#include "web/http.h"

namespace left4me::web {
namespace {

using Traits = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t>;
using ChunkedBuilder = restinio::response_builder_t<restinio::chunked_output_t>;

class ChunkedSink;

// What a running server shares with the responses and streams in flight, which may outlive it.
struct Tracker {
  std::mutex mutex;
  std::condition_variable idle;
  int in_flight = 0;      // responses not written yet, and open streams
  bool draining = false;  // stop_accepting() was called: responses close their connections
  std::vector<std::weak_ptr<ChunkedSink>> sinks;
};

// Counts one request as in flight from its arrival until its response is written or its connection gone.
class InFlight {
 public:
  explicit InFlight(std::shared_ptr<Tracker> tracker) : tracker_(std::move(tracker)) {
    std::lock_guard<std::mutex> guard(tracker_->mutex);
    ++tracker_->in_flight;
  }
  ~InFlight() {
    std::lock_guard<std::mutex> guard(tracker_->mutex);
    if (--tracker_->in_flight == 0) tracker_->idle.notify_all();
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::shared_ptr<Tracker> tracker_;
};

// A stream whose client is this far behind (writes queued and not yet taken by its socket) is ended: what is
// queued for one client stays bounded, however slowly it reads. 128 writes are 2.5 s of a console's batches at
// their shortest window (ServerLogHub), more at longer ones; a first write of any size (a job's whole log) passes.
constexpr std::size_t kMaxQueuedWrites = 128;
constexpr std::size_t kMaxQueuedBytes = 4 << 20;

class ChunkedSink final : public EventSink, public std::enable_shared_from_this<ChunkedSink> {
 public:
  ChunkedSink(ChunkedBuilder builder, std::shared_ptr<InFlight> in_flight)
      : builder_(std::move(builder)), in_flight_(std::move(in_flight)) {}

  bool send(std::string data) override {
    std::size_t bytes = data.size();
    return write(restinio::writable_item_t(std::move(data)), bytes);
  }

  // One buffer for every client it goes to: each connection's write keeps a reference, no copy.
  bool send_shared(std::shared_ptr<const std::string> data) override {
    if (!data) return !closed_;
    std::size_t bytes = data->size();
    if (bytes == 0) return write(restinio::writable_item_t(std::string()), 0);
    return write(restinio::writable_item_t(std::move(data)), bytes);
  }

  bool closed() const override { return closed_; }

  void close() override {
    std::lock_guard<std::mutex> guard(mutex_);
    close_locked();
  }

  // The server stops: let go of the connection while its io_context still exists.
  void release() {
    std::lock_guard<std::mutex> guard(mutex_);
    closed_ = true;
    builder_.reset();
    in_flight_.reset();
  }

 private:
  // Queues one chunk, or ends the stream of a client too far behind (its queue drains, then the connection ends).
  bool write(restinio::writable_item_t item, std::size_t bytes) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (closed_ || !builder_) return false;
    if (queued_writes_ >= kMaxQueuedWrites || (queued_bytes_ > 0 && queued_bytes_ + bytes > kMaxQueuedBytes)) {
      log::warning("http: a stream's client fell {} writes ({} bytes) behind; ending its stream", queued_writes_.load(),
                   queued_bytes_.load());
      close_locked();
      return false;
    }
    ++queued_writes_;
    queued_bytes_ += bytes;
    builder_->append_chunk(std::move(item));
    std::weak_ptr<ChunkedSink> weak = weak_from_this();
    try {
      builder_->flush([weak, bytes](const asio::error_code& error) {
        auto self = weak.lock();
        if (!self) return;
        --self->queued_writes_;
        self->queued_bytes_ -= bytes;
        if (error) self->closed_ = true;
      });
    } catch (const std::exception&) {
      closed_ = true;
    }
    return !closed_;
  }

  void close_locked() {
    closed_ = true;
    if (!builder_ || done_) return;
    done_ = true;
    try {
      // The stream stays in flight until its last chunk is written.
      builder_->done([in_flight = std::move(in_flight_)](const asio::error_code&) {});
    } catch (const std::exception&) {
      in_flight_.reset();  // the connection is already gone
    }
  }

  std::mutex mutex_;
  std::optional<ChunkedBuilder> builder_;
  std::shared_ptr<InFlight> in_flight_;
  std::atomic<bool> closed_{false};
  bool done_ = false;
  std::atomic<std::size_t> queued_writes_{0};  // chunks handed to the connection, not yet written to its socket
  std::atomic<std::size_t> queued_bytes_{0};
};

std::string reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
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

Response internal_error() {
  return Response{500,
                  {{"Content-Type", "application/json"}},
                  R"({"error":{"code":"internal","message":"internal error","field":null}})",
                  nullptr,
                  nullptr};
}

// RFC 9110's token characters, what a header name may hold.
bool is_token(std::string_view name) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [kSpecials](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || kSpecials.find(c) != std::string_view::npos;
  });
}

// The first header of response that must not be written: a name that is not a token, or a value with a control
// character other than tab. CR or LF would end the header early and start one the handler never meant (response
// splitting); RESTinio writes whatever it is given, so the check is here, for every response.
const std::pair<std::string, std::string>* unwritable_header(const Response& response) {
  for (const auto& header : response.headers) {
    bool clean = std::none_of(header.second.begin(), header.second.end(), [](char c) {
      auto byte = static_cast<unsigned char>(c);
      return (byte < 0x20 && c != '\t') || byte == 0x7f;
    });
    if (!clean || !is_token(header.first)) return &header;
  }
  return nullptr;
}

template <typename Builder>
void add_headers(Builder& builder, const Response& response) {
  for (const auto& [name, value] : response.headers) builder.append_header(name, value);
}

restinio::request_handling_status_t handle(const HttpHandler& handler, const std::shared_ptr<Tracker>& tracker,
                                           const restinio::request_handle_t& raw) {
  auto in_flight = std::make_shared<InFlight>(tracker);
  Request request = convert(raw);
  Response response;
  try {
    response = handler(request);
  } catch (const std::exception& exception) {
    log::error("http: {} {}: unhandled exception: {}", request.method, request.path, exception.what());
    response = internal_error();
  }
  if (const auto* header = unwritable_header(response)) {
    log::error("http: {} {}: refused to write header '{}': a control character (CR, LF, ...) in its name or value",
               request.method, request.path, is_token(header->first) ? header->first : "(not a token)");
    response = internal_error();
  }
  bool draining;
  {
    std::lock_guard<std::mutex> guard(tracker->mutex);
    draining = tracker->draining;
  }
  restinio::http_status_line_t status_line{restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
                                           reason_phrase(response.status)};
  if (response.stream) {
    ChunkedBuilder builder = raw->create_response<restinio::chunked_output_t>(status_line);
    add_headers(builder, response);
    builder.flush();
    auto sink = std::make_shared<ChunkedSink>(std::move(builder), std::move(in_flight));
    {
      std::lock_guard<std::mutex> guard(tracker->mutex);
      auto& sinks = tracker->sinks;
      sinks.erase(std::remove_if(sinks.begin(), sinks.end(), [](const auto& weak) { return weak.expired(); }),
                  sinks.end());
      sinks.push_back(sink);
    }
    response.stream(sink);
    return restinio::request_accepted();
  }
  auto builder = raw->create_response(status_line);
  add_headers(builder, response);
  if (draining) builder.connection_close();
  if (response.file) {
    int fd = ::fcntl(response.file->get(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return raw->create_response(restinio::status_internal_server_error()).connection_close().done();
    builder.set_body(
        restinio::sendfile(restinio::file_descriptor_holder_t{fd}, restinio::file_meta_t{response.file_size, {}}));
  } else {
    builder.set_body(std::move(response.body));
  }
  return builder.done([in_flight = std::move(in_flight)](const asio::error_code&) {});
}

class RestinioServer final : public HttpServer {
 public:
  using Server = restinio::http_server_t<Traits>;

  std::uint16_t port() const override { return port_; }

  void stop_accepting() override {
    std::lock_guard<std::mutex> guard(mutex_);
    {
      std::lock_guard<std::mutex> tracker_guard(tracker_->mutex);
      if (tracker_->draining || !server_) return;
      tracker_->draining = true;
    }
    // The acceptor belongs to the io threads: close it there, and wait until it is closed.
    auto closed = std::make_shared<std::promise<void>>();
    server_->close_async([closed] { closed->set_value(); }, [closed](std::exception_ptr) { closed->set_value(); });
    closed->get_future().wait_for(std::chrono::seconds(5));
  }

  bool wait_idle(std::chrono::milliseconds grace) override {
    std::unique_lock<std::mutex> lock(tracker_->mutex);
    return tracker_->idle.wait_for(lock, grace, [this] { return tracker_->in_flight == 0; });
  }

  void stop() override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!server_) return;
    work_.reset();
    server_->io_context().stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    // Streams still held by the app must drop their connections before the io_context goes.
    std::vector<std::weak_ptr<ChunkedSink>> sinks;
    {
      std::lock_guard<std::mutex> tracker_guard(tracker_->mutex);
      sinks.swap(tracker_->sinks);
    }
    for (const auto& weak : sinks) {
      if (auto sink = weak.lock()) sink->release();
    }
    server_.reset();
  }

  ~RestinioServer() override { stop(); }

  std::mutex mutex_;
  std::shared_ptr<Tracker> tracker_ = std::make_shared<Tracker>();
  std::unique_ptr<Server> server_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint16_t> port_{0};
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options, HttpHandler handler) {
  auto server = std::make_unique<RestinioServer>();
  RestinioServer* raw_server = server.get();
  auto shared_handler = std::make_shared<HttpHandler>(std::move(handler));
  std::shared_ptr<Tracker> tracker = server->tracker_;
  try {
    auto settings = restinio::server_settings_t<Traits>{}
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
                        // Responses go out as soon as they are written: with Nagle's algorithm the last part of a large
                        // response (the dashboard is ~150 KB) waited for the client's delayed ACK, 40 ms on Linux.
                        .socket_options_setter([](restinio::socket_options_t& socket) {
                          asio::error_code ignored;
                          socket.set_option(asio::ip::tcp::no_delay{true}, ignored);
                        })
                        .acceptor_post_bind_hook([raw_server](asio::ip::tcp::acceptor& acceptor) {
                          raw_server->port_ = acceptor.local_endpoint().port();
                        })
                        .request_handler([shared_handler, tracker](const restinio::request_handle_t& request) {
                          return handle(*shared_handler, tracker, request);
                        });
    server->server_ = std::make_unique<RestinioServer::Server>(restinio::own_io_context(), std::move(settings));
    server->server_->open_sync();  // binds and listens; throws if it cannot
  } catch (const std::exception& exception) {
    server->server_.reset();
    return Error::failed(fmt::format("listen on {}:{}: {}", options.host, options.port, exception.what()));
  }
  asio::io_context& io = server->server_->io_context();
  server->work_.emplace(asio::make_work_guard(io));
  for (int i = 0; i < options.threads; ++i) {
    server->threads_.emplace_back([&io] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& exception) {
          log::error("http: {}", exception.what());
        }
      }
    });
  }
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace left4me::web
