#include "host/list_snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <fmt/format.h>
#include <limits>

#include "base/strings.h"
#include "host/live_snapshot.h"
#include "json/parse_json.h"
#include "model/instance_name.h"

namespace left4me::host {
namespace {

constexpr std::string_view kMagic = "left4me-monitor-list";
constexpr std::string_view kVersion = "1";
constexpr long long kMax = std::numeric_limits<std::int64_t>::max();

// A header value: printable ASCII without spaces.
bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// A header value as one token: "-" stands for none. A value that is not one token is not written (nullopt).
std::optional<std::string> token_of(const std::optional<std::string>& value) {
  if (!value) return std::string("-");
  if (!is_token(*value) || *value == "-") return std::nullopt;
  return *value;
}

std::optional<std::string> value_of(std::string_view token) {
  if (token == "-") return std::nullopt;
  return std::string(token);
}

// The next space-separated token of `rest`, taken off it.
std::string_view take_token(std::string_view& rest) {
  size_t end = rest.find(' ');
  std::string_view token = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return token;
}

std::optional<DirStamp> stamp_from(std::string_view& rest) {
  auto inode = parse_int(take_token(rest), 1, kMax);
  auto mtime = parse_int(take_token(rest), 0, kMax);
  auto ctime = parse_int(take_token(rest), 0, kMax);
  if (!inode || !mtime || !ctime) return std::nullopt;
  return DirStamp{static_cast<std::uint64_t>(*inode), *mtime, *ctime};
}

// One entry line, or nullopt when it is not one.
std::optional<std::pair<std::string, ListEntry>> entry_from(std::string_view line) {
  std::string name(take_token(line));
  if (!model::InstanceName::is_valid(name)) return std::nullopt;
  auto instance_dir = stamp_from(line);
  auto runtime_dir = stamp_from(line);
  auto read = parse_int(take_token(line), 0, kMax);
  if (!instance_dir || !runtime_dir || !read) return std::nullopt;
  size_t tab = line.find('\t');
  std::string_view plain = line.substr(0, tab);
  if (plain.empty()) return std::nullopt;
  ListEntry entry{*instance_dir, *runtime_dir, *read, std::string(plain), std::nullopt};
  if (tab != std::string_view::npos) {
    std::string_view with_players = line.substr(tab + 1);
    if (with_players.empty() || with_players.find('\t') != std::string_view::npos) return std::nullopt;
    entry.players_json = std::string(with_players);
  }
  return std::pair{std::move(name), std::move(entry)};
}

std::int64_t nanoseconds(const struct timespec& time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

}  // namespace

bool is_list_entry_of(std::string_view json, const std::string& name) { return is_object_naming(json, "name", name); }

std::optional<DirStamp> dir_stamp(int dir_fd, const std::string& name) {
  struct stat info {};
  if (::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(info.st_mode)) return std::nullopt;
  return DirStamp{static_cast<std::uint64_t>(info.st_ino), nanoseconds(info.st_mtim), nanoseconds(info.st_ctim)};
}

bool settled(const DirStamp& stamp, std::int64_t now_ns) {
  return now_ns - std::max(stamp.mtime_ns, stamp.ctime_ns) >= kSettleNs;
}

std::string list_snapshot_text(const ListSnapshot& snapshot) {
  auto build = token_of(snapshot.current_build);
  auto host = token_of(snapshot.public_host);
  std::string text = fmt::format("{} {} {} {} {} {}\n", kMagic, kVersion, snapshot.written_unix_ms,
                                 snapshot.interval_ms, build.value_or("-"), host.value_or("-"));
  if (!build || !host) return text;  // entries that list could not match: none
  auto one_line = [](std::string_view json) { return json.find_first_of("\t\n") == std::string_view::npos; };
  for (const auto& [name, entry] : snapshot.entries) {
    if (!one_line(entry.json) || (entry.players_json && !one_line(*entry.players_json))) continue;
    const DirStamp& i = entry.instance_dir;
    const DirStamp& r = entry.runtime_dir;
    text += fmt::format("{} {} {} {} {} {} {} {} {}", name, i.inode, i.mtime_ns, i.ctime_ns, r.inode, r.mtime_ns,
                        r.ctime_ns, entry.read_unix_ms, entry.json);
    if (entry.players_json) text += "\t" + *entry.players_json;
    text += '\n';
  }
  return text;
}

Result<ListSnapshot> parse_list_snapshot(std::string_view content, const std::string& path) {
  auto bad = [&] { return Error::failed(path + ": not a list snapshot"); };
  size_t end = content.find('\n');
  if (end == std::string_view::npos) return bad();
  std::string_view header = content.substr(0, end);
  content.remove_prefix(end + 1);
  if (take_token(header) != kMagic || take_token(header) != kVersion) return bad();
  auto written = parse_int(take_token(header), 0, kMax);
  auto interval = parse_int(take_token(header), 1, kMax);
  std::string_view build = take_token(header);
  std::string_view host = take_token(header);
  if (!written || !interval || !is_token(build) || !is_token(host) || !header.empty()) return bad();
  ListSnapshot snapshot{*written, *interval, value_of(build), value_of(host), {}};
  while (!content.empty()) {
    end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content = end == std::string_view::npos ? std::string_view() : content.substr(end + 1);
    if (auto entry = entry_from(line)) snapshot.entries.insert(std::move(*entry));
  }
  return snapshot;
}

const std::string* fresh_entry(const ListSnapshot& snapshot, const std::string& name, const DirStamp& instance_dir,
                               const DirStamp& runtime_dir, std::int64_t now_unix_ms, bool with_players) {
  if (!within_two_rounds(snapshot.interval_ms, snapshot.written_unix_ms, now_unix_ms)) return nullptr;
  auto found = snapshot.entries.find(name);
  if (found == snapshot.entries.end()) return nullptr;
  const ListEntry& entry = found->second;
  if (!within_two_rounds(snapshot.interval_ms, entry.read_unix_ms, now_unix_ms)) return nullptr;
  if (entry.instance_dir != instance_dir || entry.runtime_dir != runtime_dir) return nullptr;
  const std::string* chosen = with_players ? (entry.players_json ? &*entry.players_json : nullptr) : &entry.json;
  if (!chosen || !is_list_entry_of(*chosen, name)) return nullptr;
  return chosen;
}

}  // namespace left4me::host
