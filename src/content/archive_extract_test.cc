#include "content/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/file.h"
#include "testing/test_archives.h"
#include "testing/test_support.h"

namespace left4me::content {
namespace {

using test::ArchiveEntry;
using test::ArchiveFormat;
using test::snapshot_tree;
using test::write_test_archive;

class ExtractTest : public left4me::test::TempDirTest {
 protected:
  std::string target() const { return dir() + "/overlay"; }
  std::string archive(std::string_view name) const { return dir() + "/" + std::string(name); }

  // The target before each hostile extraction: a file, a nested file, an empty directory.
  void seed_target() {
    ASSERT_OK(make_directories(target() + "/left4dead2/cfg"));
    ASSERT_OK(make_directories(target() + "/empty"));
    ASSERT_OK(write_file_atomic(target() + "/left4dead2/cfg/server.cfg", "hostname old\n"));
    ASSERT_OK(write_file_atomic(target() + "/top.txt", "top\n", 0600));
  }

  // The parent holds only the target and the archives: no staging directory is left behind.
  std::vector<std::string> parent_listing() const {
    std::vector<std::string> names;
    DIR* listing = ::opendir(dir().c_str());
    while (struct dirent* entry = ::readdir(listing)) names.emplace_back(entry->d_name);
    ::closedir(listing);
    std::sort(names.begin(), names.end());
    return names;
  }

