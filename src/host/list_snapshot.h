// The health monitor's list snapshot (runtime/.monitor-list): each watched server's whole `list --json` entry as
// the monitor read it, with the two directories that entry was read from (instances/<name>/ and
// runtime/<name>/) as they stood before it read them. `list --json` prints an entry instead of reading the
// instance while the snapshot is at most two rounds old and neither directory changed: every file status reads
// there is replaced by a rename or created or removed (instance.env with its whole directory, state.json,
// health.json, last_start_error, the build record), and each of those changes the directory's mtime, ctime or
// inode. Line-based text so that list need not parse one JSON document of 100 entries:
//   left4me-monitor-list 1 <written unix ms> <interval ms> <current build or -> <public host or ->
//   <name> <ino> <mtime ns> <ctime ns> <ino> <mtime ns> <ctime ns> <read unix ms> <entry>[<TAB><entry with players>]
// where an entry is one JSON object (a tab inside one is always escaped), and the second one is what
// `list --json --players` prints, recorded for a server that has no players (A2S_INFO said 0).
// Pure functions over text and values the caller gives, but dir_stamp, which reads the file system; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::host {

// What a directory's stat says about its entries: any file created, renamed into or removed from it changes
// mtime; the directory replaced (initialize's exchange) changes the inode.
struct DirStamp {
  std::uint64_t inode = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const DirStamp&) const = default;
};

// `name`'s stamp inside the directory open as `dir_fd` (fstatat, no symlink followed); nullopt when it is
// missing or not a directory.
std::optional<DirStamp> dir_stamp(int dir_fd, const std::string& name);

// Whether a stamp taken at `now_ns` (CLOCK_REALTIME) can tell a later change: file system timestamps come
// from a coarse clock, so a change within the same tick as the last one may leave mtime as it was. A directory
// changed less than kSettleNs before the stamp is not settled, and its entry is not recorded.
inline constexpr std::int64_t kSettleNs = 100'000'000;
bool settled(const DirStamp& stamp, std::int64_t now_ns);

struct ListEntry {
  DirStamp instance_dir;
  DirStamp runtime_dir;
  std::int64_t read_unix_ms = 0;
  std::string json;  // the status object as `list --json` prints it
  // As `list --json --players` prints it, for a server whose A2S_INFO said it has no players (so the list is
  // empty without asking); nullopt for one that has players: list asks it.
  std::optional<std::string> players_json;
};

struct ListSnapshot {
  std::int64_t written_unix_ms = 0;
  std::int64_t interval_ms = 0;
  std::optional<std::string> current_build;  // the installation's current build when the entries were read
  std::optional<std::string> public_host;    // the address `connect` was made of
  std::map<std::string, ListEntry> entries;  // by instance name
};

std::string list_snapshot_text(const ListSnapshot& snapshot);
// kFailed naming `path` for a file that is not a list snapshot. Not trusted: a line that is not an entry (a bad
// name or stamps, no entry text) is left out, and list reads that instance itself. The entries' JSON is checked
// only when one is to be printed (fresh_entry), so that list checks only what it prints.
Result<ListSnapshot> parse_list_snapshot(std::string_view content, const std::string& path);

// Whether `json` is one JSON object (nothing after it, nested at most kMaxJsonDepth) whose top-level "name" is
// `name`, and no other value: what list may print for that instance. Checked without building the document.
bool is_list_entry_of(std::string_view json, const std::string& name);

// The entry `list --json` (with_players: `list --json --players`) may print for `name` at `now_unix_ms`, given
// the directories' stamps now: nullptr when the snapshot or the entry is more than two rounds old, either
// directory changed since, (with_players) the entry has no players variant, or the text is not
// is_list_entry_of that instance.
const std::string* fresh_entry(const ListSnapshot& snapshot, const std::string& name, const DirStamp& instance_dir,
                               const DirStamp& runtime_dir, std::int64_t now_unix_ms, bool with_players = false);

}  // namespace left4me::host
