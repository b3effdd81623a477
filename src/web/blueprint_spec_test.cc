#include "web/blueprint_spec.h"

#include <gtest/gtest.h>

#include "model/spec.h"
#include "web/crypto.h"
#include "testing/test_support.h"

namespace left4me::web {
namespace {

model::Spec rendered(std::string_view blueprint_yaml, std::string_view server_name) {
  Result<std::string> yaml = render_instance_spec(blueprint_yaml, 27015, server_name, "own-password-1");
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

// Issue 13, expectation 3: each server has an RCON password of its own that the panel can show again, and the
// instance spec carries it unless the blueprint sets one.
TEST(BlueprintSpecTest, EachServerHasItsOwnRconPasswordUnlessTheBlueprintSetsOne) {
  std::string first = derive_rcon_password("secret", 1);
  EXPECT_EQ(first.size(), 24u);
  EXPECT_EQ(first.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            std::string::npos);
  EXPECT_EQ(derive_rcon_password("secret", 1), first);
  EXPECT_NE(derive_rcon_password("secret", 2), first);
  EXPECT_NE(derive_rcon_password("other-secret", 1), first);
  EXPECT_EQ(rendered("map: c1m1_hotel\n", "friends-coop").rcon_password, std::optional<std::string>("own-password-1"));
  EXPECT_EQ(rendered("map: c1m1_hotel\nrcon_password: correct-horse\n", "friends-coop").rcon_password,
            std::optional<std::string>("correct-horse"));
  EXPECT_EQ(*server_rcon_password("map: c1m1_hotel\n", "secret", 1), first);
  EXPECT_EQ(*server_rcon_password("map: c1m1_hotel\nrcon_password: correct-horse\n", "secret", 1), "correct-horse");
}

}  // namespace
}  // namespace left4me::web
