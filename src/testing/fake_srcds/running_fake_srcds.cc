#include "testing/fake_srcds/running_fake_srcds.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>

#include "base/file.h"
#include "base/unique_fd.h"

namespace left4me::testing {
namespace {

Result<uint16_t> bound_port(int type, uint16_t port) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Error::from_errno("socket", errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return Error::from_errno("bind", errno);
  }
  socklen_t length = sizeof address;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

}  // namespace

Result<uint16_t> free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto port = bound_port(SOCK_STREAM, 0);
    if (!port.ok()) return port.error();
    if (bound_port(SOCK_DGRAM, *port).ok()) return *port;
  }
  return Error::failed("no port free for both TCP and UDP");
}

Result<std::unique_ptr<RunningFakeSrcds>> RunningFakeSrcds::start(const std::string& binary,
                                                                  const FakeSrcdsSetup& setup) {
  std::unique_ptr<RunningFakeSrcds> owner(new RunningFakeSrcds());
  RunningFakeSrcds& server = *owner;
  if (auto made = make_directories(server.root_.path() + "/left4dead2/cfg"); !made.ok()) return made.error();
  if (auto written = write_file_atomic(server.root_.path() + "/left4dead2/cfg/server.cfg", setup.server_cfg);
      !written.ok()) {
    return written.error();
  }
  auto port = free_port();
  if (!port.ok()) return port.error();
  server.port_ = *port;

  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  env.insert(env.end(), setup.env.begin(), setup.env.end());
  std::vector<std::string> argv = {binary, "-game",     "left4dead2", "-norestart",
                                   "+ip",  "127.0.0.1", "-port",      std::to_string(server.port_),
                                   "+map", setup.map};
  argv.insert(argv.end(), setup.extra_args.begin(), setup.extra_args.end());
  auto process = Subprocess::spawn({.argv = argv,
                                    .env = env,
                                    .cwd = server.root_.path(),
                                    .stdout_mode = Stream::kPipe,
                                    .stderr_mode = Stream::kToStdout});
  if (!process.ok()) return process.error();
  server.process_.emplace(std::move(*process));

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.output().find("VAC secure mode") == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Error::timeout("fake-srcds did not load its map within 10 s; output: " + server.output_);
    }
    auto status = server.process_->wait(std::chrono::milliseconds(20));
    if (status.ok() && status->has_value()) {
      return Error::failed("fake-srcds exited (" + (*status)->describe() + "): " + server.output());
    }
  }
  return owner;
}

const std::string& RunningFakeSrcds::output() {
  if (!process_ || process_->stdout_fd() < 0) return output_;
  char buffer[4096];
  while (true) {
    pollfd entry{.fd = process_->stdout_fd(), .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, 0) <= 0 || !(entry.revents & POLLIN)) break;
    ssize_t n = ::read(process_->stdout_fd(), buffer, sizeof buffer);
    if (n <= 0) break;
    output_.append(buffer, static_cast<size_t>(n));
  }
  return output_;
}

RunningFakeSrcds::~RunningFakeSrcds() {
  if (process_ && !process_->finished()) (void)process_->terminate(SIGKILL, std::chrono::milliseconds(2000));
}

}  // namespace left4me::testing
