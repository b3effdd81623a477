#include "host/host_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class HostConfigEnvTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    for (const char* key : {"LEFT4ME_ROOT", "LEFT4ME_STEAMCMD", "LEFT4ME_SUPERVISOR", "LEFT4ME_OVERLAY_HELPER"}) {
      ::unsetenv(key);
    }
    ::setenv("LEFT4ME_HOST_ENV", (dir() + "/host.env").c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("LEFT4ME_HOST_ENV");
    ::unsetenv("LEFT4ME_ROOT");
    ::unsetenv("LEFT4ME_SUPERVISOR");
  }
};

TEST_F(HostConfigEnvTest, EnvironmentWinsOverFile) {
  ASSERT_OK(write_file_atomic(dir() + "/host.env", "LEFT4ME_ROOT=/from/file\nLEFT4ME_STEAMCMD=/opt/steamcmd.sh\n"));
  auto config = load_host_config();
  ASSERT_OK(config);
  EXPECT_EQ(config->layout.root(), "/from/file");
  EXPECT_EQ(config->steamcmd, "/opt/steamcmd.sh");
  ::setenv("LEFT4ME_ROOT", "/from/env", 1);
  config = load_host_config();
  ASSERT_OK(config);
  EXPECT_EQ(config->layout.root(), "/from/env");
}

TEST_F(HostConfigEnvTest, NamedFileMustExistAndValuesAreChecked) {
  auto config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("host.env"), std::string::npos);
  ASSERT_OK(write_file_atomic(dir() + "/host.env", "LEFT4ME_ROOT=relative\n"));
  config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("absolute"), std::string::npos);
  ASSERT_OK(write_file_atomic(dir() + "/host.env", "LEFT4ME_SUPERVISOR=upstart\n"));
  config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("LEFT4ME_SUPERVISOR"), std::string::npos);
}

// The uid and port ranges come from host.env through the one parser the helpers use (host_env.h);
// a bad value is refused up front, naming the file and the key.
TEST_F(HostConfigEnvTest, LoadsTheUidAndPortRangesAndRefusesBadOnes) {
  ASSERT_OK(write_file_atomic(dir() + "/host.env",
                              "LEFT4ME_INSTANCE_UID_BASE=3100000\nLEFT4ME_INSTANCE_UID_COUNT=7\n"
                              "LEFT4ME_PORT_RANGE_START=28000\nLEFT4ME_PORT_RANGE_END=28009\n"));
  auto config = load_host_config();
  ASSERT_OK(config);
  EXPECT_EQ(config->uid_range.base, 3100000u);
  EXPECT_EQ(config->uid_range.count, 7u);
  EXPECT_EQ(config->ports.start, 28000);
  EXPECT_EQ(config->ports.end, 28009);
  ASSERT_OK(write_file_atomic(dir() + "/host.env", "LEFT4ME_INSTANCE_UID_BASE=12\n"));
  config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("host.env: LEFT4ME_INSTANCE_UID_BASE: '12'"), std::string::npos)
      << config.error().message();
  ASSERT_OK(write_file_atomic(dir() + "/host.env", "LEFT4ME_PORT_RANGE_START=28000\nLEFT4ME_PORT_RANGE_END=27999\n"));
  config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("is after LEFT4ME_PORT_RANGE_END 27999"), std::string::npos)
      << config.error().message();
}

}  // namespace
}  // namespace left4me::host
