#include "web/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include <cassert>
#include <cctype>
#include <cstdlib>

#include "base/strings.h"

namespace left4me::web {
namespace {

// zlib's window bits for a gzip wrapper (15 bits of window, +16 for the gzip header and trailer).
constexpr int kGzipWindowBits = 15 + 16;
// Levels measured on the 100-row dashboard (docs/benchmarks.md, "Compressed responses").
constexpr int kGzipLevel[] = {6, 9, 9};  // by Effort
constexpr int kBrotliQuality[] = {4, 9, 11};
// Larger bodies than this are never decompressed (tests and benchmarks read pages, not archives).
constexpr std::size_t kMaxDecompressedBytes = 64u << 20;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The q-value of one entry's parameters ("q=0.5"): 1 when absent, nullopt when malformed (RFC 9110 12.4.2:
// at most three decimals, between 0 and 1).
std::optional<double> q_value(std::string_view parameters) {
  double q = 1;
  while (!parameters.empty()) {
    std::size_t semicolon = parameters.find(';');
    std::string_view parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? std::string_view() : parameters.substr(semicolon + 1);
    if (parameter.size() < 2 || std::tolower(static_cast<unsigned char>(parameter[0])) != 'q') continue;
    std::string_view value = trim(parameter.substr(1));
    if (value.empty() || value[0] != '=') return std::nullopt;
    value = trim(value.substr(1));
    if (value.empty() || value.size() > 5 || (value[0] != '0' && value[0] != '1')) return std::nullopt;
    if (value.size() > 1 && value[1] != '.') return std::nullopt;
    for (std::size_t i = 2; i < value.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(value[i])) == 0) return std::nullopt;
    }
    q = std::strtod(std::string(value).c_str(), nullptr);
    if (q > 1) return std::nullopt;
  }
  return q;
}

}  // namespace

std::string_view encoding_token(Encoding encoding) {
  switch (encoding) {
    case Encoding::kGzip:
      return "gzip";
    case Encoding::kBrotli:
      return "br";
    case Encoding::kIdentity:
      break;
  }
  return "identity";
}

AcceptedEncodings parse_accept_encoding(std::optional<std::string_view> header) {
  AcceptedEncodings accepted;
  if (!header) return accepted;
  std::optional<double> gzip, brotli, identity, any;
  std::string_view rest = *header;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view entry = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::size_t semicolon = entry.find(';');
    std::string_view coding = trim(entry.substr(0, semicolon));
    std::optional<double> q = q_value(semicolon == std::string_view::npos ? "" : entry.substr(semicolon + 1));
    if (coding.empty() || !q) continue;
    // "x-gzip" is gzip (RFC 9110 8.4.1.3).
    if (equals_ignoring_case(coding, "gzip") || equals_ignoring_case(coding, "x-gzip")) {
      gzip = q;
    } else if (equals_ignoring_case(coding, "br")) {
      brotli = q;
    } else if (equals_ignoring_case(coding, "identity")) {
      identity = q;
    } else if (coding == "*") {
      any = q;
    }
  }
  accepted.gzip = gzip.value_or(any.value_or(0));
  accepted.brotli = brotli.value_or(any.value_or(0));
  accepted.identity = identity.value_or(any.value_or(0));
  return accepted;
}

Encoding choose_encoding(const AcceptedEncodings& accepted, bool gzip_available, bool brotli_available) {
  double brotli = brotli_available ? accepted.brotli : 0;
  double gzip = gzip_available ? accepted.gzip : 0;
  if (brotli > 0 && brotli >= gzip && brotli >= accepted.identity) return Encoding::kBrotli;
  if (gzip > 0 && gzip >= accepted.identity) return Encoding::kGzip;
  // Identity even when the client refused it: the alternative, 406, would leave it with nothing.
  return Encoding::kIdentity;
}

