// Shared parts of the pages (see pages.h), and the static files at versioned paths.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <mutex>

#include "json/parse_json.h"
#include "web/assets.h"
#include "web/compression.h"
#include "web/handlers.h"
#include "web/install_progress.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

struct Notice {
  std::string_view key;
  std::string_view text;
};

// Messages shown after a redirect (?notice=<key>, carried by the one-time cookie, see flash_notice): fixed texts, so
// neither a link nor a cookie can put words on the page.
constexpr Notice kNotices[] = {
    {"password_changed", "Your password was changed. Your other sessions were logged out and your API tokens revoked."},
    {"token_revoked", "The API token was revoked."},
    {"blueprint_created", "The blueprint was created."},
    {"blueprint_saved", "The blueprint was saved. Servers that follow it get the change at their next start."},
    {"blueprint_deleted", "The blueprint was deleted."},
    {"overlay_created", "The overlay was created."},
    {"overlay_renamed", "The overlay was renamed."},
    {"overlay_deleted", "The overlay and its files were deleted."},
    {"script_saved", "The script was saved. Build the overlay to run it."},
    {"server_created", "The server was created. Start it when you are ready."},
    {"server_moved", "The server now follows the other blueprint; the change applies at its next start."},
    {"server_shared", "The server is shared: the user sees it on their dashboard now."},
    {"share_revoked",
     "The share was revoked: the user no longer sees the server, and their open consoles of it ended."},
    {"server_deleting", "The server is being deleted; it disappears from the list when the job is done."},
    {"restart_schedule_saved", "The daily restart was saved."},
    {"server_adopted",
     "The instance is now a server of this panel. The panel initializes it from the blueprint at its next start."},
    {"job_cancelled", "The job was cancelled."},
    {"user_created", "The user was created."},
    {"user_updated", "The user was updated."},
    {"user_deleted", "The user was deleted."},
    {"user_deleting",
     "The user is signed out and being deleted: their servers are stopped and removed by jobs, then the user and "
     "their blueprints go."},
    {"install_queued", "The game installation was queued."},
    {"installs_queued", "The game installation was queued on every usable host: one job each, with its own progress."},
    {"check_queued", "The check for a game update was queued."},
    {"build_used",
     "That build is current now. Each server moves to it at its next start (or when it is empty, if "
     "you ask for that below)."},
    {"build_removed", "The build was removed."},
    {"switch_queued", "Each server on an older build restarts on the current one once nobody plays on it."},
    {"host_added",
     "The host was added. Compare its key's fingerprint with what the host shows of its own key, then confirm it."},
    {"host_key_confirmed", "The host's key is confirmed: the panel reaches the host with it and places servers there."},
    {"host_key_scanned",
     "The host's key was scanned again. It takes no new servers until you confirm the key (compare it first)."},
    {"host_deleted", "The host was deleted."},
    {"webhook_created", "The webhook was added."},
    {"webhook_saved", "The webhook was saved."},
    {"webhook_deleted", "The webhook was deleted."},
    {"webhook_test_queued",
     "A test message is on its way; reload in a moment to see how its delivery went (failed tries are retried)."},
    {"logged_out", "You are logged out."},
    {"two_factor_required", "Administrators must use two-factor sign-in here. Set it up to go on."},
    {"two_factor_off", "Two-factor sign-in is off. Signing in asks only for your password."},
    {"two_factor_reset", "The user's two-factor sign-in was reset: they sign in with their password alone."},
    {"admin_two_factor_saved", "The sign-in setting was saved."},
};

std::optional<std::string_view> notice_text(std::string_view key) {
  for (const Notice& notice : kNotices) {
    if (notice.key == key) return notice.text;
  }
  return std::nullopt;
}

nlohmann::json asset_urls() {
  return {{"css", static_url("app.css")},
          {"htmx", static_url("htmx.min.js")},
          {"sse", static_url("htmx-sse.js")},
          {"js", static_url("app.js")},
          {"rcon_js", static_url("rcon.js")},
          {"icon", static_url("favicon.ico")},
          {"overlay_files_js", static_url("overlay_files.js")}};
}

