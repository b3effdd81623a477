#include "host/journal.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "base/unique_fd.h"

namespace left4me::host {

Status send_to_journal(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& socket_path) {
  std::string datagram;
  for (const auto& [name, value] : fields) {
    if (value.find('\n') == std::string::npos) {
      datagram += name + "=" + value + "\n";
      continue;
    }
    // A value with a newline: the name, a newline, its length as 64-bit little endian, the value.
    datagram += name + "\n";
    std::uint64_t length = value.size();
    for (int i = 0; i < 8; ++i) datagram.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
    datagram += value + "\n";
  }
  struct sockaddr_un address {};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof address.sun_path) return Error::invalid("journal socket path too long");
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd socket(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) return Error::from_errno("socket", errno);
  if (::sendto(socket.get(), datagram.data(), datagram.size(), MSG_NOSIGNAL,
               reinterpret_cast<const struct sockaddr*>(&address), sizeof address) < 0) {
    return Error::from_errno("send to " + socket_path, errno);
  }
  return ok_status();
}

}  // namespace left4me::host
