#include "testing/fake_steamcmd/install_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "base/file.h"
#include "base/unique_fd.h"

namespace left4me::fake_steamcmd {
namespace {

// Every stock campaign map (protocols.md §5.7), first maps of each campaign first, so that even a
// tree of a handful of files holds the maps servers usually start on.
constexpr std::array<std::string_view, 57> kMaps = {
    "c1m1_hotel",
    "c2m1_highway",
    "c3m1_plankcountry",
    "c4m1_milltown_a",
    "c5m1_waterfront",
    "c6m1_riverbank",
    "c7m1_docks",
    "c8m1_apartment",
    "c9m1_alleys",
    "c10m1_caves",
    "c11m1_greenhouse",
    "c12m1_hilltop",
    "c13m1_alpinecreek",
    "c14m1_junkyard",
    "c1m2_streets",
    "c1m3_mall",
    "c1m4_atrium",
    "c2m2_fairgrounds",
    "c2m3_coaster",
    "c2m4_barns",
    "c2m5_concert",
    "c3m2_swamp",
    "c3m3_shantytown",
    "c3m4_plantation",
    "c4m2_sugarmill_a",
    "c4m3_sugarmill_b",
    "c4m4_milltown_b",
    "c4m5_milltown_escape",
    "c5m2_park",
    "c5m3_cemetery",
    "c5m4_quarter",
    "c5m5_bridge",
    "c6m2_bedlam",
    "c6m3_port",
    "c7m2_barge",
    "c7m3_port",
    "c8m2_subway",
    "c8m3_sewers",
    "c8m4_interior",
    "c8m5_rooftop",
    "c9m2_lots",
    "c10m2_drainage",
    "c10m3_ranchhouse",
    "c10m4_mainstreet",
    "c10m5_houseboat",
    "c11m2_offices",
    "c11m3_garage",
    "c11m4_terminal",
    "c11m5_runway",
    "c12m2_traintunnel",
    "c12m3_bridge",
    "c12m4_barn",
    "c12m5_cornfield",
    "c13m2_southpinestream",
    "c13m3_memorialbridge",
    "c13m4_cutthroatcreek",
    "c14m2_lighthouse",
};

constexpr std::array<std::string_view, 4> kLinuxBinaries = {"bin/engine_srv.so", "bin/dedicated_srv.so",
                                                            "bin/libtier0_srv.so", "left4dead2/bin/server_srv.so"};
constexpr std::array<std::string_view, 5> kWindowsBinaries = {"srcds.exe", "bin/engine.dll", "bin/dedicated.dll",
                                                              "bin/tier0.dll", "left4dead2/bin/server.dll"};

// Single-quoted for /bin/sh.
std::string sh_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// srcds_run with the wrapper behaviour of Valve's script (protocols.md §3.3): wrapper options are
// consumed, -pidfile is passed on, a missing +map defaults to c1m1_hotel, -norestart execs the game
// binary (so the spawned pid becomes the game), otherwise a restart loop with a SIGINT-only trap that
// ends in `kill -2 $$`. The root warning is printed without the real script's wait, to keep tests fast.
// The text around HL=<fake-srcds>: the part before the path, and the rest.
constexpr std::string_view kSrcdsRunHead = R"(#!/bin/sh
# srcds_run written by fake-steamcmd: Valve's wrapper behaviour around fake-srcds (the game binary).
HL=)";
constexpr std::string_view kSrcdsRunBody = R"(
RESTART=yes
PID_FILE=""
TIMEOUT=1
MAP_GIVEN=no
DEFAULT_MAP=yes
SIGINT_ACTION="quit 0"

syntax() {
  echo "Syntax:"
  echo "$0 [-game <game>] [-debug] [-norestart] [-pidfile <file>] [-timeout <seconds>] [-nodefaultmap]"
  echo "    [-ignoresigint] [-notrap] [+map <map>] [srcds options]"
}

quit() {
  case "$1" in
    0) echo "`date`: Server Quit" ;;
    2) syntax ;;
    *) echo "`date`: Server Failed" ;;
  esac
  if test -n "$PID_FILE"; then rm -f "$PID_FILE"; fi
  trap - 2
  kill -2 $$
}

