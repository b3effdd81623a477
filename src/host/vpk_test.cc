// The VPK reader against files the tests build (testing/vpk_builder.h) and then damage: valid versions 1
// and 2, truncated files, lying lengths, huge counts, paths that climb out or are not UTF-8. Nothing past the
// file is ever read and nothing is allocated beyond what the file holds.
#include "host/vpk.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <string>
#include <vector>

#include "base/file.h"
#include "base/utf8.h"
#include "testing/test_support.h"
#include "testing/vpk_builder.h"

namespace left4me::host {
namespace {

using test::VpkBuilder;

Result<VpkDirectory> read_all(const std::string& bytes) {
  return read_vpk_directory(bytes.size(), memory_reader(bytes), nullptr);
}

std::vector<std::string> paths(const VpkDirectory& directory) {
  std::vector<std::string> out;
  for (const VpkEntry& entry : directory.entries) out.push_back(entry.path());
  return out;
}

void set32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::string sample(std::uint32_t version) {
  return VpkBuilder(version)
      .add("maps/c1m1_hotel.bsp", "VBSP-hotel")
      .add("maps/mymap_01.bsp", "VBSP-mine")
      .add({"txt", "missions", "mycampaign", "-and-the-rest", "\"mission\""})
      .add("addoninfo.txt", "info")
      .build();
}

TEST(VpkTest, ReadsAVersion1TreeAndItsData) {
  std::string bytes = sample(1);
  Result<VpkDirectory> directory = read_all(bytes);
  ASSERT_OK(directory);
  EXPECT_EQ(directory->version, 1u);
  EXPECT_EQ(paths(*directory), (std::vector<std::string>{"maps/c1m1_hotel.bsp", "maps/mymap_01.bsp",
                                                         "missions/mycampaign.txt", "addoninfo.txt"}));
  EXPECT_EQ(directory->entries[3].directory, "");
  Result<std::string> mission = read_vpk_entry(*directory, directory->entries[2], memory_reader(bytes), 1024);
  ASSERT_OK(mission);
  EXPECT_EQ(*mission, "\"mission\"-and-the-rest");  // preload bytes, then the data after the tree
  EXPECT_EQ(*read_vpk_entry(*directory, directory->entries[1], memory_reader(bytes), 1024), "VBSP-mine");
}

TEST(VpkTest, ReadsAVersion2TreeAndItsData) {
  std::string bytes = sample(2);
  Result<VpkDirectory> directory = read_all(bytes);
  ASSERT_OK(directory);
  EXPECT_EQ(directory->version, 2u);
  EXPECT_EQ(directory->entries.size(), 4u);
  EXPECT_EQ(*read_vpk_entry(*directory, directory->entries[0], memory_reader(bytes), 1024), "VBSP-hotel");
}

TEST(VpkTest, TheFilterKeepsOnlyWhatItAsksFor) {
  std::string bytes = sample(1);
  Result<VpkDirectory> directory = read_vpk_directory(
      bytes.size(), memory_reader(bytes),
      [](std::string_view extension, std::string_view, std::string_view) { return extension == "bsp"; });
  ASSERT_OK(directory);
  EXPECT_EQ(paths(*directory), (std::vector<std::string>{"maps/c1m1_hotel.bsp", "maps/mymap_01.bsp"}));
}

TEST(VpkTest, WhatIsNotAVpkIsRefused) {
  EXPECT_EQ(read_all("").error().message(), "is not a VPK: shorter than its header");
  EXPECT_EQ(read_all(std::string(64, 'x')).error().message(), "is not a VPK: no VPK signature");
  std::string bytes = sample(1);
  set32(bytes, 4, 3);
  EXPECT_EQ(read_all(bytes).error().message(), "is a VPK of version 3 (1 and 2 are known)");
}

// Every prefix of a valid file is refused: a cut in the header or the tree by the sizes the header claims, a
// cut in the data by the entries that reach past the end.
TEST(VpkTest, ATruncatedFileIsRefusedAtEveryLength) {
  for (std::uint32_t version : {1u, 2u}) {
    std::string bytes = sample(version);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      EXPECT_FALSE(read_all(bytes.substr(0, size)).ok()) << "version " << version << " cut at " << size;
    }
  }
}

TEST(VpkTest, LyingLengthsAreRefused) {
  std::string bytes = sample(1);
  std::string tree_too_long = bytes;
  set32(tree_too_long, 8, static_cast<std::uint32_t>(bytes.size()));
  EXPECT_EQ(read_all(tree_too_long).error().message(), "claims a directory tree of " + std::to_string(bytes.size()) +
                                                           " bytes in a file of " + std::to_string(bytes.size()));
  std::string sections = sample(2);
  set32(sections, 24, 1000000);  // a signature section the file does not hold
  EXPECT_NE(read_all(sections).error().message().find("and sections of"), std::string::npos);

  // An entry whose data lies past the end, one whose preload bytes lie past the tree.
  std::string data_past_end = VpkBuilder().add("maps/a.bsp", "VBSP").build();
  std::size_t fields = data_past_end.find("a", 12 + 4 + 5) + 2;  // after "bsp\0maps\0a\0"
  set32(data_past_end, fields + 12, 5000);
  EXPECT_NE(read_all(data_past_end).error().message().find("entry 'maps/a.bsp' reaches past the end of the file"),
            std::string::npos)
      << read_all(data_past_end).error().message();
  std::string preload_past_tree = VpkBuilder().add("maps/a.bsp", "VBSP").build();
  preload_past_tree[fields + 4] = static_cast<char>(0xFF);
  preload_past_tree[fields + 5] = static_cast<char>(0xFF);
  EXPECT_NE(read_all(preload_past_tree).error().message().find("has more preload bytes than the tree holds"),
            std::string::npos);
  std::string no_terminator = VpkBuilder().add("maps/a.bsp", "VBSP").build();
  no_terminator[fields + 16] = 0;
  EXPECT_NE(read_all(no_terminator).error().message().find("lacks its 0xFFFF terminator"), std::string::npos);
}

TEST(VpkTest, HugeCountsAreRefusedBeforeAnythingIsAllocated) {
  std::string bytes = sample(1);
  set32(bytes, 8, 0xFFFFFFFF);
  EXPECT_EQ(read_all(bytes).error().message(),
            "has a directory tree of 4294967295 bytes (at most " + std::to_string(kMaxVpkTreeBytes) + ")");
  // A reader that would be asked for the tree fails the test if it is.
  std::size_t asked = 0;
  ReadAt counting = [&](std::uint64_t offset, std::size_t length) -> Result<std::string> {
    asked = std::max(asked, length);
    return memory_reader(bytes)(offset, length);
  };
  EXPECT_FALSE(read_vpk_directory(1ull << 40, counting, nullptr).ok());
  EXPECT_LE(asked, 28u);

  // An entry as large as the file allows is listed, and refused when read past the caller's limit.
  std::string big = VpkBuilder().add("missions/big.txt", std::string(5000, 'x')).build();
  Result<VpkDirectory> directory = read_all(big);
  ASSERT_OK(directory);
  EXPECT_EQ(read_vpk_entry(*directory, directory->entries[0], memory_reader(big), 4096).error().message(),
            "missions/big.txt: 5000 bytes (at most 4096 are read)");
}

TEST(VpkTest, TooManyEntriesAreRefused) {
  VpkBuilder builder;
  for (std::size_t i = 0; i <= kMaxVpkEntries; ++i) builder.add({"bsp", "maps", std::to_string(i), "", ""});
  EXPECT_EQ(read_all(builder.build()).error().message(), "the directory tree has more than 65536 entries");
}

TEST(VpkTest, AStringThatNeverEndsIsRefused) {
  std::string bytes = sample(1);
  std::size_t tree_end = bytes.size() - std::string("VBSP-hotelVBSP-mine-and-the-restinfo").size();
  for (std::size_t i = 12; i < tree_end; ++i) {
    if (bytes[i] == '\0') bytes[i] = 'x';
  }
  EXPECT_NE(read_all(bytes).error().message().find("the directory tree has a name that does not end inside the tree"),
            std::string::npos)
      << read_all(bytes).error().message();
  std::string long_name = VpkBuilder().add({"bsp", "maps", std::string(2000, 'a'), "", ""}).build();
  EXPECT_NE(read_all(long_name).error().message().find("a name longer than 1024 bytes"), std::string::npos);
}

// Found by vpk_directory_fuzzer: an error quotes the entry's path cut to 200 bytes, and cutting after making it
// valid could split a U+FFFD, so the message was not UTF-8 (and `l4d2ctl maps --json` lists it).
TEST(VpkTest, AnErrorQuotingALongNameThatIsNotUtf8StaysValidUtf8) {
  std::string bytes = VpkBuilder().add({"bsp", "maps", "a" + std::string(300, '\x90'), "VBSP", ""}).build();
  std::size_t fields = bytes.find('\0', bytes.find("a\x90")) + 1;
  bytes[fields + 16] = 0;  // no 0xFFFF terminator
  Result<VpkDirectory> directory = read_all(bytes);
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message().find("lacks its 0xFFFF terminator"), std::string::npos);
  EXPECT_TRUE(is_valid_utf8(directory.error().message())) << directory.error().message();
}

