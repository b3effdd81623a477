#include "host/steamcmd.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/strings.h"
#include "base/subprocess.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

// ---- the output parser, on lines real steamcmd prints (protocols.md §4.2) ----

TEST(SteamcmdProgressTest, ParsesRealDownloadLine) {
  auto progress = parse_progress_line(" Update state (0x61) downloading, progress: 12.34 (123456789 / 1000000000)");
  ASSERT_TRUE(progress.has_value());
  EXPECT_EQ(progress->phase, "downloading");
  EXPECT_EQ(progress->state, 0x61u);
  EXPECT_DOUBLE_EQ(progress->percent, 12.34);
  EXPECT_EQ(progress->bytes_done, 123456789u);
  EXPECT_EQ(progress->bytes_total, 1000000000u);
}

TEST(SteamcmdProgressTest, ParsesTotalsBeyondFourGigabytes) {
  auto progress = parse_progress_line(" Update state (0x11) preallocating, progress: 20.58 (913951143 / 4440094933)");
  ASSERT_TRUE(progress.has_value());
  EXPECT_EQ(progress->phase, "preallocating");
  EXPECT_EQ(progress->bytes_total, 4440094933u);
}

TEST(SteamcmdProgressTest, ParsesPhasesWithSpacesAndWideStates) {
  auto verifying =
      parse_progress_line(" Update state (0x81) verifying update, progress: 8.18 (363323726 / 4440094933)");
  ASSERT_TRUE(verifying.has_value());
  EXPECT_EQ(verifying->phase, "verifying update");
  auto committing = parse_progress_line(" Update state (0x101) committing, progress: 99.00 (4395694000 / 4440094933)");
  ASSERT_TRUE(committing.has_value());
  EXPECT_EQ(committing->state, 0x101u);
  auto unknown = parse_progress_line(" Update state (0x0) unknown, progress: 0.00 (0 / 0)");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->phase, "unknown");
  EXPECT_EQ(unknown->bytes_total, 0u);
}

TEST(SteamcmdProgressTest, AcceptsCommaDecimalsAndNoLeadingSpace) {
  auto comma = parse_progress_line(" Update state (0x61) downloading, progress: 12,34 (123 / 1000)");
  ASSERT_TRUE(comma.has_value());
  EXPECT_DOUBLE_EQ(comma->percent, 12.34);
  EXPECT_EQ(comma->phase, "downloading");
  auto bare = parse_progress_line("Update state (0x5) verifying install, progress: 50.00 (5 / 10)");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->phase, "verifying install");
}

TEST(SteamcmdProgressTest, RejectsOtherAndTruncatedLines) {
  EXPECT_FALSE(parse_progress_line("Success! App '222860' fully installed."));
  EXPECT_FALSE(parse_progress_line(" Update state (0x61) downloading"));
  EXPECT_FALSE(parse_progress_line(" Update state (0x61) downloading, progress: 12.34 (123 / "));
  EXPECT_FALSE(parse_progress_line(" Update state (0xzz) downloading, progress: 1.00 (1 / 2)"));
  EXPECT_FALSE(parse_progress_line(" Update state (0x61) downloading, progress: (1 / 2)"));
  EXPECT_FALSE(parse_progress_line("[  0%] Checking for available updates..."));
}

SteamcmdOutputParser parse(const std::vector<std::string>& lines, std::vector<SteamcmdProgress>* events = nullptr) {
  SteamcmdOutputParser parser(SteamcmdStep::kUpdate, [events](const SteamcmdProgress& progress) {
    if (events != nullptr) events->push_back(progress);
  });
  for (const auto& line : lines) parser.feed(line);
  return parser;
}

TEST(SteamcmdOutputParserTest, ReadsAWholeSuccessfulRun) {
  std::vector<SteamcmdProgress> events;
  auto parser = parse({"Redirecting stderr to '/home/steam/.local/share/Steam/logs/stderr.txt'",
                       "[  0%] Checking for available updates...", "Loading Steam API...OK",
                       "Connecting anonymously to Steam Public...OK", "Waiting for client config...OK",
                       "Waiting for user info...OK", " Update state (0x3) reconfiguring, progress: 0.00 (0 / 0)",
                       " Update state (0x61) downloading, progress: 50.00 (500 / 1000)",
                       "Success! App '222860' fully installed.", "Unloading Steam API...OK"},
                      &events);
  EXPECT_EQ(parser.result(), SteamcmdResult::kSuccess);
  EXPECT_EQ(parser.result_line(), "Success! App '222860' fully installed.");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].bytes_done, 500u);
  EXPECT_EQ(parser.last_progress().phase, "downloading");
}

