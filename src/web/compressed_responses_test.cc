// Compressed responses over real HTTP in-process: the dashboard, the servers list and the static files arrive
// gzip- or brotli-encoded for clients that accept it, decode to the very bytes a client without Accept-Encoding
// gets, and honour q-values; tiny bodies and event streams go out as they are.
#include <gtest/gtest.h>

#include "web/assets.h"
#include "web/compression.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class CompressedResponsesTest : public testing::WebFixture {
 protected:
  // A logged-in administrator (no per-user limits) with 20 servers, so the dashboard is a page of some size.
  Browser user_with_servers() {
    create_user("ann", Role::kAdmin);
    Browser ann = logged_in("ann");
    std::int64_t blueprint = make_blueprint(ann, "base");
    for (int i = 0; i < 20; ++i) EXPECT_EQ(make_server(ann, "s" + std::to_string(i), blueprint).status, 201);
    return ann;
  }

  static HttpReply get_with(Browser& browser, const std::string& path, const std::string& accept_encoding) {
    browser.set_header("Accept-Encoding", accept_encoding);
    HttpReply reply = browser.get(path);
    browser.set_header("Accept-Encoding", "identity");
    return reply;
  }
};

TEST_F(CompressedResponsesTest, DashboardArrivesGzipOrBrotliAndDecodesToThePlainPage) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  Browser ann = user_with_servers();
  HttpReply plain = ann.get("/");  // no Accept-Encoding at all
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(plain.header("vary"), "Accept-Encoding");
  EXPECT_NE(plain.body.find(">s19</a>"), std::string::npos);

  HttpReply gzip = get_with(ann, "/", "gzip, deflate");
  EXPECT_EQ(gzip.header("content-encoding"), "gzip");
  EXPECT_EQ(gzip.header("vary"), "Accept-Encoding");
  EXPECT_LT(gzip.body.size(), plain.body.size() / 4);
  EXPECT_EQ(gzip_decompress(gzip.body).value(), plain.body);

  HttpReply brotli = get_with(ann, "/", "gzip, deflate, br");
  EXPECT_EQ(brotli.header("content-encoding"), "br");
  EXPECT_LT(brotli.body.size(), gzip.body.size());
  EXPECT_EQ(brotli_decompress(brotli.body).value(), plain.body);

  // Asked again (from the render cache): the same bytes.
  EXPECT_EQ(get_with(ann, "/", "br").body, brotli.body);
  // q-values: 0 is "no", the higher one wins.
  EXPECT_EQ(get_with(ann, "/", "gzip;q=0").header("content-encoding"), "");
  EXPECT_EQ(get_with(ann, "/", "gzip;q=0").body, plain.body);
  EXPECT_EQ(get_with(ann, "/", "br;q=0.4, gzip;q=0.5").header("content-encoding"), "gzip");
  EXPECT_EQ(get_with(ann, "/", "identity").header("content-encoding"), "");
}

TEST_F(CompressedResponsesTest, CachedRowsTheServersListAndOtherPagesToo) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  Browser ann = user_with_servers();
  for (const char* path : {"/servers/rows", "/api/v1/servers", "/servers/new", "/api/v1/servers/1"}) {
    HttpReply plain = ann.get(path);
    ASSERT_EQ(plain.status, 200) << path;
    HttpReply gzip = get_with(ann, path, "gzip");
    HttpReply brotli = get_with(ann, path, "br");
    if (plain.body.size() < kMinCompressedBodyBytes) {
      EXPECT_EQ(gzip.header("content-encoding"), "") << path;
      EXPECT_EQ(gzip.header("vary"), "") << path;
      EXPECT_EQ(gzip.body, plain.body) << path;
      continue;
    }
    EXPECT_EQ(gzip.header("content-encoding"), "gzip") << path;
    EXPECT_EQ(gzip_decompress(gzip.body).value(), plain.body) << path;
    EXPECT_EQ(brotli.header("content-encoding"), "br") << path;
    EXPECT_EQ(brotli_decompress(brotli.body).value(), plain.body) << path;
  }
}

