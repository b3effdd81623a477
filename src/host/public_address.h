// The address players connect to: host.env's LEFT4ME_PUBLIC_ADDRESS (a host name or an IPv4 address), else
// the IPv4 address of the interface the default route leaves by, never a loopback one. L4D2 clients connect
// over IPv4 only, so IPv6 is neither detected nor accepted. The parsing and choosing are pure functions over
// /proc/net/route's text and the interface list; detect_public_address reads both. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace left4me::host {

// nullopt when `address` may be LEFT4ME_PUBLIC_ADDRESS (a DNS name of letters, digits, '-' and '.' in labels
// of 1-63 characters, at most 253 in all, or a dotted IPv4 address); else the reason, following the value.
std::optional<std::string> check_public_address(std::string_view address);

// The interface of the IPv4 default route in /proc/net/route's text (destination and mask 0, up), the one
// with the lowest metric when there are several; nullopt if there is none.
std::optional<std::string> default_route_interface(std::string_view proc_net_route);

struct InterfaceAddress {
  std::string interface;
  std::string ipv4;  // dotted
  bool loopback = false;
};

// The first address of `interface` that is not a loopback one (the interface's flag or 127.0.0.0/8).
std::optional<std::string> address_of_interface(const std::vector<InterfaceAddress>& addresses,
                                                std::string_view interface);

// Reads /proc/net/route and the interfaces' IPv4 addresses (getifaddrs); nullopt when no default route
// leaves by an interface with a usable address.
std::optional<std::string> detect_public_address();

// "host:port" as a `connect` line takes it.
std::string connect_address(std::string_view host, std::uint16_t port);

}  // namespace left4me::host
