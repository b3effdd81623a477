// HttpServer's graceful stop over real sockets: requests in flight finish, new connections are refused,
// kept-alive connections are closed after their next response, and streams keep it busy until they end.
#include <gtest/gtest.h>

#include "testing/test_support.h"

#include <atomic>
#include <future>
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
        response.stream = [this](std::shared_ptr<EventSink> sink) { stream_.set_value(std::move(sink)); };
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
    *connection = testing::connect_local(port_);
    EXPECT_TRUE(connection->valid());
    EXPECT_TRUE(testing::send_all(connection->get(), testing::build_request("GET", "/stream", "", {}, false)));
    std::future<std::shared_ptr<EventSink>> sink = stream_.get_future();
    EXPECT_EQ(sink.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return sink.get();
  }

  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::atomic<bool> slow_started_{false};
  std::promise<std::shared_ptr<EventSink>> stream_;
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

}  // namespace
}  // namespace left4me::web
