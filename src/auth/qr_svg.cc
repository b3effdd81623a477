#include "auth/qr_svg.h"

#include <qrencode.h>

#include <memory>

#include "base/strings.h"

namespace left4me::auth {
namespace {

constexpr int kQuietZone = 4;

}  // namespace

Result<std::string> qr_svg(std::string_view text, std::string_view label) {
  std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M),
                                                       &QRcode_free);
  if (!code) return Error::invalid("the text does not fit a QR code (" + std::to_string(text.size()) + " bytes)");
  int width = code->width;
  int size = width + 2 * kQuietZone;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (code->data[y * width + x] & 1) {
        path += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h1v1h-1z";
      }
    }
  }
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" role=\"img\" aria-label=\"" + html_escape(label) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" "
         "d=\"" +
         path + "\"/></svg>";
}

}  // namespace left4me::auth
