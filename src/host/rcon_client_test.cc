#include "host/rcon_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <thread>

#include "testing/fake_srcds/running_fake_srcds.h"

namespace left4me::host {
namespace {

using std::chrono::milliseconds;
using testing::FakeSrcdsSetup;
using testing::RunningFakeSrcds;

std::unique_ptr<RunningFakeSrcds> start_fake(const FakeSrcdsSetup& setup) {
  auto server = RunningFakeSrcds::start(LEFT4ME_FAKE_SRCDS, setup);
  EXPECT_TRUE(server.ok()) << server.error().message();
  return server.ok() ? std::move(*server) : nullptr;
}

const char* kCfg = "hostname \"Rcon Test\"\nrcon_password \"s3cret pass\"\n";

TEST(RconClientTest, RunsCommandsOnTheFake) {
  auto server = start_fake({.server_cfg = kCfg, .env = {"FAKE_SRCDS_PLAYERS=2"}});
  ASSERT_TRUE(server);
  auto session = RconSession::connect("127.0.0.1", server->port(), "s3cret pass", milliseconds(2000));
  ASSERT_TRUE(session.ok()) << session.error().message();

  auto status = session->command("status", milliseconds(2000));
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_NE(status->find("hostname: Rcon Test\n"), std::string::npos) << *status;
  EXPECT_NE(status->find("map     : c1m1_hotel\n"), std::string::npos);
  EXPECT_NE(status->find("players : 2 humans"), std::string::npos);

  // Output longer than one packet arrives whole.
  auto cvars = session->command("cvarlist", milliseconds(2000));
  ASSERT_TRUE(cvars.ok()) << cvars.error().message();
  EXPECT_GT(cvars->size(), kRconResponseChunk);
  EXPECT_NE(cvars->find("z_witch_health"), std::string::npos);
  EXPECT_NE(cvars->find("total convars/concommands\n"), std::string::npos);

  ASSERT_TRUE(session->command("sv_cheats 1", milliseconds(2000)).ok());
  auto cheats = session->command("sv_cheats", milliseconds(2000));
  ASSERT_TRUE(cheats.ok());
  EXPECT_EQ(cheats->substr(0, 17), "\"sv_cheats\" = \"1\"");
  auto empty = session->command("say hello", milliseconds(2000));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");

  auto echo = rcon_command("127.0.0.1", server->port(), "s3cret pass", "echo one shot", milliseconds(2000));
  ASSERT_TRUE(echo.ok()) << echo.error().message();
  EXPECT_EQ(*echo, "one shot\n");
  EXPECT_NE(server->output().find("rcon from \"127.0.0.1:"), std::string::npos);
}

TEST(RconClientTest, WrongPasswordIsPermissionDenied) {
  auto server = start_fake({.server_cfg = kCfg});
  ASSERT_TRUE(server);
  auto session = RconSession::connect("127.0.0.1", server->port(), "guess", milliseconds(2000));
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(session.error().message().find("wrong password"), std::string::npos) << session.error().message();
}

TEST(RconClientTest, HungServerTimesOut) {
  auto server = start_fake({.server_cfg = kCfg, .env = {"FAKE_SRCDS_HANG_AFTER=0"}});
  ASSERT_TRUE(server);
  auto result = rcon_command("127.0.0.1", server->port(), "s3cret pass", "status", milliseconds(300));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kTimeout) << result.error().message();
}

TEST(RconClientTest, RefusedIsUnavailable) {
  auto port = testing::free_port();
  ASSERT_TRUE(port.ok());
  auto result = rcon_command("127.0.0.1", *port, "x", "status", milliseconds(1000));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable) << result.error().message();
}