class EscapedLogSink : public EventSink {
 public:
  EscapedLogSink(std::shared_ptr<EventSink> inner, LogLines lines) : inner_(std::move(inner)), lines_(lines) {}

  bool send(std::string data) override {
    std::string out;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_ += data;
      std::size_t start = 0;
      for (std::size_t end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n', start)) {
        std::string_view line(pending_.data() + start, end - start);
        if (line.substr(0, 5) == "data:") {
          std::string_view text = line.substr(5);
          if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
          out += "data: " + line_html(text) + "\n";
        } else {
          out.append(line);
          out += '\n';
        }
        start = end + 1;
      }
      pending_.erase(0, start);
    }
    if (out.empty()) return !inner_->closed();
    return inner_->send(std::move(out));
  }
  bool closed() const override { return inner_->closed(); }
  void close() override { inner_->close(); }

 private:
  std::string line_html(std::string_view text) const {
    std::optional<nlohmann::json> progress = lines_ == LogLines::kInstall ? parse_install_progress(text) : std::nullopt;
    if (!progress) return "<div class=\"line\">" + html_escape(text) + "</div>";
    std::string kind = progress->value("step", "") + " " + progress->value("phase", "");
    return "<div class=\"line progress\" data-progress=\"" + html_escape(kind) + "\">" +
           html_escape(describe_install_progress(*progress)) + "</div>";
  }

  std::shared_ptr<EventSink> inner_;
  const LogLines lines_;
  std::mutex mutex_;
  std::string pending_;  // an incomplete last line
};

// The error object of an API-style JSON error body, or null.
nlohmann::json error_of(const Response& response) {
  Result<nlohmann::json> parsed = parse_json_limited(response.body);
  if (!parsed || !parsed->is_object()) return nullptr;
  auto error = parsed->find("error");
  if (error == parsed->end() || !error->is_object()) return nullptr;
  return std::move(*error);
}

std::string string_member(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string_view state_class(ServerState state) {
  switch (state) {
    case ServerState::kRunning:
      return "good";
    case ServerState::kStarting:
      return "busy";
    case ServerState::kFailed:
      return "bad";
    case ServerState::kNew:
    case ServerState::kStopped:
    case ServerState::kUnknown:
      break;
  }
  return "idle";
}

std::string_view state_class(JobState state) {
  switch (state) {
    case JobState::kRunning:
    case JobState::kSucceeded:
      return "good";
    case JobState::kQueued:
      return "busy";
    case JobState::kFailed:
    case JobState::kInterrupted:
      return "bad";
    case JobState::kCancelled:
      break;
  }
  return "idle";
}

Form::Form(const Request& request) {
  std::string_view type = request.header("content-type").value_or("");
  if (type.substr(0, 33) == "application/x-www-form-urlencoded") pairs_ = parse_form(request.body);
}

std::string Form::get(std::string_view name) const {
  for (const auto& [key, value] : pairs_) {
    if (key == name) return value;
  }
  return "";
}

bool Form::has(std::string_view name) const {
  for (const auto& pair : pairs_) {
    if (pair.first == name) return true;
  }
  return false;
}

std::vector<std::string> Form::all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : pairs_) {
    if (key == name) values.push_back(value);
  }
  return values;
}

nlohmann::json anonymous_view(std::string_view title) {
  return {{"title", title}, {"asset", asset_urls()}, {"user", nullptr}, {"csrf", nullptr}};
}

nlohmann::json base_view(const Context& context, std::string_view title, std::string_view nav) {
  nlohmann::json view = anonymous_view(title);
  if (context.auth) {
    view["user"] = {{"name", context.user().name}, {"is_admin", context.user().is_admin}};
    view["csrf"] = context.auth->csrf_token;
  }
  if (!nav.empty()) view["nav_" + std::string(nav)] = true;
  if (auto key = context.request.cookie(kNoticeCookie)) {
    if (auto text = notice_text(*key)) view["notice"] = std::string(*text);
  }
  return view;
}

