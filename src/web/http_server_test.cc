// HttpServer over real sockets: graceful stop (requests in flight finish, new connections are refused, kept-alive
// connections are closed after their next response, streams keep it busy until they end), streams sharing one
// buffer, the bound on a slow client's queue, and the open-file limit.
#include <gtest/gtest.h>

#include "testing/test_support.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "web/http.h"
#include "web/test_client.h"

namespace left4me::web {
namespace {

using std::chrono::milliseconds;
using testing::HttpReply;

// Reads one response from a kept-alive connection (Content-Length bodies only); status 0 on EOF.
HttpReply read_one_reply(int fd) {
  std::string raw;
  char buffer[4096];
  for (;;) {
    size_t header_end = raw.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      HttpReply reply = testing::parse_reply(raw);
      size_t length = static_cast<size_t>(
          std::stoul(reply.header("content-length").empty() ? "0" : reply.header("content-length")));
      if (raw.size() >= header_end + 4 + length) return reply;
    }
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return {};
    raw.append(buffer, static_cast<size_t>(n));
  }
}

// Reads until the peer closes the connection or `until` shows up (at most 5 s); true if either happened.
bool read_until(int fd, std::string_view until, std::string* received) {
  pollfd poll_fd{fd, POLLIN, 0};
  char buffer[4096];
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       std::chrono::steady_clock::now() < deadline;) {
    if (!until.empty() && received->find(until) != std::string::npos) return true;
    if (::poll(&poll_fd, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return true;
    if (n < 0) return false;
    received->append(buffer, static_cast<size_t>(n));
  }
  return false;
}

// The body of a chunked response (after its headers) with the framing taken off; nullopt if the framing is wrong.
std::optional<std::string> unchunk(std::string_view raw) {
  std::size_t at = raw.find("\r\n\r\n");
  if (at == std::string_view::npos) return std::nullopt;
  std::string body;
  for (at += 4;;) {
    std::size_t line_end = raw.find("\r\n", at);
    if (line_end == std::string_view::npos) return std::nullopt;
    std::size_t size = std::stoul(std::string(raw.substr(at, line_end - at)), nullptr, 16);
    if (size == 0) return body;
    if (raw.size() < line_end + 2 + size + 2 || raw.substr(line_end + 2 + size, 2) != "\r\n") return std::nullopt;
    body.append(raw.substr(line_end + 2, size));
    at = line_end + 2 + size + 2;
  }
}

// Reads a stream to its end (its final chunk; the connection stays open) on a thread of its own.
class Drain {
 public:
  explicit Drain(int fd)
      : thread_([this, fd] {
          char buffer[65536];
          for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
            std::lock_guard<std::mutex> guard(mutex_);
            received_.append(buffer, static_cast<size_t>(n));
            changed_.notify_all();
            if (received_.ends_with("\r\n0\r\n\r\n")) return;
          }
        }) {}
  ~Drain() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  // Waits until at least `bytes` arrived; false after 10 s.
  bool wait_for(std::size_t bytes) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return received_.size() >= bytes; });
  }
  const std::string& received() const { return received_; }  // after join()

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string received_;
  std::thread thread_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void start() {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::start(options, [this](Request& request) {
      if (request.path == "/slow") {
        slow_started_ = true;
        std::this_thread::sleep_for(milliseconds(400));
        return Response{200, {{"Content-Type", "text/plain"}}, "done", nullptr, nullptr};
      }
      if (request.path == "/stream") {
        Response response{200, {{"Content-Type", "text/event-stream"}}, "", nullptr, nullptr};
        response.stream = [this](std::shared_ptr<EventSink> sink) {
          std::lock_guard<std::mutex> guard(streams_mutex_);
          streams_.push_back(std::move(sink));
          stream_opened_.notify_all();
        };
        return response;
      }
      if (request.path == "/header") {
        // Echoes ?value= into a header, as a handler that forgot to check its input would.
        std::string value = request.query_param("value").value_or("");
        Response response{200, {{"Content-Type", "text/plain"}, {"X-Echo", value}}, "echoed", nullptr};
        if (request.query_param("stream")) {
          response.stream = [](std::shared_ptr<EventSink> sink) { sink->close(); };
        }
        return response;
      }
      return Response{200, {{"Content-Type", "text/plain"}}, "ok", nullptr, nullptr};
    });
    ASSERT_OK(server);
    server_ = std::move(*server);
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  std::shared_ptr<EventSink> open_stream(UniqueFd* connection) {
    std::size_t before;
    {
      std::lock_guard<std::mutex> guard(streams_mutex_);
      before = streams_.size();
    }
    *connection = testing::connect_local(port_);
    EXPECT_TRUE(connection->valid());
    EXPECT_TRUE(testing::send_all(connection->get(), testing::build_request("GET", "/stream", "", {}, false)));
    std::unique_lock<std::mutex> lock(streams_mutex_);
    EXPECT_TRUE(stream_opened_.wait_for(lock, std::chrono::seconds(5), [&] { return streams_.size() > before; }));
    return streams_.size() > before ? streams_.back() : nullptr;
  }

  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::atomic<bool> slow_started_{false};
  std::mutex streams_mutex_;
  std::condition_variable stream_opened_;
  std::vector<std::shared_ptr<EventSink>> streams_;
};

