#include "host/socket_owner.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/file.h"
#include "base/strings.h"

namespace left4me::host {
namespace {

// An address as the table prints it: IPv4 as 8 hex digits of the in-memory 32-bit word, IPv6 as four
// such words, then ':' and the port as 4 hex digits. IPv4 is compared as its v4-mapped IPv6 form.
std::string table_address(const sockaddr_storage& address) {
  in6_addr v6{};
  std::uint16_t port = 0;
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    v6.s6_addr[10] = 0xff;
    v6.s6_addr[11] = 0xff;
    std::memcpy(&v6.s6_addr[12], &v4.sin_addr, 4);
    port = ntohs(v4.sin_port);
  } else {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    v6 = in6.sin6_addr;
    port = ntohs(in6.sin6_port);
  }
  std::string out;
  char hex[16];
  for (int word = 0; word < 4; ++word) {
    std::uint32_t value;
    std::memcpy(&value, &v6.s6_addr[word * 4], 4);
    std::snprintf(hex, sizeof hex, "%08X", value);
    out += hex;
  }
  std::snprintf(hex, sizeof hex, ":%04X", port);
  return out + hex;
}

// The table's form of an address normalized to 32+5 characters (IPv4 entries widened to v4-mapped).
std::optional<std::string> normalized(std::string_view text) {
  if (text.size() == 8 + 5) {
    std::string out = "0000000000000000FFFF0000";
    out += text;
    return out;
  }
  if (text.size() == 32 + 5) return std::string(text);
  return std::nullopt;
}

// The children of every thread of pid (each thread's own list is in its task directory).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(tasks.c_str());
  if (!dir) return children;
  while (struct dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    auto list = read_file(tasks + "/" + entry->d_name + "/children");
    if (!list.ok()) continue;
    for (const std::string& word : split(*list, ' ')) {
      if (auto child = parse_int(trim(word), 1, 1 << 30)) children.push_back(static_cast<pid_t>(*child));
    }
  }
  ::closedir(dir);
  return children;
}

Result<bool> holds_socket(pid_t pid, const std::string& wanted) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* fds = ::opendir(dir.c_str());
  if (!fds) {
    if (errno == EACCES || errno == EPERM) return Error(ErrorCode::kPermissionDenied, "cannot read " + dir);
    return false;  // gone meanwhile
  }
  bool found = false;
  while (struct dirent* entry = ::readdir(fds)) {
    char target[64];
    std::string link = dir + "/" + entry->d_name;
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n > 0 && std::string_view(target, static_cast<std::size_t>(n)) == wanted) {
      found = true;
      break;
    }
  }
  ::closedir(fds);
  return found;
}

}  // namespace

std::optional<TcpTableLine> parse_tcp_table_line(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (start < line.size() && fields.size() < 10) {
    std::size_t begin = line.find_first_not_of(' ', start);
    if (begin == std::string_view::npos) break;
    std::size_t end = std::min(line.find(' ', begin), line.size());
    fields.push_back(line.substr(begin, end - begin));
    start = end;
  }
  // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
  if (fields.size() < 10 || fields[0].empty() || fields[0].back() != ':') return std::nullopt;
  auto uid = parse_int(fields[7], 0, 0xffffffffLL);
  auto inode = parse_int(fields[9], 0, std::numeric_limits<long long>::max());
  if (!uid || !inode) return std::nullopt;
  return TcpTableLine{fields[1], fields[2], static_cast<uid_t>(*uid), static_cast<ino_t>(*inode)};
}

Result<SocketEntry> connection_peer(int fd, std::chrono::milliseconds accept_wait) {
  sockaddr_storage local{}, peer{};
  socklen_t local_length = sizeof local, peer_length = sizeof peer;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    return Error::from_errno("getsockname", errno);
  }
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) {
    return Error::from_errno("getpeername", errno);
  }
  // The server's entry: its local address is our peer, its remote address is us.
  const std::string server_local = table_address(peer);
  const std::string server_remote = table_address(local);
  auto deadline = std::chrono::steady_clock::now() + accept_wait;
  while (true) {
    std::optional<SocketEntry> found;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
      auto content = read_file(table);
      if (!content.ok()) continue;
      for (const std::string& line : split(*content, '\n')) {
        auto entry = parse_tcp_table_line(line);
        if (!entry) continue;
        if (normalized(entry->local) == server_local && normalized(entry->remote) == server_remote) {
          found = SocketEntry{entry->uid, entry->inode};
        }
      }
    }
    if (!found) return Error::not_found("the server side of the connection is not in /proc/net/tcp");
    if (found->inode != 0 || std::chrono::steady_clock::now() >= deadline) return *found;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Result<bool> process_tree_holds_socket(pid_t pid, ino_t inode) {
  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  std::vector<pid_t> pending = {pid};
  for (std::size_t visited = 0; !pending.empty() && visited < 4096; ++visited) {
    pid_t current = pending.back();
    pending.pop_back();
    auto held = holds_socket(current, wanted);
    if (!held.ok()) return held.error();
    if (*held) return true;
    for (pid_t child : children_of(current)) pending.push_back(child);
  }
  return false;
}

}  // namespace left4me::host
