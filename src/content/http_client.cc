#include "content/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>

namespace left4me::content {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

CurlPtr new_handle(const std::string& url, const HttpOptions& options) {
  static std::once_flag initialized;
  std::call_once(initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CurlPtr curl(curl_easy_init());
  if (!curl) return curl;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "left4me");
  return curl;
}

// What a write callback collects, and why it stopped a transfer.
struct Sink {
  std::string* body = nullptr;  // the reply kept in memory, or
  int fd = -1;                  // the file it is written to, or
  bool discard = false;         // nowhere
  std::uint64_t written = 0;
  std::uint64_t max_bytes = 0;
  bool over_limit = false;
  int write_errno = 0;
  const DownloadProgress* progress = nullptr;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  Sink& sink = *static_cast<Sink*>(user);
  size_t length = size * count;
  if (sink.written + length > sink.max_bytes) {
    sink.over_limit = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  if (sink.discard) {
    // nothing of the reply is kept
  } else if (sink.body != nullptr) {
    sink.body->append(data, length);
  } else {
    for (size_t done = 0; done < length;) {
      ssize_t n = ::write(sink.fd, data + done, length - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        sink.write_errno = errno;
        return 0;
      }
      done += static_cast<size_t>(n);
    }
  }
  sink.written += length;
  return length;
}

int report_progress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
  Sink& sink = *static_cast<Sink*>(user);
  if (sink.progress != nullptr && *sink.progress) {
    (*sink.progress)(static_cast<std::uint64_t>(done), static_cast<std::uint64_t>(total));
  }
  return 0;
}

Status perform(CURL* curl, const std::string& subject, Sink& sink) {
  char message[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, message);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  CURLcode code = curl_easy_perform(curl);
  if (sink.over_limit) {
    return Error(ErrorCode::kLimitReached,
                 subject + ": reply larger than " + std::to_string(sink.max_bytes) + " bytes (the limit)");
  }
  if (sink.write_errno != 0) return Error::from_errno(subject + ": write", sink.write_errno);
  std::string detail = message[0] != '\0' ? message : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return Error::timeout(subject + ": " + detail);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Error::unavailable(subject + ": " + detail);
    default:
      return Error::failed(subject + ": " + detail);
  }
  return ok_status();
}

// perform, then the reply's status must be 200.
Status perform_for_200(CURL* curl, const std::string& subject, Sink& sink) {
  if (Status done = perform(curl, subject, sink); !done.ok()) return done;
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return Error::failed(subject + ": HTTP status " + std::to_string(status));
  return ok_status();
}

}  // namespace

Result<std::string> http_post_form(const std::string& url, const FormFields& fields, std::size_t max_reply_bytes,
                                   const HttpOptions& options) {
  std::string subject = "POST " + url;
  CurlPtr curl = new_handle(url, options);
  if (!curl) return Error::failed(subject + ": curl_easy_init failed");
  std::string form;
  for (const auto& [name, value] : fields) {
    char* escaped = curl_easy_escape(curl.get(), value.data(), static_cast<int>(value.size()));
    if (escaped == nullptr) return Error::failed(subject + ": cannot escape a form value");
    if (!form.empty()) form += '&';
    form += name + "=" + escaped;
    curl_free(escaped);
  }
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, form.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
  std::string body;
  Sink sink{.body = &body, .max_bytes = max_reply_bytes};
  if (auto done = perform_for_200(curl.get(), subject, sink); !done.ok()) return done.error();
  return body;
}

Result<std::uint64_t> http_download(const std::string& url, int fd, std::uint64_t max_bytes, const HttpOptions& options,
                                    const DownloadProgress& progress) {
  std::string subject = "GET " + url;
  CurlPtr curl = new_handle(url, options);
  if (!curl) return Error::failed(subject + ": curl_easy_init failed");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, options.max_redirects);
  Sink sink{.fd = fd, .max_bytes = max_bytes, .progress = &progress};
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, report_progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &sink);
  if (auto done = perform_for_200(curl.get(), subject, sink); !done.ok()) return done.error();
  return sink.written;
}

Result<long> http_post_json(const std::string& url, const std::string& body, const HttpOptions& options) {
  std::string subject = "POST " + url;
  CurlPtr curl = new_handle(url, options);
  if (!curl) return Error::failed(subject + ": curl_easy_init failed");
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::unique_ptr<struct curl_slist, decltype(&curl_slist_free_all)> owned(headers, curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  Sink sink{.discard = true, .max_bytes = UINT64_MAX};
  if (auto done = perform(curl.get(), subject, sink); !done.ok()) return done.error();
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  return status;
}

}  // namespace left4me::content
