// Who the client is when the web app sits behind a reverse proxy: the proxies it trusts (TRUSTED_PROXIES), and
// the client address and scheme a request carries through them. Values; thread-safe to read.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "web/http.h"

namespace left4me::web {

// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:192.0.2.1, what a dual-stack socket reports for an
// IPv4 peer) are IPv4.
struct IpAddress {
  std::array<unsigned char, 16> bytes{};
  int length = 0;  // 4 or 16

  // "192.0.2.1", "2001:db8::1", "[2001:db8::1]"; nullopt for anything else (ports, zone ids, names).
  static std::optional<IpAddress> parse(std::string_view text);
  std::string text() const;
};

// An address with a prefix length: 10.0.0.0/8, 2001:db8::/32, or one address (/32, /128).
struct IpNetwork {
  IpAddress base;
  int prefix = 0;

  bool contains(const IpAddress& address) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // A list of addresses and networks separated by commas or spaces ("127.0.0.1, 10.0.0.0/8 ::1"); an empty list
  // trusts nobody. Fails kInvalidArgument naming the first bad entry.
  static Result<TrustedProxies> parse(std::string_view list);
  bool contains(const IpAddress& address) const;
  bool empty() const { return networks_.empty(); }

 private:
  std::vector<IpNetwork> networks_;
};

struct ClientInfo {
  std::string address;  // the client's address as text (the TCP peer's as given when it is not an IP address)
  bool https = false;   // a trusted proxy said the client used HTTPS (X-Forwarded-Proto: https)
};

// The client of a request. The TCP peer, unless the peer is a trusted proxy: then the right-most address of
// X-Forwarded-For (every such header, in order) that is not a trusted proxy, since each proxy appends the address
// it got the request from and only the part our own proxies wrote can be believed; when every hop is trusted, the
// left-most. A malformed hop ends the walk at the proxy that passed it on. X-Forwarded-Proto counts only from a
// trusted peer (its last value: the nearest proxy's).
ClientInfo client_info(const Request& request, const TrustedProxies& proxies);

// The key login throttling counts an address under: an IPv4 address itself, an IPv6 address's /64 network (one
// subscriber usually holds a whole /64), anything else as given.
std::string throttle_bucket(std::string_view address);

}  // namespace left4me::web