std::string gzip_compress(std::string_view text, Effort effort) {
  z_stream stream{};
  int level = kGzipLevel[static_cast<int>(effort)];
  int status = deflateInit2(&stream, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
  assert(status == Z_OK);
  if (status != Z_OK) std::abort();
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  status = deflate(&stream, Z_FINISH);
  // deflateBound's room always takes the whole input in one call.
  if (status != Z_STREAM_END) std::abort();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string brotli_compress(std::string_view text, Effort effort) {
  int quality = kBrotliQuality[static_cast<int>(effort)];
  std::size_t size = BrotliEncoderMaxCompressedSize(text.size());
  if (size == 0) size = text.size() + 1024;
  std::string out(size, '\0');
  if (BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, text.size(),
                            reinterpret_cast<const uint8_t*>(text.data()), &size,
                            reinterpret_cast<uint8_t*>(out.data())) == BROTLI_FALSE) {
    std::abort();
  }
  out.resize(size);
  return out;
}

Result<std::string> gzip_decompress(std::string_view data) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) return Error::failed("gzip: cannot start zlib");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (out.size() > kMaxDecompressedBytes) status = Z_BUF_ERROR;
  }
  bool complete = status == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) return Error::invalid("gzip: not a complete gzip stream");
  return out;
}

Result<std::string> brotli_decompress(std::string_view data) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (state == nullptr) return Error::failed("br: cannot start the decoder");
  const auto* next_in = reinterpret_cast<const uint8_t*>(data.data());
  std::size_t available_in = data.size();
  std::string out;
  BrotliDecoderResult result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT && out.size() <= kMaxDecompressedBytes) {
    uint8_t buffer[16384];
    uint8_t* next_out = buffer;
    std::size_t available_out = sizeof buffer;
    result = BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out, &next_out, nullptr);
    out.append(reinterpret_cast<char*>(buffer), sizeof buffer - available_out);
  }
  BrotliDecoderDestroyInstance(state);
  if (result != BROTLI_DECODER_RESULT_SUCCESS || available_in != 0) {
    return Error::invalid("br: not a complete brotli stream");
  }
  return out;
}

bool is_compressible_type(std::string_view content_type) {
  std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  return type.starts_with("text/") || equals_ignoring_case(type, "application/json") ||
         equals_ignoring_case(type, "image/svg+xml");
}

EncodedBody::EncodedBody(std::string plain) : owned_(std::move(plain)), plain_(owned_) {}

EncodedBody::EncodedBody(std::string_view plain, std::string_view gzip, std::string_view brotli)
    : plain_(plain), precompressed_(true) {
  if (!gzip.empty()) gzip_view_ = gzip;
  if (!brotli.empty()) brotli_view_ = brotli;
}

bool EncodedBody::may_have(Encoding encoding) const {
  if (encoding == Encoding::kIdentity) return true;
  if (precompressed_) return (encoding == Encoding::kGzip ? gzip_view_ : brotli_view_).has_value();
  return plain_.size() >= kMinCompressedBodyBytes;
}

std::optional<std::string_view> EncodedBody::in(Encoding encoding) const {
  if (encoding == Encoding::kIdentity) return plain_;
  if (precompressed_) return encoding == Encoding::kGzip ? gzip_view_ : brotli_view_;
  if (plain_.size() < kMinCompressedBodyBytes) return std::nullopt;
  return lazy(encoding == Encoding::kGzip ? gzip_ : brotli_, encoding);
}

std::optional<std::string_view> EncodedBody::lazy(Lazy& slot, Encoding encoding) const {
  std::call_once(slot.once, [&] {
    slot.text =
        encoding == Encoding::kGzip ? gzip_compress(plain_, Effort::kOnce) : brotli_compress(plain_, Effort::kOnce);
    slot.kept = slot.text.size() < plain_.size();
    if (!slot.kept) slot.text = std::string();
  });
  if (!slot.kept) return std::nullopt;
  return std::string_view(slot.text);
}

}  // namespace left4me::web
