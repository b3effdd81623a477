// Content codings for response bodies: reading a client's Accept-Encoding, choosing gzip (zlib) or brotli, and
// bodies kept in every coding they are sent in (EncodedBody). The functions are thread-safe; so is EncodedBody.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::web {

enum class Encoding { kIdentity, kGzip, kBrotli };

// The Content-Encoding token of an encoding ("gzip", "br"; "identity" for kIdentity).
std::string_view encoding_token(Encoding encoding);

// What a client's Accept-Encoding header allows (RFC 9110 12.5.3): the q-value of each coding we can send, from
// its own entry, else the "*" entry, else 0. A q-value of 0 means "not acceptable". Identity is acceptable unless
// refused, but it competes with the compressed forms only when listed: "gzip;q=0.5" asks for gzip.
struct AcceptedEncodings {
  double gzip = 0;
  double brotli = 0;
  double identity = 0;
};
// Reads the header; an absent header accepts identity only. Malformed entries are skipped, never an error (a
// client's mistake must not cost it the page).
AcceptedEncodings parse_accept_encoding(std::optional<std::string_view> header);

// The coding to send a body in: the acceptable one of highest q-value among those available, brotli before gzip
// before identity on a tie; identity when neither compressed form is acceptable (a body is always sent).
Encoding choose_encoding(const AcceptedEncodings& accepted, bool gzip_available, bool brotli_available);

// How hard to compress: per request (a body made for one response), once per cached body (made again when what it
// shows changes), or at build time (static files: the smallest, however long it takes).
enum class Effort { kPerRequest, kOnce, kBuild };
// The text compressed; the libraries fail only on allocation, which aborts as everywhere else.
std::string gzip_compress(std::string_view text, Effort effort);
std::string brotli_compress(std::string_view text, Effort effort);
// Decompression, for tests and the benchmark: the text, or an error naming the coding when the data is not valid.
Result<std::string> gzip_decompress(std::string_view data);
Result<std::string> brotli_decompress(std::string_view data);

// Bodies shorter than this go out as they are: they fit in one TCP segment either way.
constexpr std::size_t kMinCompressedBodyBytes = 1024;
// Whether a Content-Type names text worth compressing (HTML, JSON, CSS, JS, SVG, plain text).
bool is_compressible_type(std::string_view content_type);

// A response body with its compressed forms. Text made at run time (the render cache's) is compressed on first
// use in each coding, once, however many threads ask at the same time; static files come compressed from the
// build. A compressed form that would not be smaller is not kept. Thread-safe.
class EncodedBody {
 public:
  // Text made at run time.
  explicit EncodedBody(std::string plain);
  // Data compressed at build time (an empty view: that form did not pay); the views must outlive the body.
  EncodedBody(std::string_view plain, std::string_view gzip, std::string_view brotli);

  std::string_view plain() const { return plain_; }
  // The body in that coding; nullopt when it is not kept (not smaller, or too short to be worth it).
  std::optional<std::string_view> in(Encoding encoding) const;
  // Whether the body may exist in that coding, without making it.
  bool may_have(Encoding encoding) const;

 private:
  struct Lazy {
    std::once_flag once;
    std::string text;
    bool kept = false;
  };
  std::optional<std::string_view> lazy(Lazy& slot, Encoding encoding) const;

  std::string owned_;
  std::string_view plain_;
  bool precompressed_ = false;
  // Precompressed data: the build's forms (nullopt: that form did not pay).
  std::optional<std::string_view> gzip_view_;
  std::optional<std::string_view> brotli_view_;
  // Text made at run time: its forms, made on first use.
  mutable Lazy gzip_;
  mutable Lazy brotli_;
};

}  // namespace left4me::web
