// An uploaded archive (zip, tar, tar.gz/bz2/xz/zst, 7z) extracted by the content module (extract_into,
// src/content/archive_extract.h) into a fresh directory in memory (/dev/shm). Invariants: the tree holds only
// directories and regular files, no more entries and bytes than the limits, nothing outside that directory.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/file.h"
#include "base/unique_fd.h"
#include "content/archive_extract.h"
#include "fuzz/fuzz_check.h"

namespace {

constexpr std::uint64_t kMaxEntries = 64;
constexpr std::uint64_t kMaxBytes = 1 << 20;

struct Tally {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
};

void count_tree(const std::string& path, Tally& tally) {
  DIR* listing = ::opendir(path.c_str());
  left4me::fuzz::require(listing != nullptr, "every directory of the tree opens");
  while (struct dirent* entry = ::readdir(listing)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string child = path + "/" + name;
    struct stat st;
    left4me::fuzz::require(::lstat(child.c_str(), &st) == 0, "every entry of the tree stats");
    left4me::fuzz::require(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode), "the tree holds only directories and files");
    ++tally.entries;
    if (S_ISREG(st.st_mode)) tally.bytes += static_cast<std::uint64_t>(st.st_size);
    if (S_ISDIR(st.st_mode)) count_tree(child, tally);
  }
  ::closedir(listing);
}

const std::string& sandbox() {
  static const std::string path = [] {
    char pattern[] = "/dev/shm/left4me-archive-fuzz-XXXXXX";
    left4me::fuzz::require(::mkdtemp(pattern) != nullptr, "a scratch directory can be made");
    return std::string(pattern);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  left4me::UniqueFd input(::memfd_create("archive", MFD_CLOEXEC));
  fuzz::require(input.valid() && ::write(input.get(), data, size) == static_cast<ssize_t>(size), "input written");
  ::lseek(input.get(), 0, SEEK_SET);
  const std::string root = sandbox() + "/root";
  const std::string target = root + "/target";
  fuzz::require(make_directories(target).ok(), "target made");
  UniqueFd dir(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  content::ExtractLimits limits;
  limits.max_entries = kMaxEntries;
  limits.max_bytes = kMaxBytes;
  limits.max_path_bytes = 256;
  auto report = content::extract_into(input.get(), dir.get(), limits);
  Tally tally;
  count_tree(target, tally);
  fuzz::require(tally.entries <= kMaxEntries * 64, "entries within the limit (each at most 64 path components)");
  fuzz::require(tally.bytes <= kMaxBytes, "bytes within the limit");
  if (report.ok()) fuzz::require(report->bytes <= kMaxBytes, "reported bytes within the limit");
  Tally outside;
  count_tree(root, outside);
  fuzz::require(outside.entries == tally.entries + 1, "nothing written beside the target");
  fuzz::require(remove_tree(root).ok(), "scratch removed");
  return 0;
}
