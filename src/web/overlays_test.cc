// The overlay records on a real SQLite file: who may see and change a private and a global overlay, unique names,
// a delete refused while a blueprint stacks the overlay (naming it), and adopting an overlay named before overlays
// were records.
#include "web/overlays.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"
#include "web/accounts.h"
#include "web/migrations.h"

namespace left4me::web {
namespace {

class OverlaysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(dir_.path() + "/web.db");
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(migrate(*database_));
    alice_ = add_user("alice");
    bob_ = add_user("bob");
  }
  std::int64_t add_user(const std::string& name) {
    Database::Lock lock(*database_);
    auto insert = lock.prepare("INSERT INTO users (name, password_hash, created_at) VALUES (?, 'x', 0)");
    EXPECT_TRUE(insert);
    EXPECT_TRUE(insert->bind(1, name).run());
    return lock.last_insert_id();
  }
  std::int64_t add_blueprint(std::int64_t owner, const std::string& name, const std::vector<std::int64_t>& overlays) {
    auto transaction = Database::Transaction::begin(*database_);
    EXPECT_TRUE(transaction);
    auto insert =
        (*transaction)
            ->prepare(
                "INSERT INTO blueprints (owner_id, name, config, created_at, updated_at) VALUES (?, ?, '', 0, 0)");
    EXPECT_TRUE(insert && insert->bind(1, owner).bind(2, name).run());
    std::int64_t id = (*transaction)->lock().last_insert_id();
    EXPECT_TRUE(Overlays::set_blueprint_overlays((*transaction)->lock(), id, overlays));
    EXPECT_TRUE((*transaction)->commit());
    return id;
  }
  Scope as(std::int64_t user) const { return Scope{user, false}; }

  test::TempDir dir_;
  std::unique_ptr<Database> database_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
};

TEST_F(OverlaysTest, AUserSeesTheirOwnAndTheGlobalOnesAndChangesOnlyTheirOwn) {
  Overlays overlays(*database_);
  Result<Overlay> mine = overlays.create(alice_, "maps", OverlayKind::kWorkshop);
  ASSERT_TRUE(mine) << mine.error().message();
  EXPECT_EQ(mine->directory, std::to_string(mine->id));
  Result<Overlay> global = overlays.create(std::nullopt, "sourcemod", OverlayKind::kManaged);
  ASSERT_TRUE(global);
  EXPECT_TRUE(global->global());

  Result<std::vector<Overlay>> alices = overlays.list(as(alice_));
  ASSERT_TRUE(alices);
  ASSERT_EQ(alices->size(), 2u);
  EXPECT_EQ((*alices)[0].name, "sourcemod");  // globals first
  Result<std::vector<Overlay>> bobs = overlays.list(as(bob_));
  ASSERT_EQ(bobs->size(), 1u);
  EXPECT_EQ(overlays.get(mine->id, as(bob_)).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(overlays.rename(mine->id, as(bob_), "mine now").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(overlays.remove(mine->id, as(bob_)).error().code(), ErrorCode::kNotFound);

  Result<Overlay> renamed_global = overlays.rename(global->id, as(alice_), "metamod");
  ASSERT_FALSE(renamed_global);
  EXPECT_EQ(renamed_global.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(overlays.get(global->id, as(alice_))->name, "sourcemod");
  EXPECT_TRUE(overlays.rename(global->id, Scope{bob_, true}, "metamod"));
  EXPECT_EQ(overlays.rename(mine->id, as(alice_), "campaigns")->name, "campaigns");
  EXPECT_EQ(overlays.get(mine->id, as(alice_))->kind, OverlayKind::kWorkshop);
}

TEST_F(OverlaysTest, NamesAreUniquePerOwnerAndAmongGlobalsAndChecked) {
  Overlays overlays(*database_);
  ASSERT_TRUE(overlays.create(alice_, "maps", OverlayKind::kFiles));
  Result<Overlay> again = overlays.create(alice_, "maps", OverlayKind::kFiles);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().message(), "you already have an overlay named 'maps'");
  EXPECT_TRUE(overlays.create(bob_, "maps", OverlayKind::kFiles));
  ASSERT_TRUE(overlays.create(std::nullopt, "maps", OverlayKind::kFiles));
  EXPECT_EQ(overlays.create(std::nullopt, "maps", OverlayKind::kFiles).error().message(),
            "a global overlay named 'maps' exists already");
  EXPECT_EQ(overlays.create(alice_, "", OverlayKind::kFiles).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(overlays.create(alice_, "a\nb", OverlayKind::kFiles).error().message(),
            "name must not contain control characters");
  EXPECT_EQ(overlays.create(alice_, std::string(101, 'x'), OverlayKind::kFiles).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(overlays.list(as(alice_))->size(), 2u);
}

TEST_F(OverlaysTest, ADeleteIsRefusedWhileABlueprintStacksTheOverlayNamingIt) {
  Overlays overlays(*database_);
  Result<Overlay> maps = overlays.create(alice_, "maps", OverlayKind::kFiles);
  Result<Overlay> configs = overlays.create(alice_, "configs", OverlayKind::kFiles);
  std::int64_t coop = add_blueprint(alice_, "coop", {maps->id, configs->id});
  add_blueprint(alice_, "versus", {maps->id});

  Result<Overlay> refused = overlays.remove(maps->id, as(alice_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.error().message(),
            "overlay 'maps' is used by 2 blueprint(s): 'coop', 'versus'; remove it from them first");
  EXPECT_TRUE(overlays.get(maps->id, as(alice_)));

  ASSERT_TRUE(overlays.users(configs->id));
  EXPECT_EQ(overlays.users(configs->id)->at(0).blueprint_id, coop);
  {
    Database::Lock lock(*database_);
    ASSERT_TRUE(Overlays::set_blueprint_overlays(lock, coop, {maps->id}));
  }
  EXPECT_TRUE(overlays.users(configs->id)->empty());
  EXPECT_EQ(overlays.remove(configs->id, as(alice_))->name, "configs");
  EXPECT_EQ(overlays.get(configs->id, as(alice_)).error().code(), ErrorCode::kNotFound);
}

TEST_F(OverlaysTest, AnOverlayNamedBeforeRecordsIsAdoptedOnceKeepingItsDirectory) {
  Overlays overlays(*database_);
  ASSERT_TRUE(overlays.create(alice_, "competitive", OverlayKind::kFiles));
  Result<Overlay> adopted = overlays.adopt(alice_, "competitive");
  ASSERT_TRUE(adopted) << adopted.error().message();
  EXPECT_EQ(adopted->directory, "competitive");
  EXPECT_EQ(adopted->name, "competitive (adopted)");
  Result<Overlay> nested = overlays.adopt(bob_, "maps/cedapug");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->name, "maps/cedapug");
  EXPECT_EQ(overlays.adopt(bob_, "maps/cedapug")->id, nested->id);
  EXPECT_EQ(overlays.adopt(alice_, "maps/cedapug")->owner_id, bob_);  // one record per directory
  EXPECT_EQ(overlays.by_directory(std::to_string(adopted->id - 1))->name, "competitive");
  EXPECT_EQ(overlays.by_directory("nothing").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace left4me::web
