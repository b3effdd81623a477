// Helpers for web unit tests: a private temporary directory removed at scope end. Not thread-safe.
#pragma once

#include <cstdlib>
#include <string>

#include "base/file.h"

namespace left4me::web::testing {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/l4d2web-test.XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { (void)remove_tree(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace left4me::web::testing