TEST_F(CompressedResponsesTest, TinyBodiesGoOutAsTheyAre) {
  start();
  HttpReply health = testing::http_request(port_, "GET", "/health", "", {{"Accept-Encoding", "gzip, br"}});
  ASSERT_EQ(health.status, 200);
  EXPECT_LT(health.body.size(), kMinCompressedBodyBytes);
  EXPECT_EQ(health.header("content-encoding"), "");
  EXPECT_EQ(health.header("vary"), "");
  EXPECT_TRUE(health.json().is_object());
}

TEST_F(CompressedResponsesTest, StaticFilesComePrecompressedWithAnETagPerForm) {
  start();
  std::optional<EmbeddedFile> file = find_embedded("static/htmx.min.js");
  ASSERT_TRUE(file.has_value());
  ASSERT_FALSE(file->gzip.empty());
  ASSERT_FALSE(file->brotli.empty());
  std::string url = static_url("htmx.min.js");
  auto get = [&](const std::string& accept, const std::string& none_match = "") {
    std::vector<std::pair<std::string, std::string>> headers{{"Accept-Encoding", accept}};
    if (!none_match.empty()) headers.emplace_back("If-None-Match", none_match);
    return testing::http_request(port_, "GET", url, "", headers);
  };
  HttpReply plain = get("identity");
  HttpReply gzip = get("gzip");
  HttpReply brotli = get("br, gzip");
  EXPECT_EQ(plain.body, file->content);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(gzip.header("content-encoding"), "gzip");
  EXPECT_EQ(gzip.body, file->gzip);  // made at build time, not per request
  EXPECT_EQ(gzip_decompress(gzip.body).value(), plain.body);
  EXPECT_EQ(brotli.header("content-encoding"), "br");
  EXPECT_EQ(brotli_decompress(brotli.body).value(), plain.body);
  for (const HttpReply& reply : {plain, gzip, brotli}) EXPECT_EQ(reply.header("vary"), "Accept-Encoding");
  std::string version(file->version);
  EXPECT_EQ(plain.header("etag"), "\"" + version + "\"");
  EXPECT_EQ(gzip.header("etag"), "\"" + version + "-gzip\"");
  EXPECT_EQ(brotli.header("etag"), "\"" + version + "-br\"");
  // Revalidation: a form's own tag is 304, another form's tag is the full answer.
  EXPECT_EQ(get("gzip", gzip.header("etag")).status, 304);
  EXPECT_EQ(get("gzip", gzip.header("etag")).body, "");
  EXPECT_EQ(get("br", gzip.header("etag")).status, 200);
  // The favicon is too small to be worth compressing: one form only, no Vary.
  HttpReply icon = testing::http_request(port_, "GET", static_url("favicon.ico"), "", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.header("content-encoding"), "");
  EXPECT_EQ(icon.header("vary"), "");
}

TEST_F(CompressedResponsesTest, EventStreamsAreNeverCompressed) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t blueprint = make_blueprint(ann, "base");
  std::string id = std::to_string(make_server(ann, "alpha", blueprint).json()["server"]["id"].get<int>());
  std::string job = std::to_string(ann.post("/api/v1/servers/" + id + "/start").json()["job"]["id"].get<int>());
  testing::StreamReader stream(
      port_, "/api/v1/jobs/" + job + "/log",
      {{"Cookie", "l4d2_session=" + ann.cookies()["l4d2_session"]}, {"Accept-Encoding", "gzip, br"}});
  ASSERT_TRUE(stream.wait_for("event: end", std::chrono::seconds(10))) << stream.received();
  std::string head = stream.received().substr(0, stream.received().find("\r\n\r\n"));
  EXPECT_NE(head.find("text/event-stream"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Encoding"), std::string::npos) << head;
  EXPECT_NE(stream.received().find("data: "), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
