// web_precompress <file> <out.gz> <out.br>: the static file compressed at build time (src/web/assets.cmake) with
// gzip and brotli at their highest settings. A form that would not save at least kMinSaving of the file is written
// empty, and the app sends the file as it is to clients asking for it.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "web/compression.h"

namespace {

// Below this saving a compressed form costs the client a decompression for nothing worth having.
constexpr double kMinSaving = 0.1;

bool write_file(const char* path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  using left4me::web::Effort;
  if (argc != 4) {
    fmt::print(stderr, "usage: web_precompress <file> <out.gz> <out.br>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    fmt::print(stderr, "web_precompress: cannot read {}\n", argv[1]);
    return 1;
  }
  std::string plain((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto worth = [&plain](std::string compressed) {
    bool pays = static_cast<double>(compressed.size()) <= static_cast<double>(plain.size()) * (1 - kMinSaving) &&
                plain.size() >= left4me::web::kMinCompressedBodyBytes;
    return pays ? compressed : std::string();
  };
  if (!write_file(argv[2], worth(left4me::web::gzip_compress(plain, Effort::kBuild))) ||
      !write_file(argv[3], worth(left4me::web::brotli_compress(plain, Effort::kBuild)))) {
    fmt::print(stderr, "web_precompress: cannot write {} or {}\n", argv[2], argv[3]);
    return 1;
  }
  return 0;
}
