// Install progress: the estimate of the time left from the download rate, the whole install's downloaded bytes over
// both steps of the platform workaround, and the texts the pages show.
#include "web/install_progress.h"

#include <gtest/gtest.h>

namespace left4me::web {
namespace {

using namespace std::chrono_literals;

nlohmann::json line(const char* step, const char* phase, double percent, double done, double total) {
  return {{"phase", phase}, {"step", step}, {"percent", percent}, {"bytes_done", done}, {"bytes_total", total}};
}

TEST(InstallProgress, OnlyProgressObjectsAreProgressLines) {
  EXPECT_TRUE(parse_install_progress(R"({"phase":"downloading","percent":1})").has_value());
  EXPECT_FALSE(parse_install_progress("$ l4d2ctl install --json").has_value());
  EXPECT_FALSE(parse_install_progress(R"({"percent":1})").has_value());
  EXPECT_FALSE(parse_install_progress(R"({"phase":1})").has_value());
  EXPECT_FALSE(parse_install_progress("{not json").has_value());
  EXPECT_FALSE(parse_install_progress("").has_value());
}

TEST(InstallProgress, EstimatesTheTimeLeftFromTheRecentRate) {
  InstallEstimator estimator;
  InstallEstimator::Clock::time_point t0{};
  nlohmann::json first = estimator.add(line("update", "downloading", 0, 0, 1000e6), t0);
  EXPECT_TRUE(first["seconds_left"].is_null());  // no rate yet
  nlohmann::json early = estimator.add(line("update", "downloading", 1, 10e6, 1000e6), t0 + 1s);
  EXPECT_TRUE(early["seconds_left"].is_null());  // one second is too little to tell
  // 10 MB/s: 900 MB left take 90 s.
  nlohmann::json later = estimator.add(line("update", "downloading", 10, 100e6, 1000e6), t0 + 10s);
  EXPECT_EQ(later["seconds_left"], 90);
  EXPECT_EQ(later["downloaded"], 100e6);
  EXPECT_EQ(later["phase"], "downloading");  // l4d2ctl's fields stay
  EXPECT_EQ(describe_install_progress(later), "downloading 10.0% · 95.4 MiB of 953.7 MiB · about 2 min left");
  // The rate follows the last 30 s: after a slow minute (1 MB/s) the estimate is the slow one.
  for (int second = 20; second <= 80; second += 10) {
    later = estimator.add(line("update", "downloading", 10, 100e6 + (second - 10) * 1e6, 1000e6), t0 + second * 1s);
  }
  EXPECT_EQ(later["seconds_left"], 830);  // 830 MB left at 1 MB/s
  nlohmann::json verifying = estimator.add(line("update", "verifying install", 50, 500e6, 1000e6), t0 + 90s);
  EXPECT_TRUE(verifying["seconds_left"].is_null());
  EXPECT_EQ(describe_install_progress(verifying), "verifying install 50.0% · 476.8 MiB of 953.7 MiB");
}

// Issue 13, bug 7: the platform workaround downloads in two steps; the summary was the last step's alone.
TEST(InstallProgress, TheSummaryIsTheWholeInstall) {
  InstallEstimator estimator;
  InstallEstimator::Clock::time_point t0{};
  estimator.add(line("windows_download", "downloading", 100, 8e9, 8e9), t0);
  nlohmann::json second = estimator.add(line("linux_validate", "downloading", 50, 1e9, 2e9), t0 + 60s);
  EXPECT_EQ(second["downloaded"], 9e9);
  EXPECT_EQ(install_progress_view(second, false)["phase"], "downloading (Linux files, step 2 of 2)");
  nlohmann::json done = estimator.add(line("linux_validate", "done", 100, 0, 0), t0 + 120s);
  done.update(nlohmann::json{{"up_to_date", false},
                             {"previous", "16034045"},
                             {"current", {{"id", "17000001"}, {"version", "2.2.4.4"}}},
                             {"disk_added", 213e6},
                             {"ms", 125000}});
  nlohmann::json view = install_progress_view(done, true);
  EXPECT_EQ(view["result"],
            "Installed build 17000001 (version 2.2.4.4) replacing build 16034045 in 2 min: 8.4 GiB downloaded, 203.1 "
            "MiB of disk used.");
  EXPECT_EQ(view["percent"], "100");
  nlohmann::json up_to_date = {{"phase", "done"},
                               {"percent", 100},
                               {"up_to_date", true},
                               {"current", {{"id", "17000001"}, {"version", "2.2.4.4"}}},
                               {"ms", 3000}};
  EXPECT_EQ(install_progress_view(up_to_date, true)["result"],
            "Up to date: build 17000001 (version 2.2.4.4) is the newest; checked in 3 s.");
  EXPECT_EQ(install_progress_view(nullptr, true)["percent"], "100");
  EXPECT_EQ(install_progress_view(nullptr, false)["percent"], "0");
}

TEST(InstallProgress, DurationsReadAsPeopleSayThem) {
  EXPECT_EQ(describe_duration(-5), "0 s");
  EXPECT_EQ(describe_duration(45), "45 s");
  EXPECT_EQ(describe_duration(150), "3 min");
  EXPECT_EQ(describe_duration(3900), "1 h 5 min");
}

}  // namespace
}  // namespace left4me::web
