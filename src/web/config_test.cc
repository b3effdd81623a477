#include "web/config.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::web {
namespace {

Environment base_env(const test::TempDir& dir) {
  return {{"LEFT4ME_WEB_ENV", dir.path() + "/absent.env"}, {"LEFT4ME_WEB_DATA", dir.path() + "/data"}};
}

TEST(ConfigTest, EmbeddedDefaultWhenNothingConfigured) {
  test::TempDir dir;
  auto config = load_config(base_env(dir));
  ASSERT_OK(config);
  EXPECT_TRUE(config->embedded_default);
  EXPECT_EQ(config->database_path, dir.path() + "/data/left4me.db");
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 8000);
  EXPECT_EQ(config->job_worker_threads, 4);
  EXPECT_EQ(config->port_range_start, 27015);
  EXPECT_EQ(config->port_range_end, 27115);
  EXPECT_EQ(config->start_wait, std::chrono::seconds(90));
  EXPECT_FALSE(config->secret_key.empty());
  bool root = false, supervisor = false;
  for (const std::string& entry : config->l4d2ctl_env) {
    if (entry == "LEFT4ME_ROOT=" + dir.path() + "/data/root") root = true;
    if (entry == "LEFT4ME_SUPERVISOR=builtin") supervisor = true;
  }
  EXPECT_TRUE(root && supervisor);
  // The generated secret is kept across starts.
  auto again = load_config(base_env(dir));
  EXPECT_EQ(again->secret_key, config->secret_key);
}

TEST(ConfigTest, EnvFileAndEnvironmentWins) {
  test::TempDir dir;
  std::string file = dir.path() + "/web.env";
  ASSERT_OK(write_file_atomic(file, "# comment\nDATABASE_URL=sqlite:///" + dir.path() +
                                        "/db/x.db\nJOB_WORKER_THREADS=2\nSECRET_KEY=\"abc\"\n"
                                        "SESSION_COOKIE_SECURE=true\nLEFT4ME_PORT_RANGE_START=28000\n"));
  Environment env{{"LEFT4ME_WEB_ENV", file},
                  {"JOB_WORKER_THREADS", "3"},
                  {"LEFT4ME_PORT_RANGE_END", "28010"},
                  {"LEFT4ME_START_WAIT_SECONDS", "5"},
                  {"SECRET_KEY", "from-env"}};
  auto config = load_config(env);
  ASSERT_OK(config);
  EXPECT_FALSE(config->embedded_default);
  EXPECT_EQ(config->database_path, dir.path() + "/db/x.db");
  EXPECT_EQ(config->job_worker_threads, 3);
  EXPECT_EQ(config->secret_key, "from-env");
  EXPECT_TRUE(config->session_cookie_secure);
  EXPECT_EQ(config->port_range_start, 28000);
  EXPECT_EQ(config->port_range_end, 28010);
  EXPECT_EQ(config->start_wait, std::chrono::seconds(5));
  for (const std::string& entry : config->l4d2ctl_env) EXPECT_EQ(entry.find("SECRET_KEY"), std::string::npos);
}

TEST(ConfigTest, BadValuesNameTheKey) {
  test::TempDir dir;
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& bad :
       {Case{"DATABASE_URL", "postgres://x"}, Case{"JOB_WORKER_THREADS", "0"}, Case{"JOB_WORKER_THREADS", "four"},
        Case{"JOB_WORKER_ENABLED", "maybe"}, Case{"LEFT4ME_PORT_RANGE_END", "80"}, Case{"LEFT4ME_WEB_LISTEN", "nohost"},
        Case{"TRUSTED_PROXIES", "127.0.0.1, proxy.example"}, Case{"MAX_SERVERS_PER_USER", "-1"},
        Case{"MAX_BLUEPRINTS_PER_USER", "many"}, Case{"LEFT4ME_START_WAIT_SECONDS", "0"},
        Case{"LEFT4ME_START_WAIT_SECONDS", "3601"}}) {
    Environment env = base_env(dir);
    env[bad.key] = bad.value;
    auto config = load_config(env);
    ASSERT_FALSE(config.ok()) << bad.key;
    EXPECT_NE(config.error().message().find(bad.key), std::string::npos) << config.error().message();
  }
  Environment env = base_env(dir);
  env["LEFT4ME_PORT_RANGE_START"] = "27100";
  env["LEFT4ME_PORT_RANGE_END"] = "27000";
  EXPECT_FALSE(load_config(env).ok());
}

TEST(ConfigTest, EnvFileSyntaxErrorNamesLine) {
  test::TempDir dir;
  Environment env = base_env(dir);
  env["LEFT4ME_WEB_ENV"] = dir.path() + "/web.env";
  ASSERT_OK(write_file_atomic(dir.path() + "/web.env", "JOB_WORKER_THREADS=2\nnot a pair\n"));
  Result<WebConfig> config = load_config(env);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(), dir.path() + "/web.env:2: expected KEY=VALUE");
}

}  // namespace
}  // namespace left4me::web
