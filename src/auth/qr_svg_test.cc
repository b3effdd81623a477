#include "auth/qr_svg.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "testing/test_support.h"

namespace left4me::auth {
namespace {

// Runs a shell command and returns its standard output.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

class QrSvgTest : public test::TempDirTest {};

// The image a phone would scan: drawn by librsvg and read back by a real scanner (zbar).
TEST_F(QrSvgTest, ARealScannerReadsTheUriBack) {
  std::string uri =
      "otpauth://totp/left4me:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=left4me&algorithm=SHA1"
      "&digits=6&period=30";
  auto svg = qr_svg(uri, "QR code for alice");
  ASSERT_OK(svg);
  std::ofstream(dir() + "/code.svg") << *svg;
  std::string out = run("rsvg-convert -w 400 -h 400 -b white -o '" + dir() + "/code.png' '" + dir() +
                        "/code.svg' && zbarimg --quiet --raw '" + dir() + "/code.png'");
  EXPECT_EQ(out, uri + "\n");
}

TEST_F(QrSvgTest, TheLabelIsEscapedAndTooMuchTextIsRefused) {
  auto svg = qr_svg("x", "a \"b\" <c> & d");
  ASSERT_OK(svg);
  EXPECT_NE(svg->find("aria-label=\"a &quot;b&quot; &lt;c&gt; &amp; d\""), std::string::npos);
  EXPECT_NE(svg->find("role=\"img\""), std::string::npos);
  auto huge = qr_svg(std::string(8000, 'x'), "too much");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace left4me::auth
