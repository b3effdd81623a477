#include "host/public_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <limits>
#include <utility>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"

namespace left4me::host {
namespace {

constexpr unsigned kRouteUp = 0x1;  // RTF_UP

bool is_ipv4(std::string_view text) {
  in_addr parsed{};
  return ::inet_pton(AF_INET, std::string(text).c_str(), &parsed) == 1;
}

bool is_dns_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return false;
  }
  return true;
}

std::optional<unsigned long> parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 8) return std::nullopt;
  unsigned long value = 0;
  for (char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<unsigned long>(digit);
  }
  return value;
}

// The fields of one line, split on blanks and tabs.
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t position = 0;
  while (position < line.size()) {
    size_t start = line.find_first_not_of(" \t", position);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(start, end - start));
    position = end;
  }
  return fields;
}

// The interface's primary IPv4 address and whether it is a loopback one, from two ioctls (SIOCGIFADDR names the
// first address labelled with the interface's name, as getifaddrs lists it first). nullopt when the interface has
// no IPv4 address, or that address is a loopback one: then every address is read (a later one may do).
std::optional<InterfaceAddress> primary_address(const std::string& interface) {
  if (interface.size() >= IFNAMSIZ) return std::nullopt;
  UniqueFd socket(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) return std::nullopt;
  ifreq request{};
  interface.copy(request.ifr_name, IFNAMSIZ - 1);
  if (::ioctl(socket.get(), SIOCGIFFLAGS, &request) != 0) return std::nullopt;
  bool loopback = (request.ifr_flags & IFF_LOOPBACK) != 0;
  if (::ioctl(socket.get(), SIOCGIFADDR, &request) != 0 || request.ifr_addr.sa_family != AF_INET) return std::nullopt;
  char text[INET_ADDRSTRLEN] = {};
  const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(&request.ifr_addr);
  if (::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text) == nullptr) return std::nullopt;
  InterfaceAddress address{interface, text, loopback};
  if (!address_of_interface({address}, interface)) return std::nullopt;
  return address;
}

// Every interface's IPv4 addresses (getifaddrs: the kernel dumps every link and address over netlink).
std::vector<InterfaceAddress> interface_addresses() {
  std::vector<InterfaceAddress> addresses;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return addresses;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET || entry->ifa_name == nullptr) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
    if (::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text) == nullptr) continue;
    addresses.push_back({entry->ifa_name, text, (entry->ifa_flags & IFF_LOOPBACK) != 0});
  }
  ::freeifaddrs(list);
  return addresses;
}

}  // namespace

std::optional<std::string> check_public_address(std::string_view address) {
  if (address.empty()) return "is empty";
  if (address.find(':') != std::string_view::npos) {
    return "is not a host name or IPv4 address (no port, and no IPv6: L4D2 clients connect over IPv4 only)";
  }
  if (is_ipv4(address)) return std::nullopt;
  std::string_view name = address;
  if (name.back() == '.') name.remove_suffix(1);  // a fully qualified name's root
  if (name.size() > 253) return "is longer than 253 characters";
  for (const std::string& label : split(name, '.')) {
    if (!is_dns_label(label)) {
      return "is not a host name or IPv4 address (labels of 1-63 letters, digits and '-', separated by '.')";
    }
  }
  return std::nullopt;
}

std::optional<std::string> default_route_interface(std::string_view proc_net_route) {
  // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT; the first line is the header.
  std::optional<std::string> best;
  unsigned long best_metric = std::numeric_limits<unsigned long>::max();
  bool header = true;
  for (const std::string& line : split(proc_net_route, '\n')) {
    if (std::exchange(header, false)) continue;
    std::vector<std::string_view> fields = fields_of(line);
    if (fields.size() < 8) continue;
    auto destination = parse_hex(fields[1]);
    auto flags = parse_hex(fields[3]);
    auto mask = parse_hex(fields[7]);
    auto metric = parse_int(fields[6], 0, std::numeric_limits<unsigned>::max());
    if (!destination || !flags || !mask || !metric) continue;
    if (*destination != 0 || *mask != 0 || (*flags & kRouteUp) == 0) continue;
    if (static_cast<unsigned long>(*metric) < best_metric) {
      best = std::string(fields[0]);
      best_metric = static_cast<unsigned long>(*metric);
    }
  }
  return best;
}

std::optional<std::string> address_of_interface(const std::vector<InterfaceAddress>& addresses,
                                                std::string_view interface) {
  for (const InterfaceAddress& address : addresses) {
    if (address.interface != interface || address.loopback) continue;
    if (address.ipv4.rfind("127.", 0) == 0 || !is_ipv4(address.ipv4)) continue;
    return address.ipv4;
  }
  return std::nullopt;
}

std::optional<std::string> detect_public_address() {
  auto routes = read_file("/proc/net/route");
  if (!routes.ok()) return std::nullopt;
  std::optional<std::string> interface = default_route_interface(*routes);
  if (!interface) return std::nullopt;
  if (auto primary = primary_address(*interface)) return primary->ipv4;
  return address_of_interface(interface_addresses(), *interface);
}

std::string connect_address(std::string_view host, std::uint16_t port) {
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace left4me::host
