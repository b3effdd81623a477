#include "web/http.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "base/strings.h"

namespace left4me::web {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::uint64_t> raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return Error::failed(fmt::format("cannot read the open-file limit: {}", std::strerror(errno)));
  }
  if (limit.rlim_cur != limit.rlim_max) {
    rlim_t soft = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return Error::failed(fmt::format("cannot raise the open-file limit from {} to {}: {}", soft, limit.rlim_max,
                                       std::strerror(errno)));
    }
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key != "cookie") continue;
    for (const std::string& part : split(value, ';')) {
      std::string_view pair = trim(part);
      size_t equals = pair.find('=');
      if (equals == std::string_view::npos) continue;
      if (trim(pair.substr(0, equals)) == name) return std::string(trim(pair.substr(equals + 1)));
    }
  }
  return std::nullopt;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (auto& [key, value] : parse_form(query)) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string> url_decode(std::string_view text, bool form) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && form) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& part : split(text, '&')) {
    if (part.empty()) continue;
    size_t equals = part.find('=');
    std::optional<std::string> key = url_decode(std::string_view(part).substr(0, equals), true);
    std::optional<std::string> value =
        equals == std::string::npos ? std::string() : url_decode(std::string_view(part).substr(equals + 1), true);
    if (key && value) pairs.emplace_back(std::move(*key), std::move(*value));
  }
  return pairs;
}

}  // namespace left4me::web
