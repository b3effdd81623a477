// A small blocking HTTP/1.1 client for the web app's tests: real sockets on 127.0.0.1, one connection
// per request (Connection: close), plus a raw streaming reader for server-sent events. Not thread-safe
// per object; separate objects may be used from separate threads.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace left4me::web::testing {

struct HttpReply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;

  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::string error_code() const {
    nlohmann::json parsed = json();
    if (!parsed.is_object() || !parsed.contains("error")) return "";
    return parsed["error"].value("code", "");
  }
};

// A connection to 127.0.0.1:port, from source (another loopback address, e.g. 127.0.0.2) when given: the whole
// of 127/8 is local, so tests can be several clients.
inline UniqueFd connect_local(std::uint16_t port, const std::string& source = "") {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1) return UniqueFd();
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return UniqueFd();
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return UniqueFd();
  return fd;
}

inline bool send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

inline std::string build_request(const std::string& method, const std::string& path, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers, bool close) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (close) request += "Connection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  return request;
}

inline HttpReply parse_reply(const std::string& raw) {
  HttpReply reply;
  size_t header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos || raw.size() < 12) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  size_t line_start = raw.find("\r\n") + 2;
  while (line_start < header_end) {
    size_t line_end = raw.find("\r\n", line_start);
    std::string line = raw.substr(line_start, line_end - line_start);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t value_start = line.find_first_not_of(' ', colon + 1);
      reply.headers.emplace(name, value_start == std::string::npos ? "" : line.substr(value_start));
    }
    line_start = line_end + 2;
  }
  reply.body = raw.substr(header_end + 4);
  return reply;
}

inline HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& path,
                              const std::string& body = "",
                              const std::vector<std::pair<std::string, std::string>>& headers = {},
                              const std::string& source = "") {
  UniqueFd fd = connect_local(port, source);
  if (!fd.valid() || !send_all(fd.get(), build_request(method, path, body, headers, true))) return {};
  std::string raw;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  return parse_reply(raw);
}

// A logged-in (or anonymous) browser: keeps the session cookie and the CSRF token.
class Browser {
 public:
  explicit Browser(std::uint16_t port) : port_(port) {}

  HttpReply request(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                    bool with_csrf = true) {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string cookies;
    for (const auto& [name, value] : cookies_) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    if (!cookies.empty()) headers.emplace_back("Cookie", cookies);
    if (with_csrf && !csrf_.empty()) headers.emplace_back("X-CSRF-Token", csrf_);
    if (!bearer_.empty()) headers.emplace_back("Authorization", "Bearer " + bearer_);
    for (const auto& header : extra_headers_) headers.push_back(header);
    std::string text;
    if (!body.is_null()) {
      text = body.dump();
      headers.emplace_back("Content-Type", "application/json");
    }
    HttpReply reply = http_request(port_, method, path, text, headers, source_);
    auto range = reply.headers.equal_range("set-cookie");
    for (auto it = range.first; it != range.second; ++it) {
      std::string cookie = it->second.substr(0, it->second.find(';'));
      size_t equals = cookie.find('=');
      cookies_[cookie.substr(0, equals)] = cookie.substr(equals + 1);
    }
    nlohmann::json parsed = reply.json();
    if (parsed.is_object() && parsed.contains("csrf_token") && parsed["csrf_token"].is_string()) {
      csrf_ = parsed["csrf_token"];
    }
    return reply;
  }

  HttpReply get(const std::string& path) { return request("GET", path); }
  HttpReply post(const std::string& path, const nlohmann::json& body = nlohmann::json::object()) {
    return request("POST", path, body);
  }
  HttpReply login(const std::string& name, const std::string& password) {
    get("/api/v1/csrf");
    return post("/api/v1/session", {{"name", name}, {"password", password}});
  }
  void set_bearer(std::string token) { bearer_ = std::move(token); }
  void set_csrf(std::string token) { csrf_ = std::move(token); }
  // Connect from another loopback address (127.0.0.2, ...): another client as the server sees it.
  void set_source_address(std::string address) { source_ = std::move(address); }
  // Sent with every request from now on (X-Forwarded-For, ...).
  void set_header(std::string name, std::string value) {
    for (auto& header : extra_headers_) {
      if (header.first == name) {
        header.second = std::move(value);
        return;
      }
    }
    extra_headers_.emplace_back(std::move(name), std::move(value));
  }
  const std::string& csrf() const { return csrf_; }
  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  std::uint16_t port_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
  std::string bearer_;
  std::string source_;
  std::vector<std::pair<std::string, std::string>> extra_headers_;
};

// A streaming GET (server-sent events): reads as data arrives.
class StreamReader {
 public:
  StreamReader(std::uint16_t port, const std::string& path,
               const std::vector<std::pair<std::string, std::string>>& headers) {
    fd_ = connect_local(port);
    if (fd_.valid()) send_all(fd_.get(), build_request("GET", path, "", headers, false));
  }
  // Reads until the received text contains needle (true) or the timeout passes / the stream ends (false).
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t searched = 0;
    while (received_.find(needle, searched) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd poll_fd{fd_.get(), POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[65536];
      ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
      if (n <= 0) return received_.find(needle, searched) != std::string::npos;
      received_.append(buffer, static_cast<size_t>(n));
      // Only the new text (and a needle's length before it) can hold the needle: long streams stay linear.
      searched = received_.size() - static_cast<size_t>(n) > needle.size()
                     ? received_.size() - static_cast<size_t>(n) - needle.size()
                     : 0;
    }
    return true;
  }
  const std::string& received() const { return received_; }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  std::string received_;
};

}  // namespace left4me::web::testing
