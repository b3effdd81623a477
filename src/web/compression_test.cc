// Accept-Encoding, the choice of coding, the codecs and bodies kept compressed.
#include "web/compression.h"

#include <gtest/gtest.h>

#include <string>

namespace left4me::web {
namespace {

Encoding choose(std::optional<std::string_view> header) {
  return choose_encoding(parse_accept_encoding(header), true, true);
}

std::string page_text() {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "<tr><td>server " + std::to_string(i) + "</td><td>stopped</td></tr>\n";
  return text;
}

TEST(AcceptEncoding, AbsentHeaderAcceptsIdentityOnly) {
  AcceptedEncodings accepted = parse_accept_encoding(std::nullopt);
  EXPECT_EQ(accepted.gzip, 0);
  EXPECT_EQ(accepted.brotli, 0);
  EXPECT_EQ(choose(std::nullopt), Encoding::kIdentity);
  EXPECT_EQ(choose(""), Encoding::kIdentity);
}

TEST(AcceptEncoding, ReadsCodingsAndQValues) {
  AcceptedEncodings accepted = parse_accept_encoding("gzip;q=0.5, BR ; Q=0.8,identity;q=0.1");
  EXPECT_DOUBLE_EQ(accepted.gzip, 0.5);
  EXPECT_DOUBLE_EQ(accepted.brotli, 0.8);
  EXPECT_DOUBLE_EQ(accepted.identity, 0.1);
  EXPECT_DOUBLE_EQ(parse_accept_encoding("x-gzip").gzip, 1);
}

TEST(AcceptEncoding, StarCoversWhatIsNotListed) {
  AcceptedEncodings accepted = parse_accept_encoding("*;q=0.3, gzip;q=0");
  EXPECT_EQ(accepted.gzip, 0);
  EXPECT_DOUBLE_EQ(accepted.brotli, 0.3);
  EXPECT_DOUBLE_EQ(accepted.identity, 0.3);
  EXPECT_EQ(choose("*"), Encoding::kBrotli);
}

TEST(AcceptEncoding, MalformedEntriesAreSkipped) {
  AcceptedEncodings accepted = parse_accept_encoding("gzip;q=2, br;q=abc, ;q=1, ,deflate, gzip;q=1.0001");
  EXPECT_EQ(accepted.gzip, 0);
  EXPECT_EQ(accepted.brotli, 0);
  EXPECT_EQ(choose("gzip;q=2, br;q=abc"), Encoding::kIdentity);
  EXPECT_DOUBLE_EQ(parse_accept_encoding("gzip;q=0.25;level=1").gzip, 0.25);
}

TEST(ChooseEncoding, QZeroMeansNo) {
  EXPECT_EQ(choose("gzip;q=0"), Encoding::kIdentity);
  EXPECT_EQ(choose("gzip;q=0, br;q=0.000"), Encoding::kIdentity);
  EXPECT_EQ(choose("br;q=0, gzip"), Encoding::kGzip);
}

TEST(ChooseEncoding, HighestQWinsBrotliOnATie) {
  EXPECT_EQ(choose("gzip, deflate, br"), Encoding::kBrotli);
  EXPECT_EQ(choose("gzip;q=1, br;q=0.9"), Encoding::kGzip);
  EXPECT_EQ(choose("gzip;q=0.5, identity"), Encoding::kIdentity);  // listed, identity competes
  EXPECT_EQ(choose("gzip;q=0.5"), Encoding::kGzip);                // unlisted, it does not
  EXPECT_EQ(choose("gzip, identity;q=0"), Encoding::kGzip);
}

TEST(ChooseEncoding, OnlyAvailableFormsAreChosen) {
  AcceptedEncodings accepted = parse_accept_encoding("br, gzip;q=0.5");
  EXPECT_EQ(choose_encoding(accepted, true, false), Encoding::kGzip);
  EXPECT_EQ(choose_encoding(accepted, false, false), Encoding::kIdentity);
  // Refusing identity gets identity when nothing else is there: a body is always sent.
  EXPECT_EQ(choose_encoding(parse_accept_encoding("identity;q=0"), true, true), Encoding::kIdentity);
}

TEST(Codecs, RoundTripAtEveryEffort) {
  std::string text = page_text();
  for (Effort effort : {Effort::kPerRequest, Effort::kOnce, Effort::kBuild}) {
    std::string gzip = gzip_compress(text, effort);
    std::string brotli = brotli_compress(text, effort);
    EXPECT_LT(gzip.size(), text.size() / 4);
    EXPECT_LT(brotli.size(), text.size() / 4);
    EXPECT_EQ(gzip.substr(0, 2), "\x1f\x8b");
    EXPECT_EQ(gzip_decompress(gzip).value(), text);
    EXPECT_EQ(brotli_decompress(brotli).value(), text);
  }
}

TEST(Codecs, BrokenDataIsAnError) {
  std::string gzip = gzip_compress(page_text(), Effort::kPerRequest);
  EXPECT_FALSE(gzip_decompress(gzip.substr(0, gzip.size() - 4)).ok());
  EXPECT_FALSE(gzip_decompress("not gzip").ok());
  std::string brotli = brotli_compress(page_text(), Effort::kPerRequest);
  EXPECT_FALSE(brotli_decompress(brotli.substr(0, brotli.size() / 2)).ok());
  EXPECT_FALSE(brotli_decompress(brotli + "trailing").ok());
}

TEST(CompressibleTypes, TextJsonSvgButNotImages) {
  EXPECT_TRUE(is_compressible_type("text/html; charset=utf-8"));
  EXPECT_TRUE(is_compressible_type("application/json"));
  EXPECT_TRUE(is_compressible_type("text/css; charset=utf-8"));
  EXPECT_TRUE(is_compressible_type("text/javascript; charset=utf-8"));
  EXPECT_TRUE(is_compressible_type("text/event-stream"));  // the caller leaves streams alone
  EXPECT_FALSE(is_compressible_type("image/x-icon"));
  EXPECT_FALSE(is_compressible_type("application/octet-stream"));
}

TEST(EncodedBody, CompressesOnDemandOnceAndKeepsIt) {
  EncodedBody body(page_text());
  EXPECT_EQ(body.plain(), page_text());
  std::optional<std::string_view> gzip = body.in(Encoding::kGzip);
  ASSERT_TRUE(gzip.has_value());
  EXPECT_EQ(gzip_decompress(*gzip).value(), page_text());
  EXPECT_EQ(body.in(Encoding::kGzip)->data(), gzip->data());  // made once
  EXPECT_EQ(brotli_decompress(*body.in(Encoding::kBrotli)).value(), page_text());
  EXPECT_EQ(*body.in(Encoding::kIdentity), page_text());
}

TEST(EncodedBody, ShortOrIncompressibleTextIsKeptPlainOnly) {
  EncodedBody tiny("<p>hello</p>");
  EXPECT_FALSE(tiny.may_have(Encoding::kGzip));
  EXPECT_FALSE(tiny.in(Encoding::kGzip).has_value());
  std::string noise;
  std::uint32_t state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1103515245u + 12345u;
    noise += static_cast<char>(state >> 24);
  }
  EncodedBody random(noise);
  EXPECT_TRUE(random.may_have(Encoding::kGzip));
  EXPECT_FALSE(random.in(Encoding::kGzip).has_value());
  EXPECT_FALSE(random.in(Encoding::kBrotli).has_value());
}

TEST(EncodedBody, PrecompressedFormsAreTheBuildsOnly) {
  EncodedBody body("plain", "gz", "");
  EXPECT_TRUE(body.may_have(Encoding::kGzip));
  EXPECT_FALSE(body.may_have(Encoding::kBrotli));
  EXPECT_EQ(*body.in(Encoding::kGzip), "gz");
  EXPECT_FALSE(body.in(Encoding::kBrotli).has_value());
}

}  // namespace
}  // namespace left4me::web
