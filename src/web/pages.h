// What the page route modules (pages_*.cc) share: the view every page starts from, form access, HTMX
// detection, time and size formatting, state colours, error pages, and the HTML-escaping live-log stream.
// Pure functions or thread-safe objects.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/app.h"
#include "web/states.h"
#include "web/page_render.h"
#include "web/responses.h"

namespace left4me::web {

// An application/x-www-form-urlencoded body with repeated names kept in order.
class Form {
 public:
  explicit Form(const Request& request);
  // The first value of name, or "".
  std::string get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// The view every page starts from: title, the user and nav (when logged in), the CSRF token, the static
// file URLs, and the notice of the one-time notice cookie (a fixed message; never text from the cookie).
nlohmann::json base_view(const Context& context, std::string_view title, std::string_view nav);
// The view for pages shown to nobody in particular (login, setup, errors before login).
nlohmann::json anonymous_view(std::string_view title);

// The request came from HTMX (it swaps the answer into the page).
bool is_htmx(const Request& request);
// A time as every page shows it, through the _time partial: {"iso": "2026-01-02T13:04:05Z", "utc": "2026-01-02
// 13:04:05 UTC"}, null for 0. The page shows the UTC text, which app.js replaces with the time in the viewer's time
// zone (the UTC text stays on hover).
nlohmann::json time_view(std::int64_t unix_seconds);
// The same for an RFC 3339 UTC time ("2026-01-02T13:04:05Z", as l4d2ctl reports them); null when it is not one.
nlohmann::json time_view(std::string_view rfc3339);
// "1.5 GiB", "512 B".
std::string format_bytes(double bytes);
// The host name the browser used to reach us (for host:port), without the port.
std::string request_host(const Request& request);

// A friendly error page for status (404, 403, 409, 500, ...) with what went wrong and what to do; a signed-in
// viewer's page has the navigation.
Response error_page(const Request& request, int status, std::string_view title, std::string_view message,
                    const std::optional<SessionInfo>& viewer = std::nullopt);
// What App::handle does with an error answer to a page route: an API-style JSON error becomes an HTML page
// (HTMX requests keep the JSON, which app.js shows). `viewer`: the session of the request's cookie, if any.
Response page_error_hook(const Request& request, const std::optional<SessionInfo>& viewer, Response response);

// The one-time notice after a redirect. What App::handle does with every page answer: a redirect to
// "<path>?notice=<key>" (a known notice) goes to <path> with the key in the l4d2_notice cookie instead, which
// base_view shows, and the full page that shows it clears the cookie, so a reload does not repeat it.
inline constexpr std::string_view kNoticeCookie = "l4d2_notice";
Response flash_notice(const Request& request, Response response);
// The message and the code of an API-style JSON error body, or "".
std::string error_message_of(const Response& response);
std::string error_code_of(const Response& response);

// What the lines of a log are: a console's or a job's plain text, or an install job's, whose progress lines (JSON
// objects) are shown as progress.
enum class LogLines { kPlain, kInstall };
// Wraps a server-sent-event sink so each `data:` line becomes an escaped HTML line
// (<div class="line">...</div>) that HTMX's SSE extension can append safely; with LogLines::kInstall a progress
// line becomes <div class="line progress" data-progress="<step> <phase>">downloading 12.3% · ...</div>.
std::shared_ptr<EventSink> escaped_log_sink(std::shared_ptr<EventSink> sink, LogLines lines = LogLines::kPlain);

// The colour class of a state in the pages' CSS: good, busy, bad or idle.
std::string_view state_class(ServerState state);
std::string_view state_class(JobState state);
// A job as the pages show it (rows, summaries, the install progress).
nlohmann::json job_view(const Job& job);

// The server page's RCON console section (rcon_routes.cc): its audit rows and the maps to change to; null for
// a viewer who may not use the console.
Result<nlohmann::json> console_view(App& app, Context& context, const Server& server);

// The overlay page's file section (pages_overlay_files.cc; the view of templates/_overlay_files.mustache, put
// under "files"): the directory `path` of the overlay, its entries with download, edit and delete, the upload
// form and the quota. kInvalidArgument for a bad path, kNotFound for a missing directory.
Result<nlohmann::json> overlay_files_view(App& app, const Context& context, const Overlay& overlay,
                                          const std::string& path);
// The managed overlay's section of the overlay page (pages_managed_overlays.cc; administrators): {managed:{...}}.
nlohmann::json managed_section_view(App& app, Context& context, const Overlay& overlay);
// The config editor's save, for the API and the page (api_overlay_files.cc): checks that the caller may change
// the overlay (kPermissionDenied; kUnavailable for another kind than files), writes (write_overlay_text, the
// owner's quota applied) and records the overlay's size. The checked path.
Result<std::string> save_overlay_text(App& app, const Context& context, const Overlay& overlay, const std::string& path,
                                      const std::string& text);

}  // namespace left4me::web
