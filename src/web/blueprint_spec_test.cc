#include "web/blueprint_spec.h"

#include <gtest/gtest.h>

#include "model/spec.h"
#include "testing/test_support.h"

namespace left4me::web {
namespace {

model::Spec rendered(std::string_view blueprint_yaml, std::string_view server_name) {
  Result<std::string> yaml = render_instance_spec(blueprint_yaml, 27015, server_name);
  EXPECT_OK(yaml);
  model::SpecResult spec = model::parse_instance_spec(*yaml, "instance");
  EXPECT_OK(spec);
  return std::move(spec).value();
}

// The regression: since the panel names host instances web-<id>, a blueprint without a hostname made
// players see "web-7" in the server browser instead of the server's name in the panel.
TEST(BlueprintSpecTest, AServerWithoutABlueprintHostnameIsCalledByItsPanelName) {
  model::Spec spec = rendered("map: c1m1_hotel\n", "friends-coop");
  EXPECT_EQ(spec.port, 27015);
  EXPECT_EQ(spec.hostname, std::optional<std::string>("friends-coop"));
}

TEST(BlueprintSpecTest, TheBlueprintsHostnameWins) {
  EXPECT_EQ(rendered("map: c1m1_hotel\nhostname: Our Coop\n", "friends-coop").hostname,
            std::optional<std::string>("Our Coop"));
}

}  // namespace
}  // namespace left4me::web