  // Extracting the archive must fail with code and a message containing needle, and change nothing.
  void expect_refused(const std::string& path, ErrorCode code, std::string_view needle,
                      ExtractMode mode = ExtractMode::kReplace, const ExtractLimits& limits = {}) {
    seed_target();
    std::string before = snapshot_tree(target());
    std::vector<std::string> listing = parent_listing();
    auto report = extract_archive(path, target(), mode, limits);
    ASSERT_FALSE(report.ok()) << "extracting " << path << " succeeded";
    EXPECT_EQ(report.error().code(), code) << report.error().message();
    EXPECT_NE(report.error().message().find(needle), std::string::npos) << report.error().message();
    EXPECT_EQ(snapshot_tree(target()), before);
    EXPECT_EQ(parent_listing(), listing);
  }
};

const std::vector<ArchiveEntry> kGoodEntries = {
    ArchiveEntry::directory("left4dead2/"),
    ArchiveEntry::directory("left4dead2/addons/"),
    ArchiveEntry::file("left4dead2/addons/map.vpk", std::string("\x34\x12\xaa\x55\x01\0\0\0", 8) + "data"),
    ArchiveEntry::file("left4dead2/cfg/server.cfg", "hostname new\n"),
    ArchiveEntry::file("left4dead2/addons/sourcemod/bin/tool", "#!/bin/sh\n", 0755),
};

class ExtractFormatTest : public ExtractTest, public ::testing::WithParamInterface<ArchiveFormat> {};

TEST_P(ExtractFormatTest, GoodArchiveLands) {
  seed_target();
  std::string path = archive("good");
  std::vector<ArchiveEntry> entries = kGoodEntries;
  // libarchive converts 7z's UTF-16 names through the locale, and the C locale knows only ASCII.
  if (GetParam() != ArchiveFormat::k7z) entries.push_back(ArchiveEntry::file("Caf\xc3\xa9.txt", "accents\n"));
  ASSERT_OK(write_test_archive(path, GetParam(), entries));
  auto report = extract_archive(path, target(), ExtractMode::kReplace, {});
  ASSERT_OK(report);
  EXPECT_EQ(report->files, entries.size() - 2);
  std::string accented = GetParam() != ArchiveFormat::k7z ? "f 644 Caf\xc3\xa9.txt 8 accents\n\n" : "";
  EXPECT_EQ(snapshot_tree(target()), accented +
                                         "d 755 left4dead2\n"
                                         "d 755 left4dead2/addons\n"
                                         "f 644 left4dead2/addons/map.vpk 12 " +
                                         std::string("\x34\x12\xaa\x55\x01\0\0\0", 8) +
                                         "data\n"
                                         "d 755 left4dead2/addons/sourcemod\n"
                                         "d 755 left4dead2/addons/sourcemod/bin\n"
                                         "f 755 left4dead2/addons/sourcemod/bin/tool 10 #!/bin/sh\n\n"
                                         "d 755 left4dead2/cfg\n"
                                         "f 644 left4dead2/cfg/server.cfg 13 hostname new\n\n");
  EXPECT_EQ(parent_listing(), (std::vector<std::string>{".", "..", "good", "overlay"}));
}

TEST_P(ExtractFormatTest, TraversalIsRefused) {
  std::string path = archive("traversal");
  ASSERT_OK(write_test_archive(
      path, GetParam(),
      {ArchiveEntry::file("left4dead2/ok.txt", "ok"), ArchiveEntry::file("left4dead2/../../escaped.txt", "escaped")}));
  expect_refused(path, ErrorCode::kInvalidArgument, "entry 'left4dead2/../../escaped.txt': leaves the tree ('..')");
  EXPECT_FALSE(path_exists(dir() + "/escaped.txt"));
  EXPECT_FALSE(path_exists(target() + "/left4dead2/ok.txt"));
}

TEST_P(ExtractFormatTest, AbsolutePathIsRefused) {
  std::string path = archive("absolute");
  ASSERT_OK(write_test_archive(path, GetParam(), {ArchiveEntry::file(dir() + "/absolute.txt", "x")}));
  expect_refused(path, ErrorCode::kInvalidArgument, "is an absolute path");
  EXPECT_FALSE(path_exists(dir() + "/absolute.txt"));
}

TEST_P(ExtractFormatTest, SymlinkIsRefused) {
  std::string path = archive("symlink");
  ASSERT_OK(write_test_archive(
      path, GetParam(),
      {ArchiveEntry::symlink("left4dead2/addons", "/etc"), ArchiveEntry::file("left4dead2/addons/passwd", "owned")}));
  expect_refused(path, ErrorCode::kInvalidArgument, "entry 'left4dead2/addons': is a symlink (to '/etc')");
}

TEST_P(ExtractFormatTest, ZipBombIsRefused) {
  std::string path = archive("bomb");
  // 64 MiB of zeros compress to a few dozen KiB; the limit is 16 MiB.
  ASSERT_OK(write_test_archive(path, GetParam(), {ArchiveEntry::zeros("left4dead2/bomb.bin", 64ull << 20)}));
  if (GetParam() != ArchiveFormat::kTar) {
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_LT(st.st_size, 1 << 20);
  }
  ExtractLimits limits;
  limits.max_bytes = 16ull << 20;
  expect_refused(path, ErrorCode::kLimitReached, "more than 16777216 bytes once extracted (the limit)",
                 ExtractMode::kReplace, limits);
}

INSTANTIATE_TEST_SUITE_P(Formats, ExtractFormatTest,
                         ::testing::Values(ArchiveFormat::kZip, ArchiveFormat::kTar, ArchiveFormat::kTarGz,
                                           ArchiveFormat::k7z),
                         [](const auto& param_info) { return std::string(test::format_name(param_info.param)); });

// Not for 7z: its names are UTF-16, which cannot hold these bytes.
TEST_F(ExtractTest, NameNotUtf8IsRefused) {
  for (ArchiveFormat format : {ArchiveFormat::kZip, ArchiveFormat::kTar, ArchiveFormat::kTarGz}) {
    SCOPED_TRACE(test::format_name(format));
    std::string path = archive("invalid." + std::string(test::format_name(format)));
    ASSERT_OK(write_test_archive(path, format, {ArchiveEntry::file("bad\xff\xfename.txt", "x")}));
    expect_refused(path, ErrorCode::kInvalidArgument,
                   "entry 'bad\xef\xbf\xbd\xef\xbf\xbdname.txt': path is not valid UTF-8");
  }
}

TEST_F(ExtractTest, HardLinkIsRefused) {
  std::string path = archive("hardlink.tar");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kTar,
                               {ArchiveEntry::file("a.txt", "a"), ArchiveEntry::hardlink("b.txt", "/etc/shadow")}));
  expect_refused(path, ErrorCode::kInvalidArgument, "entry 'b.txt': is a hard link (to '/etc/shadow')");
}

