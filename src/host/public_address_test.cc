// The address players connect to: what LEFT4ME_PUBLIC_ADDRESS accepts, and the detection's choices over
// /proc/net/route's text and the interface list (never a loopback address, never a route that is down).
#include "host/public_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <string>
#include <vector>

#include "base/file.h"

namespace left4me::host {
namespace {

constexpr std::string_view kHeader =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

TEST(PublicAddressTest, AcceptsHostNamesAndIpv4Addresses) {
  for (std::string_view good : {"play.example.org", "play.example.org.", "l4d2", "203.0.113.7", "a-1.b2.example"}) {
    EXPECT_EQ(check_public_address(good), std::nullopt) << good;
  }
}

TEST(PublicAddressTest, RefusesPortsIpv6AndWhatIsNoHostName) {
  EXPECT_EQ(check_public_address("play.example.org:27015"),
            "is not a host name or IPv4 address (no port, and no IPv6: L4D2 clients connect over IPv4 only)");
  EXPECT_TRUE(check_public_address("2001:db8::1").has_value());
  EXPECT_EQ(check_public_address(""), "is empty");
  for (std::string_view bad : {"play example.org", "-play.example.org", "play..example.org", "play.example.org/x",
                               "pl\xC3\xA4y.example.org", "play.example.org\n", "."}) {
    EXPECT_EQ(check_public_address(bad),
              "is not a host name or IPv4 address (labels of 1-63 letters, digits and '-', separated by '.')")
        << bad;
  }
  EXPECT_EQ(check_public_address(std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                 std::string(63, 'd')),
            "is longer than 253 characters");
  EXPECT_TRUE(check_public_address(std::string(64, 'a') + ".example").has_value());
}

TEST(PublicAddressTest, FindsTheDefaultRoutesInterface) {
  std::string routes(kHeader);
  routes += "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
  routes += "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
  EXPECT_EQ(default_route_interface(routes), "eth0");
}

TEST(PublicAddressTest, ThePreferredDefaultRouteHasTheLowestMetricAndIsUp) {
  std::string routes(kHeader);
  routes += "wlan0\t00000000\t0100A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n";
  routes += "down0\t00000000\t0100A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n";  // not RTF_UP
  routes += "eth1\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
  EXPECT_EQ(default_route_interface(routes), "eth1");
}

TEST(PublicAddressTest, NoDefaultRouteOrAMalformedTableFindsNothing) {
  std::string routes(kHeader);
  routes += "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
  EXPECT_EQ(default_route_interface(routes), std::nullopt);
  EXPECT_EQ(default_route_interface(""), std::nullopt);
  EXPECT_EQ(default_route_interface(std::string(kHeader) + "eth0\t00000000\tzz\n"), std::nullopt);
  EXPECT_EQ(default_route_interface(std::string(kHeader) + "eth0\t0000000G\t0\t0003\t0\t0\t0\t00000000\n"),
            std::nullopt);
  // The header line alone is never a route, even when it would parse as one.
  EXPECT_EQ(default_route_interface("eth0\t00000000\t0\t0003\t0\t0\t0\t00000000\n"), std::nullopt);
}

TEST(PublicAddressTest, TheInterfacesAddressIsNeverALoopbackOne) {
  std::vector<InterfaceAddress> addresses = {{"lo", "127.0.0.1", true},
                                             {"eth0", "127.0.1.1", false},
                                             {"eth0", "192.0.2.10", false},
                                             {"eth1", "198.51.100.4", false}};
  EXPECT_EQ(address_of_interface(addresses, "eth0"), "192.0.2.10");
  EXPECT_EQ(address_of_interface(addresses, "lo"), std::nullopt);
  EXPECT_EQ(address_of_interface(addresses, "wlan0"), std::nullopt);
  EXPECT_EQ(address_of_interface({{"dummy0", "10.0.0.1", true}}, "dummy0"), std::nullopt);
}

TEST(PublicAddressTest, ConnectAddressIsHostColonPort) {
  EXPECT_EQ(connect_address("play.example.org", 27015), "play.example.org:27015");
}

// detect_public_address asks the kernel for the interface's primary address (two ioctls): on this machine it
// finds what every interface's addresses (getifaddrs, which it used to read) give for the default route.
TEST(PublicAddressTest, DetectsWhatTheInterfaceListGives) {
  std::optional<std::string> expected;
  auto routes = read_file("/proc/net/route");
  std::optional<std::string> interface = routes.ok() ? default_route_interface(*routes) : std::nullopt;
  ifaddrs* list = nullptr;
  if (interface && ::getifaddrs(&list) == 0) {
    std::vector<InterfaceAddress> addresses;
    for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
      if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, text, sizeof text);
      addresses.push_back({entry->ifa_name, text, (entry->ifa_flags & IFF_LOOPBACK) != 0});
    }
    ::freeifaddrs(list);
    expected = address_of_interface(addresses, *interface);
  }
  EXPECT_EQ(detect_public_address(), expected) << "default route interface: " << interface.value_or("none");
}

}  // namespace
}  // namespace left4me::host