TEST(SteamcmdOutputParserTest, ClassifiesEveryKnownResultLine) {
  struct Case {
    std::string line;
    SteamcmdResult result;
  };
  std::vector<Case> cases = {
      {"Success! App '222860' already up to date.", SteamcmdResult::kUpToDate},
      {"ERROR! Failed to install app '222860' (Invalid platform)", SteamcmdResult::kInvalidPlatform},
      {"ERROR! Failed to install app '222860' (Missing configuration)", SteamcmdResult::kMissingConfiguration},
      {"ERROR! Failed to install app '222860' (No subscription)", SteamcmdResult::kNoSubscription},
      {"Error! App '222860' state is 0x202 after update job.", SteamcmdResult::kDiskFull},
      {"Error! App '222860' state is 0x212 after update job.", SteamcmdResult::kDiskFull},
      {"Error! App '222860' state is 0x606 after update job.", SteamcmdResult::kDiskWriteFailure},
      {"Error! App '222860' state is 0x602 after update job.", SteamcmdResult::kConnectionFailure},
      {"Error! App '222860' state is 0x6 after update job.", SteamcmdResult::kConnectionFailure},
      {"Error! App '222860' state is 0x6A6 after update job.", SteamcmdResult::kCorruptUpdate},
      {"Error! App '222860' state is 0x10E after update job.", SteamcmdResult::kStateError},
      {"ERROR! Timed out waiting for AppInfo update.", SteamcmdResult::kAppInfoTimeout},
      {"FAILED login with result code Two-factor code mismatch", SteamcmdResult::kLoginFailure},
      {"Connecting anonymously to Steam Public...FAILED (Rate Limit Exceeded)", SteamcmdResult::kLoginFailure},
      {"Logging in user 'bob' to Steam Public...FAILED (Invalid Password)", SteamcmdResult::kLoginFailure},
      {"ERROR! Not logged on.", SteamcmdResult::kLoginFailure},
      {"ERROR! Download item 2306920249 failed (Failure).", SteamcmdResult::kDownloadFailure},
      {"ERROR! Download item 2306920249 failed (No Connection).", SteamcmdResult::kConnectionFailure},
      {"Timeout downloading item 2306920249", SteamcmdResult::kDownloadFailure},
      {"ERROR! Password check for AppId 222860 returned error Failure.", SteamcmdResult::kOtherError},
      {"[S_API FAIL] SteamAPI_Init() failed; SteamAPI_IsSteamRunning() failed.", SteamcmdResult::kNoResult},
  };
  for (const auto& c : cases) {
    auto parser = parse({c.line});
    EXPECT_EQ(parser.result(), c.result) << c.line;
  }
  EXPECT_EQ(parse({"Error! App '222860' state is 0x202 after update job."}).state(), "0x202");
}

TEST(SteamcmdOutputParserTest, SplitsMessagesGluedByAMissingNewline) {
  auto download = parse({"ERROR! Download item 123 failed (Access Denied).Unloading Steam API...OK"});
  EXPECT_EQ(download.result(), SteamcmdResult::kDownloadFailure);
  EXPECT_EQ(download.result_line(), "ERROR! Download item 123 failed (Access Denied).");
  auto redirect = parse({"ERROR! Download item 5 failed (Failure).Redirecting stderr to '/x/logs/stderr.txt'"});
  EXPECT_EQ(redirect.result_line(), "ERROR! Download item 5 failed (Failure).");

  std::vector<SteamcmdProgress> events;
  auto glued = parse(
      {" Update state (0x101) committing, progress: 100.00 (5 / 5)Success! App '222860' fully installed."}, &events);
  EXPECT_EQ(glued.result(), SteamcmdResult::kSuccess);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].phase, "committing");
  auto two_progress = parse({" Update state (0x61) downloading, progress: 1.00 (1 / 100) Update state (0x61) "
                             "downloading, progress: 2.00 (2 / 100)"},
                            &events);
  EXPECT_EQ(events.size(), 3u);
}

