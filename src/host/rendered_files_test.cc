#include "host/rendered_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class RenderedFilesTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    layout_.emplace(*model::Layout::create(dir() + "/root"));
    ASSERT_OK(make_directories(layout_->rendered_dir(name_) + "/left4dead2/cfg"));
    ASSERT_OK(write_file_atomic(layout_->rendered_dir(name_) + "/left4dead2/cfg/server.cfg", "hostname \"x\"\n"));
    ASSERT_OK(make_directories(layout_->upper(name_)));
  }
  model::InstanceName name_ = *model::InstanceName::create("alpha");
  std::optional<model::Layout> layout_;
};

TEST_F(RenderedFilesTest, CopiesIntoTheWritableLayerAndReplaces) {
  ASSERT_OK(place_rendered_files(*layout_, name_));
  auto placed = read_file(layout_->upper(name_) + "/left4dead2/cfg/server.cfg");
  ASSERT_OK(placed);
  EXPECT_EQ(*placed, "hostname \"x\"\n");
  ASSERT_OK(write_file_atomic(layout_->rendered_dir(name_) + "/left4dead2/cfg/server.cfg", "hostname \"y\"\n"));
  ASSERT_OK(place_rendered_files(*layout_, name_));
  EXPECT_EQ(*read_file(layout_->upper(name_) + "/left4dead2/cfg/server.cfg"), "hostname \"y\"\n");
}

// A server that planted a symlink in its writable layer must not redirect the (possibly root) write.
TEST_F(RenderedFilesTest, RefusesASymlinkPlantedInTheWritableLayer) {
  std::string outside = dir() + "/outside";
  ASSERT_OK(make_directories(outside));
  std::filesystem::create_directory_symlink(outside, layout_->upper(name_) + "/left4dead2");
  auto placed = place_rendered_files(*layout_, name_);
  ASSERT_FALSE(placed.ok());
  EXPECT_NE(placed.error().message().find("left4dead2"), std::string::npos) << placed.error().message();
  EXPECT_TRUE(std::filesystem::is_empty(outside));
}

}  // namespace
}  // namespace left4me::host
