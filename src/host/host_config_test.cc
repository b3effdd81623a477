#include "host/host_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/file.h"

namespace left4me::host {
namespace {

class HostConfigEnvTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/left4me-config-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (const char* key : {"LEFT4ME_ROOT", "LEFT4ME_STEAMCMD", "LEFT4ME_SUPERVISOR", "LEFT4ME_OVERLAY_HELPER"}) {
      ::unsetenv(key);
    }
    ::setenv("LEFT4ME_HOST_ENV", (dir_ + "/host.env").c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("LEFT4ME_HOST_ENV");
    ::unsetenv("LEFT4ME_ROOT");
    ::unsetenv("LEFT4ME_SUPERVISOR");
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(HostConfigEnvTest, EnvironmentWinsOverFile) {
  ASSERT_TRUE(
      write_file_atomic(dir_ + "/host.env", "LEFT4ME_ROOT=/from/file\nLEFT4ME_STEAMCMD=/opt/steamcmd.sh\n").ok());
  auto config = load_host_config();
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->layout.root(), "/from/file");
  EXPECT_EQ(config->steamcmd, "/opt/steamcmd.sh");
  ::setenv("LEFT4ME_ROOT", "/from/env", 1);
  config = load_host_config();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->layout.root(), "/from/env");
}

TEST_F(HostConfigEnvTest, NamedFileMustExistAndValuesAreChecked) {
  auto config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("host.env"), std::string::npos);
  ASSERT_TRUE(write_file_atomic(dir_ + "/host.env", "LEFT4ME_ROOT=relative\n").ok());
  config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("absolute"), std::string::npos);
  ASSERT_TRUE(write_file_atomic(dir_ + "/host.env", "LEFT4ME_SUPERVISOR=upstart\n").ok());
  config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("LEFT4ME_SUPERVISOR"), std::string::npos);
}

}  // namespace
}  // namespace left4me::host