TEST_F(ExtractTest, DeviceFileIsRefused) {
  std::string path = archive("device.tar");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kTar, {ArchiveEntry::special("left4dead2/mem", AE_IFCHR)}));
  expect_refused(path, ErrorCode::kInvalidArgument, "entry 'left4dead2/mem': is a device file, fifo or socket");
}

TEST_F(ExtractTest, FifoIsRefused) {
  std::string path = archive("fifo.tar.gz");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kTarGz, {ArchiveEntry::special("pipe", AE_IFIFO)}));
  expect_refused(path, ErrorCode::kInvalidArgument, "entry 'pipe': is a device file, fifo or socket");
}

TEST_F(ExtractTest, TooManyEntriesAreRefused) {
  std::string path = archive("many.zip");
  std::vector<ArchiveEntry> entries;
  for (int i = 0; i < 11; ++i) entries.push_back(ArchiveEntry::file("f" + std::to_string(i), "x"));
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kZip, entries));
  ExtractLimits limits;
  limits.max_entries = 10;
  expect_refused(path, ErrorCode::kLimitReached, "archive has more than 10 entries (the limit)", ExtractMode::kReplace,
                 limits);
  limits.max_entries = 11;
  EXPECT_OK(extract_archive(path, target(), ExtractMode::kReplace, limits));
}

TEST_F(ExtractTest, BombSplitOverManyFilesIsRefused) {
  std::string path = archive("split.tar.gz");
  std::vector<ArchiveEntry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(ArchiveEntry::zeros("part" + std::to_string(i), 1 << 20));
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kTarGz, entries));
  ExtractLimits limits;
  limits.max_bytes = (4 << 20) + 1;
  expect_refused(path, ErrorCode::kLimitReached, "entry 'part4'", ExtractMode::kReplace, limits);
}

TEST_F(ExtractTest, NotAnArchiveIsRefused) {
  std::string path = archive("notes.txt");
  ASSERT_OK(write_file_atomic(path, "just some text, not an archive\n"));
  expect_refused(path, ErrorCode::kInvalidArgument, "not a zip, tar or 7z archive");
}

TEST_F(ExtractTest, TruncatedArchiveIsRefused) {
  std::string path = archive("cut.tar.gz");
  std::vector<ArchiveEntry> entries = kGoodEntries;
  entries.push_back(ArchiveEntry::random("left4dead2/addons/big.vpk", 256 * 1024));
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kTarGz, entries));
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  ASSERT_EQ(::truncate(path.c_str(), st.st_size / 2), 0);
  expect_refused(path, ErrorCode::kInvalidArgument, "");
}

// Peak RSS of a child that extracts the archive, above what it had when it started, in KiB.
long extraction_peak_kib(const std::string& archive_path, const std::string& target) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    long before = 0;
    if (auto status = read_file("/proc/self/status"); status.ok()) {
      size_t at = status->find("VmRSS:");
      if (at != std::string::npos) before = std::atol(status->c_str() + at + 6);
    }
    auto report = extract_archive(archive_path, target, ExtractMode::kReplace, {});
    struct rusage usage;
    ::getrusage(RUSAGE_SELF, &usage);
    long grown = report.ok() ? usage.ru_maxrss - before : -2;
    if (::write(fds[1], &grown, sizeof grown) != sizeof grown) ::_exit(1);
    ::_exit(0);
  }
  ::close(fds[1]);
  long grown = -1;
  if (::read(fds[0], &grown, sizeof grown) != sizeof grown) grown = -1;
  ::close(fds[0]);
  ::waitpid(child, nullptr, 0);
  return grown;
}

