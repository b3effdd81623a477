#include "host/bind_guard.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "base/file.h"
#include "base/strings.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

// A cgroup v2 mount point of this machine (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts).
std::string cgroup2_root() {
  auto mounts = read_file("/proc/self/mountinfo");
  if (!mounts.ok()) return "";
  for (const std::string& line : split(*mounts, '\n')) {
    if (line.find(" - cgroup2 ") == std::string::npos) continue;
    std::vector<std::string> fields = split(line, ' ');
    if (fields.size() > 4) return fields[4];
  }
  return "";
}

// What bind() of `port` (UDP, then TCP) gives a process in the cgroup: 0 or the errno.
int bind_in(const std::string& cgroup, int family, int type, std::uint16_t port) {
  int result[2];
  if (::pipe(result) != 0) return -1;
  pid_t child = ::fork();
  if (child == 0) {
    int error = 0;
    {
      std::ofstream procs(cgroup + "/cgroup.procs");
      procs << ::getpid() << std::flush;
      if (!procs) error = -2;
    }
    if (error == 0) {
      int fd = ::socket(family, type, 0);
      sockaddr_storage address{};
      socklen_t length;
      if (family == AF_INET) {
        auto& in = reinterpret_cast<sockaddr_in&>(address);
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        in.sin_port = htons(port);
        length = sizeof in;
      } else {
        auto& in6 = reinterpret_cast<sockaddr_in6&>(address);
        in6.sin6_family = AF_INET6;
        in6.sin6_addr = in6addr_loopback;
        in6.sin6_port = htons(port);
        length = sizeof in6;
      }
      error = ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 ? 0 : errno;
    }
    (void)::write(result[1], &error, sizeof error);
    ::_exit(0);
  }
  int error = -3;
  (void)::read(result[0], &error, sizeof error);
  ::waitpid(child, nullptr, 0);
  ::close(result[0]);
  ::close(result[1]);
  return error;
}

class BindGuardTest : public testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "attaching cgroup BPF programs needs root";
    std::string root = cgroup2_root();
    if (root.empty()) GTEST_SKIP() << "no cgroup v2 mount";
    cgroup_ = root + "/left4me-bind-guard-test-" + std::to_string(::getpid());
    ASSERT_EQ(::mkdir(cgroup_.c_str(), 0755), 0) << cgroup_;
  }
  void TearDown() override {
    if (!cgroup_.empty()) ::rmdir(cgroup_.c_str());
  }
  std::string cgroup_;
};

// The regression: a game server could bind any port of the range (systemd's SocketBindAllow= is not
// enforced on Debian 12), and so take another server's port. With the guard, only its own port (and
// port 0) can be bound, over IPv4 and IPv6, UDP and TCP.
TEST_F(BindGuardTest, AServerMayBindItsOwnPortOnly) {
  const std::uint16_t own = 27015;
  EXPECT_EQ(bind_in(cgroup_, AF_INET, SOCK_DGRAM, 27016), 0) << "before the guard, any port";
  ASSERT_OK(attach_bind_guard(cgroup_, own));
  for (int family : {AF_INET, AF_INET6}) {
    for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
      EXPECT_EQ(bind_in(cgroup_, family, type, 27016), EPERM) << family << "/" << type;
      EXPECT_EQ(bind_in(cgroup_, family, type, 80), EPERM) << family << "/" << type;
      EXPECT_EQ(bind_in(cgroup_, family, type, own), 0) << family << "/" << type;
      EXPECT_EQ(bind_in(cgroup_, family, type, 0), 0) << family << "/" << type;
    }
  }
}

// Attaching again (a restart of the unit in the same cgroup) replaces the guard, never stacks it: a
// new port works, the old one no longer does.
TEST_F(BindGuardTest, AttachingAgainReplacesTheGuard) {
  ASSERT_OK(attach_bind_guard(cgroup_, 27015));
  ASSERT_OK(attach_bind_guard(cgroup_, 27020));
  EXPECT_EQ(bind_in(cgroup_, AF_INET, SOCK_DGRAM, 27020), 0);
  EXPECT_EQ(bind_in(cgroup_, AF_INET, SOCK_DGRAM, 27015), EPERM);
}

TEST_F(BindGuardTest, AMissingCgroupIsAnError) {
  Status status = attach_bind_guard(cgroup_ + "/missing", 27015);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("missing"), std::string::npos);
}

}  // namespace
}  // namespace left4me::host
