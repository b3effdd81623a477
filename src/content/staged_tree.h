// StagedTree: the next version of a directory, built beside it and swapped in with one rename, so a reader
// sees the old tree or the new one and never a mix; until then the old tree is left untouched. One owner;
// not synchronized.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace left4me::content {

// What the staging directory starts as.
enum class StartFrom {
  kEmpty,    // nothing: the committed tree is only what was written into it
  kCurrent,  // the target's directories and hard links to its files (the target must hold nothing else)
};

// What becomes of the replaced tree after a commit.
enum class OldTree {
  kRemove,  // removed (nothing may still use it: an overlay mount would see its files vanish)
  kKeep,    // kept beside the target; commit returns its path and the caller removes it later
};

class StagedTree {
 public:
  // Makes a fresh staging directory beside target (same parent, hence same filesystem), mode 0755. The
  // target's parent must exist; the target itself may be missing (a first commit creates it). Fails with
  // kInvalidArgument when the target is a symlink or not a directory, or (kCurrent) holds a symlink,
  // device file or fifo.
  static Result<StagedTree> create(const std::string& target, StartFrom start);

  StagedTree(StagedTree&& other) noexcept;
  StagedTree& operator=(StagedTree&&) = delete;
  StagedTree(const StagedTree&) = delete;
  StagedTree& operator=(const StagedTree&) = delete;
  // A staging directory never committed is removed with everything in it.
  ~StagedTree();

  // The staging directory, open (O_DIRECTORY): write the new tree relative to it.
  int dir_fd() const { return dir_.get(); }
  const std::string& path() const { return staging_; }

  // Makes the staging directory the target with renameat2(RENAME_EXCHANGE) (a plain rename when the target
  // does not exist). Returns the old tree's path when kept, "" otherwise. On failure the target is as it was.
  Result<std::string> commit(OldTree old);

 private:
  StagedTree(std::string target, std::string staging, UniqueFd dir)
      : target_(std::move(target)), staging_(std::move(staging)), dir_(std::move(dir)) {}

  std::string target_;
  std::string staging_;  // "" once committed or moved from
  UniqueFd dir_;
};

// Removes what interrupted StagedTrees left in parent_dir (a crash between create and commit): the
// directories named ".<name>.staging-<16 hex digits>". Replaced trees kept with OldTree::kKeep
// (".<name>.old-...") are left alone: a running server may still use one. Call it only while no StagedTree
// of that parent is alive (when the web app starts). Returns how many it removed.
Result<int> remove_staging_leftovers(const std::string& parent_dir);

// True for a name a StagedTree gives its sibling directory of this kind ("staging", "old").
bool is_staged_name(std::string_view name, std::string_view kind);

}  // namespace left4me::content
