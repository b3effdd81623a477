#include "host/instances.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace left4me::host {
namespace {

InstanceStatus running(std::string name, std::string hostname) {
  InstanceStatus status;
  status.name = std::move(name);
  status.process.state = RunState::kRunning;
  status.port = 27015;
  status.supervisor = "builtin";
  status.live = LiveData{std::move(hostname), "c1m1_hotel", 1, 8};
  return status;
}

TEST(InstancesTest, StatusJsonIsTheDocumentedObject) {
  Result<std::string> text = status_json(running("alpha", "My server"));
  ASSERT_TRUE(text.ok()) << text.error().message();
  nlohmann::json object = nlohmann::json::parse(*text);
  EXPECT_EQ(object["name"], "alpha");
  EXPECT_EQ(object["state"], "running");
  EXPECT_EQ(object["live"]["hostname"], "My server");
}

// Strings from the network are made valid where they are decoded (source_wire); should one slip through,
// that instance's status fails alone instead of l4d2ctl aborting in nlohmann's dump (type_error.316).
TEST(InstancesTest, ListShowsEachInstancesErrorAndKeepsTheOthers) {
  std::vector<ListedInstance> listed;
  listed.push_back({"alpha", running("alpha", "fine")});
  listed.push_back({"beta", running("beta", "caf\xE9")});
  listed.push_back({"gamma", Error::failed("runtime/gamma/state.json: not a valid state file")});
  EXPECT_FALSE(status_json(*listed[1].status).ok());

  nlohmann::json array = nlohmann::json::parse(status_list_json(listed));
  ASSERT_EQ(array.size(), 3u);
  EXPECT_EQ(array[0]["name"], "alpha");
  EXPECT_EQ(array[0]["live"]["hostname"], "fine");
  EXPECT_FALSE(array[0].contains("error"));
  EXPECT_EQ(array[1]["name"], "beta");
  EXPECT_NE(array[1]["error"].get<std::string>().find("cannot be written as JSON"), std::string::npos);
  EXPECT_FALSE(array[1].contains("state"));
  EXPECT_EQ(array[2],
            (nlohmann::json{{"name", "gamma"}, {"error", "runtime/gamma/state.json: not a valid state file"}}));
  EXPECT_EQ(status_list_json({}), "[]");
}

}  // namespace
}  // namespace left4me::host
