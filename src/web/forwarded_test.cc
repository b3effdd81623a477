// The client behind a reverse proxy: address parsing, trusted networks, X-Forwarded-For's right-most untrusted
// hop, X-Forwarded-Proto only from a trusted peer, and the throttle's address buckets.
#include "web/forwarded.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"

namespace left4me::web {
namespace {

Request request_from(std::string peer, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request request;
  request.remote_address = std::move(peer);
  request.headers = std::move(headers);
  return request;
}

TrustedProxies trusted(std::string_view list) {
  Result<TrustedProxies> proxies = TrustedProxies::parse(list);
  EXPECT_OK(proxies);
  return proxies.ok() ? *proxies : TrustedProxies();
}

TEST(IpAddress, ParsesBothFamiliesAndTreatsMappedIpv4AsIpv4) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->text(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("2001:DB8::1")->text(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("[2001:db8::1]")->text(), "2001:db8::1");
  std::optional<IpAddress> mapped = IpAddress::parse("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->length, 4);
  EXPECT_EQ(mapped->text(), "127.0.0.1");
  for (const char* bad : {"", "localhost", "192.0.2.1:80", "192.0.2", "fe80::1%eth0", "1.2.3.4 ", "[::1", "unknown"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(TrustedProxies, ParsesAddressesAndNetworksAndNamesTheBadEntry) {
  TrustedProxies proxies = trusted("127.0.0.1, 10.0.0.0/8 ::1,2001:db8:ab00::/40");
  for (const char* inside : {"127.0.0.1", "::ffff:127.0.0.1", "10.255.0.3", "::1", "2001:db8:abff::7"}) {
    EXPECT_TRUE(proxies.contains(*IpAddress::parse(inside))) << inside;
  }
  for (const char* outside : {"127.0.0.2", "11.0.0.1", "::2", "2001:db8:ac00::1", "::ffff:11.0.0.1"}) {
    EXPECT_FALSE(proxies.contains(*IpAddress::parse(outside))) << outside;
  }
  EXPECT_TRUE(trusted("").empty());
  EXPECT_TRUE(trusted("0.0.0.0/0").contains(*IpAddress::parse("203.0.113.9")));
  EXPECT_FALSE(trusted("0.0.0.0/0").contains(*IpAddress::parse("2001:db8::1")));
  for (const char* bad : {"proxy.example", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "127.0.0.1;"}) {
    Result<TrustedProxies> parsed = TrustedProxies::parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message().find(std::string("'") + bad + "'"), std::string::npos)
        << parsed.error().message();
  }
}

TEST(ClientInfo, AnUntrustedPeerIsTheClientWhateverItsHeadersSay) {
  TrustedProxies proxies = trusted("10.0.0.1");
  ClientInfo client = client_info(
      request_from("127.0.0.2", {{"x-forwarded-for", "192.0.2.1"}, {"x-forwarded-proto", "https"}}), proxies);
  EXPECT_EQ(client.address, "127.0.0.2");
  EXPECT_FALSE(client.https);
  EXPECT_EQ(client_info(request_from("127.0.0.1", {{"x-forwarded-for", "192.0.2.1"}}), TrustedProxies()).address,
            "127.0.0.1")
      << "nobody is trusted by default";
}

TEST(ClientInfo, BehindTrustedProxiesTheRightMostUntrustedHopIsTheClient) {
  TrustedProxies proxies = trusted("127.0.0.1, 10.0.0.0/8");
  // The client forged the first entry; our proxies appended the rest.
  EXPECT_EQ(client_info(request_from("127.0.0.1", {{"x-forwarded-for", "192.0.2.66, 203.0.113.7, 10.0.0.5"}}), proxies)
                .address,
            "203.0.113.7");
  // Several headers count in order, as one list.
  EXPECT_EQ(client_info(request_from("127.0.0.1",
                                     {{"x-forwarded-for", "192.0.2.66"}, {"x-forwarded-for", "203.0.113.7, 10.0.0.5"}}),
                        proxies)
                .address,
            "203.0.113.7");
  // A dual-stack socket reports the proxy as a mapped address.
  EXPECT_EQ(client_info(request_from("::ffff:127.0.0.1", {{"x-forwarded-for", "2001:db8::9"}}), proxies).address,
            "2001:db8::9");
  // Every hop trusted: the left-most one.
  EXPECT_EQ(client_info(request_from("127.0.0.1", {{"x-forwarded-for", "10.1.1.1, 10.0.0.5"}}), proxies).address,
            "10.1.1.1");
  // No header: the proxy itself.
  EXPECT_EQ(client_info(request_from("127.0.0.1"), proxies).address, "127.0.0.1");
  // A malformed hop: nothing beyond the proxy that passed it on is believed.
  EXPECT_EQ(
      client_info(request_from("127.0.0.1", {{"x-forwarded-for", "192.0.2.66, garbage, 10.0.0.5"}}), proxies).address,
      "10.0.0.5");
}

TEST(ClientInfo, HttpsOnlyFromATrustedProxy) {
  TrustedProxies proxies = trusted("127.0.0.1");
  EXPECT_TRUE(client_info(request_from("127.0.0.1", {{"x-forwarded-proto", "https"}}), proxies).https);
  EXPECT_TRUE(client_info(request_from("127.0.0.1", {{"x-forwarded-proto", "http, HTTPS"}}), proxies).https);
  EXPECT_FALSE(client_info(request_from("127.0.0.1", {{"x-forwarded-proto", "http"}}), proxies).https);
  EXPECT_FALSE(client_info(request_from("127.0.0.1"), proxies).https);
  EXPECT_FALSE(client_info(request_from("127.0.0.9", {{"x-forwarded-proto", "https"}}), proxies).https);
}

TEST(ThrottleBucket, Ipv6CountsPerSlash64) {
  EXPECT_EQ(throttle_bucket("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(throttle_bucket("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(throttle_bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(throttle_bucket("2001:db8:1:2::1"), throttle_bucket("2001:db8:1:2:ffff::9"));
  EXPECT_NE(throttle_bucket("2001:db8:1:2::1"), throttle_bucket("2001:db8:1:3::1"));
  EXPECT_EQ(throttle_bucket("not-an-ip"), "not-an-ip");
}

}  // namespace
}  // namespace left4me::web
