#include "host/rendered_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"

namespace left4me::host {
namespace {

class RenderedFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/left4me-rendered-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    layout_.emplace(*model::Layout::create(dir_ + "/root"));
    ASSERT_TRUE(make_directories(layout_->rendered_dir(name_) + "/left4dead2/cfg").ok());
    ASSERT_TRUE(
        write_file_atomic(layout_->rendered_dir(name_) + "/left4dead2/cfg/server.cfg", "hostname \"x\"\n").ok());
    ASSERT_TRUE(make_directories(layout_->upper(name_)).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  model::InstanceName name_ = *model::InstanceName::create("alpha");
  std::optional<model::Layout> layout_;
};

TEST_F(RenderedFilesTest, CopiesIntoTheWritableLayerAndReplaces) {
  ASSERT_TRUE(place_rendered_files(*layout_, name_).ok());
  auto placed = read_file(layout_->upper(name_) + "/left4dead2/cfg/server.cfg");
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(*placed, "hostname \"x\"\n");
  ASSERT_TRUE(write_file_atomic(layout_->rendered_dir(name_) + "/left4dead2/cfg/server.cfg", "hostname \"y\"\n").ok());
  ASSERT_TRUE(place_rendered_files(*layout_, name_).ok());
  EXPECT_EQ(*read_file(layout_->upper(name_) + "/left4dead2/cfg/server.cfg"), "hostname \"y\"\n");
}

// A server that planted a symlink in its writable layer must not redirect the (possibly root) write.
TEST_F(RenderedFilesTest, RefusesASymlinkPlantedInTheWritableLayer) {
  std::string outside = dir_ + "/outside";
  ASSERT_TRUE(make_directories(outside).ok());
  std::filesystem::create_directory_symlink(outside, layout_->upper(name_) + "/left4dead2");
  auto placed = place_rendered_files(*layout_, name_);
  ASSERT_FALSE(placed.ok());
  EXPECT_NE(placed.error().message().find("left4dead2"), std::string::npos) << placed.error().message();
  EXPECT_TRUE(std::filesystem::is_empty(outside));
}

}  // namespace
}  // namespace left4me::host
