#include "web/install_progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "json/parse_json.h"
#include "web/pages.h"

namespace left4me::web {
namespace {

constexpr auto kRateWindow = std::chrono::seconds(30);
constexpr auto kShortestRate = std::chrono::seconds(2);  // a rate over less is noise

double number(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string text(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The phase with the step of a two-step install (the platform workaround): "downloading (Windows files, step 1 of 2)".
std::string phase_text(const nlohmann::json& progress) {
  std::string phase = text(progress, "phase");
  std::string step = text(progress, "step");
  if (step == "windows_download") return phase + " (Windows files, step 1 of 2)";
  if (step == "linux_validate") return phase + " (Linux files, step 2 of 2)";
  return phase;
}

std::string bytes_text(const nlohmann::json& progress) {
  double total = number(progress, "bytes_total");
  if (total <= 0) return "";
  return fmt::format("{} of {}", format_bytes(number(progress, "bytes_done")), format_bytes(total));
}

std::string time_left_text(const nlohmann::json& progress) {
  auto it = progress.find("seconds_left");
  if (it == progress.end() || !it->is_number()) return "";
  return "about " + describe_duration(std::llround(it->get<double>())) + " left";
}

// The whole install, from its last ("done") line.
std::string result_text(const nlohmann::json& done) {
  nlohmann::json current = done.contains("current") && done["current"].is_object() ? done["current"] : nlohmann::json();
  std::string build = text(current, "id").empty() ? "the game" : "build " + text(current, "id");
  if (!text(current, "version").empty()) build += " (version " + text(current, "version") + ")";
  std::string took = describe_duration(std::llround(number(done, "ms") / 1000));
  if (done.value("up_to_date", false)) return fmt::format("Up to date: {} is the newest; checked in {}.", build, took);
  std::string replacing = text(done, "previous").empty() ? "" : " replacing build " + text(done, "previous");
  return fmt::format("Installed {}{} in {}: {} downloaded, {} of disk used.", build, replacing, took,
                     format_bytes(number(done, "downloaded")), format_bytes(number(done, "disk_added")));
}

}  // namespace

std::optional<nlohmann::json> parse_install_progress(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::nullopt;
  Result<nlohmann::json> parsed = parse_json_limited(line);
  if (!parsed || !parsed->is_object() || !(*parsed)["phase"].is_string()) return std::nullopt;
  return std::move(*parsed);
}

nlohmann::json InstallEstimator::add(nlohmann::json progress, Clock::time_point at) {
  std::string step = text(progress, "step");
  double done = number(progress, "bytes_done");
  double total = number(progress, "bytes_total");
  progress["seconds_left"] = nullptr;
  if (text(progress, "phase") == "downloading") {
    if (step != downloading_ || (!samples_.empty() && done < samples_.back().bytes)) samples_.clear();
    downloading_ = step;
    downloaded_[step] = std::max(downloaded_[step], done);
    samples_.push_back({at, done});
    while (samples_.size() > 2 && at - samples_[1].at >= kRateWindow) samples_.pop_front();
    const Sample& first = samples_.front();
    double seconds = std::chrono::duration<double>(at - first.at).count();
    if (at - first.at >= kShortestRate && done > first.bytes && total >= done) {
      progress["seconds_left"] = std::round((total - done) / ((done - first.bytes) / seconds));
    }
  } else {
    samples_.clear();
  }
  double downloaded = 0;
  for (const auto& [name, bytes] : downloaded_) downloaded += bytes;
  progress["downloaded"] = downloaded;
  return progress;
}

std::string describe_install_progress(const nlohmann::json& progress) {
  std::string line = fmt::format("{} {:.1f}%", phase_text(progress), number(progress, "percent"));
  if (std::string bytes = bytes_text(progress); !bytes.empty()) line += " · " + bytes;
  if (std::string left = time_left_text(progress); !left.empty()) line += " · " + left;
  if (text(progress, "phase") == "done") line += " · " + result_text(progress);
  return line;
}

nlohmann::json install_progress_view(const nlohmann::json& progress, bool succeeded) {
  double percent = succeeded ? 100.0 : 0.0;
  nlohmann::json view = nlohmann::json::object();
  if (progress.is_object()) {
    if (progress.contains("percent") && progress["percent"].is_number()) percent = progress["percent"].get<double>();
    view["phase"] = phase_text(progress);
    view["bytes"] = bytes_text(progress);
    view["time_left"] = time_left_text(progress);
    if (text(progress, "phase") == "done") view["result"] = result_text(progress);
  }
  percent = std::clamp(percent, 0.0, 100.0);
  view["percent"] = fmt::format("{:.0f}", std::floor(percent));
  view["percent_text"] = fmt::format("{:.1f}", percent);
  return view;
}

std::string describe_duration(std::int64_t seconds) {
  seconds = std::max<std::int64_t>(0, seconds);
  if (seconds < 60) return fmt::format("{} s", seconds);
  std::int64_t minutes = (seconds + 30) / 60;
  if (minutes < 60) return fmt::format("{} min", minutes);
  return fmt::format("{} h {} min", minutes / 60, minutes % 60);
}

}  // namespace left4me::web
