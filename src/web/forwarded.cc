#include "web/forwarded.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/strings.h"

namespace left4me::web {
namespace {

constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// The comma-separated values of every header with that (lower-case) name, in order, trimmed.
std::vector<std::string> header_list(const Request& request, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [key, value] : request.headers) {
    if (key != name) continue;
    for (const std::string& part : split(value, ',')) values.emplace_back(trim(part));
  }
  return values;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string copy(text);
  IpAddress address;
  if (::inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) {
    address.length = 4;
    return address;
  }
  if (::inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) != 1) return std::nullopt;
  address.length = 16;
  if (std::memcmp(address.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::fill(address.bytes.begin() + 4, address.bytes.end(), 0);
    address.length = 4;
  }
  return address;
}

std::string IpAddress::text() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(length == 4 ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

bool IpNetwork::contains(const IpAddress& address) const {
  if (address.length != base.length) return false;
  int whole = prefix / 8;
  if (std::memcmp(address.bytes.data(), base.bytes.data(), static_cast<std::size_t>(whole)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (address.bytes[static_cast<std::size_t>(whole)] & mask) ==
         (base.bytes[static_cast<std::size_t>(whole)] & mask);
}

Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  std::string normalized(list);
  std::replace(normalized.begin(), normalized.end(), ',', ' ');
  TrustedProxies proxies;
  for (const std::string& entry : split(normalized, ' ')) {
    if (entry.empty()) continue;
    auto invalid = [&entry] {
      return Error::invalid(fmt::format(
          "TRUSTED_PROXIES: '{}' is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8, ::1)", entry));
    };
    std::size_t slash = entry.find('/');
    std::optional<IpAddress> base = IpAddress::parse(std::string_view(entry).substr(0, slash));
    if (!base) return invalid();
    int prefix = base->length * 8;
    if (slash != std::string::npos) {
      std::optional<long long> bits = parse_int(entry.substr(slash + 1), 0, base->length * 8);
      if (!bits) return invalid();
      prefix = static_cast<int>(*bits);
    }
    proxies.networks_.push_back(IpNetwork{*base, prefix});
  }
  return proxies;
}

bool TrustedProxies::contains(const IpAddress& address) const {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&address](const IpNetwork& network) { return network.contains(address); });
}

ClientInfo client_info(const Request& request, const TrustedProxies& proxies) {
  std::optional<IpAddress> peer = IpAddress::parse(request.remote_address);
  if (!peer) return ClientInfo{request.remote_address, false};
  if (!proxies.contains(*peer)) return ClientInfo{peer->text(), false};
  ClientInfo client{peer->text(), false};
  std::vector<std::string> hops = header_list(request, "x-forwarded-for");
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    std::optional<IpAddress> address = IpAddress::parse(*hop);
    if (!address) break;  // not what a proxy writes: believe nothing beyond the proxy that passed it on
    client.address = address->text();
    if (!proxies.contains(*address)) break;
  }
  std::vector<std::string> schemes = header_list(request, "x-forwarded-proto");
  client.https = !schemes.empty() && equals_ignoring_case(schemes.back(), "https");
  return client;
}

std::string throttle_bucket(std::string_view text) {
  std::optional<IpAddress> address = IpAddress::parse(text);
  if (!address) return std::string(text);
  if (address->length == 4) return address->text();
  std::fill(address->bytes.begin() + 8, address->bytes.end(), 0);
  return address->text() + "/64";
}

}  // namespace left4me::web