TEST_F(ExtractTest, ALargeArchiveIsStreamedNotHeldInMemory) {
  // 96 MiB that do not compress, in a plain tar (as large on disk): holding the archive or the entry
  // whole would show in the extracting process's peak RSS.
  std::string path = archive("large.tar");
  ASSERT_OK(
      write_test_archive(path, ArchiveFormat::kTar, {ArchiveEntry::random("left4dead2/addons/big.vpk", 96 << 20)}));
  long grown = extraction_peak_kib(path, target());
  ASSERT_GE(grown, 0) << "the extraction failed or reported nothing";
  EXPECT_LT(grown, 32 * 1024) << "peak RSS grew by " << grown << " KiB";
  struct stat st;
  ASSERT_EQ(::stat((target() + "/left4dead2/addons/big.vpk").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 96 << 20);
}

TEST_F(ExtractTest, ReplaceDropsTheOldFilesAndMergeKeepsThem) {
  seed_target();
  std::string path = archive("cfg.zip");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kZip, {ArchiveEntry::file("left4dead2/cfg/server.cfg", "new\n")}));
  ASSERT_OK(extract_archive(path, target(), ExtractMode::kMerge, {}));
  EXPECT_EQ(snapshot_tree(target()),
            "d 755 empty\n"
            "d 755 left4dead2\n"
            "d 755 left4dead2/cfg\n"
            "f 644 left4dead2/cfg/server.cfg 4 new\n\n"
            "f 600 top.txt 4 top\n\n");
  ASSERT_OK(extract_archive(path, target(), ExtractMode::kReplace, {}));
  EXPECT_EQ(snapshot_tree(target()),
            "d 755 left4dead2\n"
            "d 755 left4dead2/cfg\n"
            "f 644 left4dead2/cfg/server.cfg 4 new\n\n");
}

TEST_F(ExtractTest, MergeNeverWritesIntoTheOldTreesFiles) {
  seed_target();
  struct stat old_inode;
  ASSERT_EQ(::stat((target() + "/left4dead2/cfg/server.cfg").c_str(), &old_inode), 0);
  std::string kept_path;
  std::string path = archive("cfg.tar");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kTar, {ArchiveEntry::file("left4dead2/cfg/server.cfg", "new\n")}));
  auto report = extract_archive(path, target(), ExtractMode::kMerge, {}, OldTree::kKeep);
  ASSERT_OK(report);
  ASSERT_FALSE(report->kept_old_tree.empty());
  auto old_text = read_file(report->kept_old_tree + "/left4dead2/cfg/server.cfg");
  ASSERT_OK(old_text);
  EXPECT_EQ(*old_text, "hostname old\n");
  EXPECT_EQ(*read_file(target() + "/left4dead2/cfg/server.cfg"), "new\n");
  EXPECT_OK(remove_tree(report->kept_old_tree));
}

TEST_F(ExtractTest, MergeRefusesATargetHoldingASymlink) {
  seed_target();
  ASSERT_EQ(::symlink("/etc", (target() + "/left4dead2/link").c_str()), 0);
  std::string path = archive("cfg.zip");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kZip, {ArchiveEntry::file("left4dead2/x", "x")}));
  std::string before = snapshot_tree(target());
  auto report = extract_archive(path, target(), ExtractMode::kMerge, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message().find("left4dead2/link: is a symlink"), std::string::npos)
      << report.error().message();
  EXPECT_EQ(snapshot_tree(target()), before);
}

TEST_F(ExtractTest, FileAndDirectoryOfOnePathAreRefused) {
  std::string path = archive("clash.tar");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kTar,
                               {ArchiveEntry::file("left4dead2", "a file"), ArchiveEntry::file("left4dead2/x", "x")}));
  expect_refused(path, ErrorCode::kInvalidArgument, "entry 'left4dead2/x': 'left4dead2' is a file, not a directory");
}

TEST_F(ExtractTest, MissingTargetIsCreated) {
  std::string path = archive("good.7z");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::k7z, kGoodEntries));
  ASSERT_OK(extract_archive(path, target(), ExtractMode::kMerge, {}));
  EXPECT_TRUE(path_exists(target() + "/left4dead2/addons/map.vpk"));
}

