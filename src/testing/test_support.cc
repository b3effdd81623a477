#include "testing/test_support.h"

#include <cstdio>
#include <cstdlib>

#include "base/file.h"

namespace left4me::test {

TempDir::TempDir() {
  char pattern[] = "/tmp/left4me-test.XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    std::perror("mkdtemp /tmp/left4me-test.XXXXXX");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  Status removed = remove_tree(path_);
  if (!removed.ok()) ADD_FAILURE() << "temporary directory left behind: " << removed.error().message();
}

}  // namespace left4me::test