TEST(SteamcmdOutputParserTest, FirstFailureWinsOverLaterSuccess) {
  auto parser =
      parse({"ERROR! Download item 1 failed (Failure).", "Success. Downloaded item 2 to \"/x/2\" (10 bytes)"});
  EXPECT_EQ(parser.result(), SteamcmdResult::kDownloadFailure);
}

TEST(SteamcmdOutputParserTest, ReadsTheWorkshopDirectory) {
  auto parser = parse({"Downloading item 2306920249 ...",
                       "Success. Downloaded item 2306920249 to \"/srv/steamapps/workshop/content/550/2306920249\" "
                       "(1056527 bytes) "});
  EXPECT_EQ(parser.result(), SteamcmdResult::kSuccess);
  EXPECT_EQ(parser.workshop_dir(), "/srv/steamapps/workshop/content/550/2306920249");
}

// ---- the install engine, against the built fake-steamcmd ----

class SteamcmdFakeTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    auto layout = model::Layout::create(dir() + "/root");
    ASSERT_OK(layout);
    layout_ = *layout;
    ASSERT_TRUE(path_exists(LEFT4ME_FAKE_STEAMCMD)) << "build fake-steamcmd first: " << LEFT4ME_FAKE_STEAMCMD;
    // A steamcmd that counts its runs, then is the fake.
    std::string wrapper = "#!/bin/sh\necho run >>'" + dir() + "/runs'\nexec '" + LEFT4ME_FAKE_STEAMCMD + "' \"$@\"\n";
    ASSERT_OK(write_file_atomic(dir() + "/steamcmd", wrapper, 0755));
    options_.steamcmd = dir() + "/steamcmd";
    options_.extra_env = {"FAKE_STEAMCMD_HOME=", "FAKE_SRCDS=/bin/true", "FAKE_STEAMCMD_FILES=20",
                          "FAKE_STEAMCMD_BYTES=10000000"};
  }

  int runs() const {
    auto text = read_file(dir() + "/runs");
    return text.ok() ? static_cast<int>(split(*text, '\n').size()) - 1 : 0;
  }
  void reset_runs() { (void)remove_tree(dir() + "/runs"); }
  Result<InstallReport> install(std::vector<SteamcmdProgress>* events = nullptr) {
    return install_server(layout_, layout_.installation(), options_, [events](const SteamcmdProgress& progress) {
      if (events != nullptr) events->push_back(progress);
    });
  }
  std::string error_of(const Result<InstallReport>& result) { return result.ok() ? "" : result.error().message(); }

  model::Layout layout_ = *model::Layout::create("/unused");
  SteamcmdOptions options_;
};

TEST_F(SteamcmdFakeTest, FreshInstallRunsThePlatformWorkaround) {
  std::vector<SteamcmdProgress> events;
  auto report = install(&events);
  ASSERT_OK(report);
  EXPECT_TRUE(report->platform_workaround);
  EXPECT_FALSE(report->up_to_date);
  EXPECT_EQ(report->runs, 3);
  EXPECT_EQ(runs(), 3);
  EXPECT_TRUE(path_exists(layout_.installation() + "/srcds_run"));
  EXPECT_TRUE(path_exists(layout_.installation() + "/left4dead2/maps/c1m1_hotel.bsp"));
  EXPECT_FALSE(path_exists(layout_.installation() + "/srcds.exe"));
  // steamcmd's client lives under steam/ (HOME), nowhere else.
  EXPECT_TRUE(is_directory(layout_.steam() + "/.fake-steamcmd"));

  bool windows_download = false, linux_verify = false;
  for (const auto& event : events) {
    if (event.step == SteamcmdStep::kWindowsDownload && event.phase == "downloading") windows_download = true;
    if (event.step == SteamcmdStep::kLinuxValidate && event.phase == "verifying install") linux_verify = true;
    EXPECT_LE(event.bytes_done, event.bytes_total == 0 ? event.bytes_done : event.bytes_total);
  }
  EXPECT_TRUE(windows_download);
  EXPECT_TRUE(linux_verify);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().phase, "done");
  EXPECT_EQ(events.back().percent, 100);
}