// Names that would climb out of a directory, are absolute, hold a backslash or a control character, or are
// not UTF-8 are skipped and counted, never returned.
TEST(VpkTest, PathsThatAreNotPlainAreSkipped) {
  std::string bytes = VpkBuilder()
                          .add({"bsp", "../../etc", "passwd", "", ""})
                          .add({"bsp", "maps/../..", "x", "", ""})
                          .add({"bsp", "/maps", "rooted", "", ""})
                          .add({"bsp", "maps", "..", "", ""})
                          .add({"bsp", "maps", "a\\b", "", ""})
                          .add({"bsp", "maps", "line\nbreak", "", ""})
                          .add({"bsp", "maps", "caf\xE9", "", ""})
                          .add({"bsp", "maps", "\xE2\x82", "", ""})
                          .add({"bsp", "maps", "caf\xC3\xA9", "", ""})
                          .add({"bsp", "maps", "fine", "", ""})
                          .build();
  Result<VpkDirectory> directory = read_all(bytes);
  ASSERT_OK(directory);
  EXPECT_EQ(paths(*directory), (std::vector<std::string>{"maps/caf\xC3\xA9.bsp", "maps/fine.bsp"}));
  EXPECT_EQ(directory->skipped, 8u);
}

TEST(VpkTest, DataInAnotherArchiveIsNotFollowed) {
  std::string bytes = VpkBuilder().add("maps/a.bsp", "VBSP").build();
  std::size_t fields = bytes.find("a", 12 + 4 + 5) + 2;
  bytes[fields + 6] = 0;  // archive 0: pak01_000.vpk
  bytes[fields + 7] = 0;
  set32(bytes, fields + 8, 0x7FFFFFFF);  // an offset only another file could hold
  Result<VpkDirectory> directory = read_all(bytes);
  ASSERT_OK(directory);
  EXPECT_EQ(read_vpk_entry(*directory, directory->entries[0], memory_reader(bytes), 1024).error().message(),
            "maps/a.bsp: stored in another archive (0)");
}