if test "`id -u`" -eq 0; then
  echo
  echo
  echo "************** WARNING ***************"
  echo "Running the dedicated server as root  "
  echo "is highly discouraged. It is generally"
  echo "unnecessary to use root privileges to "
  echo "execute the dedicated server.         "
  echo "**************************************"
  echo
  echo
fi

expect=""
for arg do
  shift
  case "$expect" in
    pidfile) PID_FILE=$arg; expect=""; set -- "$@" "$arg"; continue ;;
    timeout) TIMEOUT=$arg; expect=""; continue ;;
  esac
  case "$arg" in
    -norestart) RESTART=no; continue ;;
    -pidfile) expect=pidfile; set -- "$@" "$arg"; continue ;;
    -timeout) expect=timeout; continue ;;
    -nodefaultmap) DEFAULT_MAP=no; continue ;;
    -ignoresigint) SIGINT_ACTION=""; continue ;;
    -notrap) SIGINT_ACTION="-"; continue ;;
    -debug) continue ;;
    -help) quit 2 ;;
    +map) MAP_GIVEN=yes ;;
  esac
  set -- "$@" "$arg"
done

if test "$MAP_GIVEN" = no && test "$DEFAULT_MAP" = yes; then
  echo "WARNING: No map specified! Defaulting to c1m1_hotel"
  set -- "$@" +map c1m1_hotel
fi
if test ! -x "$HL"; then
  echo "ERROR: '$HL' not found, exiting"
  quit 1
fi
if test "$RESTART" = no; then
  exec "$HL" "$@"
fi

trap "$SIGINT_ACTION" 2
echo "Server will auto-restart if there is a crash."
while true; do
  "$HL" "$@"
  if test $? -eq 0; then
    break
  fi
  echo 'Add "-debug" to the ./srcds_run command line to generate a debug.log to help with solving this problem'
  echo "`date`: Server restart in $TIMEOUT seconds"
  sleep "$TIMEOUT"
done
quit 0
)";

std::string srcds_run_script(const std::string& fake_srcds) {
  return std::string(kSrcdsRunHead) + sh_quote(fake_srcds) + std::string(kSrcdsRunBody);
}

DepotFile text_file(std::string path, std::string content, bool executable = false) {
  DepotFile file;
  file.relative_path = std::move(path);
  file.size = content.size();
  file.content = std::move(content);
  file.executable = executable;
  return file;
}

DepotFile data_file(std::string path, std::uint64_t size, std::string header) {
  DepotFile file;
  file.relative_path = std::move(path);
  file.size = size;
  file.content = std::move(header);
  file.sparse = true;
  return file;
}

std::string acf_value(const std::string& text, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = text.find(quoted);
  if (at == std::string::npos) return "";
  size_t open = text.find('"', at + quoted.size());
  if (open == std::string::npos) return "";
  size_t close = text.find('"', open + 1);
  if (close == std::string::npos) return "";
  return text.substr(open + 1, close - open - 1);
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string workshop_acf_path(const std::string& root) { return root + "/steamapps/workshop/appworkshop_550.acf"; }

}  // namespace

