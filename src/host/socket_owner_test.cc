#include "host/socket_owner.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "base/unique_fd.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

// A listening TCP socket on loopback (IPv4, or IPv6 "::" accepting IPv4 too), on a free port.
UniqueFd listen_on(int family, std::uint16_t* port) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_TRUE(fd.valid());
  sockaddr_storage address{};
  socklen_t length;
  if (family == AF_INET) {
    auto& in = reinterpret_cast<sockaddr_in&>(address);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof in;
  } else {
    int off = 0;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    auto& in6 = reinterpret_cast<sockaddr_in6&>(address);
    in6.sin6_family = AF_INET6;
    in6.sin6_addr = in6addr_any;
    length = sizeof in6;
  }
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length), 0);
  EXPECT_EQ(::listen(fd.get(), 4), 0);
  EXPECT_EQ(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
  *port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(address).sin_port
                                  : reinterpret_cast<sockaddr_in6&>(address).sin6_port);
  return fd;
}

UniqueFd connect_loopback(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  return fd;
}

TEST(SocketOwnerTest, ParsesTableLines) {
  auto line = parse_tcp_table_line(
      "   3: 0100007F:6989 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000   980        0 123456 1 "
      "0000000000000000 20 4 30 10 -1");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->local, "0100007F:6989");
  EXPECT_EQ(line->remote, "0100007F:D2A4");
  EXPECT_EQ(line->uid, 980u);
  EXPECT_EQ(line->inode, 123456u);
  EXPECT_FALSE(parse_tcp_table_line("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
                                    "uid  timeout inode")
                   .has_value());
  EXPECT_FALSE(parse_tcp_table_line("").has_value());
  EXPECT_FALSE(parse_tcp_table_line("   3: 0100007F:6989 0100007F:D2A4 01 x y z uid 0 inode").has_value());
}

// The connection's server side is found in the table and belongs to the process that accepted it,
// for an IPv4 listener and for a dual-stack IPv6 one (the entry is then in tcp6, v4-mapped).
TEST(SocketOwnerTest, FindsTheAcceptingProcessOfALoopbackConnection) {
  for (int family : {AF_INET, AF_INET6}) {
    std::uint16_t port = 0;
    UniqueFd listener = listen_on(family, &port);
    UniqueFd client = connect_loopback(port);
    UniqueFd accepted;
    std::thread acceptor([&] { accepted = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)); });
    auto peer = connection_peer(client.get(), std::chrono::milliseconds(2000));
    acceptor.join();
    ASSERT_OK(peer);
    EXPECT_NE(peer->inode, 0u) << family;
    EXPECT_EQ(peer->uid, ::geteuid());
    auto held = process_tree_holds_socket(::getpid(), peer->inode);
    ASSERT_OK(held);
    EXPECT_TRUE(*held);
  }
}

// A port taken by another process: the connection's peer socket is not in an unrelated process tree,
// but is in the tree of the process that holds it (a child of the pid asked about counts).
TEST(SocketOwnerTest, AnotherProcessHoldingThePortIsNotTheServer) {
  std::uint16_t port = 0;
  UniqueFd listener = listen_on(AF_INET, &port);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t impostor = ::fork();
  ASSERT_GE(impostor, 0);
  if (impostor == 0) {
    int accepted = ::accept(listener.get(), nullptr, nullptr);
    (void)::write(ready[1], "x", 1);
    ::pause();
    ::_exit(accepted >= 0 ? 0 : 1);
  }
  listener.reset();  // only the impostor holds the listener now
  pid_t bystander = ::fork();
  ASSERT_GE(bystander, 0);
  if (bystander == 0) {
    ::pause();
    ::_exit(0);
  }
  UniqueFd client = connect_loopback(port);
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  auto peer = connection_peer(client.get(), std::chrono::milliseconds(2000));
  ASSERT_OK(peer);
  auto by_bystander = process_tree_holds_socket(bystander, peer->inode);
  auto by_impostor = process_tree_holds_socket(impostor, peer->inode);
  auto by_us = process_tree_holds_socket(::getpid(), peer->inode);  // the impostor is our child
  for (pid_t child : {impostor, bystander}) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_TRUE(by_bystander.ok() && by_impostor.ok() && by_us.ok());
  EXPECT_FALSE(*by_bystander);
  EXPECT_TRUE(*by_impostor);
  EXPECT_TRUE(*by_us);
}

}  // namespace
}  // namespace left4me::host
