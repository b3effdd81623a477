// HTTP over libcurl: a form POST whose reply is kept in memory up to a limit (the Steam Web API), a download
// streamed into a file descriptor up to a limit (Workshop files), and a JSON POST of which only the status code is
// kept (the web app's webhooks). Only http and https, redirects too. Free functions; thread-safe (each call has its
// own curl handle).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace left4me::content {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{120000};  // the whole request, reply included
  // A transfer slower than low_speed_bytes per second for low_speed_time is given up (kTimeout).
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{30};
  long max_redirects = 5;  // downloads only; the API is never redirected
};

using FormFields = std::vector<std::pair<std::string, std::string>>;

// POSTs fields (application/x-www-form-urlencoded, values escaped) to url and returns the reply body of a
// 200. Errors name the url: kTimeout, kUnavailable (no connection), kFailed (another HTTP status, a broken
// transfer), kLimitReached (a body over max_reply_bytes: the transfer stops there).
Result<std::string> http_post_form(const std::string& url, const FormFields& fields, std::size_t max_reply_bytes,
                                   const HttpOptions& options);

// Called as a download goes: bytes received so far and the total announced (0 when not announced).
using DownloadProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// GETs url into fd (written from its current offset) and returns the bytes written. Errors as for
// http_post_form; a body over max_bytes is kLimitReached, a body cut short (fewer bytes than its
// Content-Length) kFailed.
Result<std::uint64_t> http_download(const std::string& url, int fd, std::uint64_t max_bytes, const HttpOptions& options,
                                    const DownloadProgress& progress = {});

// POSTs body (application/json) to url and returns the reply's HTTP status code, whatever it is; the reply's body
// is read and thrown away, so nothing the other end sends reaches the caller (an admin-set URL cannot be used to
// read a reply back). Redirects are not followed (the 3xx is the answer). Errors name the url: kTimeout,
// kUnavailable (no connection), kFailed (a broken transfer).
Result<long> http_post_json(const std::string& url, const std::string& body, const HttpOptions& options);

}  // namespace left4me::content
