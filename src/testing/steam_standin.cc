#include "testing/steam_standin.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>

namespace left4me::test {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxRequestBytes = 1 << 20;

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string head(int status, std::string_view type, std::size_t length) {
  std::string reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + std::string(type) +
         "\r\nContent-Length: " + std::to_string(length) + "\r\nConnection: close\r\n\r\n";
}

void reply(int fd, int status, std::string_view type, std::string_view body) {
  send_all(fd, head(status, type, body.size()) + std::string(body));
}

std::string url_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The values of publishedfileids[N] in a form, in N's order.
std::vector<std::string> form_ids(std::string_view form) {
  std::map<int, std::string> ids;
  size_t start = 0;
  while (start < form.size()) {
    size_t end = form.find('&', start);
    if (end == std::string_view::npos) end = form.size();
    std::string pair = url_decode(form.substr(start, end - start));
    start = end + 1;
    size_t equals = pair.find('=');
    if (equals == std::string::npos || pair.rfind("publishedfileids[", 0) != 0) continue;
    ids[std::atoi(pair.c_str() + 17)] = pair.substr(equals + 1);
  }
  std::vector<std::string> out;
  for (auto& [index, id] : ids) out.push_back(id);
  return out;
}

struct Request {
  std::string method;
  std::string path;
  std::string body;
};

std::optional<Request> read_request(int fd) {
  std::string data;
  char buffer[8192];
  size_t header_end;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0 || data.size() > kMaxRequestBytes) return std::nullopt;
    data.append(buffer, static_cast<size_t>(n));
  }
  Request request;
  size_t space = data.find(' ');
  size_t space2 = data.find(' ', space + 1);
  if (space == std::string::npos || space2 == std::string::npos) return std::nullopt;
  request.method = data.substr(0, space);
  request.path = data.substr(space + 1, space2 - space - 1);
  size_t length = 0;
  std::string headers = data.substr(0, header_end);
  for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (size_t at = headers.find("\r\ncontent-length:"); at != std::string::npos) {
    length = std::strtoul(headers.c_str() + at + 17, nullptr, 10);
  }
  if (length > kMaxRequestBytes) return std::nullopt;
  request.body = data.substr(header_end + 4);
  while (request.body.size() < length) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    request.body.append(buffer, static_cast<size_t>(n));
  }
  return request;
}

json item_json(const StandinItem& item, const std::string& base_url) {
  if (item.result != 1) return {{"publishedfileid", item.id}, {"result", item.result}};
  std::int64_t size =
      item.file_size_override >= 0 ? item.file_size_override : static_cast<std::int64_t>(item.content.size());
  std::string file_url = item.serve == StandinItem::Serve::kNoFileUrl ? "" : base_url + "/files/" + item.id + ".vpk";
  return {{"publishedfileid", item.id},
          {"result", 1},
          {"creator", "76561197960287930"},
          {"creator_app_id", 550},
          {"consumer_app_id", item.consumer_app_id},
          {"filename", item.filename.empty() ? "myl4d2addons/" + item.id + ".vpk" : item.filename},
          {"file_size", std::to_string(size)},  // a string, as Steam sends it today
          {"file_url", file_url},
          {"hcontent_file", "5" + item.id},
          {"preview_url", ""},
          {"hcontent_preview", "0"},
          {"title", item.title},
          {"description", "stand-in item " + item.id},
          {"time_created", 1600000000},
          {"time_updated", item.time_updated},
          {"visibility", item.visibility},
          {"banned", 0},
          {"ban_reason", ""},
          {"subscriptions", 12},
          {"favorited", 3},
          {"lifetime_subscriptions", 20},
          {"lifetime_favorited", 4},
          {"views", 100},
          {"tags", json::array({{{"tag", "Campaigns"}}})}};
}

}  // namespace

std::string standin_vpk(std::string_view seed, std::size_t size) {
  std::string data("\x34\x12\xaa\x55\x01\0\0\0\0\0\0\0", 12);
  std::uint32_t state = 2166136261u;
  for (char c : seed) state = (state ^ static_cast<unsigned char>(c)) * 16777619u;
  while (data.size() < size) {
    state = state * 1664525u + 1013904223u;
    data.push_back(static_cast<char>(state >> 24));
  }
  return data;
}

Result<std::unique_ptr<SteamStandin>> SteamStandin::start() {
  std::unique_ptr<SteamStandin> standin(new SteamStandin());
  standin->listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!standin->listener_.valid()) return Error::from_errno("socket", errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(standin->listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(standin->listener_.get(), 64) != 0 ||
      ::getsockname(standin->listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return Error::from_errno("steam stand-in: listen on 127.0.0.1", errno);
  }
  standin->port_ = ntohs(address.sin_port);
  standin->stop_.reset(::eventfd(0, EFD_CLOEXEC));
  if (!standin->stop_.valid()) return Error::from_errno("eventfd", errno);
  standin->acceptor_ = std::thread([raw = standin.get()] { raw->accept_loop(); });
  return standin;
}

SteamStandin::~SteamStandin() {
  if (!acceptor_.joinable()) return;  // start() failed before the accept loop ran
  std::uint64_t one = 1;
  if (::write(stop_.get(), &one, sizeof one) < 0) std::abort();
  acceptor_.join();
  for (auto& connection : connections_) connection.join();
}

std::string SteamStandin::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void SteamStandin::accept_loop() {
  while (true) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) continue;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, fd = connection.release()] { serve(UniqueFd(fd)); });
  }
}

