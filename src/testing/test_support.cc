#include "testing/test_support.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/file.h"

namespace left4me::test {

TempDir::TempDir(TempStorage storage) {
  std::string pattern = storage == TempStorage::kMemory ? "/dev/shm/left4me-test.XXXXXX" : "/tmp/left4me-test.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror(("mkdtemp " + pattern).c_str());
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  Status removed = remove_tree(path_);
  if (!removed.ok()) ADD_FAILURE() << "temporary directory left behind: " << removed.error().message();
}

}  // namespace left4me::test