TEST(RconClientTest, BadCommandsAreInvalidArguments) {
  auto server = start_fake({.server_cfg = kCfg});
  ASSERT_TRUE(server);
  auto session = RconSession::connect("127.0.0.1", server->port(), "s3cret pass", milliseconds(2000));
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->command("", milliseconds(500)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(session->command(std::string(5000, 'x'), milliseconds(500)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(session->command(std::string("a\0b", 3), milliseconds(500)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(session->command("echo still usable", milliseconds(1000)).ok());
}

// A one-connection TCP server on 127.0.0.1 that frames what it receives and answers each packet with the
// script's writes, each sent with its own send().
class LyingTcpServer {
 public:
  struct Answer {
    std::vector<std::string> writes;
    bool close = false;
  };
  using Script = std::function<Answer(const RconPacket&)>;

  explicit LyingTcpServer(Script script) : script_(std::move(script)) {
    listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_.get(), 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LyingTcpServer() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd entry{.fd = fd, .events = POLLIN, .revents = 0};
      if (::poll(&entry, 1, 20) > 0) return true;
    }
    return false;
  }
  void serve() {
    if (!wait_readable(listener_.get())) return;
    UniqueFd connection(::accept(listener_.get(), nullptr, nullptr));
    RconFramer framer;
    char buffer[8192];
    while (wait_readable(connection.get())) {
      ssize_t n = ::recv(connection.get(), buffer, sizeof buffer, 0);
      if (n <= 0) return;
      framer.feed(std::string_view(buffer, static_cast<size_t>(n)));
      while (true) {
        auto packet = framer.next();
        if (!packet.ok() || !packet->has_value()) break;
        Answer answer = script_(**packet);
        for (const std::string& bytes : answer.writes) {
          if (::send(connection.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) return;
        }
        if (answer.close) return;
      }
    }
  }

  Script script_;
  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string packet(int32_t id, int32_t type, std::string body = "") {
  return encode_rcon_packet({.id = id, .type = type, .body = std::move(body)});
}

// Answers commands the way srcds does (output, then mirror + marker for the empty RESPONSE_VALUE);
// auth is answered by `auth`.
LyingTcpServer::Script server_with_auth(std::function<LyingTcpServer::Answer(int32_t id)> auth) {
  return [auth](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return auth(request.id);
    if (request.type == kRconExecCommand) return {{packet(request.id, kRconResponseValue, "out:" + request.body)}};
    return {{packet(request.id, kRconResponseValue), encode_rcon_packet(rcon_end_marker(request.id))}};
  };
}

Result<std::string> run_against(const LyingTcpServer::Script& script, milliseconds timeout = milliseconds(1000)) {
  LyingTcpServer server(script);
  auto session = RconSession::connect("127.0.0.1", server.port(), "pw", timeout);
  if (!session.ok()) return session.error();
  auto first = session->command("one", timeout);
  if (!first.ok()) return first.error();
  auto second = session->command("two", timeout);
  if (!second.ok()) return second.error();
  return *first + "|" + *second;
}

TEST(RconClientTest, AuthRepliesCoalescedInOneWrite) {
  auto result = run_against(server_with_auth([](int32_t id) -> LyingTcpServer::Answer {
    return {{packet(id, kRconResponseValue) + packet(id, kRconAuthResponse)}};
  }));
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, "out:one|out:two");
}

TEST(RconClientTest, AuthRepliesInReverseOrder) {
  auto result = run_against(server_with_auth([](int32_t id) -> LyingTcpServer::Answer {
    return {{packet(id, kRconAuthResponse), packet(id, kRconResponseValue)}};
  }));
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, "out:one|out:two");
}

TEST(RconClientTest, AuthResponseAloneAndByteByByte) {
  auto result = run_against(server_with_auth([](int32_t id) -> LyingTcpServer::Answer {
    std::string bytes = packet(id, kRconAuthResponse);
    LyingTcpServer::Answer answer;
    for (char c : bytes) answer.writes.emplace_back(1, c);
    return answer;
  }));
  ASSERT_TRUE(result.ok()) << result.error().message();
}

TEST(RconClientTest, AuthResponseWithAnotherIdIsAnError) {
  auto result = run_against(
      server_with_auth([](int32_t id) -> LyingTcpServer::Answer { return {{packet(id + 5, kRconAuthResponse)}}; }));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("expected"), std::string::npos) << result.error().message();
}

TEST(RconClientTest, MultiPacketOutputIsJoined) {
  auto result = run_against([](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return {{packet(request.id, 0), packet(request.id, kRconAuthResponse)}};
    if (request.type == kRconExecCommand) {
      return {{packet(request.id, 0, std::string(4096, 'a')), packet(request.id, 0, std::string(4096, 'b')),
               packet(request.id, 0, "c")}};
    }
    return {{packet(request.id, 0), encode_rcon_packet(rcon_end_marker(request.id))}};
  });
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(*result, std::string(4096, 'a') + std::string(4096, 'b') + "c|" + std::string(4096, 'a') +
                         std::string(4096, 'b') + "c");
}

// Output that is not UTF-8 arrives with U+FFFD in its place; a character split across two packets is kept.
TEST(RconClientTest, InvalidUtf8OutputIsReplacedAndSplitCharactersKept) {
  auto result = run_against([](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return {{packet(request.id, 0), packet(request.id, kRconAuthResponse)}};
    if (request.type == kRconExecCommand) {
      return {{packet(request.id, 0, "hostname: caf\xE9 \xE2\x82\n\xE2\x82"), packet(request.id, 0, "\xAC 5")}};
    }
    return {{packet(request.id, 0), encode_rcon_packet(rcon_end_marker(request.id))}};
  });
  ASSERT_TRUE(result.ok()) << result.error().message();
  const std::string first = "hostname: caf\xEF\xBF\xBD \xEF\xBF\xBD\n\xE2\x82\xAC 5";
  EXPECT_EQ(*result, first + "|" + first);
}

Error error_of(const LyingTcpServer::Script& script) {
  auto result = run_against(script, milliseconds(400));
  EXPECT_FALSE(result.ok());
  return result.ok() ? Error::failed("unexpectedly ok") : result.error();
}

LyingTcpServer::Answer good_auth(const RconPacket& request) {
  return {{packet(request.id, 0), packet(request.id, kRconAuthResponse)}};
}

TEST(RconClientTest, TooSmallSizeIsAnError) {
  Error error = error_of([](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return good_auth(request);
    return {{std::string("\x05\0\0\0\x01\0\0\0\0", 9)}};
  });
  EXPECT_NE(error.message().find("packet size 5 is outside"), std::string::npos) << error.message();
}

TEST(RconClientTest, HugeSizeIsAnErrorNotAnAllocation) {
  Error error = error_of([](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return good_auth(request);
    return {{std::string("\x00\x00\x00\x40", 4)}};  // 1 GiB
  });
  EXPECT_NE(error.message().find("1073741824"), std::string::npos) << error.message();
}

TEST(RconClientTest, ClosedMidResponseIsAnError) {
  Error error = error_of([](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return good_auth(request);
    return {.writes = {packet(request.id, 0, "partial").substr(0, 10)}, .close = true};
  });
  EXPECT_EQ(error.code(), ErrorCode::kFailed);
  EXPECT_NE(error.message().find("closed the connection"), std::string::npos) << error.message();
}

TEST(RconClientTest, NoEndMirrorIsATimeout) {
  Error error = error_of([](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return good_auth(request);
    if (request.type == kRconExecCommand) return {{packet(request.id, 0, "output")}};
    return {};
  });
  EXPECT_EQ(error.code(), ErrorCode::kTimeout) << error.message();
}

TEST(RconClientTest, SilentAuthIsATimeout) {
  Error error = error_of([](const RconPacket&) -> LyingTcpServer::Answer { return {}; });
  EXPECT_EQ(error.code(), ErrorCode::kTimeout) << error.message();
  EXPECT_NE(error.message().find("auth"), std::string::npos) << error.message();
}

TEST(RconClientTest, EndlessOutputHitsTheLimit) {
  LyingTcpServer server([](const RconPacket& request) -> LyingTcpServer::Answer {
    if (request.type == kRconAuth) return good_auth(request);
    if (request.type != kRconExecCommand) return {};
    LyingTcpServer::Answer answer;
    std::string chunk = packet(request.id, 0, std::string(4096, 'z'));
    std::string many;
    for (int i = 0; i < 64; ++i) many += chunk;
    for (size_t sent = 0; sent <= RconSession::kMaxOutput; sent += 64 * 4096) answer.writes.push_back(many);
    return answer;
  });
  auto session = RconSession::connect("127.0.0.1", server.port(), "pw", milliseconds(2000));
  ASSERT_TRUE(session.ok());
  auto result = session->command("cvarlist", milliseconds(5000));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("output exceeds"), std::string::npos) << result.error().message();
  auto again = session->command("status", milliseconds(100));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("unusable"), std::string::npos) << again.error().message();
}

}  // namespace
}  // namespace left4me::host