TEST_F(SteamcmdFakeTest, SecondInstallIsAPlainUpToDateUpdate) {
  ASSERT_OK(install());
  reset_runs();
  auto report = install();
  ASSERT_OK(report);
  EXPECT_TRUE(report->up_to_date);
  EXPECT_FALSE(report->platform_workaround);
  EXPECT_EQ(runs(), 1);
}

TEST_F(SteamcmdFakeTest, RetriesOnceAfterItsSteamDirectoryWasThrownAway) {
  ASSERT_OK(install());
  ASSERT_OK(remove_tree(layout_.steam()));
  reset_runs();
  auto report = install();
  ASSERT_OK(report);
  EXPECT_EQ(report->runs, 2);  // Missing configuration, then the update
  EXPECT_EQ(runs(), 2);
}

TEST_F(SteamcmdFakeTest, GivesUpOnMissingConfigurationAfterThreeRuns) {
  options_.extra_env.push_back("FAKE_STEAMCMD_FAIL=missing_config");
  auto report = install();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(runs(), kSteamcmdMaxAttempts);
  EXPECT_NE(error_of(report).find("Missing configuration 3 times"), std::string::npos) << error_of(report);
  EXPECT_NE(error_of(report).find(layout_.steam()), std::string::npos) << error_of(report);
}

TEST_F(SteamcmdFakeTest, DiskFullIsExplainedAndNotRetried) {
  options_.extra_env.push_back("FAKE_STEAMCMD_FAIL=disk_full");
  auto report = install();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(runs(), 2);  // the plain run (Invalid platform), then the Windows download that ran out of space
  EXPECT_NE(error_of(report).find("ran out of disk space"), std::string::npos) << error_of(report);
  EXPECT_NE(error_of(report).find("0x202"), std::string::npos);
  EXPECT_NE(error_of(report).find(layout_.installation()), std::string::npos);
  EXPECT_NE(error_of(report).find("free space"), std::string::npos);
}

TEST_F(SteamcmdFakeTest, TimeoutLoginAndConnectionFailuresAreExplainedAndNotRetried) {
  struct Case {
    std::string mode;
    std::string expected;
    ErrorCode code;
  };
  for (const auto& c : std::vector<Case>{{"timeout", "timed out waiting for app information", ErrorCode::kTimeout},
                                         {"login", "could not log in", ErrorCode::kFailed},
                                         {"no_subscription", "refused anonymous access", ErrorCode::kFailed}}) {
    auto options = options_.extra_env;
    options_.extra_env.push_back("FAKE_STEAMCMD_FAIL=" + c.mode);
    reset_runs();
    auto report = install();
    options_.extra_env = options;
    ASSERT_FALSE(report.ok()) << c.mode;
    EXPECT_EQ(report.error().code(), c.code) << c.mode;
    EXPECT_NE(error_of(report).find(c.expected), std::string::npos) << error_of(report);
    EXPECT_EQ(runs(), 1) << c.mode;
  }
  ASSERT_OK(install());  // an existing install, so the plain update downloads
  options_.extra_env.push_back("FAKE_STEAMCMD_FAIL=no_connection");
  options_.extra_env.push_back("FAKE_STEAMCMD_BUILDID=99");
  reset_runs();
  auto report = install();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(error_of(report).find("lost its connection"), std::string::npos) << error_of(report);
  EXPECT_EQ(runs(), 1);
}

TEST_F(SteamcmdFakeTest, ReadsGluedResultLinesAndCommaDecimals) {
  options_.extra_env.push_back("FAKE_STEAMCMD_GLITCH=1");
  options_.extra_env.push_back("FAKE_STEAMCMD_DECIMAL=,");
  std::vector<SteamcmdProgress> events;
  auto report = install(&events);
  ASSERT_OK(report);
  bool full = false;
  for (const auto& event : events) full = full || (event.phase == "downloading" && event.percent == 100);
  EXPECT_TRUE(full);
}