TEST_F(HttpServerTest, GracefulStopFinishesTheRequestInFlightAndRefusesNewConnections) {
  start();
  std::future<HttpReply> slow =
      std::async(std::launch::async, [this] { return testing::http_request(port_, "GET", "/slow"); });
  for (int i = 0; i < 500 && !slow_started_; ++i) std::this_thread::sleep_for(milliseconds(2));
  ASSERT_TRUE(slow_started_);
  server_->stop_accepting();
  EXPECT_FALSE(testing::connect_local(port_).valid()) << "a new connection was accepted while stopping";
  EXPECT_TRUE(server_->wait_idle(std::chrono::seconds(5)));
  HttpReply reply = slow.get();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "done");
  server_->stop();
}

TEST_F(HttpServerTest, AKeptAliveConnectionIsClosedAfterItsNextResponseWhileStopping) {
  start();
  UniqueFd connection = testing::connect_local(port_);
  ASSERT_TRUE(connection.valid());
  ASSERT_TRUE(testing::send_all(connection.get(), testing::build_request("GET", "/", "", {}, false)));
  HttpReply first = read_one_reply(connection.get());
  EXPECT_EQ(first.status, 200);
  EXPECT_NE(first.header("connection"), "close");
  server_->stop_accepting();
  ASSERT_TRUE(testing::send_all(connection.get(), testing::build_request("GET", "/", "", {}, false)));
  HttpReply second = read_one_reply(connection.get());
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.header("connection"), "close");
  std::string rest;
  EXPECT_TRUE(read_until(connection.get(), "", &rest));
  EXPECT_EQ(rest, "") << "the connection closes after the response";
  EXPECT_TRUE(server_->wait_idle(std::chrono::seconds(5)));
}

TEST_F(HttpServerTest, AnOpenStreamKeepsTheServerBusyUntilItEnds) {
  start();
  UniqueFd connection;
  std::shared_ptr<EventSink> sink = open_stream(&connection);
  ASSERT_TRUE(sink);
  server_->stop_accepting();
  EXPECT_FALSE(server_->wait_idle(milliseconds(200)));
  EXPECT_TRUE(sink->send("data: last\n\n"));
  sink->close();
  EXPECT_TRUE(server_->wait_idle(std::chrono::seconds(5)));
  std::string received;
  EXPECT_TRUE(read_until(connection.get(), "0\r\n\r\n", &received));
  EXPECT_NE(received.find("data: last"), std::string::npos) << received;
  EXPECT_NE(received.find("0\r\n\r\n"), std::string::npos) << "no final chunk: " << received;
}

TEST_F(HttpServerTest, AStreamHeldPastStopGoesDead) {
  start();
  UniqueFd connection;
  std::shared_ptr<EventSink> sink = open_stream(&connection);
  ASSERT_TRUE(sink);
  server_->stop();
  server_.reset();
  EXPECT_FALSE(sink->send("data: late\n\n"));
  EXPECT_TRUE(sink->closed());
  sink->close();
  sink.reset();  // after the server is gone: must not touch its io_context (ASan would tell)
}

