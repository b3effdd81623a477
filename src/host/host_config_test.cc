#include "host/host_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <set>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class HostConfigEnvTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    for (const EnvKeyDoc& key : host_env_keys()) ::unsetenv(std::string(key.name).c_str());
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

// The built-in supervisor's restart delay and console log size, and the helpers' directory, come from
// host.env too (the systemd unit's restart delay from the same key, through the generator).
TEST_F(HostConfigEnvTest, TuningKeysComeFromHostEnvAndAreChecked) {
  ASSERT_TRUE(write_file_atomic(dir() + "/host.env",
                                "LEFT4ME_RESTART_DELAY_MS=300\nLEFT4ME_CONSOLE_LOG_MAX_BYTES=4096\n"
                                "LEFT4ME_HELPER_DIR=/opt/helpers\n")
                  .ok());
  auto config = load_host_config();
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->restart.delay, std::chrono::milliseconds(300));
  EXPECT_EQ(config->restart.log_max_bytes, 4096u);
  EXPECT_EQ(config->helper_dir, "/opt/helpers");
  for (const char* bad : {"LEFT4ME_RESTART_DELAY_MS=soon\n", "LEFT4ME_CONSOLE_LOG_MAX_BYTES=1\n",
                          "LEFT4ME_HELPER_DIR=relative\n", "LEFT4ME_OVERLAY_HELPER=relative\n"}) {
    ASSERT_TRUE(write_file_atomic(dir() + "/host.env", bad).ok());
    config = load_host_config();
    ASSERT_FALSE(config.ok()) << bad;
    std::string key = std::string(bad).substr(0, std::string(bad).find('='));
    EXPECT_NE(config.error().message().find(key), std::string::npos) << config.error().message();
  }
}

TEST_F(HostConfigEnvTest, ScriptLimitsComeFromHostEnvAndAreChecked) {
  ASSERT_OK(write_file_atomic(dir() + "/host.env", ""));
  auto config = load_host_config();
  ASSERT_OK(config);
  EXPECT_EQ(config->script.cpu_percent, 200);
  EXPECT_EQ(config->script.memory_mb, 4096);
  EXPECT_EQ(config->script.tasks, 512);
  EXPECT_EQ(config->script.file_mb, 4096);
  EXPECT_EQ(config->script.timeout_seconds, 3600);
  ASSERT_OK(
      write_file_atomic(dir() + "/host.env",
                        "LEFT4ME_SCRIPT_CPU_PERCENT=50\nLEFT4ME_SCRIPT_MEMORY_MB=64\nLEFT4ME_SCRIPT_TASKS_MAX=16\n"
                        "LEFT4ME_SCRIPT_FILE_MAX_MB=10\nLEFT4ME_SCRIPT_TIMEOUT_SECONDS=2\n"));
  config = load_host_config();
  ASSERT_OK(config);
  EXPECT_EQ(config->script.cpu_percent, 50);
  EXPECT_EQ(config->script.memory_mb, 64);
  EXPECT_EQ(config->script.tasks, 16);
  EXPECT_EQ(config->script.file_mb, 10);
  EXPECT_EQ(config->script.timeout_seconds, 2);
  for (const char* bad :
       {"LEFT4ME_SCRIPT_CPU_PERCENT=0\n", "LEFT4ME_SCRIPT_MEMORY_MB=8\n", "LEFT4ME_SCRIPT_TASKS_MAX=lots\n",
        "LEFT4ME_SCRIPT_FILE_MAX_MB=-1\n", "LEFT4ME_SCRIPT_TIMEOUT_SECONDS=86401\n"}) {
    ASSERT_OK(write_file_atomic(dir() + "/host.env", bad));
    config = load_host_config();
    ASSERT_FALSE(config.ok()) << bad;
    std::string key = std::string(bad).substr(0, std::string(bad).find('='));
    EXPECT_NE(config.error().message().find(key), std::string::npos) << config.error().message();
  }
}

TEST_F(HostConfigEnvTest, PublicAddressIsCheckedAndEmptyMeansDetected) {
  ASSERT_OK(write_file_atomic(dir() + "/host.env", ""));
  auto config = load_host_config();
  ASSERT_OK(config);
  EXPECT_EQ(config->public_address, "");
  ASSERT_OK(write_file_atomic(dir() + "/host.env", "LEFT4ME_PUBLIC_ADDRESS=play.example.org\n"));
  config = load_host_config();
  ASSERT_OK(config);
  EXPECT_EQ(config->public_address, "play.example.org");
  ASSERT_OK(write_file_atomic(dir() + "/host.env", "LEFT4ME_PUBLIC_ADDRESS=play.example.org:27015\n"));
  config = load_host_config();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(),
            "LEFT4ME_PUBLIC_ADDRESS: 'play.example.org:27015' is not a host name or IPv4 address (no port, and no "
            "IPv6: L4D2 clients connect over IPv4 only)");
}

// Every key l4d2ctl reads is in the table `l4d2ctl --help-config` prints (and docs/deploy.md shows).
TEST(HostConfigKeysTest, EveryKeyReadIsDocumented) {
  std::set<std::string> documented;
  for (const EnvKeyDoc& key : host_env_keys()) documented.insert(std::string(key.name));
  for (const char* key :
       {"LEFT4ME_ROOT", "LEFT4ME_STEAMCMD", "LEFT4ME_SUPERVISOR", "LEFT4ME_PORT_RANGE_START", "LEFT4ME_PORT_RANGE_END",
        "LEFT4ME_SYSTEM_CPUS", "LEFT4ME_INSTANCE_UID_BASE", "LEFT4ME_INSTANCE_UID_COUNT", "LEFT4ME_RESTART_DELAY_MS",
        "LEFT4ME_CONSOLE_LOG_MAX_BYTES", "LEFT4ME_PUBLIC_ADDRESS", "LEFT4ME_HELPER_DIR", "LEFT4ME_OVERLAY_HELPER",
        "LEFT4ME_HOST_ENV"}) {
    EXPECT_TRUE(documented.contains(key)) << key;
  }
}

}  // namespace
}  // namespace left4me::host
