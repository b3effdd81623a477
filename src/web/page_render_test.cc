// Page rendering: every embedded template parses and renders, and every value is escaped.
#include "web/page_render.h"

#include <gtest/gtest.h>

#include "web/assets.h"

namespace left4me::web {
namespace {

TEST(PageRender, EveryTemplateParsesAndRenders) {
  int templates = 0;
  for (const EmbeddedFile& file : embedded_files()) {
    if (file.name.substr(0, 10) != "templates/") continue;
    std::string name(file.name.substr(10, file.name.size() - 10 - 9));
    EXPECT_FALSE(render_template(name, nlohmann::json::object()).empty()) << name;
    ++templates;
  }
  EXPECT_GT(templates, 15);
}

TEST(PageRender, EscapesEveryValue) {
  nlohmann::json view = {{"title", "<script>alert(1)</script>"},
                         {"message", "a \"quoted\" & 'single'"},
                         {"status", 404},
                         {"asset", {{"css", "/x"}}}};
  std::string page = render_template("error", view);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("a &quot;quoted&quot; &amp; &apos;single&apos;"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