TEST_F(SteamcmdFakeTest, ProgressStreamsWhileSteamcmdRuns) {
  // Through a pipe the fake (like steamcmd) would hold all of this back until it exits.
  options_.extra_env.push_back("FAKE_STEAMCMD_DELAY_MS=40");
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  auto report = install_server(layout_, layout_.installation(), options_, [&](const SteamcmdProgress& progress) {
    if (progress.step == SteamcmdStep::kWindowsDownload) arrivals.push_back(std::chrono::steady_clock::now());
  });
  ASSERT_OK(report);
  ASSERT_GE(arrivals.size(), 5u);
  auto spread = std::chrono::duration_cast<std::chrono::milliseconds>(arrivals.back() - arrivals.front());
  EXPECT_GE(spread.count(), 150) << "progress arrived in one burst";
}

TEST_F(SteamcmdFakeTest, SilentSteamcmdIsStoppedAfterTheIdleTimeout) {
  // The fake sleeps 20 s after each progress line: the Windows download stalls after its first.
  options_.extra_env.push_back("FAKE_STEAMCMD_DELAY_MS=20000");
  options_.idle_timeout = std::chrono::milliseconds(300);
  auto started = std::chrono::steady_clock::now();
  auto report = install();
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code(), ErrorCode::kTimeout);
  EXPECT_NE(error_of(report).find("printed nothing"), std::string::npos) << error_of(report);
  EXPECT_LT(took, std::chrono::seconds(10));
  // Nothing of it is left running.
  auto processes = run({"pgrep", "-f", dir()});
  ASSERT_OK(processes);
  EXPECT_EQ(processes->out, "");
}

TEST_F(SteamcmdFakeTest, ExitZeroWithoutSuccessIsAFailure) {
  ASSERT_OK(write_file_atomic(dir() + "/steamcmd", "#!/bin/sh\necho 'Loading Steam API...OK'\nexit 0\n", 0755));
  auto report = install();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(error_of(report).find("without reporting success or an error"), std::string::npos) << error_of(report);
  EXPECT_NE(error_of(report).find("Loading Steam API...OK"), std::string::npos) << error_of(report);
}

TEST_F(SteamcmdFakeTest, MissingSteamcmdIsUnavailable) {
  options_.steamcmd = dir() + "/nope";
  auto report = install();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(error_of(report).find("LEFT4ME_STEAMCMD"), std::string::npos);
  options_.steamcmd = "steamcmd";
  EXPECT_EQ(install().error().code(), ErrorCode::kUnavailable);
}

TEST_F(SteamcmdFakeTest, DownloadsAWorkshopItem) {
  auto vpk = download_workshop_item(layout_, "2306920249", options_);
  ASSERT_OK(vpk);
  EXPECT_EQ(vpk->rfind(layout_.steam() + "/steamapps/workshop/content/550/2306920249/", 0), 0u) << *vpk;
  EXPECT_EQ(vpk->substr(vpk->size() - 4), ".vpk");
  struct stat info {};
  ASSERT_EQ(::stat(vpk->c_str(), &info), 0);
  EXPECT_EQ(info.st_size, 64 * 1024);
}

TEST_F(SteamcmdFakeTest, WorkshopFailuresAreExplained) {
  options_.extra_env.push_back("FAKE_STEAMCMD_WORKSHOP_MISSING=42");
  auto missing = download_workshop_item(layout_, "42", options_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("ERROR! Download item 42 failed (Failure)."), std::string::npos)
      << missing.error().message();
  EXPECT_EQ(runs(), 1);

  for (std::string bad : {"", "12a", "-5", "../1", "123456789012345678901"}) {
    auto invalid = download_workshop_item(layout_, bad, options_);
    ASSERT_FALSE(invalid.ok()) << bad;
    EXPECT_EQ(invalid.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(runs(), 1);

  // Files gone but still in steamcmd's bookkeeping: it says Success and downloads nothing.
  auto vpk = download_workshop_item(layout_, "7", options_);
  ASSERT_OK(vpk);
  ASSERT_OK(remove_tree(vpk->substr(0, vpk->rfind('/'))));
  auto stale = download_workshop_item(layout_, "7", options_);
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message().find("appworkshop_550.acf"), std::string::npos) << stale.error().message();
}

}  // namespace
}  // namespace left4me::host
