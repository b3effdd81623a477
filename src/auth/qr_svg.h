// A QR code as an SVG image for a page (the two-factor set-up's otpauth:// URI), made by libqrencode
// (error correction M, byte mode) and drawn as one path of dark modules with the standard quiet zone of
// four modules. No external service sees the secret. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::auth {

// `label` becomes the image's accessible name (aria-label), escaped. Fails for text that does not fit
// a QR code (over ~2 KB).
Result<std::string> qr_svg(std::string_view text, std::string_view label);

}  // namespace left4me::auth