bool is_htmx(const Request& request) { return request.header("hx-request").has_value(); }

nlohmann::json time_view(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return nullptr;
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return {{"iso", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc)}, {"utc", fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", utc)}};
}

nlohmann::json time_view(std::string_view rfc3339) {
  // Exactly YYYY-MM-DDTHH:MM:SSZ: digits where digits go, the separators in their places.
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  if (rfc3339.size() != kShape.size()) return nullptr;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    bool digit = rfc3339[i] >= '0' && rfc3339[i] <= '9';
    if (kShape[i] == 'd' ? !digit : rfc3339[i] != kShape[i]) return nullptr;
  }
  auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) value = value * 10 + (rfc3339[i] - '0');
    return value;
  };
  std::tm utc{};
  utc.tm_year = number(0, 4) - 1900;
  utc.tm_mon = number(5, 2) - 1;
  utc.tm_mday = number(8, 2);
  utc.tm_hour = number(11, 2);
  utc.tm_min = number(14, 2);
  utc.tm_sec = number(17, 2);
  if (utc.tm_mon > 11 || utc.tm_mday < 1 || utc.tm_mday > 31 || utc.tm_hour > 23 || utc.tm_min > 59 ||
      utc.tm_sec > 60) {
    return nullptr;
  }
  return time_view(static_cast<std::int64_t>(timegm(&utc)));
}

