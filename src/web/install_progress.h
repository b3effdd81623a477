// Install progress: the JSON objects `l4d2ctl install --json` prints line by line, with the web app's estimate of the
// time left, and how the pages show them (a log line, the job's summary, the admin page's progress bar).
// InstallEstimator is used by one job's thread; the functions are pure.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace left4me::web {

// The object of an install progress line ({"phase": ..., ...}), or nullopt for any other line.
std::optional<nlohmann::json> parse_install_progress(std::string_view line);

// Follows one install's progress lines as they arrive and adds to each what l4d2ctl cannot know: "seconds_left" (while
// downloading, from the rate of the last 30 s; null when not known) and "downloaded" (bytes downloaded by every step so
// far, the whole install's).
class InstallEstimator {
 public:
  using Clock = std::chrono::steady_clock;
  nlohmann::json add(nlohmann::json progress, Clock::time_point at);

 private:
  struct Sample {
    Clock::time_point at;
    double bytes;
  };
  std::string downloading_;  // the step whose download the samples are of
  std::deque<Sample> samples_;
  std::map<std::string, double> downloaded_;  // the most each step downloaded
};

// One progress object as a line of the job's log: "downloading 12.3% · 117.7 MiB of 953.7 MiB · about 3 min left".
std::string describe_install_progress(const nlohmann::json& progress);
// What the pages show of an install job from its last progress object (null or empty when none): "percent" (the
// progress bar's value), "percent_text", "phase" (with the step of a two-step install), "bytes", "time_left", and
// once it is done, "result": the whole install in one sentence.
nlohmann::json install_progress_view(const nlohmann::json& progress, bool succeeded);
// "45 s", "3 min", "1 h 5 min".
std::string describe_duration(std::int64_t seconds);

}  // namespace left4me::web