TEST_F(ExtractTest, SymlinkedTargetIsRefused) {
  ASSERT_OK(make_directories(dir() + "/elsewhere"));
  ASSERT_EQ(::symlink((dir() + "/elsewhere").c_str(), target().c_str()), 0);
  std::string path = archive("good.zip");
  ASSERT_OK(write_test_archive(path, ArchiveFormat::kZip, kGoodEntries));
  auto report = extract_archive(path, target(), ExtractMode::kReplace, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message().find("must be a real directory, found a symlink"), std::string::npos);
  EXPECT_EQ(snapshot_tree(dir() + "/elsewhere"), "");
}

TEST_F(ExtractTest, SingleFileLandsAtItsPath) {
  seed_target();
  std::string path = archive("upload.vpk");
  ASSERT_OK(write_file_atomic(path, "VPK bytes"));
  auto report = install_file(path, "left4dead2/addons/upload.vpk", target(), ExtractMode::kMerge, {});
  ASSERT_OK(report);
  EXPECT_EQ(report->bytes, 9u);
  EXPECT_EQ(*read_file(target() + "/left4dead2/addons/upload.vpk"), "VPK bytes");
  EXPECT_EQ(*read_file(target() + "/top.txt"), "top\n");
}

TEST_F(ExtractTest, SingleFileWithABadNameOrTooLargeIsRefused) {
  seed_target();
  std::string before = snapshot_tree(target());
  std::string path = archive("upload.vpk");
  ASSERT_OK(write_file_atomic(path, "0123456789"));
  auto traversal = install_file(path, "../upload.vpk", target(), ExtractMode::kMerge, {});
  ASSERT_FALSE(traversal.ok());
  EXPECT_EQ(traversal.error().message(), "file name '../upload.vpk': leaves the tree ('..')");
  ExtractLimits limits;
  limits.max_single_file = 9;
  auto large = install_file(path, "big.vpk", target(), ExtractMode::kMerge, limits);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().code(), ErrorCode::kLimitReached);
  EXPECT_EQ(large.error().message(), "file 'big.vpk': larger than 9 bytes (the limit)");
  EXPECT_EQ(snapshot_tree(target()), before);
}

TEST_F(ExtractTest, LeftoversOfAnInterruptedStagingAreRemovedAndKeptTreesAreNot) {
  seed_target();
  std::string staging = dir() + "/.overlay.staging-0123456789abcdef";
  std::string kept = dir() + "/.overlay.old-0123456789abcdef";
  ASSERT_OK(make_directories(staging + "/left4dead2"));
  ASSERT_OK(make_directories(kept + "/left4dead2"));
  ASSERT_OK(make_directories(dir() + "/.overlay.staging-not-hex-digits"));
  auto removed = remove_staging_leftovers(dir());
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(path_exists(staging));
  EXPECT_TRUE(path_exists(kept));
  EXPECT_TRUE(path_exists(dir() + "/.overlay.staging-not-hex-digits"));
  EXPECT_TRUE(path_exists(target() + "/top.txt"));
}

TEST(CheckEntryPath, AcceptsNormalPathsAndDropsDotComponents) {
  EXPECT_EQ(*check_entry_path("./left4dead2/addons/", 100), "left4dead2/addons");
  EXPECT_EQ(*check_entry_path("a/./b", 100), "a/b");
  EXPECT_EQ(*check_entry_path("./", 100), "");
}

TEST(CheckEntryPath, RefusesEachBadShape) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "has an empty name"},
      {"/etc/passwd", "is an absolute path"},
      {"a/../../b", "leaves the tree ('..')"},
      {"..", "leaves the tree ('..')"},
      {"a//b", "path has an empty component ('//')"},
      {"a\\..\\b", "path holds a backslash"},
      {"a\nb", "path holds a control character"},
      {"a\xc0\x80", "path is not valid UTF-8"},
      {std::string(256, 'x'), "path has a component over 255 bytes"},
      {std::string(101, 'x'), "path is longer than 100 bytes"},
  };
  for (const auto& [name, message] : cases) {
    auto checked = check_entry_path(name, name.size() == 101 ? 100 : 1000);
    ASSERT_FALSE(checked.ok()) << name;
    EXPECT_EQ(checked.error().message(), message) << name;
    EXPECT_EQ(checked.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace left4me::content