std::string format_bytes(double bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{:.0f} B", bytes);
  return fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string request_host(const Request& request) {
  std::string host(request.header("host").value_or("127.0.0.1"));
  if (!host.empty() && host.front() == '[') {
    std::size_t close = host.find(']');
    return close == std::string::npos ? host : host.substr(0, close + 1);
  }
  std::size_t colon = host.find(':');
  if (colon != std::string::npos) host.resize(colon);
  return host.empty() ? "127.0.0.1" : host;
}

std::string error_message_of(const Response& response) { return string_member(error_of(response), "message"); }

std::string error_code_of(const Response& response) { return string_member(error_of(response), "code"); }

Response error_page(const Request& request, int status, std::string_view title, std::string_view message,
                    const std::optional<SessionInfo>& viewer) {
  nlohmann::json view = anonymous_view(title);
  if (viewer) {  // a signed-in viewer keeps the navigation (and is not offered to log in)
    view["user"] = {{"name", viewer->user.name}, {"is_admin", viewer->user.is_admin}};
    view["csrf"] = viewer->csrf_token;
  }
  view["status"] = status;
  view["message"] = message;
  view["path"] = request.path;
  view["is_not_found"] = status == 404;
  return html_page(status, "error", view);
}

Response page_error_hook(const Request& request, const std::optional<SessionInfo>& viewer, Response response) {
  for (const auto& [name, value] : response.headers) {
    if (name == "Content-Type" && value.rfind("application/json", 0) != 0) return response;
  }
  if (is_htmx(request)) return response;
  nlohmann::json error = error_of(response);
  std::string message = string_member(error, "message");
  std::string_view title = "Something went wrong";
  switch (response.status) {
    case 404:
      title = "Page not found";
      message =
          "There is nothing here. The address may be mistyped, or the server, blueprint or job was deleted "
          "(or belongs to someone else).";
      break;
    case 403:
      title = "Not allowed";
      if (string_member(error, "code") == "csrf") {
        message = "This form has expired (or came from another site). Go back, reload the page and try again.";
      }
      break;
    case 405:
      title = "Not possible here";
      message = "This address does not accept that request. Use the buttons on the pages.";
      break;
    case 409:
      title = "That cannot be done now";
      break;
    case 413:
      title = "Too large";
      message = "What you sent is too large (the limit is 1 MiB).";
      break;
    case 422:
      title = "Please check your input";
      break;
    case 429:
      title = "Too many attempts";
      break;
    default:
      if (response.status >= 500) {
        message =
            "The web app hit an unexpected problem; the details are in its log. Try again, and tell your "
            "administrator if it keeps happening.";
      }
  }
  if (message.empty()) message = "The request failed (HTTP " + std::to_string(response.status) + ").";
  Response page = error_page(request, response.status, title, message, viewer);
  for (const auto& header : response.headers) {
    if (header.first != "Content-Type") page.headers.push_back(header);
  }
  return page;
}

std::shared_ptr<EventSink> escaped_log_sink(std::shared_ptr<EventSink> sink, LogLines lines) {
  return std::make_shared<EscapedLogSink>(std::move(sink), lines);
}

namespace page {

// The version in the path changes with the content, so browsers may keep a file forever.
Response static_file(App&, Context& context) {
  std::optional<EmbeddedFile> file = find_embedded("static/" + context.params[1]);
  if (!file || file->version != context.params[0]) {
    return error_page(context.request, 404, "Page not found", "There is no such file.");
  }
  Response response;
  response.header("Content-Type", std::string(content_type_for(file->name)));
  response.header("Cache-Control", "public, max-age=31536000, immutable");
  // negotiate_encoding gives each compressed form its own tag ("<version>-gzip").
  response.header("ETag", "\"" + std::string(file->version) + "\"");
  response.encoded = std::make_shared<const EncodedBody>(file->content, file->gzip, file->brotli);
  return response;
}

// Browsers ask for /favicon.ico by themselves (before the page's <link rel="icon">, and on pages that have none).
Response favicon(App&, Context&) {
  std::optional<EmbeddedFile> file = find_embedded("static/favicon.ico");
  Response response;
  response.header("Content-Type", std::string(content_type_for(file->name)));
  response.header("Cache-Control", "public, max-age=86400");
  response.body = std::string(file->content);
  return response;
}

}  // namespace page

Response flash_notice(const Request& request, Response response) {
  constexpr std::string_view kQuery = "?notice=";
  if (response.status >= 300 && response.status < 400) {
    for (auto& [name, value] : response.headers) {
      std::size_t query = value.find(kQuery);
      if (name != "Location" || query == std::string::npos) continue;
      std::string key = value.substr(query + kQuery.size());
      if (!notice_text(key)) break;
      value.resize(query);
      response.header("Set-Cookie",
                      fmt::format("{}={}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax", kNoticeCookie, key));
      break;
    }
    return response;
  }
  bool full_page = false;
  for (const auto& [name, value] : response.headers) {
    full_page |= name == "Content-Type" && value.rfind("text/html", 0) == 0;
  }
  if (full_page && !is_htmx(request) && request.cookie(kNoticeCookie)) {
    response.header("Set-Cookie", fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax", kNoticeCookie));
  }
  return response;
}

nlohmann::json job_view(const Job& job) {
  nlohmann::json view = {
      {"id", job.id},
      {"type", to_string(job.type)},
      {"target", job.target},
      {"server_id", job.server_id ? nlohmann::json(*job.server_id) : nlohmann::json(nullptr)},
      {"state", to_string(job.state)},
      {"state_class", state_class(job.state)},
      {"created", time_view(job.created_at)},
      {"started", time_view(job.started_at.value_or(0))},
      {"finished", time_view(job.finished_at.value_or(0))},
      {"exit_code", job.exit_code ? nlohmann::json(std::to_string(*job.exit_code)) : nlohmann::json(nullptr)},
      {"reason", job.reason},
      {"is_queued", job.state == JobState::kQueued},
      {"is_live", is_pending(job.state)}};
  if (job.type == JobType::kInstall) {
    std::optional<nlohmann::json> progress = parse_install_progress(job.progress);
    view["install"] = install_progress_view(progress.value_or(nullptr), job.state == JobState::kSucceeded);
  }
  if (job.started_at) {
    std::int64_t end = job.finished_at.value_or(unix_now());
    view["duration"] = fmt::format("{} s", std::max<std::int64_t>(0, end - *job.started_at));
  }
  return view;
}

}  // namespace left4me::web