std::vector<DepotFile> depot_files(const TreeShape& shape, Platform platform) {
  std::vector<DepotFile> files;
  std::uint64_t binaries_bytes = shape.total_bytes / 50;  // the Linux switch fetched ~2% in the measured run
  std::uint64_t content_bytes = shape.total_bytes - binaries_bytes;

  if (platform == Platform::kLinux) {
    std::string srcds_linux = "#!/bin/sh\n# srcds_linux placeholder written by fake-steamcmd: runs fake-srcds.\nexec " +
                              sh_quote(shape.fake_srcds) + " \"$@\"\n";
    files.push_back(text_file("srcds_run", srcds_run_script(shape.fake_srcds), true));
    files.push_back(text_file("srcds_linux", srcds_linux, true));
    for (size_t i = 0; i < kLinuxBinaries.size(); ++i) {
      std::uint64_t size =
          binaries_bytes / kLinuxBinaries.size() + (i == 0 ? binaries_bytes % kLinuxBinaries.size() : 0);
      files.push_back(data_file(std::string(kLinuxBinaries[i]), size,
                                "\x7f"
                                "ELF"));
    }
  } else {
    for (size_t i = 0; i < kWindowsBinaries.size(); ++i) {
      std::uint64_t size =
          binaries_bytes / kWindowsBinaries.size() + (i == 0 ? binaries_bytes % kWindowsBinaries.size() : 0);
      files.push_back(data_file(std::string(kWindowsBinaries[i]), size, "MZ"));
    }
  }
  files.push_back(text_file("left4dead2/steam.inf", "ClientVersion=2243\nServerVersion=2243\nPatchVersion=" +
                                                        shape.patch_version + "\nProductName=left4dead2\nappID=550\n"));
  files.push_back(text_file("left4dead2/gameinfo.txt",
                            "\"GameInfo\"\n{\n\tgame\t\"Left 4 Dead 2\"\n\tGameData\t\"left4dead2.fgd\"\n"
                            "\tSteamAppId\t550\n}\n"));
  files.push_back(text_file("left4dead2/cfg/", ""));
  files.push_back(text_file("left4dead2/addons/", ""));

  int count = shape.content_files < 1 ? 1 : shape.content_files;
  for (int i = 0; i < count; ++i) {
    std::uint64_t size = content_bytes / static_cast<std::uint64_t>(count) +
                         (i == 0 ? content_bytes % static_cast<std::uint64_t>(count) : 0);
    if (static_cast<size_t>(i) < kMaps.size()) {
      // "VBSP" and BSP version 21 (L4D2), little-endian.
      files.push_back(data_file("left4dead2/maps/" + std::string(kMaps[static_cast<size_t>(i)]) + ".bsp", size,
                                std::string("VBSP\x15\0\0\0", 8)));
    } else {
      char name[64];
      std::snprintf(name, sizeof name, "left4dead2/pak01_%03zu.vpk", static_cast<size_t>(i) - kMaps.size());
      files.push_back(data_file(name, size, std::string("\x34\x12\xaa\x55\x01\0\0\0", 8)));  // VPK v1 signature
    }
  }
  return files;
}

std::vector<std::string> foreign_files(Platform platform) {
  std::vector<std::string> paths;
  if (platform == Platform::kLinux) {
    for (auto path : kWindowsBinaries) paths.emplace_back(path);
  } else {
    paths = {"srcds_run", "srcds_linux"};
    for (auto path : kLinuxBinaries) paths.emplace_back(path);
  }
  return paths;
}

Status write_depot_file(const std::string& root, const DepotFile& file, bool dense) {
  std::string path = root + "/" + file.relative_path;
  if (!file.relative_path.empty() && file.relative_path.back() == '/') return make_directories(path);
  if (auto made = make_directories(parent_of(path)); !made.ok()) return made;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, file.executable ? 0755 : 0644));
  if (!fd.valid()) return Error::from_errno("open " + path, errno);
  size_t head = file.content.size();
  if (file.sparse && head > file.size) head = static_cast<size_t>(file.size);
  if (head > 0 && ::write(fd.get(), file.content.data(), head) != static_cast<ssize_t>(head)) {
    return Error::from_errno("write " + path, errno);
  }
  if (file.sparse && dense) {
    // Real bytes to the modelled size, each block different from its neighbours' (no filesystem folds them).
    std::string block(1 << 20, '\0');
    for (std::uint64_t at = head; at < file.size; at += block.size()) {
      for (std::size_t i = 0; i < block.size(); i += 8) std::memcpy(&block[i], &at, sizeof at);
      std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), file.size - at));
      if (::write(fd.get(), block.data(), length) != static_cast<ssize_t>(length)) {
        return Error::from_errno("write " + path, errno);
      }
    }
  }
  // The rest is a hole: the file has its modelled size without using the disk.
  if (::ftruncate(fd.get(), static_cast<off_t>(file.size)) != 0) return Error::from_errno("ftruncate " + path, errno);
  if (file.executable && ::fchmod(fd.get(), 0755) != 0) return Error::from_errno("chmod " + path, errno);
  return ok_status();
}

bool depot_file_intact(const std::string& root, const DepotFile& file) {
  std::string path = root + "/" + file.relative_path;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return false;
  if (!file.relative_path.empty() && file.relative_path.back() == '/') return S_ISDIR(info.st_mode);
  return S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) == file.size;
}