class VpkFileTest : public test::TempDirTest {
 protected:
  VpkFileTest() : TempDirTest(test::TempStorage::kMemory) {}
};

TEST_F(VpkFileTest, ReadsAFileAndRefusesSymlinksAndFifos) {
  std::string bytes = sample(1);
  ASSERT_OK(write_file_atomic(dir() + "/addon.vpk", bytes));
  Result<VpkFile> file = VpkFile::open(AT_FDCWD, dir() + "/addon.vpk", "addon.vpk");
  ASSERT_OK(file);
  EXPECT_EQ(file->size(), bytes.size());
  Result<VpkDirectory> directory = read_vpk_directory(file->size(), file->reader(), nullptr);
  ASSERT_OK(directory);
  EXPECT_EQ(*read_vpk_entry(*directory, directory->entries[1], file->reader(), 1024), "VBSP-mine");
  EXPECT_EQ(file->reader()(bytes.size() - 1, 2).error().message(), "addon.vpk: read past the end of the file");

  ASSERT_EQ(::symlink((dir() + "/addon.vpk").c_str(), (dir() + "/link.vpk").c_str()), 0);
  EXPECT_FALSE(VpkFile::open(AT_FDCWD, dir() + "/link.vpk", "link.vpk").ok());
  ASSERT_EQ(::mkfifo((dir() + "/fifo.vpk").c_str(), 0644), 0);
  Result<VpkFile> fifo = VpkFile::open(AT_FDCWD, dir() + "/fifo.vpk", "fifo.vpk");
  ASSERT_FALSE(fifo.ok());
  EXPECT_EQ(fifo.error().message(), "fifo.vpk: is not a regular file");
}

}  // namespace
}  // namespace left4me::host