// Response splitting: whatever a handler puts into a header, CR or LF never reaches the wire.
TEST_F(HttpServerTest, HeaderValuesWithCrOrLfAreNeverWritten) {
  start();
  for (const char* query : {"value=%0d%0aX-Injected:%201", "value=a%0aX-Injected:%201", "value=a%0dX-Injected:%201",
                            "value=a%0d%0aX-Injected:%201&stream=1", "value=a%00b"}) {
    UniqueFd connection = testing::connect_local(port_);
    ASSERT_TRUE(connection.valid());
    ASSERT_TRUE(testing::send_all(connection.get(),
                                  testing::build_request("GET", std::string("/header?") + query, "", {}, true)));
    std::string raw;
    EXPECT_TRUE(read_until(connection.get(), "", &raw));
    HttpReply reply = testing::parse_reply(raw);
    EXPECT_EQ(reply.status, 500) << query << ": " << raw;
    EXPECT_EQ(raw.find("X-Injected"), std::string::npos) << query << ": " << raw;
    EXPECT_EQ(reply.header("x-echo"), "") << query;
  }
  // A clean value still goes out.
  HttpReply fine = testing::http_request(port_, "GET", "/header?value=plain%20text");
  EXPECT_EQ(fine.status, 200);
  EXPECT_EQ(fine.header("x-echo"), "plain text");
}

// One shared buffer per batch (the console hub's fan-out): each stream gets every batch, in order, chunk-framed.
TEST_F(HttpServerTest, ASharedBufferReachesEveryStreamInOrder) {
  start();
  std::vector<UniqueFd> connections(3);
  std::vector<std::shared_ptr<EventSink>> sinks;
  for (UniqueFd& connection : connections) sinks.push_back(open_stream(&connection));
  std::vector<std::unique_ptr<Drain>> drains;
  for (UniqueFd& connection : connections) drains.push_back(std::make_unique<Drain>(connection.get()));
  std::string sent;
  for (int i = 0; i < 300; ++i) {
    auto batch = std::make_shared<const std::string>(fmt::format("data: line {}\ndata: line {}b\n\n", i, i));
    for (const auto& sink : sinks) {
      EXPECT_TRUE(sink->send_shared(batch));
    }
    sent += *batch;
    if (i % 20 == 19) {  // keeps each stream well inside its bound on queued writes
      for (auto& drain : drains) ASSERT_TRUE(drain->wait_for(sent.size()));
    }
  }
  for (const auto& sink : sinks) sink->close();
  for (auto& drain : drains) {
    drain->join();
    std::optional<std::string> body = unchunk(drain->received());
    ASSERT_TRUE(body) << "bad chunk framing: " << drain->received().substr(0, 300);
    EXPECT_EQ(*body, sent);
  }
}

// A client that stops reading is dropped once its queue passes the bound (its stream ends); the others get all.
TEST_F(HttpServerTest, AClientThatStopsReadingIsDroppedAndTheOthersGoOn) {
  start();
  UniqueFd reading, stuck;
  std::shared_ptr<EventSink> reader = open_stream(&reading);
  std::shared_ptr<EventSink> slow = open_stream(&stuck);
  ASSERT_TRUE(reader && slow);
  Drain drain(reading.get());
  std::string sent;
  bool dropped = false;
  // The stuck client's socket buffers take a few MB (loopback), then its queue in the server grows to the bound.
  for (int i = 0; i < 2000 && !dropped; ++i) {
    auto batch = std::make_shared<const std::string>(fmt::format("data: {:05} {}\n\n", i, std::string(16000, 'x')));
    EXPECT_TRUE(reader->send_shared(batch));
    sent += *batch;
    dropped = !slow->send_shared(batch);
    ASSERT_TRUE(drain.wait_for(sent.size() - std::min<std::size_t>(sent.size(), 32 * batch->size())));
  }
  EXPECT_TRUE(dropped) << "the stuck stream took " << sent.size() << " bytes";
  EXPECT_TRUE(slow->closed());
  EXPECT_FALSE(slow->send("data: more\n\n"));
  reader->close();
  drain.join();
  std::optional<std::string> body = unchunk(drain.received());
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, sent);
}

TEST(RaiseOpenFileLimit, RaisesTheSoftLimitToTheHardLimit) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  rlimit lowered = limit;
  lowered.rlim_cur = std::min<rlim_t>(limit.rlim_max / 2, 256);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  Result<std::uint64_t> raised = raise_open_file_limit();
  ASSERT_OK(raised);
  EXPECT_EQ(*raised, static_cast<std::uint64_t>(limit.rlim_max));
  rlimit now{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, limit.rlim_max);
  // Already at the hard limit: nothing to do, the same answer.
  raised = raise_open_file_limit();
  ASSERT_OK(raised);
  EXPECT_EQ(*raised, static_cast<std::uint64_t>(limit.rlim_max));
}

}  // namespace
}  // namespace left4me::web