std::string manifest_path(const std::string& root) { return root + "/steamapps/appmanifest_222860.acf"; }

std::optional<Manifest> read_manifest(const std::string& root) {
  auto text = read_file(manifest_path(root));
  if (!text.ok()) return std::nullopt;
  Manifest manifest;
  manifest.build_id = acf_value(*text, "buildid");
  manifest.platform = acf_value(*text, "platform_override_dest") == "windows" ? Platform::kWindows : Platform::kLinux;
  return manifest;
}

Status write_manifest(const std::string& root, const Manifest& manifest, std::uint64_t size_on_disk) {
  if (auto made = make_directories(root + "/steamapps"); !made.ok()) return made;
  std::string platform = manifest.platform == Platform::kWindows ? "windows" : "linux";
  std::string text =
      "\"AppState\"\n{\n\t\"appid\"\t\t\"222860\"\n\t\"Universe\"\t\t\"1\"\n"
      "\t\"name\"\t\t\"Left 4 Dead 2 Dedicated Server\"\n\t\"StateFlags\"\t\t\"4\"\n"
      "\t\"installdir\"\t\t\"Left 4 Dead 2 Dedicated Server\"\n"
      "\t\"SizeOnDisk\"\t\t\"" +
      std::to_string(size_on_disk) +
      "\"\n"
      "\t\"buildid\"\t\t\"" +
      manifest.build_id +
      "\"\n"
      "\t\"LastOwner\"\t\t\"0\"\n\t\"UpdateResult\"\t\t\"0\"\n"
      "\t\"UserConfig\"\n\t{\n\t\t\"platform_override_dest\"\t\t\"" +
      platform + "\"\n\t}\n}\n";
  return write_file_atomic(manifest_path(root), text);
}

std::string workshop_item_dir(const std::string& root, const std::string& item_id) {
  return root + "/steamapps/workshop/content/550/" + item_id;
}

bool workshop_item_recorded(const std::string& root, const std::string& item_id) {
  auto text = read_file(workshop_acf_path(root));
  return text.ok() && text->find("\"" + item_id + "\"") != std::string::npos;
}

Status write_workshop_item(const std::string& root, const std::string& item_id, std::uint64_t bytes) {
  std::string dir = workshop_item_dir(root, item_id);
  if (auto made = make_directories(dir); !made.ok()) return made;
  // Real bytes, derived from the id so two items differ: a VPK v1 header, then filler.
  std::string data("\x34\x12\xaa\x55\x01\0\0\0\0\0\0\0", 12);
  std::uint32_t state = 2166136261u;
  for (char c : item_id) state = (state ^ static_cast<unsigned char>(c)) * 16777619u;
  while (data.size() < bytes) {
    state = state * 1664525u + 1013904223u;
    data.push_back(static_cast<char>(state >> 24));
  }
  data.resize(static_cast<size_t>(bytes));
  if (auto written = write_file_atomic(dir + "/fake_addon_" + item_id + ".vpk", data); !written.ok()) return written;

  auto old = read_file(workshop_acf_path(root));
  std::string entries;
  if (old.ok()) {
    size_t open = old->find("\"WorkshopItemsInstalled\"\n\t{\n");
    size_t close = old->rfind("\t}\n}");
    if (open != std::string::npos && close != std::string::npos && close > open) {
      size_t start = open + std::string_view("\"WorkshopItemsInstalled\"\n\t{\n").size();
      entries = old->substr(start, close - start);
    }
  }
  if (entries.find("\"" + item_id + "\"") == std::string::npos) {
    entries += "\t\t\"" + item_id + "\"\n\t\t{\n\t\t\t\"size\"\t\t\"" + std::to_string(bytes) +
               "\"\n\t\t\t\"timeupdated\"\t\t\"1700000000\"\n\t\t}\n";
  }
  std::string text =
      "\"AppWorkshop\"\n{\n\t\"appid\"\t\t\"550\"\n\t\"WorkshopItemsInstalled\"\n\t{\n" + entries + "\t}\n}\n";
  return write_file_atomic(workshop_acf_path(root), text);
}

}  // namespace left4me::fake_steamcmd