void SteamStandin::serve(UniqueFd connection) {
  auto request = read_request(connection.get());
  if (!request) return;
  const std::string api = "/ISteamRemoteStorage/";
  if (request->method == "GET" && request->path.rfind("/files/", 0) == 0) {
    std::string name = request->path.substr(7);
    std::string id = name.size() > 4 ? name.substr(0, name.size() - 4) : name;
    return serve_file(connection.get(), id);
  }
  if (request->method != "POST" || request->path.rfind(api, 0) != 0) {
    return reply(connection.get(), 404, "text/plain", "not found\n");
  }
  std::string method = request->path.substr(api.size());
  method = method.substr(0, method.find('/'));
  std::vector<std::string> ids = form_ids(request->body);
  std::string body;
  {
    std::lock_guard lock(mutex_);
    ++api_requests_[method];
    last_ids_[method] = ids;
    if (auto lie = lies_.find(method); lie != lies_.end()) body = lie->second;
  }
  if (body.empty()) {
    if (method == "GetCollectionDetails") {
      body = collection_reply(ids);
    } else if (method == "GetPublishedFileDetails") {
      body = details_reply(ids);
    } else {
      return reply(connection.get(), 404, "text/plain", "no such method\n");
    }
  }
  reply(connection.get(), 200, "application/json; charset=UTF-8", body);
}

std::string SteamStandin::collection_reply(const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  json details = json::array();
  for (const auto& id : ids) {
    auto found = collections_.find(id);
    if (found == collections_.end()) {
      details.push_back({{"publishedfileid", id}, {"result", 9}});
      continue;
    }
    json children = json::array();
    int order = 0;
    for (const auto& [child, type] : found->second.children) {
      children.push_back({{"publishedfileid", child}, {"sortorder", ++order}, {"filetype", type}});
    }
    details.push_back({{"publishedfileid", id}, {"result", 1}, {"children", children}});
  }
  json reply_json = {{"response", {{"result", 1}, {"resultcount", details.size()}, {"collectiondetails", details}}}};
  return reply_json.dump();
}

std::string SteamStandin::details_reply(const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  json details = json::array();
  for (const auto& id : ids) {
    auto found = items_.find(id);
    if (found == items_.end()) {
      details.push_back({{"publishedfileid", id}, {"result", 9}});
    } else {
      details.push_back(item_json(found->second, base_url()));
    }
  }
  json reply_json = {{"response", {{"result", 1}, {"resultcount", details.size()}, {"publishedfiledetails", details}}}};
  return reply_json.dump();
}

void SteamStandin::serve_file(int fd, const std::string& id) {
  StandinItem item;
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    auto found = items_.find(id);
    if (found == items_.end() || found->second.result != 1) return reply(fd, 404, "text/plain", "no such file\n");
    item = found->second;
    delay = slow_delay_;
    ++file_requests_[id];
  }
  send_all(fd, head(200, "application/octet-stream", item.content.size()));
  std::string_view body = item.content;
  if (item.serve == StandinItem::Serve::kTruncated) {
    send_all(fd, body.substr(0, body.size() / 2));
    return;  // the connection closes with half the promised bytes
  }
  if (item.serve != StandinItem::Serve::kSlow) return send_all(fd, body);
  for (size_t at = 0; at < body.size(); at += 4096) {
    send_all(fd, body.substr(at, 4096));
    std::this_thread::sleep_for(delay);
  }
}

void SteamStandin::put_item(StandinItem item) {
  std::lock_guard lock(mutex_);
  std::string id = item.id;
  items_[id] = std::move(item);
}

void SteamStandin::put_collection(StandinCollection collection) {
  std::lock_guard lock(mutex_);
  std::string id = collection.id;
  collections_[id] = std::move(collection);
}

void SteamStandin::set_time_updated(const std::string& id, std::int64_t time_updated, std::string content) {
  std::lock_guard lock(mutex_);
  items_[id].time_updated = time_updated;
  items_[id].content = std::move(content);
}

void SteamStandin::lie(const std::string& method, std::string body) {
  std::lock_guard lock(mutex_);
  lies_[method] = std::move(body);
}

void SteamStandin::set_slow_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  slow_delay_ = delay;
}

int SteamStandin::api_requests(const std::string& method) const {
  std::lock_guard lock(mutex_);
  auto found = api_requests_.find(method);
  return found == api_requests_.end() ? 0 : found->second;
}

int SteamStandin::file_requests(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto found = file_requests_.find(id);
  return found == file_requests_.end() ? 0 : found->second;
}

std::vector<std::string> SteamStandin::last_ids(const std::string& method) const {
  std::lock_guard lock(mutex_);
  auto found = last_ids_.find(method);
  return found == last_ids_.end() ? std::vector<std::string>{} : found->second;
}

}  // namespace left4me::test
